//! Termination: the watchdog's deadline, and what happens when V8 does not honour
//! `TerminateExecution` (V8 15.2: a Turboshaft-optimised loop whose body holds a small
//! unrolled inner loop loses its only interrupt check).
//!
//! The runner sets `--no-turboshaft-loop-unrolling` to keep that check. These tests prove
//! that the flag does its job in this process, and, in child processes where the flag is
//! turned back on, that a lost termination is reported (`termination_lost`) or, for a heap
//! bomb, ends in a V8 abort that the child-process API turns into a finding.

mod common;

use std::time::{Duration, Instant};

use common::{child_case, run_child_case, small_module, MIB};
use wasm_runner::engine::GuardPolicy;
use wasm_runner::guest::Instrumentation;
use wasm_runner::runner::child::ChildStatus;
use wasm_runner::{Runner, RunnerError, RunnerLimits};

/// Never ends, allocates nothing that survives: only the watchdog can stop it.
const SPIN: &str = "for (;;) {}";
/// The DESIGN.md pattern: an outer endless loop around a small fixed-count inner loop.
const UNROLLED_SPIN: &str = "for (;;) { new Array(1000).fill(1.5); }";
/// The same pattern retaining what it allocates: a heap bomb that only termination stops.
const UNROLLED_BOMB: &str = "const keep = []; for (;;) { keep.push(new Array(1000).fill(1.5)); }";

/// How late a termination may land after the deadline and still count as on time.
const STOP_BOUND: Duration = Duration::from_secs(3);

fn runner(timeout_ms: u64, grace_ms: u64, heap_mb: u64) -> Runner {
    Runner::new(
        RunnerLimits::default()
            .with_heap_limit_mb(heap_mb)
            .with_warmup_timeout(Duration::from_millis(timeout_ms))
            .with_termination_grace(Duration::from_millis(grace_ms)),
    )
}

#[test]
fn endless_script_ends_as_timeout() {
    let started = Instant::now();
    let error = runner(300, 5_000, 64).run_trusted_script("spin.js", SPIN).expect_err("an endless loop cannot finish");
    assert!(matches!(&error, RunnerError::Timeout { phase, limit_ms: 300 } if phase == "script"), "{error:?}");
    assert!(started.elapsed() < Duration::from_millis(300) + STOP_BOUND, "stopped after {:?}", started.elapsed());
    // No sticky termination: the next run in this process is fine.
    runner(300, 5_000, 64).warmup(small_module()).expect("warmup after a timeout");
}

#[test]
fn unrolled_loop_stops_under_the_default_flags() {
    let error = runner(300, 5_000, 64)
        .run_trusted_script("unrolled.js", UNROLLED_SPIN)
        .expect_err("an endless loop cannot finish");
    assert_eq!(error.kind(), "timeout", "{error}");
    let error = runner(60_000, 5_000, 64)
        .run_trusted_script("unrolled-bomb.js", UNROLLED_BOMB)
        .expect_err("a heap bomb cannot finish");
    assert_eq!(error.kind(), "heap_limit_exhausted", "{error}");
}

