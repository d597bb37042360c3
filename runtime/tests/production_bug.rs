//! The production bug, reproduced and fixed side by side: a module whose warmup needs more
//! than the 128 MiB per-guest budget of runner heap fails with a typed
//! `HeapLimitExhausted` under that budget (the production failure, minus the `Error:
//! null`) and warms up under the default runner cap without ever reaching the guard.

use wasm_runner::limits::runner::{DEFAULT_RUNNER_HEAP_LIMIT_MB, GUEST_ISOLATE_HEAP_BUDGET_MB};
use wasm_runner::{Runner, RunnerError, RunnerLimits};
use wasm_runner_testkit::synth;

const MIB: usize = 1024 * 1024;

fn module() -> Vec<u8> {
    synth::build(&synth::preset("production-bug").expect("preset exists"))
}

#[test]
fn the_production_bug_module_hits_the_guard_under_the_guest_budget() {
    let at_budget = Runner::new(RunnerLimits::default().with_heap_limit_mb(GUEST_ISOLATE_HEAP_BUDGET_MB));
    let failure = at_budget.warmup(module()).expect_err("128 MiB is too small for this warmup");
    match &failure.error {
        RunnerError::HeapLimitExhausted { phase, observed_bytes, capacity_bytes, heap_limit_bytes } => {
            assert_eq!(phase, "instantiate");
            assert_eq!(*heap_limit_bytes, GUEST_ISOLATE_HEAP_BUDGET_MB as usize * MIB);
            eprintln!(
                "at {GUEST_ISOLATE_HEAP_BUDGET_MB} MiB the guard fired in instantiate with {:.1} of {:.1} MiB used",
                *observed_bytes as f64 / MIB as f64,
                *capacity_bytes as f64 / MIB as f64
            );
        }
        other => panic!("expected heap_limit_exhausted, got {other:?}"),
    }
}

#[test]
fn the_production_bug_module_warms_up_under_the_default_cap_and_needs_more_than_the_guest_budget() {
    let at_default = Runner::new(RunnerLimits::default());
    assert_eq!(at_default.limits().heap_limit_mb(), DEFAULT_RUNNER_HEAP_LIMIT_MB);
    let report = at_default.warmup(module()).expect("the default runner cap warms it up");
    let peak = report.peak_used_heap_bytes();
    eprintln!("at {DEFAULT_RUNNER_HEAP_LIMIT_MB} MiB warmup peaked at {:.1} MiB", peak as f64 / MIB as f64);
    assert!(
        peak > GUEST_ISOLATE_HEAP_BUDGET_MB as usize * MIB,
        "the module really needs more than the guest budget: peak {peak}"
    );
    assert_eq!(report.phase("instantiate").map(|p| p.peak_used_heap_bytes), Some(peak));
}
