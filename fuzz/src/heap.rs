//! The heap model in the oracles. Every V8 job's measured peak must stay within the model's
//! bound (`wasm_runner::limits::heap_model`): a peak past it is a guest-controlled
//! allocation nothing budgets, the finding this harness exists for. Each check also feeds
//! libFuzzer (`feedback`) and keeps the worst peak/bound ratio seen, written as
//! `heap-<pid>.json` into the folder `WASM_RUNNER_FUZZ_HEAP_REPORT` names (one file per
//! process, so `-fork` children do not overwrite each other; the fuzz campaign collects
//! them).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use wasm_runner::{RunReport, WarmupReport};
use wasm_runner_testkit::heap::{self, HeapCheck};

use crate::feedback;

/// The folder the worst ratio goes to, when set.
pub const HEAP_REPORT_ENV: &str = "WASM_RUNNER_FUZZ_HEAP_REPORT";

/// Worst ratio seen in this process, in millionths.
static WORST_RATIO_PPM: AtomicU64 = AtomicU64::new(0);
static HIGHEST_PEAK: AtomicU64 = AtomicU64::new(0);
static WRITING: Mutex<()> = Mutex::new(());

/// Asserts a warmup stayed within its bound; records it.
pub fn check_warmup(report: &WarmupReport, target: &str) {
    check(heap::of_warmup(report), target, report.total_ms, report.module_bytes);
}

/// Asserts a V8 run that reached the guest checks stayed within its bound; records it.
pub fn check_run(report: &RunReport, target: &str, module_bytes: usize) {
    if let Some(found) = heap::of_run(report) {
        check(found, target, report.total_ms, module_bytes);
    }
}

fn check(found: HeapCheck, target: &str, total_ms: f64, module_bytes: usize) {
    feedback::observe(&found, total_ms, module_bytes);
    record(&found, target);
    if let Err(message) = found.result(target) {
        panic!("{message}");
    }
}

/// The worst ratio this process has seen (0 before any check).
pub fn worst_ratio() -> f64 {
    WORST_RATIO_PPM.load(Ordering::Relaxed) as f64 / 1e6
}

fn record(found: &HeapCheck, target: &str) {
    let ppm = (found.ratio() * 1e6) as u64;
    let peak_grew = HIGHEST_PEAK.fetch_max(found.peak_bytes, Ordering::Relaxed) < found.peak_bytes;
    let ratio_grew = WORST_RATIO_PPM.fetch_max(ppm, Ordering::Relaxed) < ppm;
    if !(peak_grew || ratio_grew) {
        return;
    }
    let Some(dir) = std::env::var_os(HEAP_REPORT_ENV) else { return };
    let _writing = WRITING.lock().unwrap_or_else(|p| p.into_inner());
    let line = serde_json::json!({
        "target": target,
        "worst_ratio": worst_ratio(),
        "highest_peak_bytes": HIGHEST_PEAK.load(Ordering::Relaxed),
        "peak_bytes": found.peak_bytes,
        "bound_bytes": found.bound_bytes,
    });
    // Write then rename: a reader never sees half a file.
    let path = std::path::Path::new(&dir).join(format!("heap-{}.json", std::process::id()));
    let partial = path.with_extension("partial");
    if std::fs::write(&partial, line.to_string()).is_ok() {
        let _ = std::fs::rename(&partial, &path);
    }
}
