//! Runner isolates serve many jobs: between two jobs the isolate gets a fresh context and a
//! full collection, and after a termination or a guard firing it is replaced. These tests
//! prove that reuse happens and that nothing of one job reaches the next: globals and
//! builtins, the heap figures, the heap limit the guard raised, a pending termination.
//!
//! They count the isolates this process made, so they run one at a time, in their own test
//! binary.

use std::sync::Mutex;
use std::time::Duration;

use wasm_runner::internals::{isolates_made, run_trusted_script, wait_for_idle_workers};
use wasm_runner::{Runner, RunnerError, RunnerLimits};
use wasm_runner_testkit::fixtures::{wasm, JS_ARRAY_BOMB, JS_SPIN, SMALL};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// How much V8's own aging (code and caches it keeps across collections) may move a small
/// job's heap figures from one job to the next: measured at under 3 KiB. What a job
/// allocates for a guest is far more (a 2M-slot table: tens of MiB).
const V8_AGING_SLACK_BYTES: usize = 8 * 1024;

/// One test at a time, starting when no runner thread is still resetting or replacing an
/// isolate for an earlier test (which would count against this one).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    settle();
    guard
}

fn settle() {
    assert!(wait_for_idle_workers(Duration::from_secs(60)), "runner threads settle within a minute");
}

/// A setting no other test in this binary uses, so its workers are this test's own.
fn runner(heap_mb: u64) -> Runner {
    Runner::new(RunnerLimits::default().with_heap_limit_mb(heap_mb).with_warmup_timeout(Duration::from_secs(10)))
}

fn script(runner: &Runner, source: &str) -> String {
    run_trusted_script(runner, "script.js", source).expect("the script runs").0
}

#[test]
fn ten_jobs_of_one_setting_make_at_most_two_isolates() {
    let _serial = serial();
    let runner = runner(301);
    let before = isolates_made();
    for _ in 0..10 {
        assert_eq!(script(&runner, "6 * 7"), "42");
    }
    let made = isolates_made() - before;
    assert!((1..=2).contains(&made), "ten jobs made {made} isolates");
}

#[test]
fn a_global_or_builtin_one_job_changes_is_untouched_in_the_next() {
    let _serial = serial();
    let runner = runner(302);
    let before = isolates_made();
    for _ in 0..6 {
        let seen = script(
            &runner,
            "const seen = [typeof leaked, typeof Array.prototype.leaked, typeof __wasmRunner.leaked].join(); \
             globalThis.leaked = 1; Array.prototype.leaked = 2; __wasmRunner.leaked = 3; seen",
        );
        assert_eq!(seen, "undefined,undefined,undefined");
    }
    assert!(isolates_made() - before <= 2, "the jobs ran on reused isolates: {} made", isolates_made() - before);
}

#[test]
fn a_small_module_s_heap_figures_are_the_same_after_a_heap_hungry_job() {
    let _serial = serial();
    let runner = runner(303);
    let small = wasm(SMALL);
    let figures = |runner: &Runner| -> Vec<(usize, usize)> {
        let report = runner.warmup(small.clone()).expect("warms up");
        report.phases.iter().map(|p| (p.peak_used_heap_bytes, p.used_heap_after_bytes)).collect()
    };
    let before_made = isolates_made();
    let quiet: Vec<_> = (0..4).map(|_| figures(&runner)).collect();
    let hungry = wasm_runner_testkit::synth::build(&wasm_runner_testkit::synth::SynthSpec {
        functions: 1000,
        body_bytes: 8,
        table_elements: 2_000_000,
        element_items: 2_000_000,
        element_segment_size: 100_000,
        ..Default::default()
    });
    for _ in 0..2 {
        let report = runner.warmup(hungry.clone()).expect("a 2M-slot table warms up");
        assert!(report.phases.iter().any(|p| p.peak_used_heap_bytes > 32 << 20), "the hungry job used the heap");
    }
    let after: Vec<_> = (0..2).map(|_| figures(&runner)).collect();
    assert!(isolates_made() - before_made <= 2, "the jobs ran on reused isolates");
    let reference = &quiet[quiet.len() - 1];
    for figures in &after {
        for ((peak, after), (ref_peak, ref_after)) in figures.iter().zip(reference) {
            assert!(peak.abs_diff(*ref_peak) <= V8_AGING_SLACK_BYTES, "peak {peak} vs {ref_peak}");
            assert!(after.abs_diff(*ref_after) <= V8_AGING_SLACK_BYTES, "after {after} vs {ref_after}");
        }
    }
}

