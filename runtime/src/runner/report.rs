//! What a warmup reports: per-phase heap high-water and duration.

use serde::Serialize;

use crate::engine::PhaseHeap;
use crate::error::RunnerError;
use crate::guest::ModuleFacts;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseReport {
    pub name: &'static str,
    pub peak_used_heap_bytes: usize,
    pub used_heap_after_bytes: usize,
    pub duration_ms: f64,
}

impl PhaseReport {
    pub(crate) fn new(name: &'static str, heap: PhaseHeap, duration: std::time::Duration) -> Self {
        PhaseReport {
            name,
            peak_used_heap_bytes: heap.peak_used_heap_bytes,
            used_heap_after_bytes: heap.used_heap_after_bytes,
            duration_ms: duration.as_secs_f64() * 1e3,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct WarmupReport {
    pub heap_limit_bytes: usize,
    pub module_bytes: usize,
    pub module: ModuleFacts,
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
}

/// A failed warmup: the typed error and the phases that ran (the last one failed).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{error}")]
pub struct WarmupFailure {
    pub error: RunnerError,
    pub phases: Vec<PhaseReport>,
}

impl From<RunnerError> for WarmupFailure {
    fn from(error: RunnerError) -> Self {
        WarmupFailure { error, phases: Vec::new() }
    }
}
