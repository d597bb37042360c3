//! The run-phase budgets at their defaults: a guest pushing each one as far as it goes, with
//! the runner heap it grew, the process's RSS and the time it took recorded.

use wasm_runner::limits::costs::{
    ARGS_HEAP_BOUND_PER_BYTE, FS_NODE_HEAP_BOUND_BYTES, OPEN_FD_HEAP_BOUND_BYTES, YOUNG_GARBAGE_BYTES,
};
use wasm_runner::{GuestLimits, Preopen, RunReport, RunRequest, Runner, RunnerLimits};
use wasm_runner_testkit::fixtures::wasm;
use wasm_runner_testkit::hostile::{
    args_of, mkdir_path, module, poll_many, MANY_IOVECS, MKDIR_FOREVER, OPEN_FOREVER, READ_ARGS,
};

use super::{mib, Ctx};
use crate::progress::Progress;
use crate::report::ScenarioResult;

/// One guest: name, module, export, what it must return, and the bound on the runner heap
/// it may grow (bytes).
struct Case {
    name: &'static str,
    module: Vec<u8>,
    export: &'static str,
    expected: &'static str,
    heap_bound: u64,
    /// The guest's arguments.
    args: Vec<String>,
}

const MIB: u64 = 1024 * 1024;

/// Run-phase heap growth above what bootstrap left.
fn heap_growth(report: &RunReport) -> u64 {
    let base = report.phases.iter().find(|p| p.name == "bootstrap").map_or(0, |p| p.used_heap_after_bytes);
    let peak = report.phases.iter().find(|p| p.name == "run").map_or(0, |p| p.peak_used_heap_bytes);
    peak.saturating_sub(base) as u64
}

pub fn run(ctx: &Ctx) -> ScenarioResult {
    let guest = GuestLimits { max_fs_nodes: ctx.profile.budgets_fs_nodes, ..GuestLimits::default() };
    let mut r = ScenarioResult::new(
        "budgets",
        "a guest pushing each run-phase budget (open descriptors, file-system nodes, iovec and subscription \
         arrays) to its default ends with the errno wasmtime-wasi gives, and grows the runner heap by at most that \
         budget's count times its stated cost per item (plus the young generation's garbage for the arrays)",
    );
    let opens = GuestLimits::default().max_open_fds as u32 + 1;
    let cases = vec![
        Case {
            name: "open descriptors past the limit",
            module: module(
                1,
                &format!("{OPEN_FOREVER} (func (export \"open_many\") (result i32) (call 5 (i32.const {opens})))"),
            ),
            export: "open_many",
            expected: "33",
            heap_bound: guest.max_open_fds * OPEN_FD_HEAP_BOUND_BYTES + YOUNG_GARBAGE_BYTES,
            args: Vec::new(),
        },
        Case {
            name: "directories until the node budget",
            module: module(1, MKDIR_FOREVER),
            export: "mkdirs",
            expected: "51",
            heap_bound: guest.max_fs_nodes * FS_NODE_HEAP_BOUND_BYTES + YOUNG_GARBAGE_BYTES,
            args: Vec::new(),
        },
        Case {
            name: "16M iovecs in one write",
            module: module(2100, MANY_IOVECS),
            export: "iovecs",
            expected: "0",
            heap_bound: 16 * MIB,
            args: Vec::new(),
        },
        Case {
            name: "1.6M poll subscriptions",
            module: module(2100, &poll_many(1_600_000)),
            export: "poll",
            expected: "1600000",
            heap_bound: 16 * MIB,
            args: Vec::new(),
        },
        Case {
            name: "a 64 MB path of components",
            module: mkdir_path("./", 64 << 20),
            export: "mkdir",
            expected: "0",
            heap_bound: 16 * MIB,
            args: Vec::new(),
        },
        Case {
            name: "arguments at their limit",
            module: wasm(&format!("(module {READ_ARGS})")),
            export: "read",
            expected: "0",
            heap_bound: guest.max_args_bytes * ARGS_HEAP_BOUND_PER_BYTE + YOUNG_GARBAGE_BYTES,
            args: args_of(guest.max_args_bytes),
        },
    ];
    let mut progress = Progress::start("budgets", cases.len() as u64);
    let runner = Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone());
    for case in cases {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => {
                r.fail(format!("{}: no scratch folder: {e}", case.name));
                continue;
            }
        };
        let request = RunRequest {
            invoke: Some(case.export.into()),
            dirs: vec![Preopen { host: dir.path().to_path_buf(), guest: "/d".into() }],
            args: case.args,
            ..Default::default()
        };
        let report = runner.run(case.module, &request);
        let returned = report.outcome.returned().join(" ");
        let growth = heap_growth(&report);
        let run_ms = report.phases.iter().find(|p| p.name == "run").map_or(0.0, |p| p.duration_ms);
        if returned != case.expected {
            r.fail(format!("{}: expected {}, got {:?}", case.name, case.expected, report.outcome));
        }
        if growth > case.heap_bound {
            r.fail(format!(
                "{}: the runner heap grew {:.1} MiB, over its {:.0} MiB bound",
                case.name,
                mib(growth as f64),
                mib(case.heap_bound as f64)
            ));
        }
        r.rows.push(serde_json::json!({
            "case": case.name, "outcome": report.outcome.kind(), "returned": returned,
            "heap_growth_mib": mib(growth as f64), "heap_bound_mib": mib(case.heap_bound as f64),
            "peak_rss_mib": mib(report.peak_rss_bytes() as f64), "run_ms": run_ms,
        }));
        let key = case.name.split_whitespace().take(2).collect::<Vec<_>>().join("_");
        r.metric(&format!("{key}_heap_mib"), mib(growth as f64));
        r.metric(&format!("{key}_ms"), run_ms);
        progress.step(format!("{}: {returned}, heap +{:.1} MiB in {run_ms:.0} ms", case.name, mib(growth as f64)));
    }
    progress.finish(&format!("{:?}", r.verdict));
    r
}
