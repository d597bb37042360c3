//! The deterministic mode (`RunRequest::deterministic`): clocks, random bytes and file
//! timestamps come from fixed sources, the same in both engines and in every run.

use wasm_runner::{Deterministic, GuestLimits, Preopen, Reference, RunReport, RunRequest, Runner, RunnerLimits};
use wasm_runner_testkit::fixtures::wasm;

/// Prints, as raw little-endian bytes: realtime, monotonic, realtime (clock_time_get), 16
/// then 3 random bytes, a one-shot 1 µs sleep's event count, then realtime again; "times"
/// prints the three timestamps of a file it wrote.
const MODULE: &str = r#"(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 300) "f.txt")
  (func $print (param i32 i32)
    (i32.store (i32.const 64) (local.get 0))
    (i32.store (i32.const 68) (local.get 1))
    (if (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 72)) (then unreachable)))
  (func $read_clock (param i32)
    (if (call $clock (local.get 0) (i64.const 1) (i32.const 1024)) (then unreachable))
    (call $print (i32.const 1024) (i32.const 8)))
  (func (export "_start")
    (call $read_clock (i32.const 0))
    (call $read_clock (i32.const 1))
    (call $read_clock (i32.const 0))
    (if (call $random (i32.const 2048) (i32.const 16)) (then unreachable))
    (call $print (i32.const 2048) (i32.const 16))
    (if (call $random (i32.const 2048) (i32.const 3)) (then unreachable))
    (call $print (i32.const 2048) (i32.const 3))
    ;; one relative clock subscription of 1 µs at 4096 (tag 0 at +8, timeout at +24)
    (i64.store (i32.const 4120) (i64.const 1000))
    (if (call $poll (i32.const 4096) (i32.const 4200) (i32.const 1) (i32.const 4300)) (then unreachable))
    (call $print (i32.const 4300) (i32.const 4))
    (call $read_clock (i32.const 0)))
  (func (export "times")
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 5) (i32.const 1)
                         (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 200))
      (then unreachable))
    (call $print (i32.const 300) (i32.const 5))
    (if (call $fd_write (i32.load (i32.const 200)) (i32.const 64) (i32.const 1) (i32.const 72)) (then unreachable))
    (if (call $fstat (i32.load (i32.const 200)) (i32.const 512)) (then unreachable))
    (call $print (i32.const 552) (i32.const 24)))
)"#;

fn run(engine: &str, export: &str, deterministic: Option<Deterministic>) -> RunReport {
    let dir = tempfile::tempdir().unwrap();
    let request = RunRequest {
        invoke: Some(export.into()),
        dirs: vec![Preopen { host: dir.path().to_path_buf(), guest: "/sandbox".into() }],
        deterministic,
        ..Default::default()
    };
    let module = wasm(MODULE);
    let report = match engine {
        "v8" => Runner::new(RunnerLimits::default()).run(module, &request),
        _ => Reference::new().with_guest_limits(GuestLimits::default()).run(module, &request),
    };
    assert_eq!(report.outcome.kind(), "ok", "{engine}: {:?}", report.outcome);
    report
}

fn word(bytes: &[u8], index: usize) -> u64 {
    u64::from_le_bytes(bytes[index * 8..index * 8 + 8].try_into().unwrap())
}

const SEEDED: Option<Deterministic> = Some(Deterministic { seed: 42 });
const START: u64 = 1_577_836_800_000_000_000;
const STEP: u64 = 1_000_000;

#[test]
fn clocks_advance_one_step_per_read_from_fixed_starts_in_both_engines() {
    for engine in ["v8", "wasmtime"] {
        let out = run(engine, "_start", SEEDED).stdout;
        assert_eq!(word(&out, 0), START + STEP, "{engine}");
        assert_eq!(word(&out, 1), 1_000_000_000 + 2 * STEP, "{engine}");
        assert_eq!(word(&out, 2), START + 3 * STEP, "{engine}");
        // The sleep in poll_oneoff neither reads a tick nor moves the time.
        let last = &out[out.len() - 8..];
        assert_eq!(u64::from_le_bytes(last.try_into().unwrap()), START + 4 * STEP, "{engine}");
    }
}

#[test]
fn output_and_fuel_are_the_same_in_both_engines_and_across_runs() {
    let runs = [run("v8", "_start", SEEDED), run("v8", "_start", SEEDED), run("wasmtime", "_start", SEEDED)];
    let wasmtime_again = run("wasmtime", "_start", SEEDED);
    for other in runs.iter().skip(1).chain([&wasmtime_again]) {
        assert_eq!(runs[0].stdout, other.stdout, "{} differs from v8", other.engine);
        assert_eq!(runs[0].fuel_used, other.fuel_used, "{} differs from v8", other.engine);
    }
}

#[test]
fn the_seed_decides_the_random_bytes() {
    let a = run("v8", "_start", Some(Deterministic { seed: 1 })).stdout;
    let b = run("v8", "_start", Some(Deterministic { seed: 2 })).stdout;
    assert_ne!(a[24..43], b[24..43]);
    assert_eq!(a[..24], b[..24], "the clocks do not depend on the seed");
}

#[test]
fn file_timestamps_are_the_fixed_start_in_both_engines() {
    for engine in ["v8", "wasmtime"] {
        let out = run(engine, "times", SEEDED).stdout;
        let times = &out[out.len() - 24..];
        assert_eq!([word(times, 0), word(times, 1), word(times, 2)], [START; 3], "{engine}");
    }
}

#[test]
fn without_the_mode_the_clocks_are_the_hosts() {
    for engine in ["v8", "wasmtime"] {
        let out = run(engine, "_start", None).stdout;
        // The host's realtime is years past the fixed start.
        assert!(word(&out, 0) > START + 86_400_000_000_000, "{engine}: {}", word(&out, 0));
    }
}
