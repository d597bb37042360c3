//! Every guest limit at and over its value, in the V8 runner and in the wasmtime reference,
//! with the same outcome.

use std::time::Duration;

use wasm_runner::{GuestLimits, Reference, RunOutcome, RunReport, RunRequest, Runner, RunnerError, RunnerLimits};
use wasm_runner_testkit::compare::{comparable, differences, Values};
use wasm_runner_testkit::fixtures::wasm;

const PAGE: u64 = 65536;

fn invoke(name: &str) -> RunRequest {
    RunRequest { args: vec!["guest".into()], invoke: Some(name.into()), ..Default::default() }
}

/// Runs in both engines, checks they agree, returns the V8 report.
fn both(module: &[u8], guest: &GuestLimits, request: &RunRequest) -> RunReport {
    let v8 = Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone()).run(module.to_vec(), request);
    let wt = Reference::new().with_guest_limits(guest.clone()).run(module.to_vec(), request);
    assert_eq!(v8.outcome.kind(), wt.outcome.kind(), "v8: {:?}\nwasmtime: {:?}", v8.outcome, wt.outcome);
    if comparable(&v8, &wt) {
        let differences = differences(&v8, &wt, Values::Exact);
        assert!(differences.is_empty(), "the engines differ:\n{}", differences.join("\n"));
    }
    v8
}

fn returned(report: &RunReport) -> Vec<String> {
    match &report.outcome {
        RunOutcome::Ok { returned } => returned.clone(),
        other => panic!("expected ok, got {other:?}"),
    }
}

fn error(report: &RunReport) -> &RunnerError {
    report.outcome.error().unwrap_or_else(|| panic!("expected an error, got {:?}", report.outcome))
}

fn memory(bytes: u64) -> GuestLimits {
    GuestLimits { max_memory_bytes: bytes, ..Default::default() }
}

const GROW: &str = r#"(module (memory 1) (func (export "grow") (result i32) (memory.grow (i32.const 3))))"#;

#[test]
fn memory_grows_to_exactly_the_cap() {
    let report = both(&wasm(GROW), &memory(4 * PAGE), &invoke("grow"));
    assert_eq!(returned(&report), ["1"]);
    assert_eq!(report.memory_bytes, 4 * PAGE);
}

#[test]
fn memory_does_not_grow_past_the_cap() {
    let report = both(&wasm(GROW), &memory(4 * PAGE - 1), &invoke("grow"));
    assert_eq!(returned(&report), ["-1"], "growing past the cap fails");
    assert_eq!(report.memory_bytes, PAGE);
}

const TEN_PAGES: &str = r#"(module (memory 10) (func (export "f")))"#;

#[test]
fn initial_memory_over_the_cap_is_rejected() {
    let report = both(&wasm(TEN_PAGES), &memory(9 * PAGE), &invoke("f"));
    assert_eq!(
        error(&report),
        &RunnerError::GuestLimitRejected { limit: "max_memory_bytes".into(), requested: 10 * PAGE, allowed: 9 * PAGE }
    );
}

#[test]
fn initial_memory_at_the_cap_is_accepted() {
    assert_eq!(both(&wasm(TEN_PAGES), &memory(10 * PAGE), &invoke("f")).outcome.kind(), "ok");
}

#[test]
fn memory_cap_is_shared_by_all_memories() {
    let module = wasm(
        r#"(module (memory 1) (memory 1)
             (func (export "grow") (result i32)
               (i32.add (memory.grow 0 (i32.const 2)) (memory.grow 1 (i32.const 2)))))"#,
    );
    // 2 initial pages + 2 pages of room split evenly: each memory may grow by 1 page.
    assert_eq!(returned(&both(&module, &memory(4 * PAGE), &invoke("grow"))), ["-2"]);
}

const LOOP: &str = r#"(module
  (func (export "count") (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
    (local.get $i)))"#;

