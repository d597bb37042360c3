//! The heap model in the oracles. Every V8 job's measured peak must stay within the model's
//! bound (`wasm_runner::limits::heap_model`): a peak past it is a guest-controlled
//! allocation nothing budgets, the finding this harness exists for. Each check also feeds
//! libFuzzer (`feedback`) and keeps the worst peak/bound ratio seen, written as
//! `heap-<pid>.json` into the folder `WASM_RUNNER_FUZZ_HEAP_REPORT` names (one file per
//! process, so `-fork` children do not overwrite each other; the fuzz campaign collects
//! them).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use wasm_runner::{RunReport, WarmupReport};
use wasm_runner_testkit::heap::{self, HeapCheck};

use crate::feedback;

/// The folder the worst ratio goes to, when set.
pub const HEAP_REPORT_ENV: &str = "WASM_RUNNER_FUZZ_HEAP_REPORT";

/// Worst ratio seen in this process, in millionths.
static WORST_RATIO_PPM: AtomicU64 = AtomicU64::new(0);
static HIGHEST_PEAK: AtomicU64 = AtomicU64::new(0);
/// When this process first checked a heap, and each new height since: (seconds after it,
/// highest peak, worst ratio), so two campaigns can be compared by how fast they climbed.
static START: OnceLock<Instant> = OnceLock::new();
static CLIMB: Mutex<Vec<(f64, u64, f64)>> = Mutex::new(Vec::new());
/// Steps kept; past it the last one is overwritten (the climb's end is what matters).
const CLIMB_STEPS: usize = 1000;

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
    let started = *START.get_or_init(Instant::now);
    let ppm = (found.ratio() * 1e6) as u64;
    let peak_grew = HIGHEST_PEAK.fetch_max(found.peak_bytes, Ordering::Relaxed) < found.peak_bytes;
    let ratio_grew = WORST_RATIO_PPM.fetch_max(ppm, Ordering::Relaxed) < ppm;
    if !(peak_grew || ratio_grew) {
        return;
    }
    let Some(dir) = std::env::var_os(HEAP_REPORT_ENV) else { return };
    // One writer at a time, and the climb's steps in the order they are written.
    let mut climb = CLIMB.lock().unwrap_or_else(|p| p.into_inner());
    let step = (started.elapsed().as_secs_f64(), HIGHEST_PEAK.load(Ordering::Relaxed), worst_ratio());
    climbed(&mut climb, step);
    let line = serde_json::json!({
        "target": target,
        "worst_ratio": step.2,
        "highest_peak_bytes": step.1,
        "peak_bytes": found.peak_bytes,
        "bound_bytes": found.bound_bytes,
        "climb": climb.iter().map(|&(s, peak, ratio)| serde_json::json!([s, peak, ratio])).collect::<Vec<_>>(),
    });
    // Write then rename: a reader never sees half a file.
    let path = std::path::Path::new(&dir).join(format!("heap-{}.json", std::process::id()));
    let partial = path.with_extension("partial");
    if std::fs::write(&partial, line.to_string()).is_ok() {
        let _ = std::fs::rename(&partial, &path);
    }
}

fn climbed(climb: &mut Vec<(f64, u64, f64)>, step: (f64, u64, f64)) {
    if climb.len() == CLIMB_STEPS {
        climb.pop();
    }
    climb.push(step);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_climb_past_its_step_limit_keeps_its_first_steps_and_its_latest() {
        let mut climb = Vec::new();
        for i in 0..CLIMB_STEPS + 5 {
            climbed(&mut climb, (i as f64, i as u64, 0.0));
        }
        assert_eq!(climb.len(), CLIMB_STEPS);
        assert_eq!(climb[0].1, 0);
        assert_eq!(climb[CLIMB_STEPS - 2].1, CLIMB_STEPS as u64 - 2);
        assert_eq!(climb.last().unwrap().1, CLIMB_STEPS as u64 + 4);
    }

    #[test]
    fn a_new_highest_peak_is_written_with_the_climb_that_reached_it() {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var(HEAP_REPORT_ENV, dir.path());
        // Higher than any peak another test of this process can record.
        let found = HeapCheck { peak_bytes: 1 << 50, bound_bytes: 1 << 51 };
        record(&found, "test");
        let path = dir.path().join(format!("heap-{}.json", std::process::id()));
        let report: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let climb = report["climb"].as_array().unwrap();
        let last = climb.last().unwrap().as_array().unwrap();
        assert_eq!(last[1].as_u64(), Some(1 << 50));
        assert_eq!(report["highest_peak_bytes"].as_u64(), Some(1 << 50));
        let peaks: Vec<u64> = climb.iter().map(|s| s[1].as_u64().unwrap()).collect();
        assert!(peaks.windows(2).all(|w| w[0] <= w[1]), "a climb never goes down: {peaks:?}");
    }
}
