//! What a warmup or a run reports, the same for both engines: phases, outcomes, typed
//! errors and what a module declares. Nothing here knows which engine filled it in.

mod error;
mod module;
mod phase;
mod run;
mod warmup;

pub use error::RunnerError;
pub use module::{ImportKind, ImportRef, ModuleFacts, SharedMemory};
pub use phase::PhaseReport;
pub use run::{Observed, RunOutcome, RunReport};
pub use warmup::{Failure, WarmupReport};
