//! The bundled WASI runtime on small hand-written modules, one behaviour each, compared
//! with wasmtime-wasi where both engines can see the same thing.

use std::time::Duration;

use wasm_runner::{
    GuestLimits, Preopen, Reference, RunOutcome, RunReport, RunRequest, Runner, RunnerError, RunnerLimits,
};
use wasm_runner_testkit::fixtures::wasm;

const IMPORTS: &str = r#"
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $prestat_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  ;; print(ptr, len): one iovec at 64, nwritten at 72
  (func $print (param i32 i32)
    (i32.store (i32.const 64) (local.get 0))
    (i32.store (i32.const 68) (local.get 1))
    (drop (call $write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 72))))
"#;

fn module(body: &str) -> Vec<u8> {
    wasm(&format!("(module {IMPORTS} {body})"))
}

fn run_both(module: &[u8], request: &RunRequest, guest: &GuestLimits) -> (RunReport, RunReport) {
    let v8 = Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone()).run(module.to_vec(), request);
    (v8, Reference::new().with_guest_limits(guest.clone()).run(module.to_vec(), request))
}

fn sandbox(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

fn request(dir: &tempfile::TempDir, invoke: Option<&str>) -> RunRequest {
    RunRequest {
        invoke: invoke.map(String::from),
        dirs: vec![Preopen { host: dir.path().to_path_buf(), guest: "/sandbox".into() }],
        ..Default::default()
    }
}

const PRESTAT: &str = r#"(func (export "_start")
             (if (call $prestat (i32.const 3) (i32.const 0)) (then unreachable))
             (if (call $prestat_name (i32.const 3) (i32.const 100) (i32.load (i32.const 4))) (then unreachable))
             (call $print (i32.const 100) (i32.load (i32.const 4))))
           (func (export "fd4") (result i32) (call $prestat (i32.const 4) (i32.const 0)))"#;

#[test]
fn preopens_are_listed_by_guest_name_from_fd_3() {
    let m = module(PRESTAT);
    let dir = sandbox(&[]);
    let (v8, wasmtime) = run_both(&m, &request(&dir, None), &GuestLimits::default());
    assert_eq!(v8.stdout, b"/sandbox");
    assert_eq!(v8.stdout, wasmtime.stdout);
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_descriptor_past_the_preopens_is_ebadf_in_both_engines() {
    let dir = sandbox(&[]);
    let (v8, wasmtime) = run_both(&module(PRESTAT), &request(&dir, Some("fd4")), &GuestLimits::default());
    assert_eq!(v8.outcome, RunOutcome::Ok { returned: vec!["8".into()] });
    assert_eq!(v8.outcome, wasmtime.outcome);
}

/// Opens "hello.txt" (path at 300) under the preopen and prints what one read returns.
const READ_HELLO: &str = r#"
  (data (i32.const 300) "hello.txt")
  (func (export "_start")
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 9) (i32.const 0)
                    (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 200))
      (then unreachable))
    (i32.store (i32.const 80) (i32.const 1000))
    (i32.store (i32.const 84) (i32.const 4096))
    (if (call $read (i32.load (i32.const 200)) (i32.const 80) (i32.const 1) (i32.const 88)) (then unreachable))
    (call $print (i32.const 1000) (i32.load (i32.const 88))))
  (func (export "missing") (result i32)
    (call $open (i32.const 3) (i32.const 0) (i32.const 301) (i32.const 8) (i32.const 0)
                (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 200)))
"#;

#[test]
fn a_host_file_reads_back_its_bytes_in_both_engines() {
    let dir = sandbox(&[("hello.txt", b"hello from the host\n\x00\xff")]);
    let (v8, wasmtime) = run_both(&module(READ_HELLO), &request(&dir, None), &GuestLimits::default());
    assert_eq!(v8.outcome.kind(), "ok", "{:?}", v8.outcome);
    assert_eq!(v8.stdout, b"hello from the host\n\x00\xff");
    assert_eq!(v8.stdout, wasmtime.stdout);
}

