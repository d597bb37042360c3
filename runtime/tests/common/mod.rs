//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::process::Command;
use std::time::Duration;

use wasm_runner::runner::child::{run_child, ChildReport};

pub const MIB: usize = 1024 * 1024;

/// A self-contained module: one memory, one table, one exported function.
pub fn small_module() -> Vec<u8> {
    wat::parse_str(
        r#"(module
            (memory 1)
            (table 4 funcref)
            (func $answer (export "answer") (result i32) i32.const 42)
            (elem (i32.const 0) $answer))"#,
    )
    .expect("test module parses")
}

/// Resident set size of this process, from /proc.
pub fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm is readable");
    let pages: usize =
        statm.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("statm has a resident field");
    pages * 4096
}

/// The env var that tells a re-executed test binary which child case to run.
pub const CHILD_CASE_ENV: &str = "WASM_RUNNER_TEST_CHILD_CASE";

/// Re-runs this test binary as a child process that runs only `test_name` with
/// `CHILD_CASE_ENV=case`, plus `env`, and waits at most `deadline`.
pub fn run_child_case(test_name: &str, case: &str, env: &[(&str, &str)], deadline: Duration) -> ChildReport {
    let exe = std::env::current_exe().expect("test binary path");
    let mut command = Command::new(exe);
    command.args(["--exact", test_name, "--nocapture", "--test-threads=1"]).env(CHILD_CASE_ENV, case);
    for (k, v) in env {
        command.env(k, v);
    }
    run_child(command, deadline)
}

/// The child case this process was started for, if any.
pub fn child_case() -> Option<String> {
    std::env::var(CHILD_CASE_ENV).ok()
}