/// Fuel the counting loop needs, as both engines measure it with ample fuel.
fn fuel_needed() -> u64 {
    let ample = both(&wasm(LOOP), &GuestLimits::default(), &invoke("count"));
    assert_eq!(returned(&ample), ["1000"]);
    assert!(ample.fuel_used >= 1000, "a 1000-iteration loop uses at least 1000 fuel: {}", ample.fuel_used);
    ample.fuel_used
}

#[test]
fn fuel_at_exactly_the_need_is_enough() {
    let needed = fuel_needed();
    let report = both(&wasm(LOOP), &GuestLimits { max_fuel: needed, ..Default::default() }, &invoke("count"));
    assert_eq!(returned(&report), ["1000"]);
    assert_eq!(report.fuel_used, needed);
}

#[test]
fn fuel_one_below_the_need_is_exhausted_and_never_overspent() {
    let needed = fuel_needed();
    let report = both(&wasm(LOOP), &GuestLimits { max_fuel: needed - 1, ..Default::default() }, &invoke("count"));
    match error(&report) {
        RunnerError::FuelExhausted { used, limit } => {
            assert_eq!(*limit, needed - 1);
            assert!(used <= limit, "fuel used {used} never exceeds the limit {limit}");
        }
        other => panic!("expected fuel_exhausted, got {other:?}"),
    }
}

#[test]
fn fuel_exhaustion_is_not_a_guest_unreachable() {
    let module = wasm(r#"(module (func (export "f") unreachable))"#);
    assert_eq!(both(&module, &GuestLimits::default(), &invoke("f")).outcome.kind(), "trap");
}

/// A function whose `br_on_cast` is always taken, with `dead` instructions after it that
/// never run.
fn cast_then(dead: usize) -> Vec<u8> {
    let dead = "(drop (i32.const 1)) ".repeat(dead);
    wasm(&format!(
        r#"(module
          (func (export "cast") (result i32)
            (drop (block $l (result anyref)
              (br_on_cast $l anyref i31ref (ref.i31 (i32.const 7)))
              {dead}))
            (i32.const 42)))"#
    ))
}

#[test]
fn a_taken_br_on_cast_is_not_charged_for_the_instructions_after_it() {
    let bare = both(&cast_then(0), &GuestLimits::default(), &invoke("cast"));
    let padded = both(&cast_then(10), &GuestLimits::default(), &invoke("cast"));
    assert_eq!(returned(&padded), ["42"]);
    assert_eq!(padded.fuel_used, bare.fuel_used, "the 20 instructions after the branch never ran");
}

const RECURSE: &str = r#"(module
  (func $rec (export "rec") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "shallow") (result i32) (call $rec (i32.const 100)))
  (func (export "deep") (result i32) (call $rec (i32.const 10000000))))"#;

fn stack(bytes: u64) -> GuestLimits {
    GuestLimits { max_stack_bytes: bytes, ..Default::default() }
}

#[test]
fn recursion_within_the_stack_limit_returns() {
    // Frame sizes differ between engines, so "at the limit" is checked only as far as both
    // agree: a depth that fits either stack size returns in both.
    for bytes in [256 * 1024, 1024 * 1024] {
        assert_eq!(returned(&both(&wasm(RECURSE), &stack(bytes), &invoke("shallow"))), ["100"], "{bytes}");
    }
}

#[test]
fn recursion_past_the_stack_limit_is_stack_exhausted() {
    let report = both(&wasm(RECURSE), &stack(256 * 1024), &invoke("deep"));
    assert!(matches!(error(&report), RunnerError::StackExhausted { limit_bytes: 262144, .. }), "{:?}", report.outcome);
}

const TABLE_GROW: &str = r#"(module (table 10 funcref)
  (func (export "grow") (result i32) (table.grow (ref.null func) (i32.const 5))))"#;

fn tables(elements: u64) -> GuestLimits {
    GuestLimits { max_table_elements: elements, ..Default::default() }
}

#[test]
fn tables_grow_to_exactly_the_budget() {
    assert_eq!(returned(&both(&wasm(TABLE_GROW), &tables(15), &invoke("grow"))), ["10"]);
}

