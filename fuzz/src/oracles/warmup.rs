use std::time::Duration;

use wasm_runner::limits::GuestLimits;
use wasm_runner::{Runner, RunnerLimits};

use crate::generators::large_module;
use crate::Verdict;

/// Failures a warmup may end in: a guest-limit rejection, or the guest's own start function
/// (a trap, fuel, stack, time, an exit).
const WARMUP_GUEST_CAUSED: &[&str] =
    &["guest_limit_rejected", "trap", "fuel_exhausted", "stack_exhausted", "timeout", "guest_exited"];

/// Property: a wasm-smith module of any size warms up under default limits with the runner
/// heap within the heap model's bound (so far from the guard) and without a panic; when it
/// does not warm up, the reason is a typed guest-limit rejection or the guest's own start
/// function, never `heap_limit_exhausted`, an internal error or a JS error.
pub fn warmup(data: &[u8]) -> Verdict {
    let Ok(generated) = large_module(data) else { return Verdict::Skipped("no module") };
    // The limits below are fixed, so the verdict is the module's alone.
    if !crate::repeats::first_time(&generated.module) {
        return Verdict::Skipped(crate::repeats::CHECKED_BEFORE);
    }
    // Start functions may loop: a modest fuel budget ends them fast.
    let guest = GuestLimits { max_fuel: 5_000_000, ..GuestLimits::default() };
    let limits = RunnerLimits::default().with_warmup_timeout(Duration::from_secs(20));
    let runner = Runner::new(limits).with_guest_limits(guest);
    let warmed = runner.warmup(generated.module.clone());
    if let Ok(report) = &warmed {
        crate::heap::check_warmup(report, "warmup");
    }
    if let Err(failure) = warmed {
        let kind = failure.error.kind();
        assert!(
            WARMUP_GUEST_CAUSED.contains(&kind),
            "warmup failed with {kind}: {} ({} bytes, phases {:?})",
            failure.error,
            generated.module.len(),
            failure.phases
        );
    }
    Verdict::Checked
}
