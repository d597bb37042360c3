//! K warmups and runs in one process: RSS and V8 heap after each; growth beyond a bound fails.

use wasm_runner::{RunRequest, Runner, RunnerLimits};

use super::{mib, synth_code, Ctx};
use crate::progress::Progress;
use crate::report::ScenarioResult;
use wasm_runner_testkit::fixtures::{wasm, HELLO};
use wasm_runner_testkit::rss::rss_bytes;

/// Growth allowed from the end of the warm-up tenth to the end: allocator noise, not a leak
/// (a leak of one isolate per iteration would be over 1 MiB each).
const GROWTH_BOUND_MIB: f64 = 64.0;

pub fn run(ctx: &Ctx) -> ScenarioResult {
    let k = ctx.profile.soak_iterations;
    let mut r = ScenarioResult::new(
        "soak",
        &format!(
            "{k} alternating warmups (2 MB module) and runs (WASI hello) in one process all succeed, and RSS grows \
             by at most {GROWTH_BOUND_MIB} MiB from the first tenth of the iterations to the end"
        ),
    );
    let hello = wasm(HELLO);
    let medium = synth_code(2_000_000);
    let runner = Runner::new(RunnerLimits::default());
    let mut progress = Progress::start("soak", k.div_ceil(10) as u64);
    let mut after_tenth = None;
    let mut failures = 0;
    for i in 0..k {
        let heap_after = if i % 2 == 0 {
            match runner.warmup(medium.clone()) {
                Ok(report) => report.phases.last().map_or(0, |p| p.used_heap_after_bytes),
                Err(f) => {
                    failures += 1;
                    r.fail(format!("iteration {i}: warmup failed: {}", f.error));
                    0
                }
            }
        } else {
            let report = runner.run(hello.clone(), &RunRequest::default());
            if report.outcome.kind() != "ok" || report.stdout != b"hello\n" {
                failures += 1;
                r.fail(format!("iteration {i}: run ended {:?}", report.outcome));
            }
            report.phases.last().map_or(0, |p| p.used_heap_after_bytes)
        };
        let rss = rss_bytes();
        if i + 1 == (k / 10).max(1) {
            after_tenth = Some(rss);
        }
        r.rows.push(
            serde_json::json!({ "iteration": i, "rss_mib": mib(rss as f64), "heap_after_mib": mib(heap_after as f64) }),
        );
        if i % 10 == 9 || i + 1 == k {
            progress.step(format!("{} done, RSS {:.0} MiB", i + 1, mib(rss as f64)));
        }
    }
    let end = rss_bytes();
    let start = after_tenth.unwrap_or(end);
    let growth = mib(end.saturating_sub(start) as f64);
    if growth > GROWTH_BOUND_MIB {
        r.fail(format!("RSS grew {growth} MiB after the first tenth, over the {GROWTH_BOUND_MIB} MiB bound"));
    }
    if failures > 10 {
        r.notes.truncate(10);
        r.notes.push(format!("... {failures} failures in all"));
    }
    r.metric("rss_growth_mib", growth);
    r.metric("rss_end_mib", mib(end as f64));
    progress.finish(&format!("{:?}", r.verdict));
    r
}
