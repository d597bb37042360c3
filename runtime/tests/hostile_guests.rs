//! Guests that try to drive the runner through WASI at run time: every allocation they
//! cause on the runner heap is budgeted, every pointer the host cannot use traps (in both
//! engines, uncatchably), and every limit answers with the errno wasmtime-wasi gives.
//! One behaviour each, in both engines where both can see it.

use std::time::Duration;

use wasm_runner::limits::costs::{ARGS_HEAP_BOUND_PER_BYTE, FS_NODE_HEAP_BOUND_BYTES, OPEN_FD_HEAP_BOUND_BYTES};
use wasm_runner::{GuestLimits, Reference, RunOutcome, RunReport, RunRequest, Runner, RunnerError, RunnerLimits};
use wasm_runner_testkit::fixtures::wasm;
use wasm_runner_testkit::hostile::{
    args_of, mkdir_named, mkdir_path, module, poll_many, MANY_IOVECS, MKDIR_FOREVER, OPEN_FOREVER, READ_ARGS,
};

const MIB: u64 = 1024 * 1024;

fn runner(guest: &GuestLimits) -> Runner {
    Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone())
}

/// Both engines' reports; the V8 run's runner heap within the heap model's bound.
fn both(module: &[u8], guest: &GuestLimits, request: &RunRequest) -> (RunReport, RunReport) {
    let v8 = runner(guest).run(module.to_vec(), request);
    wasm_runner_testkit::heap::assert_run_within_bound(&v8, "a hostile guest");
    let wasmtime = Reference::new().with_guest_limits(guest.clone()).run(module.to_vec(), request);
    (v8, wasmtime)
}

fn invoke(name: &str) -> RunRequest {
    RunRequest { invoke: Some(name.into()), ..Default::default() }
}

fn with_dir(name: &str, dir: &tempfile::TempDir) -> RunRequest {
    RunRequest {
        invoke: Some(name.into()),
        dirs: vec![wasm_runner::Preopen { host: dir.path().to_path_buf(), guest: "/d".into() }],
        ..Default::default()
    }
}

/// Peak runner heap of the run phase above what the WASI runtime's bootstrap left.
fn run_heap_growth(report: &RunReport) -> u64 {
    let base = report.phases.iter().find(|p| p.name == "bootstrap").map_or(0, |p| p.used_heap_after_bytes);
    let peak = report.phases.iter().find(|p| p.name == "run").map_or(0, |p| p.peak_used_heap_bytes);
    peak.saturating_sub(base) as u64
}

fn returned(report: &RunReport) -> Vec<String> {
    match &report.outcome {
        RunOutcome::Ok { returned } => returned.clone(),
        other => panic!("expected ok, got {other:?}"),
    }
}

#[test]
fn a_write_with_millions_of_iovecs_costs_the_runner_heap_nothing_per_iovec() {
    let guest = GuestLimits::default();
    let (v8, wasmtime) = both(&module(2100, MANY_IOVECS), &guest, &invoke("iovecs"));
    assert_eq!(returned(&v8), ["0"]);
    assert_eq!(v8.stdout, b"x");
    assert_eq!((&v8.outcome, &v8.stdout), (&wasmtime.outcome, &wasmtime.stdout));
    let growth = run_heap_growth(&v8);
    assert!(growth < 8 * MIB, "16M iovecs grew the runner heap by {growth} bytes");
}