#[test]
fn tables_do_not_grow_past_the_budget() {
    assert_eq!(returned(&both(&wasm(TABLE_GROW), &tables(14), &invoke("grow"))), ["-1"]);
}

#[test]
fn an_initial_table_over_the_budget_is_rejected() {
    assert_eq!(error(&both(&wasm(TABLE_GROW), &tables(9), &invoke("grow"))).kind(), "guest_limit_rejected");
}

fn writer(bytes: usize) -> Vec<u8> {
    wasm(&format!(
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 64))
            (i32.store (i32.const 4) (i32.const {bytes}))
            (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#
    ))
}

fn output(bytes: u64) -> GuestLimits {
    GuestLimits { max_output_bytes: bytes, ..Default::default() }
}

#[test]
fn output_at_the_cap_is_kept_whole() {
    let report = both(&writer(100), &output(100), &RunRequest::default());
    assert_eq!(report.outcome.kind(), "ok");
    assert_eq!(report.stdout.len(), 100);
}

#[test]
fn output_over_the_cap_keeps_what_fits_and_ends_the_run() {
    let report = both(&writer(100), &output(99), &RunRequest::default());
    assert_eq!(error(&report), &RunnerError::OutputLimitExceeded { limit_bytes: 99 });
    assert_eq!(report.stdout.len(), 99, "what fits under the cap is kept");
}

const SPIN: &str = r#"(module (func (export "spin") (loop $l (br $l))))"#;

#[test]
fn the_wall_time_limit_ends_an_endless_loop() {
    let guest = GuestLimits { max_fuel: u64::MAX, max_wall_time: Duration::from_millis(300), ..Default::default() };
    let report = both(&wasm(SPIN), &guest, &invoke("spin"));
    assert!(matches!(error(&report), RunnerError::Timeout { limit_ms: 300, .. }), "{:?}", report.outcome);
}

#[test]
fn a_timeout_leaves_no_termination_behind() {
    let guest = GuestLimits { max_fuel: u64::MAX, max_wall_time: Duration::from_millis(100), ..Default::default() };
    let runner = Runner::new(RunnerLimits::default()).with_guest_limits(guest);
    assert_eq!(runner.run(wasm(SPIN), &invoke("spin")).outcome.kind(), "timeout");
    assert_eq!(returned(&runner.run(wasm(LOOP), &invoke("count"))), ["1000"]);
}

/// Calls the monotonic clock until a second has passed, then returns 1: a run that is
/// still going, whatever the machine's speed, when a shorter run beside it times out.
const WAITS_A_SECOND: &str = r#"(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $now (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "wait") (result i32) (local $until i64)
    (drop (call $now (i32.const 1) (i64.const 1) (i32.const 0)))
    (local.set $until (i64.add (i64.load (i32.const 0)) (i64.const 1000000000)))
    (loop $l
      (drop (call $now (i32.const 1) (i64.const 1) (i32.const 0)))
      (br_if $l (i64.lt_u (i64.load (i32.const 0)) (local.get $until))))
    (i32.const 1)))"#;

#[test]
fn a_reference_run_timing_out_leaves_the_runs_beside_it_running() {
    let short = GuestLimits { max_fuel: u64::MAX, max_wall_time: Duration::from_millis(100), ..Default::default() };
    let long = GuestLimits { max_fuel: u64::MAX, ..Default::default() };
    let waiting =
        std::thread::spawn(move || Reference::new().with_guest_limits(long).run(wasm(WAITS_A_SECOND), &invoke("wait")));
    let spinning = Reference::new().with_guest_limits(short).run(wasm(SPIN), &invoke("spin"));
    assert_eq!(spinning.outcome.kind(), "timeout", "{:?}", spinning.outcome);
    assert_eq!(returned(&waiting.join().unwrap()), ["1"]);
}

#[test]
fn proc_exit_is_an_exit_in_both_engines() {
    let module = wasm(
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func (export "_start") (call $exit (i32.const 7))))"#,
    );
    assert_eq!(both(&module, &GuestLimits::default(), &RunRequest::default()).outcome, RunOutcome::Exit { code: 7 });
}