#[test]
fn a_missing_file_is_enoent_in_both_engines() {
    let dir = sandbox(&[("hello.txt", b"x")]);
    let (v8, wasmtime) = run_both(&module(READ_HELLO), &request(&dir, Some("missing")), &GuestLimits::default());
    assert_eq!(v8.outcome, RunOutcome::Ok { returned: vec!["44".into()] });
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn a_host_tree_over_the_fs_budget_is_refused_in_both_engines() {
    // The host tree counts against the budget before the guest starts.
    let dir = sandbox(&[("big.bin", &[7u8; 2000])]);
    let tight = GuestLimits { max_fs_bytes: 1000, ..GuestLimits::default() };
    let (v8, wasmtime) = run_both(&module(READ_HELLO), &request(&dir, None), &tight);
    let rejected = RunnerError::GuestLimitRejected { limit: "max_fs_bytes".into(), requested: 2000, allowed: 1000 };
    assert_eq!(v8.outcome, RunOutcome::Error { error: rejected.clone() });
    assert_eq!(wasmtime.outcome, RunOutcome::Error { error: rejected });
}

/// Creates new.bin and writes 64 KiB to it (`write64k`); returns the errno. `twice`: the
/// same, then unlinks it, then the same again (the unlinked file's bytes come back to the
/// budget). `far`: two bytes just below 4 GiB, past the largest file.
const WRITE_64K: &str = r#"(data (i32.const 300) "new.bin")
   (func $create (result i32)
     (if (call $open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 7) (i32.const 1)
                     (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 200))
       (then unreachable))
     (i32.store (i32.const 80) (i32.const 0))
     (i32.store (i32.const 84) (i32.const 65536))
     (i32.load (i32.const 200)))
   (func (export "write64k") (result i32)
     (call $write (call $create) (i32.const 80) (i32.const 1) (i32.const 88)))
   (func (export "twice") (result i32) (local $e i32)
     (local.set $e (call $write (call $create) (i32.const 80) (i32.const 1) (i32.const 88)))
     (if (local.get $e) (then (return (local.get $e))))
     (local.set $e (call $unlink (i32.const 3) (i32.const 300) (i32.const 7)))
     (if (local.get $e) (then (return (local.get $e))))
     (call $write (call $create) (i32.const 80) (i32.const 1) (i32.const 88)))
   (func (export "far") (result i32)
     (i32.store (i32.const 84) (i32.const 2))
     (call $pwrite (call $create) (i32.const 80) (i32.const 1) (i64.const 4294967295) (i32.const 88)))"#;

/// `export` of WRITE_64K under a file-byte budget, in both engines: the outcome both had.
fn write_64k(fs_budget: u64, export: &str) -> RunOutcome {
    let (a, b) = (sandbox(&[]), sandbox(&[]));
    let guest = GuestLimits { max_fs_bytes: fs_budget, ..GuestLimits::default() };
    let v8 = Runner::new(RunnerLimits::default())
        .with_guest_limits(guest.clone())
        .run(module(WRITE_64K), &request(&a, Some(export)));
    let wasmtime = Reference::new().with_guest_limits(guest).run(module(WRITE_64K), &request(&b, Some(export)));
    assert_eq!(v8.outcome, wasmtime.outcome, "the engines differ");
    v8.outcome
}

#[test]
fn a_guest_write_past_the_fs_budget_is_enospc_in_both_engines() {
    assert_eq!(write_64k(16 * 1024, "write64k"), RunOutcome::Ok { returned: vec!["51".into()] });
}

#[test]
fn a_guest_write_within_the_fs_budget_succeeds_in_both_engines() {
    assert_eq!(write_64k(64 * 1024, "write64k"), RunOutcome::Ok { returned: vec!["0".into()] });
}

#[test]
fn an_unlinked_files_bytes_return_to_the_budget_in_both_engines() {
    assert_eq!(write_64k(100 * 1024, "twice"), RunOutcome::Ok { returned: vec!["0".into()] });
}

#[test]
fn a_write_past_the_largest_file_is_efbig_in_both_engines() {
    assert_eq!(write_64k(1 << 20, "far"), RunOutcome::Ok { returned: vec!["22".into()] });
}

/// A guest that sleeps in poll_oneoff for 10 s at a time, forever.
const SLEEPER: &str = r#"
  (func (export "_start")
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 10000000000))
    (loop $forever
      (drop (call $poll (i32.const 0) (i32.const 128) (i32.const 1) (i32.const 200)))
      (br $forever)))
  (func (export "nap") (result i32)
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 20000000))
    (drop (call $poll (i32.const 0) (i32.const 128) (i32.const 1) (i32.const 200)))
    (i32.load (i32.const 200)))
