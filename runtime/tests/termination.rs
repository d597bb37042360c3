//! Termination: the watchdog's deadline, and what happens when V8 does not honour
//! `TerminateExecution` (V8 15.2: a Turboshaft-optimised loop whose body holds a small
//! unrolled inner loop loses its only interrupt check; an endless tail-call cycle in
//! optimized code never acts on it).
//!
//! The runner sets `--no-turboshaft-loop-unrolling` and guards tail calls with an interrupt
//! check. These tests prove both defences in this process, and, in child processes running
//! the `wasm-runner` binary (where unrolling is turned back on, or the instrumentation off),
//! that a lost termination is reported (`termination_lost`) or, for a heap bomb, ends in a
//! V8 abort that the child-process API turns into a finding.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use wasm_runner::child::{ChildJob, ChildRun, ChildStatus, RunnerProgram};
use wasm_runner::internals::{run_trusted_script, GuardPolicy};
use wasm_runner::{Runner, RunnerError, RunnerLimits};
use wasm_runner_testkit::fixtures::{wasm, JS_SPIN, JS_UNROLLED_BOMB, JS_UNROLLED_SPIN, SMALL, TAIL_CALL_CYCLES};

/// How late a termination may land after the deadline and still count as on time.
const STOP_BOUND: Duration = Duration::from_secs(3);
/// V8 flags that turn the elided interrupt check back on (DESIGN.md).
const UNROLLING: &str = "--turboshaft-loop-unrolling";
const MIB: u64 = 1024 * 1024;

fn runner(timeout_ms: u64, grace_ms: u64, heap_mb: u64) -> Runner {
    Runner::new(
        RunnerLimits::default()
            .with_heap_limit_mb(heap_mb)
            .with_warmup_timeout(Duration::from_millis(timeout_ms))
            .with_termination_grace(Duration::from_millis(grace_ms)),
    )
}

fn script_error(runner: &Runner, source: &str) -> RunnerError {
    run_trusted_script(runner, "script.js", source).expect_err("the script cannot finish").error
}

#[test]
fn an_endless_script_ends_as_timeout_on_time() {
    let started = Instant::now();
    let error = script_error(&runner(300, 5_000, 64), JS_SPIN);
    assert!(matches!(&error, RunnerError::Timeout { phase, limit_ms: 300 } if phase == "script"), "{error:?}");
    assert!(started.elapsed() < Duration::from_millis(300) + STOP_BOUND, "stopped after {:?}", started.elapsed());
}

#[test]
fn a_warmup_after_a_timeout_is_not_terminated() {
    script_error(&runner(100, 5_000, 64), JS_SPIN);
    runner(300, 5_000, 64).warmup(wasm(SMALL)).expect("warmup after a timeout");
}

#[test]
fn the_unrolled_loop_stops_at_the_deadline_under_the_default_flags() {
    assert_eq!(script_error(&runner(300, 5_000, 64), JS_UNROLLED_SPIN).kind(), "timeout");
}

#[test]
fn the_unrolled_heap_bomb_stops_at_the_guard_under_the_default_flags() {
    assert_eq!(script_error(&runner(60_000, 5_000, 64), JS_UNROLLED_BOMB).kind(), "heap_limit_exhausted");
}

fn program() -> RunnerProgram {
    RunnerProgram::binary(env!("CARGO_BIN_EXE_wasm-runner"))
}

/// Writes `bytes` to a file of this test process's own (tests run in parallel).
fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasm-runner-termination-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn script_child(name: &str, source: &str, timeout_ms: u64, grace_ms: u64, deadline: Duration) -> ChildRun {
    let job = ChildJob::script(&temp_file(name, source.as_bytes()))
        .heap_limit_mb(64)
        .warmup_timeout_ms(timeout_ms)
        .termination_grace_ms(grace_ms)
        .v8_flags(UNROLLING);
    let child = job.spawn(&program(), deadline);
    eprintln!(
        "{name}: {:?} in {} ms, peak RSS {:?}, outcome {}",
        child.process.status,
        child.process.elapsed_ms,
        child.process.peak_rss_bytes,
        child.outcome()
    );
    child
}

