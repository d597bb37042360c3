//! The `wasm-runner` binary: exit codes, one-line errors, and the JSON report.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;
use wasm_runner::child::{ChildJob, RunnerProgram};
use wasm_runner_testkit::fixtures::HELLO_EXIT_3;
use wasm_runner_testkit::synth::{build, SynthSpec};

fn wasm_runner(args: &[&str]) -> Output {
    wasm_runner_with(args, &[])
}

fn wasm_runner_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm-runner"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("WASM_RUNNER_HEAP_LIMIT_MB")
        .env_remove("RUST_LOG")
        .output()
        .expect("the binary runs")
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasm-runner-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn warmup_json_reports_phases() {
    let module = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
    let path = temp_file("ok.wasm", &module);
    let output = wasm_runner(&["warmup", path.to_str().unwrap(), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["outcome"], "ok");
    assert_eq!(report["module_bytes"], module.len());
    assert_eq!(report["heap_limit_bytes"], 2048u64 * 1024 * 1024);
    let phases = report["phases"].as_array().expect("phases");
    let names: Vec<_> = phases.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["bootstrap", "guest_checks", "compile", "instantiate"]);
    for p in phases {
        assert!(p["peak_used_heap_bytes"].as_u64().unwrap() > 0);
        assert!(p["duration_ms"].as_f64().is_some());
    }
    let peak = phases.iter().map(|p| p["peak_used_heap_bytes"].as_u64().unwrap()).max();
    assert_eq!(report["peak_used_heap_bytes"].as_u64(), peak);
}

