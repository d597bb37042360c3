//! A WebAssembly runner inside a V8 isolate.
//!
//! Data flows one way: `limits` -> `engine` -> `guest` -> `wasi` -> `runner`.

pub mod engine;
pub mod error;
pub mod guest;
pub mod reference;
pub mod runner;
pub mod wasi;

pub use error::RunnerError;
pub use limits::RunnerLimits;
pub use runner::{Observed, PhaseReport, RunOutcome, RunReport, RunRequest, Runner, WarmupFailure, WarmupReport};
pub mod limits;
