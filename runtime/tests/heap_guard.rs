//! The near-heap-limit guard: exhaustion ends in a typed error, the process lives on, and
//! the next run in the same process works.

mod common;

use common::{rss_bytes, small_module, MIB};
use wasm_runner::limits::GuestLimits;
use wasm_runner::{Runner, RunnerError, RunnerLimits};
use wasm_runner_synth::{build, SynthSpec};

/// Retains ever more small objects: an allocation bomb with plain interrupt checks.
const ALLOCATION_BOMB: &str = r#"
    const keep = [];
    for (let i = 0; ; i++) keep.push({ i, text: 'bomb-' + i + '-'.repeat(32) });
"#;

fn small_cap_runner() -> Runner {
    Runner::new(RunnerLimits::default().with_heap_limit_mb(32))
}

fn assert_heap_exhausted(error: &RunnerError, phase: &str) {
    match error {
        RunnerError::HeapLimitExhausted { phase: p, observed_bytes, capacity_bytes, heap_limit_bytes } => {
            assert_eq!(p, phase);
            assert!(*observed_bytes > 0);
            assert!(*capacity_bytes > 0 && *capacity_bytes <= *heap_limit_bytes);
            assert_eq!(*heap_limit_bytes, 32 * MIB);
        }
        other => panic!("expected heap_limit_exhausted in {phase}, got {other:?}"),
    }
    assert_eq!(error.kind(), "heap_limit_exhausted");
    assert!(!error.to_string().contains("null"), "{error}");
}

#[test]
fn allocation_bomb_ends_typed_and_process_goes_on() {
    let runner = small_cap_runner();
    let error = runner.run_trusted_script("bomb.js", ALLOCATION_BOMB).expect_err("the bomb cannot finish");
    assert_heap_exhausted(&error, "script");

    // The same process, right after: a normal warmup works.
    let report = runner.warmup(small_module()).expect("a small module warms up after an exhaustion");
    assert_eq!(report.phases.len(), 5);
}

#[test]
fn wasm_table_bomb_ends_typed_in_instantiate() {
    // 10M funcref slots put about 230 MB on the runner heap at instantiation.
    let module = build(&SynthSpec { functions: 1, body_bytes: 4, table_elements: 10_000_000, ..Default::default() });
    // Over the default table budget on purpose: this tests the runner heap, not the guest checks.
    let guest = GuestLimits { max_table_elements: 10_000_000, ..Default::default() };
    let failure =
        small_cap_runner().with_guest_limits(guest).warmup(module).expect_err("a 10M-slot table does not fit 32 MiB");
    assert_heap_exhausted(&failure.error, "instantiate");
    assert_eq!(failure.phases.last().map(|p| p.name), Some("instantiate"));
    small_cap_runner().warmup(small_module()).expect("the next warmup works");
}

#[test]
fn repeated_exhaustion_keeps_the_process_healthy() {
    const ROUNDS: usize = 200;
    // Growth allowed from round 20 to round 200: a leak of even 1 MiB per exhausted
    // isolate (a 32 MiB heap each) would exceed it.
    const RSS_GROWTH_BOUND: usize = 96 * MIB;
    let runner = small_cap_runner();
    let mut baseline = 0;
    for round in 0..ROUNDS {
        let error = runner.run_trusted_script("bomb.js", ALLOCATION_BOMB).expect_err("the bomb cannot finish");
        assert_heap_exhausted(&error, "script");
        if round == 19 {
            baseline = rss_bytes();
        }
    }
    let last = rss_bytes();
    let growth = last.saturating_sub(baseline);
    eprintln!(
        "RSS after round 20: {:.1} MiB, after round {ROUNDS}: {:.1} MiB",
        baseline as f64 / MIB as f64,
        last as f64 / MIB as f64
    );
    assert!(growth < RSS_GROWTH_BOUND, "RSS grew by {growth} bytes over {} exhaustions", ROUNDS - 20);
    runner.warmup(small_module()).expect("still warms up after 200 exhaustions");
}
