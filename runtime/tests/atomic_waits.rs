//! Atomic waits in a single-threaded guest: on a shared memory a wait can only time out, so
//! the instrumentation makes it wait in slices that the deadline can stop. Each behaviour in
//! both engines: the same results, the same traps, and a timeout at the deadline for a wait
//! that would outlast it.

use std::time::Duration;

use wasm_runner::{GuestLimits, Reference, RunOutcome, RunReport, RunRequest, Runner, RunnerError, RunnerLimits};
use wasm_runner_testkit::fixtures::wasm;

fn both(module: &str, guest: &GuestLimits) -> (RunReport, RunReport) {
    let bytes = wasm(module);
    let request = RunRequest { invoke: Some("wait".into()), ..Default::default() };
    let v8 = Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone()).run(bytes.clone(), &request);
    let wasmtime = Reference::new().with_guest_limits(guest.clone()).run(bytes, &request);
    (v8, wasmtime)
}

/// A module whose `wait` export runs `body` with a one-page shared memory holding 7 at 8.
fn shared(body: &str) -> String {
    format!(
        r#"(module (memory 1 1 shared) (data (i32.const 8) "\07")
             (func (export "wait") (result i32) {body}))"#
    )
}

fn returned(report: &RunReport) -> Vec<String> {
    match &report.outcome {
        RunOutcome::Ok { returned } => returned.clone(),
        other => panic!("{}: expected ok, got {other:?}", report.engine),
    }
}

#[test]
fn a_wait_forever_on_a_shared_memory_ends_as_a_timeout_at_the_deadline_in_both_engines() {
    let guest = GuestLimits { max_wall_time: Duration::from_millis(300), ..GuestLimits::default() };
    let (v8, wasmtime) = both(&shared("(memory.atomic.wait32 (i32.const 8) (i32.const 7) (i64.const -1))"), &guest);
    for report in [&v8, &wasmtime] {
        assert!(
            matches!(report.outcome.error(), Some(RunnerError::Timeout { limit_ms: 300, .. })),
            "{}: {:?}",
            report.engine,
            report.outcome
        );
    }
}

#[test]
fn a_timed_wait_longer_than_a_slice_returns_timed_out_in_both_engines() {
    // 25 ms: three slices of the helper.
    let (v8, wasmtime) = both(
        &shared("(memory.atomic.wait32 (i32.const 8) (i32.const 7) (i64.const 25000000))"),
        &GuestLimits::default(),
    );
    assert_eq!(returned(&v8), ["2"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_wait_on_a_value_that_differs_returns_not_equal_in_both_engines() {
    let (v8, wasmtime) =
        both(&shared("(memory.atomic.wait32 (i32.const 8) (i32.const 6) (i64.const -1))"), &GuestLimits::default());
    assert_eq!(returned(&v8), ["1"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_waits_static_offset_is_kept_in_both_engines() {
    // Address 0 plus offset 8 is the 7; with offset 4 the value there is 0.
    let module = shared(
        "(i32.add (i32.mul (i32.const 10) (memory.atomic.wait32 offset=8 (i32.const 0) (i32.const 7) (i64.const 0)))
                  (memory.atomic.wait32 offset=4 (i32.const 0) (i32.const 7) (i64.const 0)))",
    );
    let (v8, wasmtime) = both(&module, &GuestLimits::default());
    assert_eq!(returned(&v8), ["21"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_64_bit_wait_on_a_64_bit_memory_returns_timed_out_in_both_engines() {
    let module = r#"(module (memory i64 1 1 shared)
        (func (export "wait") (result i32) (memory.atomic.wait64 (i64.const 16) (i64.const 0) (i64.const 1000))))"#;
    let (v8, wasmtime) = both(module, &GuestLimits::default());
    assert_eq!(returned(&v8), ["2"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_misaligned_wait_traps_in_both_engines() {
    let (v8, wasmtime) =
        both(&shared("(memory.atomic.wait32 (i32.const 9) (i32.const 0) (i64.const 0))"), &GuestLimits::default());
    assert_eq!(v8.outcome.kind(), "trap", "{:?}", v8.outcome);
    assert_eq!(wasmtime.outcome.kind(), "trap", "{:?}", wasmtime.outcome);
}

#[test]
fn a_wait_past_the_end_of_memory_traps_in_both_engines() {
    let module = shared("(memory.atomic.wait32 offset=4294967295 (i32.const 4294967295) (i32.const 0) (i64.const 0))");
    let (v8, wasmtime) = both(&module, &GuestLimits::default());
    assert_eq!(v8.outcome.kind(), "trap", "{:?}", v8.outcome);
    assert_eq!(wasmtime.outcome.kind(), "trap", "{:?}", wasmtime.outcome);
}

#[test]
fn a_wait_on_an_unshared_memory_traps_in_both_engines() {
    let module = r#"(module (memory 1 1)
        (func (export "wait") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))"#;
    let (v8, wasmtime) = both(module, &GuestLimits::default());
    assert_eq!(v8.outcome.kind(), "trap", "{:?}", v8.outcome);
    assert_eq!(wasmtime.outcome.kind(), "trap", "{:?}", wasmtime.outcome);
}
