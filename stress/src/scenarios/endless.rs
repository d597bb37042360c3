//! Non-terminating guests under each V8 tier, in child processes: with fuel out of the way
//! only the watchdog can stop them, and every one must end as `timeout`.

use std::time::Duration;

use wasm_runner::child::ChildJob;
use wasm_runner_testkit::fixtures::ENDLESS;
use wasm_runner_testkit::tiers::TIERS;

use super::Ctx;
use crate::progress::Progress;
use crate::report::{Finding, ScenarioResult};

/// How long after the deadline a guest may take to stop.
const STOP_BOUND_MS: f64 = 5_000.0;

pub fn run(ctx: &Ctx) -> ScenarioResult {
    let wall = ctx.profile.endless_wall_ms;
    let mut r = ScenarioResult::new(
        "endless",
        &format!(
            "each non-terminating preset, under each V8 tier, with fuel out of the way and a {wall} ms wall-time \
             limit, ends as timeout within {STOP_BOUND_MS} ms of the deadline, in a child process (a hang or an \
             abort is a finding)"
        ),
    );
    let mut progress = Progress::start("endless", (ENDLESS.len() * TIERS.len()) as u64);
    let mut worst = 0.0f64;
    for (name, text, export) in ENDLESS {
        let module = match wat::parse_str(text) {
            Ok(m) => m,
            Err(e) => {
                r.fail(format!("{name}: does not parse: {e}"));
                continue;
            }
        };
        let Ok(path) = ctx.save(&format!("endless-{}.wasm", name.replace(' ', "-")), &module) else {
            r.fail(format!("{name}: cannot write its module"));
            continue;
        };
        for tier in TIERS {
            let (tier, flags) = (tier.name, tier.v8_flags);
            let job = ChildJob::run(&path)
                .invoke(export)
                .max_wall_ms(wall)
                .max_fuel(i64::MAX as u64)
                .termination_grace_ms(2000)
                .v8_flags(flags);
            let child = job.spawn(&ctx.runner, Duration::from_secs(60));
            let outcome = child.outcome().to_string();
            // Time from the deadline to the stop: the run phase's length past the wall time.
            let run_ms = child.report.as_ref().and_then(|r| r.phase("run")).map(|p| p.duration_ms);
            let stop_ms = run_ms.map(|ms| (ms - wall as f64).max(0.0));
            if let Some(ms) = stop_ms {
                worst = worst.max(ms);
            }
            let ok = outcome == "timeout" && stop_ms.is_some_and(|ms| ms <= STOP_BOUND_MS) && !child.process.aborted();
            if !ok {
                r.findings.push(Finding {
                    what: format!("{name} under {tier}: {outcome} ({:?})", child.process.status),
                    input: job.display(&ctx.runner),
                    detail: child.process.stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | "),
                });
                r.fail(format!("{name} under {tier} ended {outcome}, stop {stop_ms:?} ms"));
            }
            r.rows.push(serde_json::json!({ "preset": name, "tier": tier, "flags": flags, "outcome": outcome,
                "stop_after_deadline_ms": stop_ms, "child_ms": child.process.elapsed_ms }));
            progress.step(format!("{name} / {tier}: {outcome} {:.0} ms after the deadline", stop_ms.unwrap_or(-1.0)));
        }
    }
    r.metric("worst_stop_after_deadline_ms", worst);
    r.metric("cases", (ENDLESS.len() * TIERS.len()) as f64);
    progress.finish(&format!("{:?}", r.verdict));
    r
}
