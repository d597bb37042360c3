//! Every guest limit at, just under and just over its value, in the V8 runner and in the
//! wasmtime reference, with the same outcome.

mod common;

use std::time::Duration;

use wasm_runner::limits::GuestLimits;
use wasm_runner::{reference, RunOutcome, RunReport, RunRequest, Runner, RunnerError, RunnerLimits};

const PAGE: u64 = 65536;

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("test module parses")
}

fn invoke(name: &str) -> RunRequest {
    RunRequest { args: vec!["guest".into()], invoke: Some(name.into()), ..Default::default() }
}

/// Runs in both engines, checks they agree, returns the V8 report.
fn both(module: &[u8], guest: &GuestLimits, request: &RunRequest) -> RunReport {
    let v8 = Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone()).run(module.to_vec(), request);
    let wt = reference::run(module, guest, request);
    assert_eq!(v8.outcome.kind(), wt.outcome.kind(), "v8: {:?}\nwasmtime: {:?}", v8.outcome, wt.outcome);
    if let (RunOutcome::Ok { returned: a }, RunOutcome::Ok { returned: b }) = (&v8.outcome, &wt.outcome) {
        assert_eq!(a, b, "returned values");
    }
    assert_eq!(v8.stdout, wt.stdout, "stdout");
    assert_eq!(v8.stderr, wt.stderr, "stderr");
    // Where a run was cut short by time or by stack depth, how far it got depends on each
    // engine's speed and frame sizes: fuel is compared only for deterministic ends.
    if !matches!(v8.outcome.kind(), "timeout" | "stack_exhausted") {
        assert_eq!(v8.fuel_used, wt.fuel_used, "fuel used");
    }
    assert_eq!(v8.memory_bytes, wt.memory_bytes, "memory bytes");
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

const GROW: &str = r#"(module (memory 1) (func (export "grow") (result i32) (memory.grow (i32.const 3))))"#;

#[test]
fn memory_growth_at_under_and_over_the_cap() {
    let module = wasm(GROW);
    let at = GuestLimits { max_memory_bytes: 4 * PAGE, ..Default::default() };
    let report = both(&module, &at, &invoke("grow"));
    assert_eq!(returned(&report), ["1"], "growing to exactly the cap succeeds");
    assert_eq!(report.memory_bytes, 4 * PAGE);

    let under = GuestLimits { max_memory_bytes: 5 * PAGE, ..Default::default() };
    assert_eq!(returned(&both(&module, &under, &invoke("grow"))), ["1"]);

    let over = GuestLimits { max_memory_bytes: 4 * PAGE - 1, ..Default::default() };
    let report = both(&module, &over, &invoke("grow"));
    assert_eq!(returned(&report), ["-1"], "growing past the cap fails");
    assert_eq!(report.memory_bytes, PAGE);
}

#[test]
fn initial_memory_over_the_cap_is_rejected() {
    let module = wasm(r#"(module (memory 10) (func (export "f")))"#);
    let guest = GuestLimits { max_memory_bytes: 9 * PAGE, ..Default::default() };
    let report = both(&module, &guest, &invoke("f"));
    assert_eq!(
        error(&report),
        &RunnerError::GuestLimitRejected { limit: "max_memory_bytes".into(), requested: 10 * PAGE, allowed: 9 * PAGE }
    );
    let exact = GuestLimits { max_memory_bytes: 10 * PAGE, ..Default::default() };
    assert_eq!(both(&module, &exact, &invoke("f")).outcome.kind(), "ok");
}

#[test]
fn memory_cap_is_shared_by_all_memories() {
    let module = wasm(
        r#"(module (memory 1) (memory 1)
             (func (export "grow") (result i32)
               (i32.add (memory.grow 0 (i32.const 2)) (memory.grow 1 (i32.const 2)))))"#,
    );
    // 2 initial pages + 2 pages of room split evenly: each memory may grow by 1 page.
    let guest = GuestLimits { max_memory_bytes: 4 * PAGE, ..Default::default() };
    let report = both(&module, &guest, &invoke("grow"));
    assert_eq!(returned(&report), ["-2"]);
}

const LOOP: &str = r#"(module
  (func (export "count") (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
    (local.get $i)))"#;

#[test]
fn fuel_at_under_and_over_the_limit() {
    let module = wasm(LOOP);
    let ample = both(&module, &GuestLimits::default(), &invoke("count"));
    assert_eq!(returned(&ample), ["1000"]);
    let needed = ample.fuel_used;
    assert!(needed >= 1000, "a 1000-iteration loop uses at least 1000 fuel: {needed}");

    let at = GuestLimits { max_fuel: needed, ..Default::default() };
    let report = both(&module, &at, &invoke("count"));
    assert_eq!(returned(&report), ["1000"]);
    assert_eq!(report.fuel_used, needed);

    let over = GuestLimits { max_fuel: needed - 1, ..Default::default() };
    let report = both(&module, &over, &invoke("count"));
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
    let report = both(&module, &GuestLimits::default(), &invoke("f"));
    assert_eq!(report.outcome.kind(), "trap");
}

const RECURSE: &str = r#"(module
  (func $rec (export "rec") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "shallow") (result i32) (call $rec (i32.const 100)))
  (func (export "deep") (result i32) (call $rec (i32.const 10000000))))"#;

