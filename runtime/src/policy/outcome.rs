//! How a run ended, from what the engine returned and what it noticed on the way.
//!
//! Precedence, highest first:
//! 1. the runner's heap guard fired: the runner failed, whatever the guest did;
//! 2. the entry point returned: `ok`;
//! 3. the guest called `proc_exit` or a stubbed import, passed a WASI call what the host
//!    cannot use (a trap), or wrote past the output cap: each ends the run the moment it
//!    happens (by a termination the guest cannot catch), so at most one of them is ever
//!    recorded;
//! 4. the fuel meter trapped: `fuel_exhausted` (the trap was the meter's, not the guest's);
//! 5. the wall-time deadline passed: `timeout`, whatever error the stopped guest ended in
//!    (a termination, or a trap at an interrupt check);
//! 6. otherwise the engine's own error (a trap, stack exhaustion, a link error...).

use crate::report::{RunOutcome, RunnerError};

/// A guest called an import the runner only stubbed (`trap_unknown_imports`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownImportCall {
    pub module: String,
    pub name: String,
}

/// What an engine noticed while the guest ran, beside the error it returned.
#[derive(Debug, Clone, Default)]
pub(crate) struct StopSignals {
    /// The heap guard's report (V8 only), as the error to return.
    pub heap_exhausted: Option<RunnerError>,
    pub exit_code: Option<i32>,
    pub unknown_import: Option<UnknownImportCall>,
    /// A host call trapped on what the guest passed: `(phase, message)`.
    pub host_trap: Option<(String, String)>,
    /// The output cap in force, when a write crossed it.
    pub output_exceeded: Option<u64>,
    /// The fuel meter's exhausted flag was set: `(used, limit)`.
    pub fuel_exhausted: Option<(u64, u64)>,
    /// The deadline passed before the run ended: `(phase, limit in ms)`.
    pub timed_out: Option<(String, u64)>,
}

/// The outcome of a run whose entry point returned `result`, given `signals`.
pub(crate) fn decide(result: Result<Vec<String>, RunnerError>, signals: StopSignals) -> RunOutcome {
    if let Some(error) = signals.heap_exhausted {
        return RunOutcome::Error { error };
    }
    let error = match result {
        Ok(returned) => return RunOutcome::Ok { returned },
        Err(error) => error,
    };
    if let Some(code) = signals.exit_code {
        return RunOutcome::Exit { code };
    }
    let error = if let Some(call) = signals.unknown_import {
        RunnerError::UnknownImportCalled { module: call.module, name: call.name }
    } else if let Some((phase, message)) = signals.host_trap {
        RunnerError::Trap { phase, message }
    } else if let Some(limit_bytes) = signals.output_exceeded {
        RunnerError::OutputLimitExceeded { limit_bytes }
    } else if let Some((used, limit)) = signals.fuel_exhausted {
        RunnerError::FuelExhausted { used, limit }
    } else if let Some((phase, limit_ms)) = signals.timed_out {
        RunnerError::Timeout { phase, limit_ms }
    } else {
        error
    };
    RunOutcome::Error { error }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trap() -> Result<Vec<String>, RunnerError> {
        Err(RunnerError::Trap { phase: "run".into(), message: "unreachable".into() })
    }

    #[test]
    fn a_returned_entry_is_ok_even_when_the_deadline_passed_meanwhile() {
        let signals = StopSignals { timed_out: Some(("run".into(), 10)), ..Default::default() };
        assert_eq!(decide(Ok(vec!["1".into()]), signals), RunOutcome::Ok { returned: vec!["1".into()] });
    }

    #[test]
    fn the_heap_guard_wins_over_everything() {
        let heap = RunnerError::HeapLimitExhausted {
            phase: "run".into(),
            observed_bytes: 1,
            capacity_bytes: 1,
            heap_limit_bytes: 1,
        };
        let signals = StopSignals { heap_exhausted: Some(heap.clone()), exit_code: Some(3), ..Default::default() };
        assert_eq!(decide(Ok(Vec::new()), signals), RunOutcome::Error { error: heap });
    }

    #[test]
    fn an_exit_is_an_exit_not_the_termination_that_carried_it() {
        let signals = StopSignals { exit_code: Some(7), timed_out: Some(("run".into(), 10)), ..Default::default() };
        let terminated = Err(RunnerError::Internal { message: "terminated".into() });
        assert_eq!(decide(terminated, signals), RunOutcome::Exit { code: 7 });
    }

    #[test]
    fn a_fuel_trap_is_fuel_exhausted_even_past_the_deadline() {
        let signals =
            StopSignals { fuel_exhausted: Some((5, 5)), timed_out: Some(("run".into(), 10)), ..Default::default() };
        assert_eq!(decide(trap(), signals).kind(), "fuel_exhausted");
    }

    #[test]
    fn any_error_after_the_deadline_is_a_timeout() {
        let signals = StopSignals { timed_out: Some(("run".into(), 10)), ..Default::default() };
        assert_eq!(
            decide(trap(), signals),
            RunOutcome::Error { error: RunnerError::Timeout { phase: "run".into(), limit_ms: 10 } }
        );
    }

    #[test]
    fn a_host_trap_is_a_trap_not_the_termination_that_carried_it() {
        let signals =
            StopSignals { host_trap: Some(("run".into(), "fd_write: out of bounds".into())), ..Default::default() };
        let terminated = Err(RunnerError::Internal { message: "terminated".into() });
        assert_eq!(
            decide(terminated, signals),
            RunOutcome::Error {
                error: RunnerError::Trap { phase: "run".into(), message: "fd_write: out of bounds".into() }
            }
        );
    }

    #[test]
    fn without_signals_the_engine_error_stands() {
        assert_eq!(decide(trap(), StopSignals::default()).kind(), "trap");
    }
}
