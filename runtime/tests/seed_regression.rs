//! The seed bug, reproduced and fixed side by side: a module whose warmup needs more than
//! the 128 MiB per-guest budget of runner heap fails with a typed `HeapLimitExhausted`
//! under that budget (the production failure, minus the `Error: null`) and warms up under
//! the default runner cap without ever reaching the guard.

use wasm_runner::limits::runner::{DEFAULT_RUNNER_HEAP_LIMIT_MB, GUEST_ISOLATE_HEAP_BUDGET_MB};
use wasm_runner::{Runner, RunnerError, RunnerLimits};

const MIB: usize = 1024 * 1024;

#[test]
fn seed_regression_fails_at_guest_budget_and_passes_at_default() {
    let module = wasm_runner_synth::build(&wasm_runner_synth::preset("seed-regression").expect("preset exists"));

    let at_budget = Runner::new(RunnerLimits::default().with_heap_limit_mb(GUEST_ISOLATE_HEAP_BUDGET_MB));
    let failure = at_budget.warmup(module.clone()).expect_err("128 MiB is too small for this warmup");
    let (observed, capacity) = match &failure.error {
        RunnerError::HeapLimitExhausted { phase, observed_bytes, capacity_bytes, heap_limit_bytes } => {
            assert_eq!(phase, "instantiate");
            assert_eq!(*heap_limit_bytes, GUEST_ISOLATE_HEAP_BUDGET_MB as usize * MIB);
            (*observed_bytes, *capacity_bytes)
        }
        other => panic!("expected heap_limit_exhausted, got {other:?}"),
    };

    let at_default = Runner::new(RunnerLimits::default());
    assert_eq!(at_default.limits().heap_limit_mb(), DEFAULT_RUNNER_HEAP_LIMIT_MB);
    let report = at_default.warmup(module).expect("the default runner cap warms it up");
    let peak = report.peak_used_heap_bytes();
    eprintln!(
        "seed regression: at {GUEST_ISOLATE_HEAP_BUDGET_MB} MiB the guard fired in instantiate with {:.1} of {:.1} MiB used; \
         at {DEFAULT_RUNNER_HEAP_LIMIT_MB} MiB warmup peaked at {:.1} MiB ({})",
        observed as f64 / MIB as f64,
        capacity as f64 / MIB as f64,
        peak as f64 / MIB as f64,
        report.phases.iter().map(|p| format!("{} {:.1} MiB", p.name, p.peak_used_heap_bytes as f64 / MIB as f64)).collect::<Vec<_>>().join(", ")
    );
    assert!(
        peak > GUEST_ISOLATE_HEAP_BUDGET_MB as usize * MIB,
        "the module really needs more than the guest budget: peak {peak}"
    );
    assert_eq!(report.phase("instantiate").map(|p| p.peak_used_heap_bytes), Some(peak));
}
