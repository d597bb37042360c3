use std::time::Duration;

use wasm_runner::limits::GuestLimits;
use wasm_runner::{Runner, RunnerLimits};

use crate::generators::large_module;

/// Property: a wasm-smith module of any size warms up under default limits without ever
/// reaching the runner's heap guard and without a panic; when it does not warm up, the
/// reason is a typed guest-limit rejection or the guest's own start function (trap, fuel,
/// stack, time), never `heap_limit_exhausted`, an internal error or a JS error.
pub fn warmup(data: &[u8]) {
    let Ok(generated) = large_module(data) else { return };
    // Start functions may loop: a modest fuel budget ends them fast.
    let guest = GuestLimits { max_fuel: 5_000_000, ..GuestLimits::default() };
    let limits = RunnerLimits::default().with_warmup_timeout(Duration::from_secs(20));
    let runner = Runner::new(limits).with_guest_limits(guest);
    if let Err(failure) = runner.warmup(generated.module.clone()) {
        let kind = failure.error.kind();
        assert!(
            matches!(kind, "guest_limit_rejected" | "trap" | "fuel_exhausted" | "stack_exhausted" | "timeout"),
            "warmup failed with {kind}: {} ({} bytes, phases {:?})",
            failure.error,
            generated.module.len(),
            failure.phases
        );
    }
}
