//! The runner: warmup (bootstrap, guest checks, compile, instantiate) under supervision.

pub mod child;
mod report;
mod run;
mod session;
mod supervisor;
mod warmup;

pub use report::{PhaseReport, WarmupFailure, WarmupReport};
pub use run::{fnv1a32, Observed, RunOutcome, RunReport, RunRequest, FNV1A32_INIT};
pub use supervisor::RUNNER_THREAD_STACK_BYTES;

use std::sync::Arc;

use crate::error::RunnerError;
use crate::guest::{Instrumentation, ProvidedImports};
use crate::limits::{GuestLimits, RunnerLimits};

/// The runner's own JS, compiled at bootstrap.
pub const BOOTSTRAP_JS: &str = include_str!("js/bootstrap.js");

/// A runner with fixed limits. Each call runs in a fresh isolate on its own thread, so a
/// failed call leaves nothing behind for the next one.
#[derive(Debug, Clone)]
pub struct Runner {
    limits: RunnerLimits,
    guest: GuestLimits,
    provided: ProvidedImports,
    instrumentation: Instrumentation,
}

impl Runner {
    /// A runner with these runner limits, default guest limits and WASI preview1 imports.
    pub fn new(limits: RunnerLimits) -> Self {
        Runner {
            limits,
            guest: GuestLimits::default(),
            provided: ProvidedImports::wasi_preview1(),
            instrumentation: Instrumentation::On,
        }
    }

    /// Runner and guest limits from the `WASM_RUNNER_*` and `WASM_GUEST_*` environment.
    pub fn from_env() -> Self {
        Runner::new(RunnerLimits::from_env()).with_guest_limits(GuestLimits::from_env())
    }

    pub fn with_guest_limits(mut self, guest: GuestLimits) -> Self {
        self.guest = guest;
        self
    }

    /// Which imports modules may ask for (WASI preview1 by default).
    pub fn with_provided_imports(mut self, provided: ProvidedImports) -> Self {
        self.provided = provided;
        self
    }

    /// Turns the instrumentation off (see `Instrumentation::Off`): for equivalence tests.
    pub fn with_instrumentation(mut self, instrumentation: Instrumentation) -> Self {
        self.instrumentation = instrumentation;
        self
    }

    pub fn limits(&self) -> &RunnerLimits {
        &self.limits
    }

    pub fn guest_limits(&self) -> &GuestLimits {
        &self.guest
    }

    /// Bootstrap, guest checks (with instrumentation), compile and instantiate `module`.
    pub fn warmup(&self, module: impl Into<Arc<[u8]>>) -> Result<WarmupReport, WarmupFailure> {
        warmup::warmup(&self.limits, &self.guest, &self.provided, self.instrumentation, module.into())
    }

    /// Warmup, then the module's entry point under the guest limits.
    pub fn run(&self, module: impl Into<Arc<[u8]>>, request: &RunRequest) -> RunReport {
        run::run(&self.limits, &self.guest, &self.provided, self.instrumentation, module.into(), request)
    }

    /// Runs trusted JS (not guest input) in a fresh runner isolate after bootstrap, under
    /// the same heap guard and watchdog as a warmup. The harness uses it for fault
    /// injection: heap bombs and loops that test the guard and the watchdog themselves.
    pub fn run_trusted_script(&self, name: &str, source: &str) -> Result<String, RunnerError> {
        let (name, source) = (name.to_string(), source.to_string());
        supervisor::supervise(&self.limits, None, move |session| {
            session.bootstrap()?;
            session.script("script", &name, &source)
        })
        .map(|(value, _phases)| value)
        .map_err(|failure| failure.error)
    }
}