#[test]
fn warmup_and_run_json_report_the_heap_models_bound_beside_the_peak() {
    let module = wat::parse_str(r#"(module (func (export "_start")))"#).unwrap();
    let path = temp_file("bound.wasm", &module);
    for command in ["warmup", "run"] {
        let output = wasm_runner(&[command, path.to_str().unwrap(), "--json"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let report = json(&output);
        let bound = report["heap_bound_bytes"].as_u64().expect("heap_bound_bytes");
        let phases = report["phases"].as_array().expect("phases");
        let peak = phases.iter().map(|p| p["peak_used_heap_bytes"].as_u64().unwrap()).max().unwrap();
        assert!(peak > 0 && peak <= bound, "{command}: peak {peak}, bound {bound}");
    }
}

#[test]
fn heap_limit_flag_is_honoured_and_exhaustion_is_typed() {
    let module = build(&SynthSpec { functions: 1, body_bytes: 4, table_elements: 10_000_000, ..Default::default() });
    let path = temp_file("table.wasm", &module);
    // The table is over the default guest budget: raise it so the runner heap is what fails.
    let output = wasm_runner_with(
        &["warmup", path.to_str().unwrap(), "--heap-limit-mb", "32", "--json"],
        &[("WASM_GUEST_MAX_TABLE_ELEMENTS", "10000000")],
    );
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["outcome"], "heap_limit_exhausted");
    assert_eq!(report["heap_limit_bytes"], 32u64 * 1024 * 1024);
    assert_eq!(report["error"]["phase"], "instantiate");
    assert!(report["message"].as_str().unwrap().contains("heap exhausted"));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err}");
    assert!(err.starts_with("error: "), "{err}");
}

#[test]
fn missing_file_is_a_clear_input_error() {
    let output = wasm_runner(&["warmup", "/nonexistent/module.wasm"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("cannot read /nonexistent/module.wasm"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn bad_inputs_fail_with_one_line() {
    for (name, bytes, needle) in [
        ("empty.wasm", &b""[..], "empty"),
        ("short.wasm", &b"\0as"[..], "truncated"),
        ("text.wasm", &b"hello world\n"[..], "not a WebAssembly binary"),
        ("cut.wasm", &b"\0asm\x01\0\0\0\x01\x05\x01\x60"[..], "invalid module"),
    ] {
        let path = temp_file(name, bytes);
        let output = wasm_runner(&["warmup", path.to_str().unwrap(), "--json"]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        assert_eq!(json(&output)["outcome"], "invalid_module", "{name}");
        let err = stderr(&output);
        assert!(err.contains(needle), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn zero_heap_limit_flag_is_a_usage_error() {
    let output = wasm_runner(&["warmup", "x.wasm", "--heap-limit-mb", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--heap-limit-mb"));
}

#[test]
fn a_usage_error_exits_with_2() {
    let output = wasm_runner(&["warmup"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn help_explains_the_environment() {
    let output = wasm_runner(&["--help"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("WASM_RUNNER_HEAP_LIMIT_MB"), "{text}");
    assert!(text.contains("warmup"), "{text}");
}

#[test]
fn run_reports_the_same_in_both_engines() {
    let path = temp_file("hello.wat", HELLO_EXIT_3.as_bytes());
    for engine in ["v8", "wasmtime"] {
        let output = wasm_runner(&["run", path.to_str().unwrap(), "--engine", engine, "--json"]);
        assert_eq!(output.status.code(), Some(3), "{engine}: {}", stderr(&output));
        let report = json(&output);
        assert_eq!(report["engine"], engine);
        assert_eq!(report["outcome"], "exit");
        assert_eq!(report["exit_code"], 3);
        assert_eq!(report["stdout"], "hello\n");
        assert_eq!(report["memory_bytes"], 65536);
        assert!(report["fuel_used"].as_u64().unwrap() > 0);
    }
}

#[test]
fn without_json_the_guest_output_passes_through_and_its_exit_code_is_the_status() {
    let path = temp_file("hello-plain.wat", HELLO_EXIT_3.as_bytes());
    let output = wasm_runner(&["run", path.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "hello\n");
    assert_eq!(output.status.code(), Some(3));
}

#[test]
fn the_output_cap_flag_reaches_the_guest() {
    let path = temp_file("hello-cap.wat", HELLO_EXIT_3.as_bytes());
    let output = wasm_runner(&["run", path.to_str().unwrap(), "--max-output-bytes", "3", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["outcome"], "output_limit_exceeded");
    assert_eq!(report["stdout"], "hel");
}

#[test]
fn the_fuel_flag_reaches_the_guest() {
    let path = temp_file("hello-fuel.wat", HELLO_EXIT_3.as_bytes());
    let output = wasm_runner(&["run", path.to_str().unwrap(), "--max-fuel", "2", "--json"]);
    assert_eq!(json(&output)["outcome"], "fuel_exhausted");
}

/// Prints the name of preopen fd 3 (or traps when there is none).
const PRESTAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $pg (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $pn (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (if (call $pg (i32.const 3) (i32.const 0)) (then unreachable))
    (drop (call $pn (i32.const 3) (i32.const 100) (i32.load (i32.const 4))))
    (i32.store (i32.const 16) (i32.const 100))
    (i32.store (i32.const 20) (i32.load (i32.const 4)))
    (drop (call $w (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))"#;

#[test]
fn dir_flag_preopens_the_host_directory_under_its_guest_name() {
    let path = temp_file("prestat.wat", PRESTAT.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let spec = format!("{}::/data", dir.path().display());
    for engine in ["v8", "wasmtime"] {
        let output = wasm_runner(&["run", path.to_str().unwrap(), "--engine", engine, "--dir", &spec]);
        assert_eq!(output.status.code(), Some(0), "{engine}: {}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout), "/data");
    }
}

#[test]
fn dir_flag_with_a_missing_directory_is_an_input_error() {
    let path = temp_file("prestat2.wat", PRESTAT.as_bytes());
    let output = wasm_runner(&["run", path.to_str().unwrap(), "--dir", "/nonexistent/wasm-runner-dir::/data"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("/nonexistent/wasm-runner-dir") && err.lines().count() == 1, "{err}");
}

#[test]
fn dir_flag_with_an_empty_host_is_a_usage_error() {
    let path = temp_file("prestat3.wat", PRESTAT.as_bytes());
    let output = wasm_runner(&["run", path.to_str().unwrap(), "--dir", "::/data"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

const UNKNOWN_IMPORTS: &[u8] = br#"(module (import "host" "call" (func (param i32) (result i32)))
  (import "env" "log" (func (param i32)))
  (func (export "_start")))"#;

#[test]
fn unknown_imports_are_all_listed() {
    let path = temp_file("unknown.wat", UNKNOWN_IMPORTS);
    let output = wasm_runner(&["run", path.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["outcome"], "unresolved_import");
    assert_eq!(report["error"]["unresolved"], serde_json::json!(["host.call (function)", "env.log (function)"]));
}

#[test]
fn unknown_imports_are_stubbed_on_request() {
    let path = temp_file("unknown-stubbed.wat", UNKNOWN_IMPORTS);
    let output = wasm_runner(&["run", path.to_str().unwrap(), "--trap-unknown-imports"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn limits_lists_every_inventory_entry_as_json() {
    let output = wasm_runner(&["limits", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let entries = json(&output);
    let names: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    let expected: Vec<&str> = wasm_runner::limits::INVENTORY.iter().map(|e| e.name).collect();
    assert_eq!(names, expected);
}

/// The child-process protocol is this command line: a `ChildJob` run through the binary
/// comes back as a typed report.
#[test]
fn a_child_job_round_trips_through_the_binary() {
    let path = temp_file("child.wat", HELLO_EXIT_3.as_bytes());
    let program = RunnerProgram::binary(env!("CARGO_BIN_EXE_wasm-runner"));
    let child = ChildJob::run(&path).max_fuel(1_000_000).spawn(&program, std::time::Duration::from_secs(60));
    let report = child.report.expect("the child printed its report");
    assert_eq!(report.outcome, "exit");
    assert_eq!(report.exit_code, Some(3));
    assert_eq!(report.stdout.as_deref(), Some("hello\n"));
    assert!(report.phase("run").is_some());
}

#[test]
fn a_child_warmup_reports_its_phases_and_peak() {
    let module = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
    let path = temp_file("child-warmup.wasm", &module);
    let program = RunnerProgram::binary(env!("CARGO_BIN_EXE_wasm-runner"));
    let child = ChildJob::warmup(&path).heap_limit_mb(64).spawn(&program, std::time::Duration::from_secs(60));
    let report = child.report.expect("the child printed its report");
    assert_eq!(report.outcome, "ok");
    assert_eq!(report.phases.len(), 4);
    assert!(report.peak_used_heap_bytes() > 0);
}

#[test]
fn min_heap_bisects_a_cap_that_warms_up_beside_the_heap_bound() {
    let module = build(&SynthSpec { functions: 1, body_bytes: 4, table_elements: 1_000_000, ..Default::default() });
    let path = temp_file("min-heap.wasm", &module);
    let output = wasm_runner(&["min-heap", path.to_str().unwrap(), "--heap-limit-mb", "256", "--steps", "8", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    let found = &report["min_heap"];
    let (min_cap, fails_at) = (found["min_cap_mib"].as_u64().unwrap(), found["fails_at_mib"].as_u64().unwrap());
    let (peak, bound) = (found["peak_used_heap_bytes"].as_u64().unwrap(), found["heap_bound_bytes"].as_u64().unwrap());
    assert!(fails_at < min_cap && min_cap <= 256, "{found}");
    assert!(peak <= bound, "{found}");
    // A million empty slots take about 23 MiB: the smallest cap is above that.
    assert!(min_cap as f64 * 1048576.0 >= peak as f64 * 0.9, "{found}");
}

#[test]
fn min_heap_of_a_module_that_cannot_warm_up_is_one_line() {
    let path = temp_file("min-heap-bad.wasm", b"\0asm\x01\0\0\0\x01");
    let output = wasm_runner(&["min-heap", path.to_str().unwrap(), "--steps", "2"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: min-heap of") && last.contains("invalid_module"), "{err}");
}

/// Prints 8 random bytes, then a realtime clock reading.
const RANDOM_AND_CLOCK: &str = r#"(module
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $random (i32.const 16) (i32.const 8)))
    (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 24)))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

#[test]
fn deterministic_runs_print_the_same_bytes_in_both_engines_and_the_seed_changes_them() {
    let path = temp_file("random-clock.wasm", &wat::parse_str(RANDOM_AND_CLOCK).unwrap());
    let path = path.to_str().unwrap();
    let stdout = |engine: &str, seed: &str| {
        let output = wasm_runner(&["run", path, "--engine", engine, "--deterministic", "--seed", seed]);
        assert!(output.status.success(), "{}", stderr(&output));
        output.stdout
    };
    let v8 = stdout("v8", "5");
    assert_eq!(v8.len(), 16);
    assert_eq!(v8, stdout("wasmtime", "5"));
    assert_eq!(v8, stdout("v8", "5"));
    assert_ne!(v8[..8], stdout("v8", "6")[..8]);
}

#[test]
fn a_seed_without_the_deterministic_mode_is_a_usage_error() {
    let path = temp_file("random-clock-usage.wasm", &wat::parse_str(RANDOM_AND_CLOCK).unwrap());
    let output = wasm_runner(&["run", path.to_str().unwrap(), "--seed", "5"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--deterministic"), "{}", stderr(&output));
}

#[test]
fn a_second_process_warms_a_large_module_up_from_the_disk_cache_unless_told_not_to() {
    let module = build(&SynthSpec { functions: 200, body_bytes: 8 * 1024, ..Default::default() });
    assert!(module.len() > wasm_runner::internals::PREPARED_CACHE_FROM_BYTES, "{} bytes", module.len());
    let path = temp_file("disk-cached.wasm", &module);
    let cache = tempfile::tempdir().unwrap();
    let env = [(wasm_runner::CACHE_DIR_ENV, cache.path().to_str().unwrap())];
    let prepared_from = |extra: &[&str]| {
        let mut args = vec!["warmup", path.to_str().unwrap(), "--json"];
        args.extend_from_slice(extra);
        let output = wasm_runner_with(&args, &env);
        assert!(output.status.success(), "{}", stderr(&output));
        json(&output)["prepared_from"].as_str().unwrap().to_string()
    };
    assert_eq!(prepared_from(&["--no-cache"]), "checked");
    assert_eq!(prepared_from(&[]), "checked");
    assert_eq!(prepared_from(&[]), "disk_cache");
    assert_eq!(prepared_from(&["--no-cache"]), "checked");
}

#[test]
fn an_unknown_operator_v8_flag_does_not_take_the_runner_s_required_flag_with_it() {
    // V8 ignores every flag after one it does not know; the flag the runner needs to collect
    // isolates between jobs is set on its own, so the warmup still works.
    let module = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
    let path = temp_file("flags.wasm", &module);
    let output =
        wasm_runner_with(&["warmup", path.to_str().unwrap(), "--json"], &[("WASM_RUNNER_V8_FLAGS", "--no-such-flag")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&output)["outcome"], "ok");
}

#[test]
fn a_reader_that_goes_away_ends_the_binary_without_a_panic() {
    // `wasm-runner limits --json | head -c 0`: stdout's reader is gone before the report is
    // written (closed before the binary starts, so always).
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_wasm-runner"))
        .args(["limits", "--json"])
        .stdout(writer)
        .output()
        .expect("the binary runs");
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(141), "as a tool ended by SIGPIPE reports");
}