/// Runs in a child process with Turboshaft loop unrolling turned back on.
#[test]
fn child_entry() {
    let Some(case) = child_case() else { return };
    let outcome = match case.as_str() {
        "unrolled_spin" => runner(300, 1_000, 64).run_trusted_script("unrolled.js", UNROLLED_SPIN),
        "unrolled_bomb" => runner(60_000, 1_000, 64).run_trusted_script("unrolled-bomb.js", UNROLLED_BOMB),
        tail if tail.starts_with("tail_call:") => {
            // tail_call:<pattern>:<on|off>
            let mut parts = tail.split(':').skip(1);
            let (pattern, instrumentation) = (parts.next().unwrap_or(""), parts.next().unwrap_or("on"));
            let (module, entry) = tail_call_cycle(pattern);
            let guest = wasm_runner::limits::GuestLimits {
                max_fuel: u64::MAX,
                max_wall_time: Duration::from_millis(200),
                ..Default::default()
            };
            let limits = RunnerLimits::default()
                .with_termination_grace(Duration::from_millis(1_000))
                .with_warmup_timeout(Duration::from_millis(500));
            let mode = if instrumentation == "off" { Instrumentation::Off } else { Instrumentation::On };
            let runner = Runner::new(limits).with_guest_limits(guest).with_instrumentation(mode);
            let report = runner.run(module, &wasm_runner::RunRequest { invoke: Some(entry), ..Default::default() });
            match report.outcome.error() {
                Some(e) => Err(e.clone()),
                None => Ok(report.outcome.kind().to_string()),
            }
        }
        "unrolled_bomb_patient" => runner(60_000, 60_000, 64).run_trusted_script("unrolled-bomb.js", UNROLLED_BOMB),
        other => panic!("unknown child case {other}"),
    };
    // The spinning thread may still be running: leave without waiting for it.
    match outcome {
        Ok(v) => println!("CHILD-OUTCOME ok {v}"),
        Err(e) => println!("CHILD-OUTCOME {} {e}", e.kind()),
    }
    std::process::exit(0);
}

/// The child's `CHILD-OUTCOME ...` report (libtest may print its own text before it).
fn child_outcome(stdout: &str) -> &str {
    let at = stdout.find("CHILD-OUTCOME").unwrap_or_else(|| panic!("the child reports an outcome: {stdout}"));
    stdout[at..].lines().next().unwrap_or_default()
}

#[test]
fn lost_termination_is_reported_or_isolated() {
    let unrolling = [("WASM_RUNNER_V8_FLAGS", "--turboshaft-loop-unrolling")];

    // A lost termination of a loop that allocates nothing: the watchdog gives up after the
    // grace period and reports it; the child process itself lives on to say so.
    let report = run_child_case("child_entry", "unrolled_spin", &unrolling, Duration::from_secs(60));
    eprintln!("unrolled_spin child: {:?} in {} ms\n{}", report.status, report.elapsed_ms, report.stdout);
    assert_eq!(report.status, ChildStatus::Exited { code: 0 }, "stderr: {}", report.stderr);
    let line = child_outcome(&report.stdout);
    // Either V8 honoured the termination after all (timeout) or the loss is reported.
    assert!(line.starts_with("CHILD-OUTCOME termination_lost") || line.starts_with("CHILD-OUTCOME timeout"), "{line}");

    // A lost termination of a heap bomb, reported after the grace period: the bound on
    // time is the grace plus the watchdog's tick, and memory has only grown by what the
    // bomb allocated in that time.
    let report = run_child_case("child_entry", "unrolled_bomb", &unrolling, Duration::from_secs(120));
    eprintln!(
        "unrolled_bomb child: {:?} in {} ms, peak RSS {:?}",
        report.status, report.elapsed_ms, report.peak_rss_bytes
    );
    assert_eq!(report.status, ChildStatus::Exited { code: 0 }, "stderr: {}", report.stderr);
    let line = child_outcome(&report.stdout);
    assert!(
        line.starts_with("CHILD-OUTCOME termination_lost") || line.starts_with("CHILD-OUTCOME heap_limit_exhausted"),
        "{line}"
    );

    // The same bomb with a patient watchdog: the guard raises a bounded number of times,
    // then V8 aborts. In a child process that is a finding, not the caller's death, and the
    // memory it reached is bounded by the cap plus the guard's raises.
    let report = run_child_case("child_entry", "unrolled_bomb_patient", &unrolling, Duration::from_secs(120));
    eprintln!(
        "unrolled_bomb_patient child: {:?} in {} ms, peak RSS {:?}",
        report.status, report.elapsed_ms, report.peak_rss_bytes
    );
    let bound = (64 * MIB + GuardPolicy::default().worst_case_overshoot() + 512 * MIB) as u64;
    if let Some(peak) = report.peak_rss_bytes {
        assert!(peak < bound, "peak RSS {peak} above the guard's bound {bound}");
    }
    match &report.status {
        ChildStatus::Signaled { .. } => {
            assert!(report.stderr.contains("bounded raises"), "the guard said why: {}", report.stderr);
        }
        ChildStatus::Exited { code: 0 } => {
            let line = child_outcome(&report.stdout);
            assert!(line.starts_with("CHILD-OUTCOME heap_limit_exhausted"), "{line}");
        }
        other => panic!("unexpected child status {other:?}; stderr: {}", report.stderr),
    }
}

