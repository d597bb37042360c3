//! V8: the process-wide platform, isolates with a sized heap, the near-heap-limit guard
//! and per-phase heap statistics. Nothing above this module touches V8 directly except
//! through the types exported here.

mod heap_guard;
mod heap_stats;
mod host;
mod interrupt;
mod isolate;
mod platform;

pub use heap_guard::{GuardPolicy, GuardReport, HeapGuard};
pub use heap_stats::PhaseHeap;
pub use host::{fill_random, FsSeed, HostIo, SeedEntry, SharedHostIo, UnknownImportCall};
pub use interrupt::InterruptFlag;
pub use isolate::{JsFailure, RunnerIsolate, ScriptOutcome};
pub use platform::{engine_flags, ensure_initialized, v8_version, DEFAULT_V8_FLAGS, V8_FLAGS_ENV};
