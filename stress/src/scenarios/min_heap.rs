//! The smallest runner heap cap that warms each preset (and each cached real module) up,
//! found by bisection in child processes, and the default cap's headroom over it.

use std::path::PathBuf;
use std::time::Duration;

use wasm_runner::child::ChildJob;
use wasm_runner::limits::runner::DEFAULT_RUNNER_HEAP_LIMIT_MB;

use super::{synth_preset, Ctx};
use crate::progress::Progress;
use crate::report::{Finding, ScenarioResult};

/// The default cap must be at least this many times what the hungriest module needs.
const MIN_HEADROOM: f64 = 4.0;

pub fn run(ctx: &Ctx) -> ScenarioResult {
    let mut r = ScenarioResult::new(
        "min_heap",
        &format!(
            "every module warms up under the default cap ({DEFAULT_RUNNER_HEAP_LIMIT_MB} MiB), and the default is at \
             least {MIN_HEADROOM}x the smallest cap that warms the hungriest one up; a child that aborts is a finding"
        ),
    );
    let mut modules: Vec<(String, PathBuf, bool)> = Vec::new();
    for name in &ctx.profile.presets {
        match synth_preset(name).map(|m| ctx.save(&format!("minheap-{name}.wasm"), &m)) {
            Some(Ok(path)) => modules.push((name.clone(), path, false)),
            _ => r.fail(format!("cannot build preset {name}")),
        }
    }
    if let (Some(cache), true) = (&ctx.real_cache, ctx.profile.real_modules) {
        modules.push(("python.wasm".into(), cache.join("python.wasm"), true));
        modules.push(("graphviz.wasm".into(), cache.join("graphviz.wasm"), false));
    }
    let steps = ctx.profile.min_heap_steps;
    let mut progress = Progress::start("min_heap", (modules.len() as u64) * (u64::from(steps) + 1));
    let mut hungriest = 0u64;
    for (name, path, stub) in &modules {
        let warm = |mb: u64| -> Result<(bool, f64), Finding> {
            let mut job = ChildJob::warmup(path).heap_limit_mb(mb);
            if *stub {
                job = job.trap_unknown_imports();
            }
            let child = job.spawn(&ctx.runner, Duration::from_secs(300));
            match (child.process.aborted(), child.report.as_ref()) {
                (false, Some(report)) if report.outcome == "ok" => Ok((true, report.peak_used_heap_bytes() as f64)),
                (false, Some(report)) if report.outcome == "heap_limit_exhausted" => Ok((false, 0.0)),
                _ => Err(Finding {
                    what: format!("{name} at {mb} MiB: child {:?}, outcome {}", child.process.status, child.outcome()),
                    input: job.display(&ctx.runner),
                    detail: child.process.stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | "),
                }),
            }
        };
        let peak = match warm(DEFAULT_RUNNER_HEAP_LIMIT_MB) {
            Ok((true, peak)) => peak,
            Ok((false, _)) => {
                r.fail(format!("{name} does not warm up under the default cap"));
                continue;
            }
            Err(finding) => {
                r.fail(finding.what.clone());
                r.findings.push(finding);
                continue;
            }
        };
        progress.step(format!("{name}: ok at the default, peak {:.1} MiB", peak / super::MIB));
        // Bisect [lo, hi): lo fails (or is 1), hi warms up.
        let (mut lo, mut hi) = (1u64, ((2.0 * peak / super::MIB) as u64 + 8).min(DEFAULT_RUNNER_HEAP_LIMIT_MB));
        if hi < DEFAULT_RUNNER_HEAP_LIMIT_MB && !matches!(warm(hi), Ok((true, _))) {
            hi = DEFAULT_RUNNER_HEAP_LIMIT_MB;
        }
        for _ in 0..steps {
            if hi - lo <= 1 {
                break;
            }
            let mid = lo + (hi - lo) / 2;
            match warm(mid) {
                Ok((true, _)) => hi = mid,
                Ok((false, _)) => lo = mid,
                Err(finding) => {
                    r.fail(finding.what.clone());
                    r.findings.push(finding);
                    break;
                }
            }
            progress.step(format!("{name}: between {lo} and {hi} MiB"));
        }
        hungriest = hungriest.max(hi);
        let headroom = DEFAULT_RUNNER_HEAP_LIMIT_MB as f64 / hi as f64;
        r.metric(&format!("{name}_min_cap_mib"), hi as f64);
        r.rows.push(serde_json::json!({ "module": name, "min_cap_mib_at_most": hi, "fails_at_mib": lo,
            "default_peak_mib": peak / super::MIB, "headroom_factor": headroom }));
    }
    if hungriest > 0 {
        let headroom = DEFAULT_RUNNER_HEAP_LIMIT_MB as f64 / hungriest as f64;
        r.metric("headroom_factor", (headroom * 100.0).round() / 100.0);
        if headroom < MIN_HEADROOM {
            r.fail(format!("the default cap is only {headroom:.1}x the {hungriest} MiB the hungriest module needs"));
        }
    }
    progress.finish(&format!("{:?}", r.verdict));
    r
}
