//! Warmup latency, one V8 tier per process (flags are fixed when V8 starts): see common/mod.rs.

mod common;

use wasm_runner_testkit::tiers::EAGER_OPTIMIZING;

fn main() {
    common::set_tier(&EAGER_OPTIMIZING);
    let mut c = criterion::Criterion::default().configure_from_args();
    common::bench_tier(&mut c, &EAGER_OPTIMIZING);
    c.final_summary();
}
