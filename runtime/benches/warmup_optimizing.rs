//! Warmup latency, V8 tier: see common/mod.rs.

mod common;

fn main() {
    common::set_tier(&common::OPTIMIZING);
    let mut c = criterion::Criterion::default().configure_from_args();
    common::bench_tier(&mut c, &common::OPTIMIZING);
    c.final_summary();
}
