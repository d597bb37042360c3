//! What a warmup reports, and what any failed job reports.

use serde::Serialize;

use super::{ModuleFacts, PhaseReport, RunnerError};

#[derive(Debug, Clone, Serialize)]
pub struct WarmupReport {
    pub heap_limit_bytes: usize,
    pub module_bytes: usize,
    pub module: ModuleFacts,
    /// The heap model's bound of the warmup's runner heap (`limits::heap_model`).
    pub heap_bound_bytes: u64,
    /// Whether the guest checks ran, or their result came from the process's or the disk's
    /// cache.
    pub prepared_from: crate::guest::PreparedFrom,
    pub phases: Vec<PhaseReport>,
    pub total_ms: f64,
}

impl WarmupReport {
    pub fn phase(&self, name: &str) -> Option<&PhaseReport> {
        self.phases.iter().find(|p| p.name == name)
    }

    /// Highest used heap over all phases.
    pub fn peak_used_heap_bytes(&self) -> usize {
        self.phases.iter().map(|p| p.peak_used_heap_bytes).max().unwrap_or(0)
    }

    /// Highest process RSS over all phases.
    pub fn peak_rss_bytes(&self) -> u64 {
        self.phases.iter().map(|p| p.peak_rss_bytes).max().unwrap_or(0)
    }
}

/// A job that failed: the typed error and the phases that ran (the last one failed).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{error}")]
pub struct Failure {
    pub error: RunnerError,
    pub phases: Vec<PhaseReport>,
}

impl From<RunnerError> for Failure {
    fn from(error: RunnerError) -> Self {
        Failure { error, phases: Vec::new() }
    }
}
