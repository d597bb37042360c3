//! What wasmtime reported, as a typed error or a signal for the run policy.

use wasmtime::Trap;

use crate::limits::GuestLimits;
use crate::policy::UnknownImportCall;
use crate::report::RunnerError;

/// A stubbed import was called (the V8 runner's `__host.unknownImport`).
#[derive(Debug, thiserror::Error)]
#[error("the guest called {module}.{name}, an import the runner only stubbed")]
pub(super) struct StubCalled {
    pub module: String,
    pub name: String,
}

/// What one wasmtime error means.
pub(super) enum Stopped {
    /// `proc_exit`.
    Exit(i32),
    /// A stub ended the run.
    Stub(UnknownImportCall),
    Error(RunnerError),
}

pub(super) fn classify(e: wasmtime::Error, phase: &str, guest: &GuestLimits) -> Stopped {
    if let Some(exit) = e.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return Stopped::Exit(exit.0);
    }
    if let Some(call) = e.downcast_ref::<StubCalled>() {
        return Stopped::Stub(UnknownImportCall { module: call.module.clone(), name: call.name.clone() });
    }
    Stopped::Error(match e.downcast_ref::<Trap>() {
        Some(Trap::StackOverflow) => {
            RunnerError::StackExhausted { phase: phase.to_string(), limit_bytes: guest.stack_bytes() }
        }
        Some(Trap::Interrupt) => {
            RunnerError::Timeout { phase: phase.to_string(), limit_ms: guest.max_wall_time.as_millis() as u64 }
        }
        Some(trap) => RunnerError::Trap { phase: phase.to_string(), message: trap.to_string() },
        None if phase == "instantiate" && e.to_string().contains("unknown import") => {
            RunnerError::LinkError { message: format!("{e:#}") }
        }
        None => RunnerError::Trap { phase: phase.to_string(), message: format!("{e:#}") },
    })
}
