//! The smallest runner heap cap that warms a module up, bisected over child processes (a
//! cap too small ends in `heap_limit_exhausted`, and anything worse must not take the
//! caller down), with the heap model's bound beside it.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::{ChildJob, RunnerProgram};

/// What to search: the module, how, and within what.
#[derive(Debug, Clone)]
pub struct MinHeapSearch<'a> {
    pub module: &'a Path,
    /// The cap the search starts from (it must warm the module up), in MiB.
    pub max_cap_mib: u64,
    /// Bisection steps after the first guess (each one child).
    pub steps: u32,
    /// Stub unknown function imports with traps (for modules needing more than WASI).
    pub trap_unknown_imports: bool,
    /// A child still running after this is killed (and is a finding).
    pub child_deadline: Duration,
}

/// The answer: a cap known to warm up and one known not to, `steps` apart at most.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinHeap {
    /// The smallest cap seen to warm the module up, in MiB.
    pub min_cap_mib: u64,
    /// The largest cap seen to end in `heap_limit_exhausted` (0 when none did).
    pub fails_at_mib: u64,
    /// The warmup's peak under the starting cap.
    pub peak_used_heap_bytes: u64,
    /// The heap model's bound of the warmup.
    pub heap_bound_bytes: Option<u64>,
    /// Child processes run.
    pub children: u32,
}

#[derive(Debug, Clone, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MinHeapError {
    /// The module does not warm up under the starting cap, for a reason a cap cannot fix.
    #[error("the module does not warm up under {cap_mib} MiB: {outcome}: {message}")]
    NoWarmup { cap_mib: u64, outcome: String, message: String },
    /// A child aborted, hung or printed no report: a finding, with the command that
    /// reproduces it.
    #[error("a child at {cap_mib} MiB ended without a report ({status}); reproduce with: {command}")]
    Child { cap_mib: u64, status: String, command: String, detail: String },
}

enum Warm {
    Ok(u64, Option<u64>),
    Exhausted,
}

/// Bisects `[1, max_cap_mib]` for the smallest cap that warms `search.module` up, calling
/// `progress` after each child.
pub fn min_heap(
    program: &RunnerProgram,
    search: &MinHeapSearch<'_>,
    progress: &mut dyn FnMut(&str),
) -> Result<MinHeap, MinHeapError> {
    let mut children = 0u32;
    let mut warm = |mb: u64| -> Result<Warm, MinHeapError> {
        let mut job = ChildJob::warmup(search.module).heap_limit_mb(mb);
        if search.trap_unknown_imports {
            job = job.trap_unknown_imports();
        }
        children += 1;
        let child = job.spawn(program, search.child_deadline);
        match child.report.as_ref().filter(|_| !child.process.aborted()) {
            Some(report) if report.outcome == "ok" => {
                Ok(Warm::Ok(report.peak_used_heap_bytes() as u64, report.heap_bound_bytes))
            }
            Some(report) if report.outcome == "heap_limit_exhausted" => Ok(Warm::Exhausted),
            Some(report) => Err(MinHeapError::NoWarmup {
                cap_mib: mb,
                outcome: report.outcome.clone(),
                message: report.message.clone().unwrap_or_default(),
            }),
            None => Err(MinHeapError::Child {
                cap_mib: mb,
                status: format!("{:?}", child.process.status),
                command: job.display(program),
                detail: child.process.stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | "),
            }),
        }
    };
    let max = search.max_cap_mib;
    let (peak, bound) = match warm(max)? {
        Warm::Ok(peak, bound) => (peak, bound),
        Warm::Exhausted => {
            return Err(MinHeapError::NoWarmup {
                cap_mib: max,
                outcome: "heap_limit_exhausted".into(),
                message: "the starting cap is too small".into(),
            })
        }
    };
    progress(&format!("ok at {max} MiB, peak {:.1} MiB", peak as f64 / 1048576.0));
    // [lo, hi): lo fails (or is 0, untried), hi warms up. The first guess is twice the
    // peak: a cap well above what the warmup used.
    let (mut lo, mut hi) = (0u64, max);
    let guess = (2 * peak / 1048576 + 8).min(max);
    if guess < max {
        match warm(guess)? {
            Warm::Ok(..) => hi = guess,
            Warm::Exhausted => lo = guess,
        }
        progress(&format!("between {lo} and {hi} MiB"));
    }
    for _ in 0..search.steps {
        if hi - lo <= 1 {
            break;
        }
        let mid = lo + (hi - lo) / 2;
        match warm(mid.max(1))? {
            Warm::Ok(..) => hi = mid.max(1),
            Warm::Exhausted => lo = mid,
        }
        progress(&format!("between {lo} and {hi} MiB"));
    }
    Ok(MinHeap { min_cap_mib: hi, fails_at_mib: lo, peak_used_heap_bytes: peak, heap_bound_bytes: bound, children })
}
