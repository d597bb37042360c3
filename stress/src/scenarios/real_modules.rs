//! The real programs from corpus/real/cache: python.wasm and graphviz.wasm warm up and run.

use wasm_runner::{Preopen, RunReport, RunRequest, Runner, RunnerLimits};
use wasm_runner_testkit::driver::{add_driver, Driver, DriverArg, DriverOutput};

use super::{mib, Ctx};
use crate::progress::Progress;
use crate::report::ScenarioResult;

const RULE: &str = "python.wasm runs -c 'print(6*7)' to '42' and graphviz.wasm renders a DOT graph to SVG, both \
                    under the default limits, with per-phase runner heap recorded";

pub fn run(ctx: &Ctx) -> ScenarioResult {
    let Some(cache) = ctx.real_cache.clone() else {
        return ScenarioResult::skipped("real_modules", RULE, "no corpus/real/cache (run corpus/real/fetch.sh)");
    };
    if !ctx.profile.real_modules {
        return ScenarioResult::skipped("real_modules", RULE, "not in this profile");
    }
    let mut r = ScenarioResult::new("real_modules", RULE);
    let mut progress = Progress::start("real_modules", 2);
    let runner = Runner::new(RunnerLimits::default());
    let record = |r: &mut ScenarioResult, name: &str, report: &RunReport, ok: bool| {
        if !ok {
            r.fail(format!("{name}: {:?}, stdout {:.200}", report.outcome, String::from_utf8_lossy(&report.stdout)));
        }
        let phases: Vec<_> = report
            .phases
            .iter()
            .map(|p| serde_json::json!({ "phase": p.name, "peak_heap_mib": mib(p.peak_used_heap_bytes as f64), "ms": p.duration_ms }))
            .collect();
        let peak = report.phases.iter().map(|p| p.peak_used_heap_bytes).max().unwrap_or(0);
        r.metric(&format!("{name}_total_ms"), report.total_ms);
        r.metric(&format!("{name}_peak_heap_mib"), mib(peak as f64));
        r.rows.push(serde_json::json!({ "module": name, "outcome": report.outcome.kind(), "phases": phases }));
    };
    match std::fs::read(cache.join("python.wasm")) {
        Ok(module) => {
            let request = RunRequest {
                args: ["/usr/local/bin/python.wasm", "-c", "print(6*7)"].map(String::from).to_vec(),
                invoke: Some("run".into()),
                dirs: vec![Preopen { host: cache.join("python-lib"), guest: "/usr/local/lib".into() }],
                trap_unknown_imports: true,
                ..Default::default()
            };
            let report = runner.run(module, &request);
            let ok = report.outcome.kind() == "ok" && report.stdout == b"42\n";
            record(&mut r, "python", &report, ok);
            progress.step(format!("python: {} in {:.0} ms", report.outcome.kind(), report.total_ms));
        }
        Err(e) => r.fail(format!("python.wasm: {e}")),
    }
    match std::fs::read(cache.join("graphviz.wasm")) {
        Ok(module) => {
            let driver = Driver {
                export: "graphviz_render".into(),
                args: vec![
                    DriverArg::CString(b"digraph G { a -> b; b -> c; c -> a; }".to_vec()),
                    DriverArg::CString(b"svg".to_vec()),
                    DriverArg::CString(b"dot".to_vec()),
                    DriverArg::OutBuffer(4),
                ],
                output: DriverOutput::PointerWithLengthIn(3),
                entry: "drive".into(),
            };
            match add_driver(&module, &driver) {
                Ok(driven) => {
                    let request = RunRequest { invoke: Some("drive".into()), ..Default::default() };
                    let report = runner.run(driven, &request);
                    let ok =
                        report.outcome.kind() == "ok" && String::from_utf8_lossy(&report.stdout).contains("</svg>");
                    record(&mut r, "graphviz", &report, ok);
                    progress.step(format!("graphviz: {} in {:.0} ms", report.outcome.kind(), report.total_ms));
                }
                Err(e) => r.fail(format!("graphviz.wasm: {e}")),
            }
        }
        Err(e) => r.fail(format!("graphviz.wasm: {e}")),
    }
    progress.finish(&format!("{:?}", r.verdict));
    r
}