#[test]
fn a_missing_entry_is_no_entry_in_both_engines() {
    let module = wasm(r#"(module (func (export "f")))"#);
    let report = both(&module, &GuestLimits::default(), &invoke("nope"));
    assert_eq!(error(&report), &RunnerError::NoEntry { name: "nope".into() });
}

#[test]
fn raising_the_runner_cap_changes_no_guest_outcome() {
    let cases: Vec<(Vec<u8>, GuestLimits, RunRequest)> = vec![
        (wasm(GROW), memory(4 * PAGE - 1), invoke("grow")),
        (wasm(LOOP), GuestLimits { max_fuel: 500, ..Default::default() }, invoke("count")),
        (wasm(RECURSE), stack(128 * 1024), invoke("deep")),
        (wasm(TABLE_GROW), tables(14), invoke("grow")),
        (writer(100), output(50), RunRequest::default()),
    ];
    for (module, guest, request) in cases {
        let default_cap = Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone());
        let raised = Runner::new(RunnerLimits::default().with_heap_limit_mb(4096)).with_guest_limits(guest);
        let a = default_cap.run(module.clone(), &request);
        let b = raised.run(module, &request);
        assert_eq!(a.outcome, b.outcome);
        assert_eq!((a.fuel_used, a.memory_bytes, &a.stdout), (b.fuel_used, b.memory_bytes, &b.stdout));
    }
}

/// Declared-size budgets: a module with exactly the budget runs, one item more is refused,
/// in both engines alike.
#[test]
fn declared_budgets_at_and_over_in_both_engines() {
    type Setter = fn(&mut GuestLimits, u64);
    let cases: Vec<(&str, String, u64, Setter)> = vec![
        ("max_globals", "(global i32 (i32.const 0))".repeat(8), 8, |g, n| g.max_globals = n),
        ("max_tables", "(table 1 funcref)".repeat(3), 3, |g, n| g.max_tables = n),
        ("max_memories", "(memory 0)".repeat(2), 2, |g, n| g.max_memories = n),
        ("max_functions", "(func)".repeat(5), 6, |g, n| g.max_functions = n),
        ("max_exports", (0..4).map(|i| format!("(func (export \"e{i}\"))")).collect(), 5, |g, n| g.max_exports = n),
        ("max_element_items", "(table 4 funcref) (func $f) (elem (i32.const 0) $f $f $f)".into(), 3, |g, n| {
            g.max_element_items = n
        }),
    ];
    for (limit, body, items, set) in cases {
        // Every module also exports the entry the run calls (one more function/export).
        let module = wasm(&format!("(module {body} (func (export \"run\")))"));
        let mut at = GuestLimits::default();
        set(&mut at, items);
        assert_eq!(both(&module, &at, &invoke("run")).outcome.kind(), "ok", "{limit} at its value");
        let mut over = GuestLimits::default();
        set(&mut over, items - 1);
        let report = both(&module, &over, &invoke("run"));
        assert!(
            matches!(error(&report), RunnerError::GuestLimitRejected { limit: l, requested, allowed }
                if l == limit && *requested == items && *allowed == items - 1),
            "{limit} over: {:?}",
            report.outcome
        );
    }
}

