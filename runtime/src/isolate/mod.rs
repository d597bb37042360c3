//! V8 itself: the process-wide platform, the startup snapshot, isolates created with a sized heap, the
//! near-heap-limit guard, per-phase heap statistics, the guest interrupt flag and the
//! `__host` natives object. Nothing else in the crate creates isolates or touches V8's
//! heap limits; everything above goes through `RunnerIsolate`.

mod heap_guard;
mod heap_stats;
mod interrupt;
#[allow(clippy::module_inception)]
mod isolate;
mod natives;
mod platform;
pub(crate) mod snapshot;

pub(crate) use heap_guard::HeapGuard;
pub use heap_guard::{GuardPolicy, GuardReport};
pub(crate) use interrupt::InterruptFlag;
pub use isolate::isolates_made;
pub(crate) use isolate::{JsFailure, RunnerIsolate};
pub(crate) use natives::install_natives;
pub use platform::{engine_flags, v8_version, DEFAULT_V8_FLAGS, REQUIRED_V8_FLAGS, V8_FLAGS_ENV};
