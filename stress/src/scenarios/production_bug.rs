//! The production bug, proven per preset: what needs more than the 128 MiB guest budget of
//! runner heap hits the guard (a typed error) under a 128 MiB cap, and warms up under the
//! default.

use wasm_runner::limits::runner::GUEST_ISOLATE_HEAP_BUDGET_MB;
use wasm_runner::{Runner, RunnerError, RunnerLimits};

use super::{mib, synth_preset, Ctx};
use crate::progress::Progress;
use crate::report::ScenarioResult;

pub fn run(ctx: &Ctx) -> ScenarioResult {
    let budget = GUEST_ISOLATE_HEAP_BUDGET_MB;
    let mut r = ScenarioResult::new(
        "production_bug",
        "each preset warms up under the default cap; one whose default-cap peak exceeds 128 MiB hits the guard \
         (heap_limit_exhausted, never an abort) under a 128 MiB cap, one below it warms up there too",
    );
    let mut progress = Progress::start("production_bug", ctx.profile.presets.len() as u64);
    let mut over = 0;
    for name in &ctx.profile.presets {
        let Some(module) = synth_preset(name) else {
            r.fail(format!("unknown preset {name}"));
            continue;
        };
        let default = Runner::new(RunnerLimits::default()).warmup(module.clone());
        let capped = Runner::new(RunnerLimits::default().with_heap_limit_mb(budget)).warmup(module.clone());
        let default_peak = match &default {
            Ok(report) => mib(report.peak_used_heap_bytes() as f64),
            Err(f) => {
                r.fail(format!("{name} failed under the default cap: {}", f.error));
                progress.step(format!("{name}: default cap {}", f.error.kind()));
                continue;
            }
        };
        let needs_more = default_peak > budget as f64;
        over += usize::from(needs_more);
        let (capped_outcome, capped_observed) = match &capped {
            Ok(report) => ("ok".to_string(), mib(report.peak_used_heap_bytes() as f64)),
            Err(f) => (
                f.error.kind().to_string(),
                match &f.error {
                    RunnerError::HeapLimitExhausted { observed_bytes, .. } => mib(*observed_bytes as f64),
                    _ => 0.0,
                },
            ),
        };
        let expected = if needs_more { "heap_limit_exhausted" } else { "ok" };
        if capped_outcome != expected {
            r.fail(format!("{name}: peak {default_peak} MiB under the default, but {capped_outcome} under {budget} MiB (expected {expected})"));
        }
        r.rows.push(serde_json::json!({
            "preset": name,
            "module_bytes": module.len(),
            "default_cap_peak_mib": default_peak,
            "capped_mib": budget,
            "capped_outcome": capped_outcome,
            "capped_observed_mib": capped_observed,
        }));
        r.metric(&format!("{name}_peak_mib"), default_peak);
        progress.step(format!("{name}: {default_peak} MiB default; {capped_outcome} at {budget} MiB"));
    }
    if over == 0 {
        r.notes.push("no preset in this profile needs more than the guest budget".into());
    }
    r.metric("presets_over_budget", over as f64);
    progress.finish(&format!("{:?}", r.verdict));
    r
}