#[test]
fn a_module_of_exactly_the_size_limit_runs() {
    let module = wasm(r#"(module (func (export "run")))"#);
    let at = GuestLimits { max_module_bytes: module.len() as u64, ..Default::default() };
    assert_eq!(both(&module, &at, &invoke("run")).outcome.kind(), "ok");
}

#[test]
fn a_module_one_byte_over_the_size_limit_is_rejected() {
    let module = wasm(r#"(module (func (export "run")))"#);
    let over = GuestLimits { max_module_bytes: module.len() as u64 - 1, ..Default::default() };
    assert_eq!(error(&both(&module, &over, &invoke("run"))).kind(), "guest_limit_rejected");
}

const OBSERVED: &str = r#"(module (memory 1)
  (global (export "g") (mut i32) (i32.const 5)) (global (export "h") i64 (i64.const -3))
  (func (export "f") (i32.store (i32.const 8) (i32.const 1234)) (global.set 0 (i32.const 9)))
  (func (export "nothing")))"#;

#[test]
fn observation_agrees_in_both_engines() {
    let request = RunRequest { observe: true, ..invoke("f") };
    let report = both(&wasm(OBSERVED), &GuestLimits::default(), &request);
    let observed = report.observed.expect("v8 observes");
    assert_eq!(observed.globals, [("g".to_string(), "9".to_string()), ("h".to_string(), "-3".to_string())]);
}

#[test]
fn the_memory_hash_sees_a_store() {
    let observe = |entry: &str| {
        let request = RunRequest { observe: true, ..invoke(entry) };
        both(&wasm(OBSERVED), &GuestLimits::default(), &request).observed.expect("observed").memory_hash
    };
    assert_ne!(observe("f"), observe("nothing"));
}

#[test]
fn a_data_segment_the_guest_never_touches_counts_in_both_engines_memory_hash() {
    // 4 MiB of memory the guest never reads or writes, one data byte 3 MiB in: the hash
    // skips untouched pages without reading them, and must still see the byte in both
    // engines, however each placed it (copied, or mapped from a memory image).
    let observe = |byte: u8| {
        let module = wasm(&format!(
            r#"(module (memory 64) (data (i32.const 3145728) "\{byte:02x}") (func (export "nothing")))"#
        ));
        let request = RunRequest { observe: true, ..invoke("nothing") };
        both(&module, &GuestLimits::default(), &request).observed.expect("observed").memory_hash
    };
    assert_ne!(observe(1), observe(2));
}

#[test]
fn a_module_with_legacy_exception_handling_runs_in_v8_and_is_unsupported_in_the_reference() {
    let module = wasm(r#"(module (func (export "f") (result i32) try catch_all end i32.const 1))"#);
    let v8 = Runner::new(RunnerLimits::default()).run(module.clone(), &invoke("f"));
    assert_eq!(returned(&v8), ["1"]);
    let wasmtime = Reference::new().run(module, &invoke("f"));
    assert_eq!(
        wasmtime.outcome.error(),
        Some(&RunnerError::UnsupportedFeature {
            engine: "wasmtime".into(),
            feature: "legacy exception handling".into()
        })
    );
    assert!(!comparable(&v8, &wasmtime), "a comparison has nothing to compare");
}

#[test]
fn a_table_grown_past_v8s_own_limit_answers_minus_one_in_both_engines() {
    // The table budget allows more than V8 grows one table to: both stop at V8's limit.
    let guest = GuestLimits { max_table_elements: 100_000_000, ..GuestLimits::default() };
    let module = wasm_runner_testkit::fixtures::wasm(
        r#"(module (table 1 funcref)
             (func (export "grow") (result i32)
               (i32.add (i32.mul (i32.const 10) (table.grow (ref.null func) (i32.const 10000000)))
                        (i32.add (i32.const 1) (table.grow (ref.null func) (i32.const 9999999))))))"#,
    );
    let request = wasm_runner::RunRequest { invoke: Some("grow".into()), ..Default::default() };
    let v8 = Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone()).run(module.clone(), &request);
    let wasmtime = wasm_runner::Reference::new().with_guest_limits(guest).run(module, &request);
    // -1 for the first (10M + 1), then 1 (the old size) + 1.
    assert_eq!(v8.outcome.returned(), ["-8"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_shared_memory_is_sized_and_hashed_in_both_engines() {
    let observe = |value: i32| {
        let module = wasm(&format!(
            r#"(module (memory 1 2 shared) (func (export "f") (i32.store (i32.const 16) (i32.const {value}))))"#
        ));
        let request = RunRequest { observe: true, ..invoke("f") };
        let report = both(&module, &GuestLimits::default(), &request);
        assert_eq!(report.memory_bytes, 65536);
        report.observed.expect("observed").memory_hash
    };
    assert_ne!(observe(1), observe(2));
}
