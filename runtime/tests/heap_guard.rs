//! The near-heap-limit guard: exhaustion ends in a typed error, the process lives on, and
//! the next run in the same process works.

use wasm_runner::internals::run_trusted_script;
use wasm_runner::{GuestLimits, Runner, RunnerError, RunnerLimits};
use wasm_runner_testkit::fixtures::{wasm, JS_OBJECT_BOMB, SMALL};
use wasm_runner_testkit::rss::rss_bytes;
use wasm_runner_testkit::synth::{build, SynthSpec};

const MIB: usize = 1024 * 1024;

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
    assert!(!error.to_string().contains("null"), "{error}");
}

fn bomb(runner: &Runner) -> RunnerError {
    run_trusted_script(runner, "bomb.js", JS_OBJECT_BOMB).expect_err("the bomb cannot finish").error
}

#[test]
fn an_allocation_bomb_ends_as_heap_limit_exhausted() {
    assert_heap_exhausted(&bomb(&small_cap_runner()), "script");
}

#[test]
fn a_warmup_right_after_an_exhaustion_works() {
    let runner = small_cap_runner();
    bomb(&runner);
    let report = runner.warmup(wasm(SMALL)).expect("a small module warms up after an exhaustion");
    assert_eq!(report.phases.len(), 4);
}

/// 10M funcref slots put about 230 MB on the runner heap at instantiation; over the
/// default table budget on purpose, since this tests the runner heap, not the guest checks.
fn table_bomb_runner() -> Runner {
    small_cap_runner().with_guest_limits(GuestLimits { max_table_elements: 10_000_000, ..Default::default() })
}

fn table_bomb() -> Vec<u8> {
    build(&SynthSpec { functions: 1, body_bytes: 4, table_elements: 10_000_000, ..Default::default() })
}

#[test]
fn a_wasm_table_bomb_ends_as_heap_limit_exhausted_in_instantiate() {
    let failure = table_bomb_runner().warmup(table_bomb()).expect_err("a 10M-slot table does not fit 32 MiB");
    assert_heap_exhausted(&failure.error, "instantiate");
    assert_eq!(failure.phases.last().map(|p| p.name.as_str()), Some("instantiate"));
}

#[test]
fn a_warmup_right_after_a_table_bomb_works() {
    table_bomb_runner().warmup(table_bomb()).expect_err("a 10M-slot table does not fit 32 MiB");
    small_cap_runner().warmup(wasm(SMALL)).expect("the next warmup works");
}

#[test]
fn repeated_exhaustion_keeps_the_process_healthy() {
    const ROUNDS: usize = 200;
    // Growth allowed from round 20 to round 200: a leak of even 1 MiB per exhausted
    // isolate (a 32 MiB heap each) would exceed it.
    const RSS_GROWTH_BOUND: u64 = 96 * MIB as u64;
    let runner = small_cap_runner();
    let mut baseline = 0;
    for round in 0..ROUNDS {
        assert_heap_exhausted(&bomb(&runner), "script");
        if round == 19 {
            baseline = rss_bytes();
        }
    }
    let last = rss_bytes();
    assert!(baseline > 0, "RSS is readable here");
    let growth = last.saturating_sub(baseline);
    eprintln!(
        "RSS after round 20: {:.1} MiB, after round {ROUNDS}: {:.1} MiB",
        baseline as f64 / MIB as f64,
        last as f64 / MIB as f64
    );
    assert!(growth < RSS_GROWTH_BOUND, "RSS grew by {growth} bytes over {} exhaustions", ROUNDS - 20);
    runner.warmup(wasm(SMALL)).expect("still warms up after 200 exhaustions");
}
