//! Stdio as ordinary descriptors: what `dup2`, `freopen` and `close` turn into
//! (`fd_renumber` onto and from 0-2, `fd_close` of a stream, numbers reused), each compared
//! with wasmtime-wasi.

use wasm_runner::{GuestLimits, Preopen, Reference, RunOutcome, RunReport, RunRequest, Runner, RunnerLimits};
use wasm_runner_testkit::fixtures::wasm;

const MODULE: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 300) "out.txt")
  (data (i32.const 400) "hello through fd 1\n")
  ;; write_to(fd, ptr, len) -> errno: one iovec at 64, the count at 72
  (func $write_to (param i32 i32 i32) (result i32)
    (i32.store (i32.const 64) (local.get 1))
    (i32.store (i32.const 68) (local.get 2))
    (call $fd_write (local.get 0) (i32.const 64) (i32.const 1) (i32.const 72)))
  ;; open(oflags) -> the descriptor of "out.txt" under the preopen (fd 3), read and write
  (func $open (param i32) (result i32)
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 7) (local.get 0)
                         (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 200))
      (then unreachable))
    (i32.load (i32.const 200)))
  ;; dup2(open("out.txt", O_CREAT|O_TRUNC), 1); print; then read the file back to stderr
  (func (export "redirect")
    (local $fd i32)
    (local.set $fd (call $open (i32.const 9)))
    (if (call $fd_renumber (local.get $fd) (i32.const 1)) (then unreachable))
    (if (call $write_to (i32.const 1) (i32.const 400) (i32.const 19)) (then unreachable))
    (local.set $fd (call $open (i32.const 0)))
    (i32.store (i32.const 80) (i32.const 1000))
    (i32.store (i32.const 84) (i32.const 100))
    (if (call $fd_read (local.get $fd) (i32.const 80) (i32.const 1) (i32.const 88)) (then unreachable))
    (drop (call $write_to (i32.const 2) (i32.const 1000) (i32.load (i32.const 88)))))
  ;; close(1); then a write to 1, and the number the next open gets
  (func (export "close_stdout") (result i32 i32 i32)
    (call $fd_close (i32.const 1))
    (call $write_to (i32.const 1) (i32.const 400) (i32.const 5))
    (call $open (i32.const 1)))
  ;; dup2(1, 3) closes the preopen and moves stdout to 3: a write to 3 prints, one to 1 fails
  (func (export "stdout_to_3") (result i32 i32 i32)
    (call $fd_renumber (i32.const 1) (i32.const 3))
    (call $write_to (i32.const 3) (i32.const 400) (i32.const 19))
    (call $write_to (i32.const 1) (i32.const 400) (i32.const 5)))
  ;; a stream moved to another number is still a stream: seeking it is ESPIPE, reading
  ;; stdout is EBADF
  (func (export "moved_stream_kind") (result i32 i32)
    (drop (call $fd_renumber (i32.const 1) (i32.const 2)))
    (call $fd_seek (i32.const 2) (i64.const 0) (i32.const 0) (i32.const 96))
    (call $fd_read (i32.const 2) (i32.const 80) (i32.const 1) (i32.const 88)))
  ;; renumbering onto a closed stdio number fails as onto any free number
  (func (export "onto_closed") (result i32 i32)
    (call $fd_close (i32.const 0))
    (call $fd_renumber (i32.const 3) (i32.const 0)))
)"#;

fn run_both(export: &str) -> (RunReport, RunReport) {
    let dir = tempfile::tempdir().unwrap();
    let request = RunRequest {
        invoke: Some(export.into()),
        dirs: vec![Preopen { host: dir.path().to_path_buf(), guest: "/sandbox".into() }],
        ..Default::default()
    };
    let module = wasm(MODULE);
    let v8 = Runner::new(RunnerLimits::default()).run(module.clone(), &request);
    let wasmtime = Reference::new().with_guest_limits(GuestLimits::default()).run(module, &request);
    (v8, wasmtime)
}

fn returned(values: &[&str]) -> RunOutcome {
    RunOutcome::Ok { returned: values.iter().map(|v| v.to_string()).collect() }
}

#[test]
fn a_file_renumbered_onto_stdout_receives_what_the_guest_prints_in_both_engines() {
    let (v8, wasmtime) = run_both("redirect");
    assert_eq!(v8.outcome, returned(&[]), "{:?}", v8.outcome);
    assert_eq!(v8.stdout, b"");
    assert_eq!(v8.stderr, b"hello through fd 1\n");
    assert_eq!((&v8.outcome, &v8.stdout, &v8.stderr), (&wasmtime.outcome, &wasmtime.stdout, &wasmtime.stderr));
    assert_eq!(v8.fuel_used, wasmtime.fuel_used);
}

#[test]
fn a_closed_stdout_is_ebadf_and_its_number_goes_to_the_next_open_in_both_engines() {
    let (v8, wasmtime) = run_both("close_stdout");
    assert_eq!(v8.outcome, returned(&["0", "8", "1"]));
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn stdout_renumbered_to_a_higher_number_prints_there_and_not_at_1_in_both_engines() {
    let (v8, wasmtime) = run_both("stdout_to_3");
    assert_eq!(v8.outcome, returned(&["0", "0", "8"]));
    assert_eq!(v8.stdout, b"hello through fd 1\n");
    assert_eq!((&v8.outcome, &v8.stdout), (&wasmtime.outcome, &wasmtime.stdout));
}

#[test]
fn a_stream_keeps_its_kind_under_another_number_in_both_engines() {
    let (v8, wasmtime) = run_both("moved_stream_kind");
    assert_eq!(v8.outcome, returned(&["70", "8"]));
    assert_eq!(v8.outcome, wasmtime.outcome);
}

#[test]
fn renumbering_onto_a_closed_stdio_number_is_ebadf_in_both_engines() {
    let (v8, wasmtime) = run_both("onto_closed");
    assert_eq!(v8.outcome, returned(&["0", "8"]));
    assert_eq!(v8.outcome, wasmtime.outcome);
}
