//! Warmup of code-heavy modules from 1 MB to over 100 MB under the default runner cap.

use wasm_runner::{Runner, RunnerLimits};

use super::{mib, synth_code, Ctx};
use crate::progress::Progress;
use crate::report::ScenarioResult;

pub fn run(ctx: &Ctx) -> ScenarioResult {
    let mut r = ScenarioResult::new(
        "size_sweep",
        "every size warms up under the default runner cap with the guard never firing; heap high-water and \
         latency per phase recorded per size",
    );
    let sizes = &ctx.profile.sweep_bytes;
    let mut progress = Progress::start("size_sweep", sizes.len() as u64);
    let runner = Runner::new(RunnerLimits::default());
    for &size in sizes {
        let module = synth_code(size);
        let mb = (module.len() as f64 / 1e6).round();
        let label = format!("{mb:.0}mb");
        match runner.warmup(module.clone()) {
            Ok(report) => {
                let ms = |p: &str| report.phase(p).map_or(0.0, |p| p.duration_ms);
                let heap = |p: &str| report.phase(p).map_or(0.0, |p| mib(p.peak_used_heap_bytes as f64));
                r.rows.push(serde_json::json!({
                    "module_mb": mb,
                    "module_bytes": module.len(),
                    "functions": report.module.defined_functions,
                    "total_ms": report.total_ms,
                    "bootstrap_ms": ms("bootstrap"),
                    "guest_checks_ms": ms("guest_checks"),
                    "compile_ms": ms("compile"),
                    "instantiate_ms": ms("instantiate"),
                    "bootstrap_heap_mib": heap("bootstrap"),
                    "peak_heap_mib": mib(report.peak_used_heap_bytes() as f64),
                    "mb_per_s": module.len() as f64 / 1e6 / (report.total_ms / 1e3),
                }));
                r.metric(&format!("warmup_{label}_ms"), report.total_ms);
                r.metric(&format!("peak_heap_{label}_mib"), mib(report.peak_used_heap_bytes() as f64));
                progress.step(format!(
                    "{label}: {:.0} ms, {:.1} MiB",
                    report.total_ms,
                    mib(report.peak_used_heap_bytes() as f64)
                ));
            }
            Err(failure) => {
                r.fail(format!("{label} did not warm up: {}", failure.error));
                progress.step(format!("{label}: {}", failure.error.kind()));
            }
        }
    }
    progress.finish(&format!("{:?}", r.verdict));
    r
}
