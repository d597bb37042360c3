//! One phase of a job: its runner-heap high-water and its duration.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseReport {
    pub name: String,
    /// Highest used V8 heap seen during the phase (0 in the wasmtime reference, which has
    /// no V8 heap).
    pub peak_used_heap_bytes: usize,
    /// Used V8 heap when the phase ended.
    pub used_heap_after_bytes: usize,
    /// Highest resident set of the whole process seen during the phase (sampled every few
    /// milliseconds and at its ends): the memory no V8 cap covers. Concurrent jobs in one
    /// process share it.
    #[serde(default)]
    pub peak_rss_bytes: u64,
    pub duration_ms: f64,
}

impl PhaseReport {
    /// A phase that touched no V8 heap (the reference's phases, and Rust-only work).
    pub fn timed(name: &str, duration: std::time::Duration) -> Self {
        PhaseReport {
            name: name.to_string(),
            peak_used_heap_bytes: 0,
            used_heap_after_bytes: 0,
            peak_rss_bytes: crate::process::rss_bytes().unwrap_or(0),
            duration_ms: duration.as_secs_f64() * 1e3,
        }
    }
}