/// Endless tail-call cycles, each the smallest module of its pattern, and the export to call.
fn tail_call_cycle(pattern: &str) -> (Vec<u8>, String) {
    let (text, entry) = match pattern {
        "self" => (r#"(module (func $f (export "f") (return_call $f)))"#, "f"),
        "mutual" => (r#"(module (func $a (export "f") (return_call $b)) (func $b (return_call $a)))"#, "f"),
        "indirect" => (
            r#"(module (type $t (func)) (table 1 funcref) (elem (i32.const 0) $f)
                 (func $f (export "f") (return_call_indirect (type $t) (i32.const 0))))"#,
            "f",
        ),
        "ref" => (
            r#"(module (type $t (func)) (elem declare func $f)
                 (func $f (export "f") (return_call_ref $t (ref.func $f))))"#,
            "f",
        ),
        // The cycle runs in the start function, during instantiation.
        "start" => (r#"(module (func $f (return_call $f)) (start $f) (func (export "f")))"#, "f"),
        other => panic!("unknown tail-call pattern {other}"),
    };
    (wat::parse_str(text).unwrap(), entry.to_string())
}

const TAIL_CALL_PATTERNS: [&str; 5] = ["self", "mutual", "indirect", "ref", "start"];

/// docs/v8-findings.md #5: V8 15.2's optimizing tier never honours TerminateExecution in an
/// endless tail-call cycle. The instrumentation's interrupt check defends every pattern:
/// each ends as `timeout` at the deadline. In child processes, so a regression shows as
/// `termination_lost` (or a hung child) rather than a hung test.
#[test]
fn endless_tail_calls_end_at_the_deadline() {
    for pattern in TAIL_CALL_PATTERNS {
        let case = format!("tail_call:{pattern}:on");
        let report = run_child_case("child_entry", &case, &[], Duration::from_secs(60));
        eprintln!("{case} child: {:?} in {} ms", report.status, report.elapsed_ms);
        assert_eq!(report.status, ChildStatus::Exited { code: 0 }, "{case} stderr: {}", report.stderr);
        let line = child_outcome(&report.stdout);
        assert!(line.starts_with("CHILD-OUTCOME timeout"), "{case}: {line}");
        assert!(report.elapsed_ms < 500 + 1_000 + 5_000, "{case}: reported within deadline + grace + start-up");
    }
}

/// What V8 does on its own (instrumentation off): the finding as it stands. Whatever V8
/// does, the runner answers (`termination_lost` where termination cannot land) and the
/// process lives on. Prints each pattern's outcome for docs/v8-findings.md.
#[test]
fn undefended_tail_calls_are_reported_not_hung() {
    for pattern in TAIL_CALL_PATTERNS {
        let case = format!("tail_call:{pattern}:off");
        let report = run_child_case("child_entry", &case, &[], Duration::from_secs(60));
        assert_eq!(report.status, ChildStatus::Exited { code: 0 }, "{case} stderr: {}", report.stderr);
        let line = child_outcome(&report.stdout);
        eprintln!("{case}: {line} in {} ms", report.elapsed_ms);
        assert!(
            line.starts_with("CHILD-OUTCOME termination_lost") || line.starts_with("CHILD-OUTCOME timeout"),
            "{case}: {line}"
        );
    }
}