#[test]
fn a_job_that_timed_out_leaves_its_isolate_to_be_replaced() {
    let _serial = serial();
    let runner =
        Runner::new(RunnerLimits::default().with_heap_limit_mb(304).with_warmup_timeout(Duration::from_millis(200)));
    assert_eq!(script(&runner, "1"), "1");
    assert_eq!(script(&runner, "2"), "2");
    settle();
    let before = isolates_made();
    let error = run_trusted_script(&runner, "spin.js", JS_SPIN).expect_err("the script spins").error;
    assert!(matches!(error, RunnerError::Timeout { .. }), "{error:?}");
    settle();
    assert_eq!(isolates_made() - before, 1, "a new isolate replaces the terminated one");
    // No termination is pending in whichever isolate serves next.
    for _ in 0..4 {
        assert_eq!(script(&runner, "let n = 0; for (let i = 0; i < 1e6; i++) n += i; n"), "499999500000");
    }
}

#[test]
fn a_heap_exhaustion_does_not_leave_a_raised_limit_for_the_next_job() {
    let _serial = serial();
    let runner = runner(16);
    assert_eq!(script(&runner, "1"), "1");
    assert_eq!(script(&runner, "2"), "2");
    let capacities: Vec<usize> = (0..3)
        .map(|_| {
            settle();
            let made = isolates_made();
            match run_trusted_script(&runner, "bomb.js", JS_ARRAY_BOMB).expect_err("the bomb is stopped").error {
                RunnerError::HeapLimitExhausted { capacity_bytes, .. } => {
                    settle();
                    assert_eq!(isolates_made() - made, 1, "a new isolate replaces the one whose guard fired");
                    capacity_bytes
                }
                other => panic!("{other:?}"),
            }
        })
        .collect();
    // A reused isolate would report the first raise (1 GiB more) as its capacity.
    assert!(capacities.iter().all(|c| *c == capacities[0]), "{capacities:?}");
    assert!(capacities[0] < 64 << 20, "{capacities:?}");
}

#[test]
fn a_guest_exit_leaves_the_isolate_ready_for_the_next_job() {
    let _serial = serial();
    let runner = runner(305);
    let exits = wasm(
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (func $s (call $exit (i32.const 3))) (start $s))"#,
    );
    // The same import, not called: a job on the same kind of isolate.
    let stays = wasm(r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32))))"#);
    let before = isolates_made();
    for _ in 0..3 {
        let failure = runner.warmup(exits.clone()).expect_err("the start function exits");
        assert_eq!(failure.error, RunnerError::GuestExited { phase: "instantiate".into(), code: 3 });
        runner.warmup(stays.clone()).expect("the next job on the same isolate warms up");
    }
    assert!(isolates_made() - before <= 2, "an exit does not cost an isolate");
}

#[test]
fn a_job_that_grew_the_young_generation_leaves_its_isolate_to_be_replaced() {
    // V8 grows the young generation for a job that allocates much and keeps it grown; the
    // next job on that isolate would collect later and peak higher than on a new one.
    let _serial = serial();
    let runner = runner(306);
    assert_eq!(script(&runner, "1"), "1");
    assert_eq!(script(&runner, "2"), "2");
    settle();
    let before = isolates_made();
    let churn = "let keep = []; for (let i = 0; i < 400000; i++) { keep.push(new Array(16).fill(i)); \
                 if (keep.length > 50000) keep = []; } 'done'";
    assert_eq!(script(&runner, churn), "done");
    settle();
    assert_eq!(isolates_made() - before, 1, "a new isolate replaces the grown one");
    assert_eq!(script(&runner, "3"), "3");
}

#[test]
fn jobs_with_and_without_the_wasi_runtime_each_reuse_isolates_of_their_own() {
    let _serial = serial();
    let runner = runner(307);
    let with_wasi = wasm(r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32))))"#);
    let before = isolates_made();
    for _ in 0..5 {
        runner.warmup(with_wasi.clone()).expect("a module importing WASI warms up");
        runner.warmup(wasm(SMALL)).expect("a module importing nothing warms up");
    }
    let made = isolates_made() - before;
    assert!((2..=4).contains(&made), "ten jobs of two kinds made {made} isolates");
}