#[test]
fn an_iovec_array_past_the_host_call_budget_is_enomem_in_both_engines() {
    let (v8, wasmtime) = both(&module(2100, MANY_IOVECS), &GuestLimits::default(), &invoke("too_many_iovecs"));
    assert_eq!(returned(&v8), ["48"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_poll_over_a_million_subscriptions_costs_the_runner_heap_nothing_per_subscription() {
    // 1M subscriptions and events: 80 MB of arrays, within the host-call budget.
    let n = 1 << 20;
    let (v8, wasmtime) = both(&module(1300, &poll_many(n)), &GuestLimits::default(), &invoke("poll"));
    assert_eq!(returned(&v8), [n.to_string()]);
    assert_eq!(v8.outcome, wasmtime.outcome);
    let growth = run_heap_growth(&v8);
    assert!(growth < 8 * MIB, "1M subscriptions grew the runner heap by {growth} bytes");
}

#[test]
fn a_poll_past_the_host_call_budget_is_enomem_in_both_engines() {
    // wasmtime-wasi charges 64 bytes a subscription (its records' sizes): 1001 is over.
    let guest = GuestLimits { max_hostcall_bytes: 64 * 1000, ..GuestLimits::default() };
    let (v8, wasmtime) = both(&module(2, &poll_many(1001)), &guest, &invoke("poll"));
    assert_eq!(returned(&v8), ["1000048"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_poll_at_exactly_the_host_call_budget_is_answered_in_both_engines() {
    let guest = GuestLimits { max_hostcall_bytes: 64 * 1000, ..GuestLimits::default() };
    let (v8, wasmtime) = both(&module(2, &poll_many(1000)), &guest, &invoke("poll"));
    assert_eq!(returned(&v8), ["1000"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

fn open_fds(n: u64) -> GuestLimits {
    GuestLimits { max_open_fds: n, ..GuestLimits::default() }
}

#[test]
fn opening_past_the_descriptor_limit_is_emfile_in_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let (v8, wasmtime) = both(&module(1, OPEN_FOREVER), &open_fds(200), &with_dir("open300", &dir));
    assert_eq!(returned(&v8), ["33"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn opening_up_to_the_descriptor_limit_succeeds_in_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let (v8, wasmtime) = both(&module(1, OPEN_FOREVER), &open_fds(200), &with_dir("open200", &dir));
    assert_eq!(returned(&v8), ["0"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

/// The highest runner heap of any phase of a run.
fn peak_heap(report: &RunReport) -> u64 {
    report.phases.iter().map(|p| p.peak_used_heap_bytes as u64).max().unwrap_or(0)
}

#[test]
fn arguments_at_their_limit_stay_within_their_heap_bound() {
    // 2 MiB of argv (the default limit): 2048 strings of 1023 UTF-8 bytes, each 'é'
    // (two bytes, one UTF-16 unit) and an 'x': the strings V8 holds are two-byte.
    let m = wasm(&format!("(module {READ_ARGS})"));
    let args = args_of(GuestLimits::default().max_args_bytes);
    let bare = runner(&GuestLimits::default()).run(m.clone(), &invoke("read"));
    let full = runner(&GuestLimits::default()).run(m, &RunRequest { args, ..invoke("read") });
    assert_eq!((returned(&bare), returned(&full)), (vec!["0".to_string()], vec!["0".to_string()]));
    let per_byte = peak_heap(&full).saturating_sub(peak_heap(&bare)) / GuestLimits::default().max_args_bytes;
    eprintln!("2 MiB of arguments: {per_byte} B of runner heap per byte");
    assert!(
        per_byte <= ARGS_HEAP_BOUND_PER_BYTE,
        "arguments cost {per_byte} B a byte, over the stated {ARGS_HEAP_BOUND_PER_BYTE}"
    );
}

/// Run-phase heap growth of opening a file until EMFILE under a limit of `fds`.
fn open_growth(fds: u64) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let m = module(
        1,
        &format!("{OPEN_FOREVER} (func (export \"open_many\") (result i32) (call 5 (i32.const {})))", fds + 1),
    );
    let report = runner(&open_fds(fds)).run(m, &with_dir("open_many", &dir));
    assert_eq!(returned(&report), ["33"], "the limit ends it with EMFILE");
    run_heap_growth(&report)
}

#[test]
fn opening_descriptors_until_emfile_stays_within_their_heap_bound() {
    // The slope between two limits, as for file-system nodes.
    let (small, large) = (10_000, 40_000);
    let (a, b) = (open_growth(small), open_growth(large));
    let per_fd = b.saturating_sub(a) / (large - small);
    eprintln!("open descriptors: +{a} B at {small}, +{b} B at {large}: {per_fd} B per descriptor");
    assert!(
        per_fd <= OPEN_FD_HEAP_BOUND_BYTES,
        "a descriptor cost the runner heap {per_fd} bytes, over the stated {OPEN_FD_HEAP_BOUND_BYTES}"
    );
}

/// Run-phase heap growth of making directories until ENOSPC under a budget of `nodes`.
fn mkdir_growth(nodes: u64) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let guest = GuestLimits { max_fs_nodes: nodes, ..GuestLimits::default() };
    let report = runner(&guest).run(module(1, MKDIR_FOREVER), &with_dir("mkdirs", &dir));
    assert_eq!(returned(&report), ["51"], "the node budget ends it with ENOSPC");
    run_heap_growth(&report)
}

#[test]
fn making_directories_until_enospc_stops_at_the_node_budget_within_its_heap_bound() {
    // The cost per node is the slope between two budgets: what a run's garbage adds to its
    // peak (at most the young generation) is the same in both.
    let (small, large) = (10_000, 40_000);
    let (a, b) = (mkdir_growth(small), mkdir_growth(large));
    let per_node = b.saturating_sub(a) / (large - small);
    eprintln!("directories of 255-byte names: +{a} B at {small}, +{b} B at {large}: {per_node} B per node");
    assert!(
        per_node <= FS_NODE_HEAP_BOUND_BYTES,
        "a directory cost the runner heap {per_node} bytes, over the stated {FS_NODE_HEAP_BOUND_BYTES}"
    );
}

#[test]
fn the_reference_stops_making_directories_at_the_same_node_budget() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let guest = GuestLimits { max_fs_nodes: 300, ..GuestLimits::default() };
    let m = module(1, &format!("{MKDIR_FOREVER} (func (export \"made\") (result i32) (drop (call 5)) (call 7))"));
    let v8 = runner(&guest).run(m.clone(), &with_dir("made", &a));
    let wasmtime = Reference::new().with_guest_limits(guest).run(m, &with_dir("made", &b));
    assert_eq!(returned(&v8), ["300"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_name_of_255_bytes_is_created_in_both_engines() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let m = module(1, &mkdir_named(255));
    let v8 = runner(&GuestLimits::default()).run(m.clone(), &with_dir("mkdir", &a));
    let wasmtime = Reference::new().run(m, &with_dir("mkdir", &b));
    assert_eq!(returned(&v8), ["0"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_name_of_256_bytes_is_enametoolong_in_both_engines() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let m = module(1, &mkdir_named(256));
    let v8 = runner(&GuestLimits::default()).run(m.clone(), &with_dir("mkdir", &a));
    let wasmtime = Reference::new().run(m, &with_dir("mkdir", &b));
    assert_eq!(returned(&v8), ["37"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_path_that_is_not_utf8_is_eilseq_in_both_engines() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let m = module(
        1,
        r#"(data (i32.const 100) "\ff\fe")
           (func (export "mkdir") (result i32) (call $mkdir (i32.const 3) (i32.const 100) (i32.const 2)))"#,
    );
    let v8 = runner(&GuestLimits::default()).run(m.clone(), &with_dir("mkdir", &a));
    let wasmtime = Reference::new().run(m, &with_dir("mkdir", &b));
    assert_eq!(returned(&v8), ["25"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

/// An out-of-bounds iovec pointer, inside a try_table that catches everything.
const OOB_WRITE_CAUGHT: &str = r#"
  (func (export "oob") (result i32)
    (block $caught
      (try_table (catch_all $caught)
        (drop (call $write (i32.const 1) (i32.const 0x7ffffff0) (i32.const 1) (i32.const 4)))
        (return (i32.const 1))))
    (i32.const 2))"#;

#[test]
fn an_out_of_bounds_pointer_traps_in_both_engines_and_guest_code_cannot_catch_it() {
    let (v8, wasmtime) = both(&module(1, OOB_WRITE_CAUGHT), &GuestLimits::default(), &invoke("oob"));
    assert_eq!(v8.outcome.kind(), "trap", "{:?}", v8.outcome);
    assert_eq!(wasmtime.outcome.kind(), "trap", "{:?}", wasmtime.outcome);
}

#[test]
fn random_bytes_out_of_bounds_trap_in_both_engines() {
    let m = module(1, r#"(func (export "rnd") (result i32) (call $random (i32.const 65000) (i32.const 1000)))"#);
    let (v8, wasmtime) = both(&m, &GuestLimits::default(), &invoke("rnd"));
    assert_eq!(v8.outcome.kind(), "trap", "{:?}", v8.outcome);
    assert_eq!(wasmtime.outcome.kind(), "trap", "{:?}", wasmtime.outcome);
}

#[test]
fn a_misaligned_pointer_traps_in_both_engines() {
    // nwritten is an i32: at an odd address wasmtime-wasi traps, and so does the JS runtime.
    let m = module(
        1,
        r#"(func (export "odd") (result i32)
             (i32.store (i32.const 8) (i32.const 0)) (i32.store (i32.const 12) (i32.const 0))
             (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 5)))"#,
    );
    let (v8, wasmtime) = both(&m, &GuestLimits::default(), &invoke("odd"));
    assert_eq!(v8.outcome.kind(), "trap", "{:?}", v8.outcome);
    assert_eq!(wasmtime.outcome.kind(), "trap", "{:?}", wasmtime.outcome);
}

#[test]
fn a_module_without_memory_calling_wasi_traps_in_both_engines() {
    let m = wasm(
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
             (func (export "f") (result i32) (call $write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0))))"#,
    );
    let (v8, wasmtime) = both(&m, &GuestLimits::default(), &invoke("f"));
    assert_eq!(v8.outcome.kind(), "trap", "{:?}", v8.outcome);
    assert_eq!(wasmtime.outcome.kind(), "trap", "{:?}", wasmtime.outcome);
}

#[test]
fn a_start_function_may_call_wasi_in_both_engines() {
    let m = wasm(
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 16) "started\n")
             (func $start
               (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 8))
               (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
             (start $start)
             (func (export "_start")))"#,
    );
    let (v8, wasmtime) = both(&m, &GuestLimits::default(), &RunRequest::default());
    assert_eq!(v8.outcome.kind(), "ok", "{:?}", v8.outcome);
    assert_eq!(v8.stdout, b"started\n");
    assert_eq!((&v8.outcome, &v8.stdout), (&wasmtime.outcome, &wasmtime.stdout));
}

#[test]
fn a_guest_sleeping_past_its_deadline_is_stopped_at_it_in_both_engines() {
    // One 20 s sleep under a 300 ms wall-time limit.
    let m = module(
        1,
        r#"(func (export "nap")
             (i32.store8 (i32.const 8) (i32.const 0))
             (i32.store (i32.const 16) (i32.const 1))
             (i64.store (i32.const 24) (i64.const 20000000000))
             (drop (call $poll (i32.const 0) (i32.const 128) (i32.const 1) (i32.const 200))))"#,
    );
    let guest = GuestLimits { max_wall_time: Duration::from_millis(300), ..GuestLimits::default() };
    let (v8, wasmtime) = both(&m, &guest, &invoke("nap"));
    for report in [&v8, &wasmtime] {
        assert!(
            matches!(report.outcome.error(), Some(RunnerError::Timeout { limit_ms: 300, .. })),
            "{}: {:?}",
            report.engine,
            report.outcome
        );
        // Ended by the deadline, not by the sleep running out.
        assert!(report.total_ms < 20_000.0, "{} slept {} ms", report.engine, report.total_ms);
    }
}

#[test]
fn a_long_path_through_a_missing_directory_is_enoent_in_both_engines() {
    // "a/a/a/.../x", 4097 bytes: the first "a" is missing, whatever the length.
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let m = mkdir_path("a/", 4096);
    let v8 = runner(&GuestLimits::default()).run(m.clone(), &with_dir("mkdir", &a));
    let wasmtime = Reference::new().run(m, &with_dir("mkdir", &b));
    assert_eq!(returned(&v8), ["44"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_path_of_a_million_components_is_walked_without_growing_the_runner_heap() {
    // "./././.../x": 2 MB of path that resolves, one component at a time.
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let m = mkdir_path("./", 2_000_000);
    let v8 = runner(&GuestLimits::default()).run(m.clone(), &with_dir("mkdir", &a));
    let wasmtime = Reference::new().run(m, &with_dir("mkdir", &b));
    assert_eq!(returned(&v8), ["0"]);
    assert_eq!(v8.outcome, wasmtime.outcome);
    let growth = run_heap_growth(&v8);
    assert!(growth < 8 * MIB, "a 2 MB path grew the runner heap by {growth} bytes");
}

#[test]
fn random_bytes_past_their_limit_trap_in_both_engines() {
    // 64 MiB + 1 in a memory that holds them: the size alone traps.
    let m = module(1100, r#"(func (export "rnd") (result i32) (call $random (i32.const 0) (i32.const 67108865)))"#);
    let (v8, wasmtime) = both(&m, &GuestLimits::default(), &invoke("rnd"));
    assert_eq!(v8.outcome.kind(), "trap", "{:?}", v8.outcome);
    assert_eq!(wasmtime.outcome.kind(), "trap", "{:?}", wasmtime.outcome);
}

#[test]
fn stdin_over_its_limit_is_refused_in_both_engines() {
    let guest = GuestLimits { max_stdin_bytes: 10, ..GuestLimits::default() };
    let request = RunRequest { stdin: vec![0; 11], ..invoke("rnd") };
    let (v8, wasmtime) = both(&module(1, r#"(func (export "rnd"))"#), &guest, &request);
    let expected = RunnerError::GuestLimitRejected { limit: "max_stdin_bytes".into(), requested: 11, allowed: 10 };
    assert_eq!(v8.outcome.error(), Some(&expected));
    assert_eq!(wasmtime.outcome.error(), Some(&expected));
}

#[test]
fn args_over_their_limit_are_refused_in_both_engines() {
    let guest = GuestLimits { max_args_bytes: 100, ..GuestLimits::default() };
    let request = RunRequest { args: vec!["x".repeat(100)], ..invoke("rnd") };
    let (v8, wasmtime) = both(&module(1, r#"(func (export "rnd"))"#), &guest, &request);
    assert_eq!(v8.outcome.kind(), "guest_limit_rejected");
    assert_eq!(v8.outcome, wasmtime.outcome);
}