#[test]
fn a_lost_termination_of_a_spinning_loop_is_reported_and_the_process_lives_on() {
    let child = script_child("unrolled-spin.js", JS_UNROLLED_SPIN, 300, 1_000, Duration::from_secs(60));
    assert_eq!(child.process.status, ChildStatus::Exited { code: 1 }, "stderr: {}", child.process.stderr);
    assert_eq!(child.outcome(), "termination_lost");
}

#[test]
fn a_lost_termination_of_a_heap_bomb_is_reported_before_the_guard_runs_out_of_raises() {
    // The bound on time is the grace plus the watchdog's tick; on memory, what the bomb
    // allocated meanwhile.
    let child = script_child("unrolled-bomb.js", JS_UNROLLED_BOMB, 60_000, 1_000, Duration::from_secs(120));
    assert_eq!(child.process.status, ChildStatus::Exited { code: 1 }, "stderr: {}", child.process.stderr);
    assert_eq!(child.outcome(), "termination_lost");
}

#[test]
fn a_heap_bomb_that_outlasts_a_patient_watchdog_ends_in_a_bounded_v8_abort() {
    // The guard raises a bounded number of times, then V8 aborts. In a child process that is
    // a finding, not the caller's death, and the memory it reached is bounded by the cap
    // plus the guard's raises.
    let child = script_child("unrolled-bomb-patient.js", JS_UNROLLED_BOMB, 60_000, 60_000, Duration::from_secs(120));
    let bound = 64 * MIB + GuardPolicy::default().worst_case_overshoot() as u64 + 512 * MIB;
    let peak = child.process.peak_rss_bytes.expect("the child's peak RSS is readable");
    assert!(peak < bound, "peak RSS {peak} above the guard's bound {bound}");
    assert!(matches!(child.process.status, ChildStatus::Signaled { .. }), "{:?}", child.process.status);
    assert!(child.process.stderr.contains("bounded raises"), "the guard said why: {}", child.process.stderr);
}

/// A tail-call cycle run in a child: 200 ms of wall time, fuel out of the way.
fn tail_call_child(pattern: &str, defended: bool) -> ChildRun {
    let (_, text, entry) = TAIL_CALL_CYCLES.iter().find(|(name, _, _)| *name == pattern).expect("a known pattern");
    let mut job = ChildJob::run(&temp_file(&format!("tail-{pattern}.wasm"), &wasm(text)))
        .invoke(entry)
        .max_wall_ms(200)
        .max_fuel(u64::MAX)
        .warmup_timeout_ms(500)
        .termination_grace_ms(1_000);
    if !defended {
        job = job.no_instrumentation();
    }
    let child = job.spawn(&program(), Duration::from_secs(60));
    eprintln!("{pattern} (defended: {defended}): {} in {} ms", child.outcome(), child.process.elapsed_ms);
    child
}

/// docs/v8-findings.md #5: the instrumentation's interrupt check defends every pattern:
/// each ends as `timeout` at the deadline. In child processes, so a regression shows as
/// `termination_lost` (or a hung child) rather than a hung test.
#[test]
fn every_endless_tail_call_cycle_ends_at_the_deadline() {
    for (pattern, _, _) in TAIL_CALL_CYCLES {
        let child = tail_call_child(pattern, true);
        assert!(matches!(child.process.status, ChildStatus::Exited { .. }), "{pattern}: {:?}", child.process.status);
        assert_eq!(child.outcome(), "timeout", "{pattern}");
        assert!(
            child.process.elapsed_ms < 500 + 1_000 + 5_000,
            "{pattern}: reported within deadline + grace + start-up"
        );
    }
}

/// What V8 does on its own (instrumentation off), as docs/v8-findings.md #5 records it:
/// where termination cannot land, the runner answers `termination_lost` and the process
/// lives on; `return_call_ref` is stopped.
#[test]
fn undefended_tail_call_cycles_are_reported_as_the_finding_says() {
    for (pattern, expected) in [
        ("self", "termination_lost"),
        ("mutual", "termination_lost"),
        ("indirect", "termination_lost"),
        ("ref", "timeout"),
        ("start", "termination_lost"),
    ] {
        let child = tail_call_child(pattern, false);
        assert!(matches!(child.process.status, ChildStatus::Exited { .. }), "{pattern}: {:?}", child.process.status);
        assert_eq!(child.outcome(), expected, "{pattern}");
    }
}
