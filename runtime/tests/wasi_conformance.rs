//! C conformance programs (`tests/wasi_c/*.c`), compiled to wasm32-wasi with clang and
//! wasi-libc, each run in both engines under the deterministic mode: outcome, stdout,
//! stderr and fuel must be the same, byte for byte. They take the libc paths real programs
//! take (stdio buffering and redirection, dirent, stat, time, exit) and which no
//! hand-written guest does.
//!
//! Without the toolchain the tests are skipped with a note, except under `CI=true`, where
//! `.ci/run` installs it and a missing toolchain is a failure.

use std::path::{Path, PathBuf};

use wasm_runner::{Deterministic, GuestLimits, Preopen, Reference, RunReport, RunRequest, Runner, RunnerLimits};
use wasm_runner_testkit::wasi_c;

fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasi_c")
}

/// The module of `tests/wasi_c/<name>.c`, or `None` (skipped) without the toolchain
/// outside CI.
fn compiled(name: &str) -> Option<Vec<u8>> {
    if let Err(missing) = wasi_c::toolchain() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{name}: {missing}; under CI=true the C conformance programs must run");
        }
        eprintln!("{name}: {missing}: skipped");
        return None;
    }
    Some(wasi_c::compile(&programs().join(format!("{name}.c"))).unwrap_or_else(|e| panic!("{e}")))
}

/// What every program gets: arguments, environment, stdin, and a preopened tree with one
/// file of the host's.
fn request(sandbox: &Path, args: &[&str]) -> RunRequest {
    RunRequest {
        args: args.iter().map(|a| a.to_string()).collect(),
        env: vec!["GREETING=hello world".into(), "EMPTY=".into()],
        stdin: b"one\ntwo\nthree without a newline".to_vec(),
        dirs: vec![Preopen { host: sandbox.to_path_buf(), guest: "/sandbox".into() }],
        deterministic: Some(Deterministic { seed: 2026 }),
        ..Default::default()
    }
}

fn run(engine: &str, module: &[u8], args: &[&str]) -> RunReport {
    let sandbox = tempfile::tempdir().unwrap();
    std::fs::write(sandbox.path().join("input.txt"), "from the host\nsecond line\n").unwrap();
    let request = request(sandbox.path(), args);
    match engine {
        "v8" => Runner::new(RunnerLimits::default()).run(module.to_vec(), &request),
        _ => Reference::new().with_guest_limits(GuestLimits::default()).run(module.to_vec(), &request),
    }
}

/// Runs `tests/wasi_c/<name>.c` in both engines and holds them to the same run; returns
/// V8's report for the program's own checks.
fn conformance(name: &str, args: &[&str]) -> Option<RunReport> {
    let module = compiled(name)?;
    let args: Vec<&str> = std::iter::once(name).chain(args.iter().copied()).collect();
    let v8 = run("v8", &module, &args);
    let wasmtime = run("wasmtime", &module, &args);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert_eq!(text(&v8.stdout), text(&wasmtime.stdout), "{name}: stdout differs (left v8, right wasmtime)");
    assert_eq!(text(&v8.stderr), text(&wasmtime.stderr), "{name}: stderr differs (left v8, right wasmtime)");
    assert_eq!(v8.outcome, wasmtime.outcome, "{name}: outcome differs");
    assert_eq!(v8.fuel_used, wasmtime.fuel_used, "{name}: fuel differs");
    assert!(!v8.stdout.is_empty() || !v8.stderr.is_empty(), "{name} printed nothing");
    Some(v8)
}

fn ends_ok(report: &RunReport) {
    assert_eq!(report.outcome.kind(), "ok", "{:?}\n{}", report.outcome, String::from_utf8_lossy(&report.stderr));
}

#[test]
fn stdio_redirected_with_dup2_and_freopen_runs_alike_in_both_engines() {
    if let Some(v8) = conformance("stdio_redirect", &[]) {
        ends_ok(&v8);
        let stderr = String::from_utf8_lossy(&v8.stderr);
        assert!(stderr.contains("into out1.txt through fd_renumber: 42"), "{stderr}");
        assert_eq!(v8.stdout, b"before any redirection\n");
    }
}

#[test]
fn file_calls_through_stdio_and_posix_run_alike_in_both_engines() {
    if let Some(v8) = conformance("files", &[]) {
        ends_ok(&v8);
        assert!(String::from_utf8_lossy(&v8.stdout).contains("input: from the host"));
    }
}

#[test]
fn directory_calls_run_alike_in_both_engines() {
    if let Some(v8) = conformance("dirs", &[]) {
        ends_ok(&v8);
    }
}

#[test]
fn arguments_and_environment_run_alike_in_both_engines() {
    if let Some(v8) = conformance("env_args", &["first arg", ""]) {
        ends_ok(&v8);
        assert!(String::from_utf8_lossy(&v8.stdout).contains("getenv GREETING: [hello world]"));
    }
}

#[test]
fn clocks_and_sleeps_run_alike_in_both_engines() {
    if let Some(v8) = conformance("clocks", &[]) {
        ends_ok(&v8);
        assert!(String::from_utf8_lossy(&v8.stdout).contains("gmtime 2020-01-01 00:00:00"));
    }
}

#[test]
fn exit_codes_and_atexit_run_alike_in_both_engines() {
    if let Some(v8) = conformance("exit_codes", &["9"]) {
        assert_eq!(v8.outcome.kind(), "exit", "{:?}", v8.outcome);
        assert!(format!("{:?}", v8.outcome).contains('9'), "{:?}", v8.outcome);
    }
}

#[test]
fn stdin_read_to_its_end_runs_alike_in_both_engines() {
    if let Some(v8) = conformance("stdin_echo", &[]) {
        ends_ok(&v8);
        assert!(String::from_utf8_lossy(&v8.stdout).contains("3: THREE WITHOUT A NEWLINE"));
    }
}

#[test]
fn random_bytes_run_alike_in_both_engines() {
    if let Some(v8) = conformance("random", &[]) {
        ends_ok(&v8);
    }
}

#[test]
fn failing_calls_give_the_same_errno_in_both_engines() {
    if let Some(v8) = conformance("errors", &[]) {
        ends_ok(&v8);
    }
}

#[test]
fn every_c_program_has_a_test() {
    let source = include_str!("wasi_conformance.rs");
    for entry in std::fs::read_dir(programs()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(source.contains(&format!("conformance(\"{name}\"")), "tests/wasi_c/{name}.c has no test");
    }
}
