//! One job's view of its isolate: phases with heap and timing, and the mapping from what
//! V8 reports to typed errors.

use std::sync::Arc;
use std::time::Instant;

use super::report::PhaseReport;
use super::supervisor::Shared;
use super::BOOTSTRAP_JS;
use crate::engine::{JsFailure, RunnerIsolate, SharedHostIo};
use crate::error::RunnerError;
use crate::limits::GuestLimits;
use crate::wasi::WASI_JS;

/// A step's failure before it is given a phase.
pub(crate) enum StepError {
    Js(JsFailure),
    Runner(RunnerError),
}

impl From<JsFailure> for StepError {
    fn from(f: JsFailure) -> Self {
        StepError::Js(f)
    }
}

impl From<RunnerError> for StepError {
    fn from(e: RunnerError) -> Self {
        StepError::Runner(e)
    }
}

pub(crate) struct Session {
    isolate: RunnerIsolate,
    shared: Arc<Shared>,
    guest: GuestLimits,
    host: Option<SharedHostIo>,
    phases: Vec<PhaseReport>,
}

impl Session {
    pub(crate) fn new(isolate: RunnerIsolate, shared: Arc<Shared>) -> Self {
        Session { isolate, shared, guest: GuestLimits::default(), host: None, phases: Vec::new() }
    }

    /// The guest limits errors are reported against.
    pub(crate) fn set_guest_limits(&mut self, guest: GuestLimits) {
        self.guest = guest;
    }

    /// Per-run host state (output, stdin, exit) for the WASI runtime.
    pub(crate) fn set_host_io(&mut self, io: SharedHostIo) {
        self.isolate.set_host_io(io.clone());
        self.host = Some(io);
    }

    /// The rest of the job must finish within `limit` from now.
    pub(crate) fn set_deadline(&self, limit: std::time::Duration) {
        self.shared.set_deadline(limit);
    }

    pub(crate) fn isolate(&mut self) -> &mut RunnerIsolate {
        &mut self.isolate
    }

    pub(crate) fn into_phases(self) -> Vec<PhaseReport> {
        self.phases
    }

    /// Runs one phase: records its heap high-water and duration, and fails it if the heap
    /// guard fired during it, even when V8 finished the work (a fired guard means the
    /// runner heap was too small, which warmup must never be).
    pub(crate) fn phase<T>(
        &mut self,
        name: &'static str,
        step: impl FnOnce(&mut RunnerIsolate) -> Result<T, StepError>,
    ) -> Result<T, RunnerError> {
        self.shared.set_phase(name);
        self.isolate.begin_phase(name);
        let started = Instant::now();
        let result = step(&mut self.isolate);
        let heap = self.isolate.end_phase();
        self.phases.push(PhaseReport::new(name, heap, started.elapsed()));
        if let Some(error) = self.heap_exhausted() {
            return Err(error);
        }
        result.map_err(|e| match e {
            StepError::Runner(e) => e,
            StepError::Js(f) => self.js_error(name, f),
        })
    }

    pub(crate) fn bootstrap(&mut self) -> Result<(), RunnerError> {
        // Two phases, so reports show what the WASI runtime costs apart from the runner's
        // own JS.
        self.phase("bootstrap", |iso| Ok(iso.run_script("wasm-runner:bootstrap.js", BOOTSTRAP_JS).map(drop)?))?;
        self.phase("wasi_runtime", |iso| Ok(iso.run_script("wasm-runner:wasi.js", WASI_JS).map(drop)?))
    }

    pub(crate) fn script(&mut self, phase: &'static str, name: &str, source: &str) -> Result<String, RunnerError> {
        self.phase(phase, |iso| iso.run_script(name, source).map_err(Into::into))
    }

    fn heap_exhausted(&self) -> Option<RunnerError> {
        self.isolate.guard().fired().map(|(_, report)| RunnerError::HeapLimitExhausted {
            phase: report.phase.to_string(),
            observed_bytes: report.observed_bytes,
            capacity_bytes: report.capacity_bytes,
            heap_limit_bytes: self.isolate.heap_limit_bytes(),
        })
    }

    fn js_error(&self, phase: &'static str, failure: JsFailure) -> RunnerError {
        match failure {
            JsFailure::Terminated => {
                if let Some(error) = self.heap_exhausted() {
                    error
                } else if self.host.as_ref().is_some_and(|io| io.borrow().output_exceeded) {
                    RunnerError::OutputLimitExceeded { limit_bytes: self.guest.max_output_bytes }
                } else if self.shared.timed_out() {
                    RunnerError::Timeout { phase: phase.to_string(), limit_ms: self.shared.deadline_ms() }
                } else {
                    RunnerError::Internal {
                        message: format!("execution was terminated during {phase} with no recorded cause"),
                    }
                }
            }
            JsFailure::Refused(message) => RunnerError::Internal { message },
            // The watchdog stopped the guest through its interrupt flag (a trap at a tail
            // call) rather than by termination.
            JsFailure::Exception { .. } if self.shared.timed_out() => {
                RunnerError::Timeout { phase: phase.to_string(), limit_ms: self.shared.deadline_ms() }
            }
            JsFailure::Exception { kind, name, message, detail } => match kind.as_deref() {
                Some("unresolved_import") => unresolved_import(detail.as_deref(), &message),
                Some("link_error") => RunnerError::LinkError { message },
                Some("trap") => RunnerError::Trap { phase: phase.to_string(), message },
                Some("fuel_exhausted") => {
                    RunnerError::FuelExhausted { used: self.guest.fuel(), limit: self.guest.fuel() }
                }
                Some("stack_exhausted") => {
                    RunnerError::StackExhausted { phase: phase.to_string(), limit_bytes: self.guest.stack_bytes() }
                }
                Some("no_entry") => RunnerError::NoEntry {
                    name: detail.and_then(|d| serde_json::from_str::<String>(&d).ok()).unwrap_or_default(),
                },
                _ if phase == "compile" && name == "CompileError" => RunnerError::CompileError { message },
                _ if name == "LinkError" => RunnerError::LinkError { message },
                _ if name == "RuntimeError" => RunnerError::Trap { phase: phase.to_string(), message },
                _ => RunnerError::Js { phase: phase.to_string(), name, message },
            },
        }
    }
}

fn unresolved_import(detail: Option<&str>, message: &str) -> RunnerError {
    let parsed: Option<serde_json::Value> = detail.and_then(|d| serde_json::from_str(d).ok());
    let field = |k: &str| parsed.as_ref().and_then(|v| v.get(k)).and_then(|v| v.as_str()).map(str::to_string);
    match (field("module"), field("name"), field("kind")) {
        (Some(module), Some(name), Some(kind)) => {
            let unresolved = Box::new(vec![format!("{module}.{name} ({kind})")]);
            RunnerError::UnresolvedImport { module, name, import_kind: kind, unresolved_total: 1, unresolved }
        }
        _ => RunnerError::Js { phase: "instantiate".into(), name: "RunnerError".into(), message: message.to_string() },
    }
}
