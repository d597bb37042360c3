//! Fault injection: every limit forced, interleaved with good runs, in one process; and the
//! cases that can only end in a V8 abort or a lost termination, in child processes.

use std::time::Duration;

use wasm_runner::limits::GuestLimits;
use wasm_runner::{RunRequest, Runner, RunnerLimits};

use super::soak::HELLO;
use super::{synth_preset, Ctx};
use crate::child;
use crate::progress::Progress;
use crate::report::{Finding, ScenarioResult};

const SPIN: &str = r#"(module (func (export "spin") (loop $l (br $l))))"#;
const RECURSE: &str = r#"(module (func $r (export "recurse") (call $r)))"#;
const GROW: &str = r#"(module (memory 1) (func (export "grow") (result i32)
  (memory.grow (i32.const 100000))))"#;
const CHATTY: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 1024))
    (loop $l (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (br $l))))"#;
const HEAP_BOMB: &str = "const keep = []; for (;;) keep.push(new Array(1 << 16).fill(keep.length));";

struct Case {
    name: &'static str,
    expected: &'static str,
    run: fn() -> String,
}

fn guest_run(wat: &str, invoke: Option<&str>, guest: GuestLimits) -> String {
    let module = wat::parse_str(wat).expect("fault module parses");
    let request = RunRequest { invoke: invoke.map(String::from), ..Default::default() };
    let report = Runner::new(RunnerLimits::default()).with_guest_limits(guest).run(module, &request);
    match (&report.outcome, report.stdout.as_slice()) {
        (wasm_runner::RunOutcome::Ok { returned }, _) if !returned.is_empty() => format!("ok {}", returned.join(" ")),
        (outcome, b"hello\n") if outcome.kind() == "ok" => "hello".into(),
        (outcome, _) => outcome.kind().to_string(),
    }
}

const CASES: &[Case] = &[
    Case { name: "good run", expected: "hello", run: || guest_run(HELLO, None, GuestLimits::default()) },
    Case {
        name: "heap exhaustion (runner JS under a 64 MiB cap)",
        expected: "heap_limit_exhausted",
        run: || {
            let runner = Runner::new(RunnerLimits::default().with_heap_limit_mb(64));
            match runner.run_trusted_script("bomb.js", HEAP_BOMB) {
                Ok(_) => "ok".into(),
                Err(e) => e.kind().to_string(),
            }
        },
    },
    Case { name: "good run", expected: "hello", run: || guest_run(HELLO, None, GuestLimits::default()) },
    Case {
        name: "fuel",
        expected: "fuel_exhausted",
        run: || guest_run(SPIN, Some("spin"), GuestLimits { max_fuel: 1_000_000, ..GuestLimits::default() }),
    },
    Case {
        name: "stack",
        expected: "stack_exhausted",
        run: || guest_run(RECURSE, Some("recurse"), GuestLimits::default()),
    },
    Case { name: "good run", expected: "hello", run: || guest_run(HELLO, None, GuestLimits::default()) },
    Case {
        name: "timeout",
        expected: "timeout",
        run: || {
            let guest =
                GuestLimits { max_fuel: u64::MAX, max_wall_time: Duration::from_millis(100), ..GuestLimits::default() };
            guest_run(SPIN, Some("spin"), guest)
        },
    },
    Case {
        name: "memory cap (grow past it returns -1)",
        expected: "ok -1",
        run: || guest_run(GROW, Some("grow"), GuestLimits { max_memory_bytes: 1 << 24, ..GuestLimits::default() }),
    },
    Case {
        name: "output cap",
        expected: "output_limit_exceeded",
        run: || guest_run(CHATTY, None, GuestLimits { max_output_bytes: 100_000, ..GuestLimits::default() }),
    },
    Case { name: "good run", expected: "hello", run: || guest_run(HELLO, None, GuestLimits::default()) },
];

pub fn run(ctx: &Ctx) -> ScenarioResult {
    let rounds = ctx.profile.fault_rounds;
    let mut r = ScenarioResult::new(
        "faults",
        "each forced fault (heap, fuel, stack, timeout, memory cap, output cap) ends as its typed outcome and every \
         good run between them still succeeds, in one process that never aborts; in child processes, a lost \
         termination and a heap guard out of raises are reported, never a dead job (an abort is a finding)",
    );
    let mut progress = Progress::start("faults", (rounds * CASES.len() + 2) as u64);
    let mut ran = 0;
    for round in 0..rounds {
        for case in CASES {
            let got = (case.run)();
            ran += 1;
            if got != case.expected {
                r.fail(format!("round {round}: {}: expected {}, got {got}", case.name, case.expected));
            }
            progress.step(format!("{}: {got}", case.name));
        }
    }
    r.metric("in_process_cases", ran as f64);
    child_cases(ctx, &mut r, &mut progress);
    progress.finish(&format!("{:?}", r.verdict));
    r
}

/// (name, module, child arguments, accepted outcomes)
type ChildCase = (&'static str, Vec<u8>, Vec<String>, &'static [&'static str]);

/// Cases whose worst outcome is a dead process: run in children.
fn child_cases(ctx: &Ctx, r: &mut ScenarioResult, progress: &mut Progress) {
    // 1. An undefended tail-call cycle (instrumentation off): termination cannot land
    //    (docs/v8-findings.md #5); the child must report it and exit.
    let tail = wat::parse_str(r#"(module (func $f (export "f") (return_call $f)))"#).expect("parses");
    let cases: Vec<ChildCase> = vec![
        (
            "undefended tail-call cycle",
            tail,
            [
                "--invoke",
                "f",
                "--wall-ms",
                "200",
                "--grace-ms",
                "1000",
                "--fuel",
                "9223372036854775807",
                "--no-instrumentation",
            ]
            .map(String::from)
            .to_vec(),
            &["termination_lost", "timeout"],
        ),
        (
            "largest preset under a 16 MiB runner cap",
            synth_preset("seed-regression").unwrap_or_default(),
            ["--warmup-only", "--heap-limit-mb", "16"].map(String::from).to_vec(),
            &["heap_limit_exhausted"],
        ),
    ];
    for (name, module, args, accepted) in cases {
        let Ok(path) = ctx.save(&format!("fault-{}.wasm", name.replace(' ', "-")), &module) else {
            r.fail(format!("{name}: cannot write its module"));
            continue;
        };
        let mut all = vec!["--module".to_string(), path.display().to_string()];
        all.extend(args);
        let (report, json) = child::spawn(&ctx.exe, &all, None, Duration::from_secs(120));
        let outcome = json.as_ref().and_then(|j| j.get("outcome")).and_then(|o| o.as_str()).unwrap_or("none");
        if report.aborted() || !accepted.contains(&outcome) {
            r.findings.push(Finding {
                what: format!("{name}: child {:?}, outcome {outcome}", report.status),
                input: format!("{} child {}", ctx.exe.display(), all.join(" ")),
                detail: report.stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | "),
            });
            r.fail(format!("{name}: expected {accepted:?}, the child ended {:?} with {outcome}", report.status));
        }
        r.rows.push(serde_json::json!({ "child_case": name, "status": report.status, "outcome": outcome,
            "elapsed_ms": report.elapsed_ms, "peak_rss_bytes": report.peak_rss_bytes }));
        progress.step(format!("child: {name}: {outcome}"));
    }
}
