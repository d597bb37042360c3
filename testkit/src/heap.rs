//! The heap model as the harness checks it: what a job measured against what the model
//! (`wasm_runner::limits::heap_model`) allows. A peak past the bound is an allocation the
//! model does not know, which is what the harness exists to find.

use wasm_runner::{RunReport, WarmupReport};

/// A measured peak against its bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeapCheck {
    pub peak_bytes: u64,
    pub bound_bytes: u64,
}

impl HeapCheck {
    pub fn ratio(&self) -> f64 {
        self.peak_bytes as f64 / self.bound_bytes.max(1) as f64
    }

    pub fn holds(&self) -> bool {
        self.peak_bytes <= self.bound_bytes
    }

    /// `Err` with a one-line account when the peak is past the bound.
    pub fn result(&self, what: &str) -> Result<Self, String> {
        if self.holds() {
            Ok(*self)
        } else {
            Err(format!(
                "{what}: runner heap peaked at {} bytes, past the heap model's bound of {} ({:.2}x)",
                self.peak_bytes,
                self.bound_bytes,
                self.ratio()
            ))
        }
    }
}

/// A warmup's peak against its bound.
pub fn of_warmup(report: &WarmupReport) -> HeapCheck {
    HeapCheck { peak_bytes: report.peak_used_heap_bytes() as u64, bound_bytes: report.heap_bound_bytes }
}

/// A V8 run's peak against its bound; `None` when the run ended before the guest checks
/// counted the module (or in an engine without a V8 heap).
pub fn of_run(report: &RunReport) -> Option<HeapCheck> {
    report
        .heap_bound_bytes
        .map(|bound_bytes| HeapCheck { peak_bytes: report.peak_used_heap_bytes() as u64, bound_bytes })
}

/// Panics unless a warmup stayed within its bound.
pub fn assert_warmup_within_bound(report: &WarmupReport, what: &str) {
    if let Err(message) = of_warmup(report).result(what) {
        panic!("{message}");
    }
}

/// Panics unless a V8 run that was counted stayed within its bound.
pub fn assert_run_within_bound(report: &RunReport, what: &str) {
    if let Some(Err(message)) = of_run(report).map(|c| c.result(what)) {
        panic!("{message}");
    }
}
