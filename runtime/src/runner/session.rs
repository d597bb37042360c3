//! One job's view of its isolate: phases with heap and timing, the mapping from what V8
//! reports to typed errors, and the signals the run policy reads (`policy::decide`).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use super::js::Scripts;
use super::natives::{RunnerHost, SharedRunnerHost};
use super::watch::Watch;
use crate::isolate::{JsFailure, RunnerIsolate};
use crate::limits::GuestLimits;
use crate::policy::{decide, StopSignals};
use crate::report::{PhaseReport, RunOutcome, RunnerError};
use crate::wasi::{SharedWasiHost, WasiHost};

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
    watch: Arc<Watch>,
    guest: GuestLimits,
    runner_host: SharedRunnerHost,
    wasi: Option<SharedWasiHost>,
    phases: Vec<PhaseReport>,
    /// What the isolate's snapshot holds, checked at bootstrap.
    scripts: Scripts,
}

impl Session {
    pub(crate) fn new(mut isolate: RunnerIsolate, watch: Arc<Watch>, scripts: Scripts) -> Self {
        let runner_host: SharedRunnerHost = Rc::new(RefCell::new(RunnerHost::default()));
        isolate.set_slot(Rc::clone(&runner_host));
        // A context that refuses a native is caught at bootstrap: the runner's JS fails
        // on the missing function with a named error.
        let _ = isolate.install_natives(super::natives::install);
        Session { isolate, watch, guest: GuestLimits::default(), runner_host, wasi: None, phases: Vec::new(), scripts }
    }

    /// The guest limits errors are reported against.
    pub(crate) fn set_guest_limits(&mut self, guest: GuestLimits) {
        self.guest = guest;
    }

    /// Gives the WASI runtime its natives and their per-run state.
    pub(crate) fn attach_wasi(&mut self, host: WasiHost) -> SharedWasiHost {
        let host = Rc::new(RefCell::new(host));
        self.isolate.set_slot(Rc::clone(&host));
        let _ = self.isolate.install_natives(crate::wasi::natives::install);
        self.wasi = Some(Rc::clone(&host));
        host
    }

    /// What stops the guest checks at the deadline.
    pub(crate) fn cancel(&self) -> crate::guest::Cancel {
        self.watch.cancel().clone()
    }

    /// The rest of the job must finish within `limit` from now.
    pub(crate) fn set_deadline(&self, limit: std::time::Duration) {
        self.watch.set_deadline(limit);
    }

    pub(crate) fn isolate(&mut self) -> &mut RunnerIsolate {
        &mut self.isolate
    }

    /// The phases so far, leaving the session (and its isolate) to be dropped later.
    pub(crate) fn take_phases(&mut self) -> Vec<PhaseReport> {
        std::mem::take(&mut self.phases)
    }

    /// Ends the session, handing its isolate back for a reset or disposal.
    pub(crate) fn into_isolate(self) -> RunnerIsolate {
        self.isolate
    }

    /// Runs one phase: records its heap high-water and duration, and fails it if the heap
    /// guard fired during it, even when V8 finished the work (a fired guard means the
    /// runner heap was too small, which warmup must never be).
    pub(crate) fn phase<T>(
        &mut self,
        name: &'static str,
        step: impl FnOnce(&mut RunnerIsolate) -> Result<T, StepError>,
    ) -> Result<T, RunnerError> {
        self.watch.set_phase(name);
        self.isolate.begin_phase(name);
        let started = Instant::now();
        let result = step(&mut self.isolate);
        let heap = self.isolate.end_phase();
        self.phases.push(PhaseReport {
            name: name.to_string(),
            peak_used_heap_bytes: heap.peak_used_heap_bytes,
            used_heap_after_bytes: heap.used_heap_after_bytes,
            peak_rss_bytes: self.watch.phase_peak_rss(),
            duration_ms: started.elapsed().as_secs_f64() * 1e3,
        });
        if let Some(error) = self.heap_exhausted() {
            return Err(error);
        }
        result.map_err(|e| match e {
            StepError::Runner(e) => e,
            StepError::Js(f) => self.js_error(name, f),
        })
    }

    /// The runner's JS (and the WASI runtime's, when the job needs it) came with the snapshot
    /// the isolate was made from: the `bootstrap` phase checks that it is there, and reports
    /// what the isolate holds before the guest comes in.
    pub(crate) fn bootstrap(&mut self) -> Result<(), RunnerError> {
        let ready = self.script("bootstrap", "wasm-runner:bootstrap-check", self.scripts.bootstrap_check())?;
        if ready != "true" {
            return Err(RunnerError::Internal { message: "the startup snapshot lacks the runner's JS".into() });
        }
        Ok(())
    }

    pub(crate) fn script(&mut self, phase: &'static str, name: &str, source: &str) -> Result<String, RunnerError> {
        self.phase(phase, |iso| iso.run_script(name, source).map_err(Into::into))
    }

    /// What the run policy needs to know beside the error a step returned. `fuel_exhausted`
    /// is what the fuel counter said, when it could be read.
    pub(crate) fn signals(&self, fuel_exhausted: Option<(u64, u64)>) -> StopSignals {
        let wasi = self.wasi.as_ref().map(|w| w.borrow());
        StopSignals {
            heap_exhausted: self.heap_exhausted(),
            exit_code: wasi.as_ref().and_then(|w| w.exit_code),
            unknown_import: self.runner_host.borrow().unknown_import.clone(),
            host_trap: wasi
                .as_ref()
                .and_then(|w| w.trap.clone())
                .map(|message| (self.watch.phase().to_string(), message)),
            output_exceeded: wasi.as_ref().and_then(|w| w.output.exceeded()),
            fuel_exhausted,
            timed_out: (self.watch.timed_out() || wasi.as_ref().is_some_and(|w| w.slept_to_deadline))
                .then(|| (self.watch.phase().to_string(), self.watch.deadline_ms())),
        }
    }

    /// A job that failed with `error` before its entry point could run, as the run policy
    /// reads it (a deadline, the heap guard, an exit in a start function...).
    pub(crate) fn failure(&self, error: RunnerError, fuel_exhausted: Option<(u64, u64)>) -> RunnerError {
        match decide(Err(error), self.signals(fuel_exhausted)) {
            RunOutcome::Error { error } => error,
            RunOutcome::Exit { code } => RunnerError::GuestExited { phase: self.watch.phase().to_string(), code },
            RunOutcome::Ok { .. } => RunnerError::Internal { message: "a failed job was decided ok".into() },
        }
    }

    fn heap_exhausted(&self) -> Option<RunnerError> {
        self.isolate.guard().fired().map(|(_, report)| RunnerError::HeapLimitExhausted {
            phase: report.phase.to_string(),
            observed_bytes: report.observed_bytes,
            capacity_bytes: report.capacity_bytes,
            heap_limit_bytes: self.isolate.heap_limit_bytes(),
        })
    }

    /// What V8 reported, as a typed error. A termination carries no cause of its own: the
    /// run policy finds it in the signals (deadline, exit, output cap...).
    fn js_error(&self, phase: &'static str, failure: JsFailure) -> RunnerError {
        match failure {
            JsFailure::Terminated => RunnerError::Internal {
                message: format!("execution was terminated during {phase} with no recorded cause"),
            },
            JsFailure::Refused(message) => RunnerError::Internal { message },
            JsFailure::Exception { kind, name, message, detail } => match kind.as_deref() {
                Some("unresolved_import") => unresolved_import(detail.as_deref(), &message),
                Some("link_error") => RunnerError::LinkError { message },
                Some("trap") => RunnerError::Trap { phase: phase.to_string(), message },
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
