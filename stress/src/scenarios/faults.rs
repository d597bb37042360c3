//! Fault injection: every limit forced, interleaved with good runs, in one process; and the
//! cases that can only end in a V8 abort or a lost termination, in child processes.

use std::time::Duration;

use wasm_runner::child::ChildJob;
use wasm_runner::internals::run_trusted_script;
use wasm_runner::{GuestLimits, RunOutcome, RunRequest, Runner, RunnerLimits};
use wasm_runner_testkit::fixtures::{wasm, CHATTY, GROW_HUGE, HELLO, JS_ARRAY_BOMB, RECURSE, SPIN, TAIL_CALL_CYCLES};

use super::{synth_preset, Ctx};
use crate::progress::Progress;
use crate::report::{Finding, ScenarioResult};

struct Case {
    name: &'static str,
    expected: &'static str,
    run: fn() -> String,
}

fn guest_run(wat: &str, invoke: Option<&str>, guest: GuestLimits) -> String {
    let module = wasm(wat);
    let request = RunRequest { invoke: invoke.map(String::from), ..Default::default() };
    let report = Runner::new(RunnerLimits::default()).with_guest_limits(guest).run(module, &request);
    match (&report.outcome, report.stdout.as_slice()) {
        (RunOutcome::Ok { returned }, _) if !returned.is_empty() => format!("ok {}", returned.join(" ")),
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
            match run_trusted_script(&runner, "bomb.js", JS_ARRAY_BOMB) {
                Ok(_) => "ok".into(),
                Err(failure) => failure.error.kind().to_string(),
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
        run: || guest_run(GROW_HUGE, Some("grow"), GuestLimits { max_memory_bytes: 1 << 24, ..GuestLimits::default() }),
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

/// (name, module, the child job for its file, accepted outcomes)
type ChildCase = (&'static str, Vec<u8>, fn(&std::path::Path) -> ChildJob, &'static [&'static str]);

/// Cases whose worst outcome is a dead process: run in children.
fn child_cases(ctx: &Ctx, r: &mut ScenarioResult, progress: &mut Progress) {
    let (_, self_cycle, _) = TAIL_CALL_CYCLES[0];
    let cases: Vec<ChildCase> = vec![
        // An undefended tail-call cycle (instrumentation off): termination cannot land
        // (docs/v8-findings.md #5); the child must report it and exit.
        (
            "undefended tail-call cycle",
            wasm(self_cycle),
            |path| {
                ChildJob::run(path)
                    .invoke("f")
                    .max_wall_ms(200)
                    .termination_grace_ms(1000)
                    .max_fuel(i64::MAX as u64)
                    .no_instrumentation()
            },
            &["termination_lost", "timeout"],
        ),
        (
            "largest preset under a 16 MiB runner cap",
            synth_preset("production-bug").unwrap_or_default(),
            |path| ChildJob::warmup(path).heap_limit_mb(16),
            &["heap_limit_exhausted"],
        ),
    ];
    for (name, module, job, accepted) in cases {
        let Ok(path) = ctx.save(&format!("fault-{}.wasm", name.replace(' ', "-")), &module) else {
            r.fail(format!("{name}: cannot write its module"));
            continue;
        };
        let job = job(&path);
        let child = job.spawn(&ctx.runner, Duration::from_secs(120));
        let outcome = child.outcome().to_string();
        if child.process.aborted() || !accepted.contains(&outcome.as_str()) {
            r.findings.push(Finding {
                what: format!("{name}: child {:?}, outcome {outcome}", child.process.status),
                input: job.display(&ctx.runner),
                detail: child.process.stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | "),
            });
            r.fail(format!("{name}: expected {accepted:?}, the child ended {:?} with {outcome}", child.process.status));
        }
        r.rows.push(serde_json::json!({ "child_case": name, "status": child.process.status, "outcome": outcome,
            "elapsed_ms": child.process.elapsed_ms, "peak_rss_bytes": child.process.peak_rss_bytes }));
        progress.step(format!("child: {name}: {outcome}"));
    }
}
