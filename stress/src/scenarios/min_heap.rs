//! The smallest runner heap cap that warms each preset (and each cached real module) up,
//! found by bisection in child processes, and the default cap's headroom over it.

use std::path::PathBuf;
use std::time::Duration;

use wasm_runner::child::{min_heap, MinHeapError, MinHeapSearch};
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
    let mut progress = Progress::start("min_heap", (modules.len() as u64) * (u64::from(steps) + 2));
    let mut hungriest = 0u64;
    for (name, path, stub) in &modules {
        let search = MinHeapSearch {
            module: path,
            max_cap_mib: DEFAULT_RUNNER_HEAP_LIMIT_MB,
            steps,
            trap_unknown_imports: *stub,
            child_deadline: Duration::from_secs(300),
        };
        let found = match min_heap(&ctx.runner, &search, &mut |line| progress.step(format!("{name}: {line}"))) {
            Ok(found) => found,
            Err(MinHeapError::NoWarmup { cap_mib, outcome, message }) => {
                r.fail(format!("{name} does not warm up under {cap_mib} MiB: {outcome}: {message}"));
                continue;
            }
            Err(MinHeapError::Child { cap_mib, status, command, detail }) => {
                let what = format!("{name} at {cap_mib} MiB: child {status}");
                r.fail(what.clone());
                r.findings.push(Finding { what, input: command, detail });
                continue;
            }
        };
        let hi = found.min_cap_mib;
        let peak = found.peak_used_heap_bytes as f64;
        if let Some(bound) = found.heap_bound_bytes.filter(|b| found.peak_used_heap_bytes > *b) {
            r.fail(format!("{name} peaked at {peak} bytes, past the heap model's bound of {bound}"));
        }
        hungriest = hungriest.max(hi);
        let headroom = DEFAULT_RUNNER_HEAP_LIMIT_MB as f64 / hi as f64;
        r.metric(&format!("{name}_min_cap_mib"), hi as f64);
        r.rows.push(serde_json::json!({ "module": name, "min_cap_mib_at_most": hi, "fails_at_mib": found.fails_at_mib,
            "default_peak_mib": peak / super::MIB,
            "heap_bound_mib": found.heap_bound_bytes.map(|b| b as f64 / super::MIB),
            "headroom_factor": headroom }));
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