"#;

#[test]
fn a_sleeping_guest_is_stopped_at_the_deadline() {
    let guest = GuestLimits { max_wall_time: Duration::from_millis(300), ..GuestLimits::default() };
    let (v8, wasmtime) = run_both(&module(SLEEPER), &RunRequest::default(), &guest);
    assert_eq!(v8.outcome.kind(), "timeout", "{:?}", v8.outcome);
    assert_eq!(wasmtime.outcome.kind(), "timeout", "{:?}", wasmtime.outcome);
}

#[test]
fn a_short_sleep_returns_one_clock_event() {
    let request = RunRequest { invoke: Some("nap".into()), ..Default::default() };
    let (v8, wasmtime) = run_both(&module(SLEEPER), &request, &GuestLimits::default());
    assert_eq!(v8.outcome, RunOutcome::Ok { returned: vec!["1".into()] });
    assert_eq!(v8.outcome, wasmtime.outcome);
}

const CALLS_HOST: &str = r#"(module (import "host" "call" (func $call (param i32) (result i32)))
  (func (export "_start") (drop (call $call (i32.const 1)))))"#;

#[test]
fn a_called_stub_ends_the_run_as_unknown_import_called() {
    let stubbed = RunRequest { trap_unknown_imports: true, ..Default::default() };
    let (v8, wasmtime) = run_both(&wasm(CALLS_HOST), &stubbed, &GuestLimits::default());
    let expected = RunnerError::UnknownImportCalled { module: "host".into(), name: "call".into() };
    assert_eq!(v8.outcome, RunOutcome::Error { error: expected.clone() });
    assert_eq!(wasmtime.outcome, RunOutcome::Error { error: expected });
}

#[test]
fn without_stubs_an_unknown_import_is_named_before_compiling() {
    let (v8, wasmtime) = run_both(&wasm(CALLS_HOST), &RunRequest::default(), &GuestLimits::default());
    assert_eq!(v8.outcome.kind(), "unresolved_import");
    assert_eq!(v8.outcome, wasmtime.outcome);
    assert_eq!(v8.phases.last().map(|p| p.name.as_str()), Some("guest_checks"));
}

#[test]
fn a_reactor_is_initialised_before_the_invoked_export() {
    let m = wasm(
        r#"(module (global $ready (mut i32) (i32.const 0))
             (func (export "_initialize") (global.set $ready (i32.const 41)))
             (func (export "answer") (result i32) (i32.add (global.get $ready) (i32.const 1))))"#,
    );
    let request = RunRequest { invoke: Some("answer".into()), ..Default::default() };
    let (v8, wasmtime) = run_both(&m, &request, &GuestLimits::default());
    assert_eq!(v8.outcome, RunOutcome::Ok { returned: vec!["42".into()] });
    assert_eq!(v8.outcome, wasmtime.outcome);
}

/// path_open of the path at 500 (length given), returning the errno.
const OPEN_PATHS: &str = r#"
  (data (i32.const 500) "/abs")
  (data (i32.const 510) "../x")
  (data (i32.const 520) "sub/../../x")
  (data (i32.const 540) "..")
  (func $open_at (param i32 i32) (result i32)
    (call $open (i32.const 3) (i32.const 0) (local.get 0) (local.get 1) (i32.const 0)
                (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 200)))
  (func (export "escapes") (result i32 i32 i32 i32)
    (call $open_at (i32.const 500) (i32.const 4))
    (call $open_at (i32.const 510) (i32.const 4))
    (call $open_at (i32.const 520) (i32.const 11))
    (call $open_at (i32.const 540) (i32.const 2)))
"#;

#[test]
fn paths_escaping_the_preopen_are_eperm_in_both_engines() {
    let dir = sandbox(&[]);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let (v8, wasmtime) = run_both(&module(OPEN_PATHS), &request(&dir, Some("escapes")), &GuestLimits::default());
    assert_eq!(v8.outcome, RunOutcome::Ok { returned: vec!["63".into(); 4] });
    assert_eq!(v8.outcome, wasmtime.outcome);
}