#[test]
fn stack_under_and_over_the_limit() {
    let module = wasm(RECURSE);
    let guest = GuestLimits { max_stack_bytes: 256 * 1024, ..Default::default() };
    assert_eq!(returned(&both(&module, &guest, &invoke("shallow"))), ["100"]);
    let report = both(&module, &guest, &invoke("deep"));
    assert!(matches!(error(&report), RunnerError::StackExhausted { limit_bytes: 262144, .. }), "{:?}", report.outcome);
    // Exact frame sizes differ between engines, so "at the limit" is checked only as far
    // as both agree: a depth that fits a 4x larger stack still fits.
    let bigger = GuestLimits { max_stack_bytes: 1024 * 1024, ..Default::default() };
    assert_eq!(returned(&both(&module, &bigger, &invoke("shallow"))), ["100"]);
}

const TABLE_GROW: &str = r#"(module (table 10 funcref)
  (func (export "grow") (result i32) (table.grow (ref.null func) (i32.const 5))))"#;

#[test]
fn table_growth_at_and_over_the_budget() {
    let module = wasm(TABLE_GROW);
    let at = GuestLimits { max_table_elements: 15, ..Default::default() };
    assert_eq!(returned(&both(&module, &at, &invoke("grow"))), ["10"]);
    let over = GuestLimits { max_table_elements: 14, ..Default::default() };
    assert_eq!(returned(&both(&module, &over, &invoke("grow"))), ["-1"]);
    let initial_over = GuestLimits { max_table_elements: 9, ..Default::default() };
    assert_eq!(error(&both(&module, &initial_over, &invoke("grow"))).kind(), "guest_limit_rejected");
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

#[test]
fn output_at_and_over_the_cap() {
    let module = writer(100);
    let request = RunRequest { args: vec!["w".into()], ..Default::default() };
    let at = GuestLimits { max_output_bytes: 100, ..Default::default() };
    let report = both(&module, &at, &request);
    assert_eq!(report.outcome.kind(), "ok");
    assert_eq!(report.stdout.len(), 100);

    let over = GuestLimits { max_output_bytes: 99, ..Default::default() };
    let report = both(&module, &over, &request);
    assert_eq!(error(&report), &RunnerError::OutputLimitExceeded { limit_bytes: 99 });
    assert_eq!(report.stdout.len(), 99, "what fits under the cap is kept");
}

#[test]
fn wall_time_limit_ends_an_endless_loop() {
    let module = wasm(r#"(module (func (export "spin") (loop $l (br $l))))"#);
    let guest = GuestLimits { max_fuel: u64::MAX, max_wall_time: Duration::from_millis(300), ..Default::default() };
    let report = both(&module, &guest, &invoke("spin"));
    assert!(matches!(error(&report), RunnerError::Timeout { limit_ms: 300, .. }), "{:?}", report.outcome);
    // No sticky termination: the same process runs the next module normally.
    assert_eq!(returned(&both(&wasm(LOOP), &GuestLimits::default(), &invoke("count"))), ["1000"]);
}

#[test]
fn proc_exit_and_missing_entry_agree() {
    let module = wasm(
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func (export "_start") (call $exit (i32.const 7))))"#,
    );
    let report = both(&module, &GuestLimits::default(), &RunRequest::default());
    assert_eq!(report.outcome, RunOutcome::Exit { code: 7 });
    let report = both(&module, &GuestLimits::default(), &invoke("nope"));
    assert_eq!(error(&report), &RunnerError::NoEntry { name: "nope".into() });
}

#[test]
fn raising_the_runner_cap_changes_no_guest_outcome() {
    let cases: Vec<(Vec<u8>, GuestLimits, RunRequest)> = vec![
        (wasm(GROW), GuestLimits { max_memory_bytes: 4 * PAGE - 1, ..Default::default() }, invoke("grow")),
        (wasm(LOOP), GuestLimits { max_fuel: 500, ..Default::default() }, invoke("count")),
        (wasm(RECURSE), GuestLimits { max_stack_bytes: 128 * 1024, ..Default::default() }, invoke("deep")),
        (wasm(TABLE_GROW), GuestLimits { max_table_elements: 14, ..Default::default() }, invoke("grow")),
        (writer(100), GuestLimits { max_output_bytes: 50, ..Default::default() }, RunRequest::default()),
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
fn module_size_at_and_over_in_both_engines() {
    let module = wasm(r#"(module (func (export "run")))"#);
    let size = module.len() as u64;
    let at = GuestLimits { max_module_bytes: size, ..Default::default() };
    assert_eq!(both(&module, &at, &invoke("run")).outcome.kind(), "ok");
    let over = GuestLimits { max_module_bytes: size - 1, ..Default::default() };
    assert_eq!(error(&both(&module, &over, &invoke("run"))).kind(), "guest_limit_rejected");
}

#[test]
fn observation_agrees_in_both_engines() {
    let module = wasm(
        r#"(module (memory 1) (global (export "g") (mut i32) (i32.const 5)) (global (export "h") i64 (i64.const -3))
             (func (export "f") (i32.store (i32.const 8) (i32.const 1234)) (global.set 0 (i32.const 9))))"#,
    );
    let request = RunRequest { observe: true, ..invoke("f") };
    let v8 = both(&module, &GuestLimits::default(), &request);
    let wt = reference::run(&module, &GuestLimits::default(), &request);
    let (a, b) = (v8.observed.expect("v8 observes"), wt.observed.expect("wasmtime observes"));
    assert_eq!(a, b);
    assert_eq!(a.globals, [("g".to_string(), "9".to_string()), ("h".to_string(), "-3".to_string())]);
    // The store changed memory: the hash differs from an untouched page's.
    let untouched = both(&module, &GuestLimits::default(), &RunRequest { observe: true, ..invoke("nothing") });
    assert!(
        untouched.observed.is_none() || untouched.observed.as_ref().map(|o| &o.memory_hash) != Some(&a.memory_hash)
    );
}
