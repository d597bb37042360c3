//! What counts as a bug. Each oracle takes the raw fuzz input, runs what the generators
//! make of it, and panics (with the evidence) when a property does not hold; it says
//! whether the input reached the property at all.

mod differential;
mod guest_checks;
mod guest_limits;
mod instrument;
mod terminate;
mod warmup;
mod wasi;

pub use differential::differential;
pub use guest_checks::guest_checks;
pub use guest_limits::guest_limits;
pub use instrument::instrument;
pub use terminate::{terminate, STOP_BOUND, WALL};
pub use warmup::warmup;
pub use wasi::{run_module as run_wasi_module, wasi};

/// Why a target skips a module the reference engine lacks a proposal for (the guest checks
/// accept what V8 ships, legacy exception handling among it, and wasm-smith never makes it,
/// but a stored module the fuzzer mutates can come to use it).
pub const ENGINE_LACKS: &str = "the reference lacks a proposal the module uses";

/// Whether the reference refused the module for a proposal it does not implement.
pub(crate) fn lacks(report: &wasm_runner::RunReport) -> bool {
    report.outcome.kind() == "unsupported_feature"
}

/// Outcomes a guest can bring about itself; anything else (`heap_limit_exhausted`,
/// `termination_lost`, `internal`, `js_error`) is the runner's failure, never the guest's.
pub const GUEST_CAUSED: &[&str] = &[
    "ok",
    "exit",
    "trap",
    "guest_limit_rejected",
    "fuel_exhausted",
    "stack_exhausted",
    "output_limit_exceeded",
    "timeout",
    "unsupported_entry",
    "guest_exited",
];

/// Runs `module` in the V8 runner and the wasmtime reference, both through the `Engine`
/// trait under `guest`; asserts that both ended in an outcome a guest can cause and that
/// the V8 run stayed within the heap model's bound. Returns (v8, wasmtime).
///
/// The reference compiles without Cranelift's optimizations: its compile was the longer
/// side of an execution, and what is compared (results, memory, fuel, output) does not
/// depend on them; what does (stack depth, speed) is compared by kind only.
pub(crate) fn run_both(
    target: &str,
    module: Vec<u8>,
    guest: &wasm_runner::GuestLimits,
    request: &wasm_runner::RunRequest,
) -> (wasm_runner::RunReport, wasm_runner::RunReport) {
    use wasm_runner::{Engine, Reference, Runner, RunnerLimits};
    let engines: [Box<dyn Engine>; 2] = [
        Box::new(Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone())),
        Box::new(Reference::new().with_guest_limits(guest.clone()).unoptimized()),
    ];
    let module: std::sync::Arc<[u8]> = module.into();
    // Side by side: an execution takes the slower engine's time, not both together.
    let [v8, wasmtime] = std::thread::scope(|scope| {
        engines
            .map(|engine| {
                let module = module.clone();
                scope.spawn(move || engine.run(module, request))
            })
            .map(|running| running.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    assert!(GUEST_CAUSED.contains(&v8.outcome.kind()), "v8 ended as {}: {:?}", v8.outcome.kind(), v8.outcome);
    assert!(
        GUEST_CAUSED.contains(&wasmtime.outcome.kind()) || lacks(&wasmtime),
        "wasmtime ended as {}: {:?}",
        wasmtime.outcome.kind(),
        wasmtime.outcome
    );
    crate::heap::check_run(&v8, target, module.len());
    (v8, wasmtime)
}
