//! A WebAssembly runner inside a V8 isolate whose heap is sized for the runner, with every
//! guest-controlled cost bounded on its own, and the wasmtime reference it is held to.
//!
//! What a user of the runtime needs:
//! - [`Runner`] (V8) and [`Reference`] (wasmtime, feature `reference`), both an [`Engine`]:
//!   `run(module, &RunRequest) -> RunReport`; the runner also warms modules up;
//! - the reports ([`RunReport`], [`WarmupReport`], [`Failure`], [`RunnerError`]...);
//! - [`limits`]: every limit, its default, its environment variable, and the inventory;
//! - the guest checks' entry point, [`prepare`];
//! - [`child`]: jobs in child processes, for what can only end in an abort;
//! - [`cli`]: the `wasm-runner` command line, embeddable;
//! - [`v8_version`].
//!
//! Inside, data flows one way: `limits` -> `isolate` (V8) -> `guest` (checks and
//! instrumentation) -> `wasi` -> `runner`, with `report`, `request` and `policy` (what a
//! run's events mean, shared by both engines) underneath.

mod cache;
pub mod child;
pub mod cli;
mod engine;
mod guest;
mod input;
mod isolate;
pub mod limits;
mod policy;
mod process;
#[cfg(feature = "reference")]
mod reference;
mod report;
mod request;
mod runner;
mod wasi;

#[doc(hidden)]
pub mod internals;

pub use cache::disk::{default_cache_dir, set_disk_cache, CACHE_DIR_ENV, DISK_CACHE_MAX_BYTES};
pub use cache::SharedBytes;
pub use engine::Engine;
pub use guest::{prepare, Instrumentation, PreparedFrom, PreparedModule, ProvidedImports};
pub use limits::{GuestLimits, RunnerLimits};
pub use policy::determinism::Deterministic;
#[cfg(feature = "reference")]
pub use reference::Reference;
pub use report::{
    Failure, ImportKind, ImportRef, ModuleFacts, Observed, PhaseReport, RunOutcome, RunReport, RunnerError,
    WarmupReport,
};
pub use request::RunRequest;
pub use runner::Runner;
pub use wasi::Preopen;

/// The imports every engine provides by default: WASI preview1.
pub fn wasi_preview1() -> ProvidedImports {
    wasi::preview1::provided()
}

/// The V8 version the runner links.
pub fn v8_version() -> &'static str {
    isolate::v8_version()
}
