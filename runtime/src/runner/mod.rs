//! The V8 runner: every job on a runner thread's isolate (reset between jobs, replaced after
//! a termination), watched by a watchdog
//! (`supervisor`, `watch`); a job is phases on a `session`; `warmup` is bootstrap, guest
//! checks, compile and instantiate, `run` adds the entry point. The runner's own JS and
//! natives live here; the WASI runtime's live in `wasi`.

mod instance;
mod js;
mod natives;
mod run;
mod session;
mod supervisor;
pub(crate) use supervisor::wait_for_idle_workers;
mod warmup;
mod watch;

use std::sync::Arc;

use crate::engine::Engine;
use crate::guest::{Instrumentation, ProvidedImports};
use crate::limits::{GuestLimits, RunnerLimits};
use crate::report::{Failure, PhaseReport, RunReport, WarmupReport};
use crate::request::RunRequest;

/// A runner with fixed limits. Each call runs on a runner thread in an isolate that nothing
/// of an earlier call reaches (a fresh context and a full collection, or a new isolate after
/// a termination), so a failed call leaves nothing behind for the next one.
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
            provided: crate::wasi::preview1::provided(),
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
    pub fn warmup(&self, module: impl Into<Arc<[u8]>>) -> Result<WarmupReport, Failure> {
        warmup::warmup(self, module.into())
    }

    /// Warmup, then the module's entry point under the guest limits.
    pub fn run(&self, module: impl Into<Arc<[u8]>>, request: &RunRequest) -> RunReport {
        run::run(self, module.into(), request)
    }

    /// Runs trusted JS (not guest input) in a runner isolate after bootstrap, under
    /// the same heap guard and watchdog as a warmup: fault injection for the guard and the
    /// watchdog themselves (see `internals::run_trusted_script`).
    pub(crate) fn run_trusted_script(&self, name: &str, source: &str) -> Result<(String, Vec<PhaseReport>), Failure> {
        let (name, source) = (name.to_string(), source.to_string());
        supervisor::supervise(&self.limits, None, js::Scripts::RunnerAndWasi, move |session| {
            let value = session.bootstrap().and_then(|()| session.script("script", &name, &source));
            value.map_err(|error| session.failure(error, None))
        })
    }
}

impl Engine for Runner {
    fn name(&self) -> &'static str {
        "v8"
    }

    fn run(&self, module: Arc<[u8]>, request: &RunRequest) -> RunReport {
        Runner::run(self, module, request)
    }
}
