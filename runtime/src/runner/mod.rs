//! The runner: warmup (bootstrap, guest checks, compile, instantiate) under supervision.

pub mod child;
mod report;
mod session;
mod supervisor;
mod warmup;

pub use report::{PhaseReport, WarmupFailure, WarmupReport};
pub use supervisor::RUNNER_THREAD_STACK_BYTES;

use std::sync::Arc;

use crate::error::RunnerError;
use crate::guest::ProvidedImports;
use crate::limits::RunnerLimits;

/// The runner's own JS, compiled at bootstrap.
pub const BOOTSTRAP_JS: &str = include_str!("js/bootstrap.js");

/// A runner with fixed limits. Each call runs in a fresh isolate on its own thread, so a
/// failed call leaves nothing behind for the next one.
#[derive(Debug, Clone)]
pub struct Runner {
    limits: RunnerLimits,
    provided: ProvidedImports,
}

impl Runner {
    pub fn new(limits: RunnerLimits) -> Self {
        Runner {
            limits,
            provided: ProvidedImports::none(),
        }
    }

    /// Limits from the `WASM_RUNNER_*` environment variables.
    pub fn from_env() -> Self {
        Runner::new(RunnerLimits::from_env())
    }

    pub fn limits(&self) -> &RunnerLimits {
        &self.limits
    }

    /// Bootstrap, guest checks, compile and instantiate `module`.
    pub fn warmup(&self, module: impl Into<Arc<[u8]>>) -> Result<WarmupReport, WarmupFailure> {
        warmup::warmup(&self.limits, &self.provided, module.into())
    }

    /// Runs trusted JS (not guest input) in a fresh runner isolate after bootstrap, under
    /// the same heap guard and watchdog as a warmup. The harness uses it for fault
    /// injection: heap bombs and loops that test the guard and the watchdog themselves.
    pub fn run_trusted_script(&self, name: &str, source: &str) -> Result<String, RunnerError> {
        let (name, source) = (name.to_string(), source.to_string());
        supervisor::supervise(&self.limits, move |session| {
            session.bootstrap()?;
            session.script("script", &name, &source)
        })
        .map(|(value, _phases)| value)
        .map_err(|failure| failure.error)
    }
}
