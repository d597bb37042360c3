//! What counts as a bug. Each oracle takes the raw fuzz input, runs what the generators
//! make of it, and panics (with the evidence) when a property does not hold; it says
//! whether the input reached the property at all.

mod differential;
mod guest_checks;
mod guest_limits;
mod instrument;
mod terminate;
mod warmup;
mod wasi_calls;

pub use differential::differential;
pub use guest_checks::guest_checks;
pub use guest_limits::guest_limits;
pub use instrument::instrument;
pub use terminate::{terminate, STOP_BOUND, WALL};
pub use warmup::warmup;
pub use wasi_calls::wasi_calls;

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
