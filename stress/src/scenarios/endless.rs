//! Non-terminating guests under each V8 tier, in child processes: with fuel out of the way
//! only the watchdog can stop them, and every one must end as `timeout`.

use std::time::Duration;

use super::Ctx;
use crate::child;
use crate::progress::Progress;
use crate::report::{Finding, ScenarioResult};

/// (name, module, export). Each loops forever in a different way.
const PRESETS: &[(&str, &str, &str)] = &[
    ("tight loop", r#"(module (func (export "f") (loop $l (br $l))))"#, "f"),
    (
        "loop around a call",
        r#"(module (func $g (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
           (func (export "f") (local i32) (loop $l (local.set 0 (call $g (local.get 0))) (br $l))))"#,
        "f",
    ),
    (
        "loop around memory.grow",
        r#"(module (memory 1 2) (func (export "f") (loop $l (drop (memory.grow (i32.const 1))) (br $l))))"#,
        "f",
    ),
    (
        "call_indirect chain",
        r#"(module (type $t (func (param i32) (result i32))) (table 3 funcref) (elem (i32.const 0) $a $b $c)
           (func $a (type $t) (call_indirect (type $t) (local.get 0) (i32.const 1)))
           (func $b (type $t) (i32.add (local.get 0) (i32.const 1)))
           (func $c (type $t) (call_indirect (type $t) (local.get 0) (i32.const 0)))
           (func (export "f") (local i32) (loop $l (local.set 0 (call_indirect (type $t) (local.get 0) (i32.const 2))) (br $l))))"#,
        "f",
    ),
    (
        "exception-handling loop",
        r#"(module (tag $e (param i32))
           (func (export "f") (local i32)
             (loop $l
               (block $caught (result i32)
                 (try_table (catch $e $caught) (throw $e (local.get 0)))
                 (unreachable))
               (local.set 0)
               (br $l))))"#,
        "f",
    ),
    ("tail-call cycle", r#"(module (func $a (export "f") (return_call $b)) (func $b (return_call $a)))"#, "f"),
];

/// V8 flags per tier, set in the child before V8 starts.
const TIERS: &[(&str, &str)] = &[
    ("default", ""),
    ("liftoff-only", "--liftoff-only"),
    ("eager optimizing", "--no-liftoff --no-wasm-lazy-compilation"),
];

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
    let mut progress = Progress::start("endless", (PRESETS.len() * TIERS.len()) as u64);
    let mut worst = 0.0f64;
    for (name, text, export) in PRESETS {
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
        for (tier, flags) in TIERS {
            let args: Vec<String> = [
                "--module",
                &path.display().to_string(),
                "--invoke",
                export,
                "--wall-ms",
                &wall.to_string(),
                "--fuel",
                "9223372036854775807",
                "--grace-ms",
                "2000",
            ]
            .map(String::from)
            .to_vec();
            let (report, json) = child::spawn(&ctx.exe, &args, Some(flags), Duration::from_secs(60));
            let outcome =
                json.as_ref().and_then(|j| j.get("outcome")).and_then(|o| o.as_str()).unwrap_or("none").to_string();
            // Time from the deadline to the stop: the run phase's length past the wall time.
            let run_ms = json.as_ref().and_then(|j| {
                let phases = j.get("phases")?.as_array()?;
                let run = phases.iter().find(|p| p.get("name").and_then(|n| n.as_str()) == Some("run"))?;
                run.get("duration_ms")?.as_f64()
            });
            let stop_ms = run_ms.map(|ms| (ms - wall as f64).max(0.0));
            if let Some(ms) = stop_ms {
                worst = worst.max(ms);
            }
            let ok = outcome == "timeout" && stop_ms.is_some_and(|ms| ms <= STOP_BOUND_MS) && !report.aborted();
            if !ok {
                r.findings.push(Finding {
                    what: format!("{name} under {tier}: {outcome} ({:?})", report.status),
                    input: format!("WASM_RUNNER_V8_FLAGS='{flags}' {} child {}", ctx.exe.display(), args.join(" ")),
                    detail: report.stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | "),
                });
                r.fail(format!("{name} under {tier} ended {outcome}, stop {stop_ms:?} ms"));
            }
            r.rows.push(serde_json::json!({ "preset": name, "tier": tier, "flags": flags, "outcome": outcome,
                "stop_after_deadline_ms": stop_ms, "child_ms": report.elapsed_ms }));
            progress.step(format!("{name} / {tier}: {outcome} {:.0} ms after the deadline", stop_ms.unwrap_or(-1.0)));
        }
    }
    r.metric("worst_stop_after_deadline_ms", worst);
    r.metric("cases", (PRESETS.len() * TIERS.len()) as f64);
    progress.finish(&format!("{:?}", r.verdict));
    r
}
