//! Warmup latency, one V8 tier per process (flags are fixed when V8 starts): see common/mod.rs.

mod common;

use wasm_runner_testkit::tiers::EAGER_LIFTOFF;

fn main() {
    common::set_tier(&EAGER_LIFTOFF);
    let mut c = criterion::Criterion::default().configure_from_args();
    common::bench_tier(&mut c, &EAGER_LIFTOFF);
    c.final_summary();
}
