use std::time::{Duration, Instant};

use wasm_runner::limits::GuestLimits;
use wasm_runner::{RunRequest, Runner, RunnerLimits};

use super::GUEST_CAUSED;
use crate::generators::{endless_module, first_export};
use crate::Verdict;

/// The wall-time limit the terminate oracle gives each guest.
pub const WALL: Duration = Duration::from_millis(200);
/// How long after the deadline a run may take to end (termination landing, the isolate's
/// disposal, and the warmup before the deadline starts).
pub const STOP_BOUND: Duration = Duration::from_secs(5);

/// Property: a guest whose loops never exit, run with fuel out of the way (the largest
/// fuel budget) and a 200 ms wall-time limit, always ends: as `timeout` when it spins, or
/// on its own terms (a trap, stack exhaustion, returning when it never enters a loop),
/// within `STOP_BOUND` of the deadline, and never as `termination_lost`. A run that does
/// not end at all is libFuzzer's `-timeout` crash, with the input saved.
pub fn terminate(data: &[u8]) -> Verdict {
    let Ok(generated) = endless_module(data) else { return Verdict::Skipped("no module") };
    let Some(entry) = first_export(&generated.module) else { return Verdict::Skipped("no exported function") };
    let guest = GuestLimits { max_fuel: u64::MAX, max_wall_time: WALL, ..GuestLimits::default() };
    let runner = Runner::new(RunnerLimits::default()).with_guest_limits(guest);
    let request = RunRequest { args: vec!["fuzz".into()], invoke: Some(entry), ..Default::default() };
    let started = Instant::now();
    let report = runner.run(generated.module, &request);
    let elapsed = started.elapsed();
    let kind = report.outcome.kind();
    assert!(GUEST_CAUSED.contains(&kind), "the guest ended as {kind}: {:?}", report.outcome);
    assert!(elapsed < WALL + STOP_BOUND, "ended {elapsed:?} after start, past the {:?} bound", WALL + STOP_BOUND);
    Verdict::Checked
}
