//! The stress binary's commands: usage errors, synth, and compare on real run folders.

use std::process::{Command, Output};

fn stress(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm-runner-stress")).args(args).output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn an_unknown_scenario_is_a_usage_error_naming_the_known_ones() {
    let out = stress(&["nightly", "--profile", "ci", "--only", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("size_sweep") && stderr(&out).contains("\"nope\""), "{}", stderr(&out));
}

#[test]
fn synth_writes_a_preset_and_refuses_an_unknown_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.wasm");
    let out = stress(&["synth", "--preset", "exports-100k", "-o", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\0asm") && bytes.len() > 100_000);
    let out = stress(&["synth", "--preset", "nope", "-o", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("code-100mb"), "{}", stderr(&out));
}

#[test]
fn a_run_writes_its_report_and_compare_flags_a_worse_copy() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = stress(&["nightly", "--profile", "ci", "--only", "production_bug", "--out", out_dir, "--run-id", "a"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let run = dir.path().join("a");
    for file in ["summary.json", "summary.md"] {
        assert!(run.join(file).is_file(), "{file} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["verdict"], "pass");
    let scenario = &summary["scenarios"][0];
    assert_eq!(scenario["name"], "production_bug");
    assert!(scenario["metrics"]["production-bug_peak_mib"].as_f64().unwrap() > 128.0);

    // The same run against itself: no regression.
    let same = stress(&["compare", run.to_str().unwrap(), run.to_str().unwrap()]);
    assert!(same.status.success(), "{}", String::from_utf8_lossy(&same.stdout));
    // A copy whose peak doubled and whose verdict flipped: both flagged, exit 1.
    let mut worse = summary.clone();
    let peak = worse["scenarios"][0]["metrics"]["production-bug_peak_mib"].as_f64().unwrap();
    worse["scenarios"][0]["metrics"]["production-bug_peak_mib"] = serde_json::json!(peak * 2.0);
    worse["scenarios"][0]["verdict"] = serde_json::json!("fail");
    let worse_path = dir.path().join("worse.json");
    std::fs::write(&worse_path, serde_json::to_string(&worse).unwrap()).unwrap();
    let flagged = stress(&["compare", run.to_str().unwrap(), worse_path.to_str().unwrap()]);
    assert_eq!(flagged.status.code(), Some(1));
    let text = String::from_utf8_lossy(&flagged.stdout);
    assert!(text.contains("NEWLY FAILING  production_bug") && text.contains("production-bug_peak_mib"), "{text}");
}

#[test]
fn compare_names_an_unreadable_report() {
    let out = stress(&["compare", "/nonexistent/a", "/nonexistent/b"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/a"), "{}", stderr(&out));
}

#[test]
fn a_reader_that_goes_away_ends_the_job_without_a_panic() {
    // `wasm-runner-stress synth --list | head -c 0`: stdout's reader is gone before the
    // list is written (closed before the binary starts, so always).
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_wasm-runner-stress"))
        .args(["synth", "--list"])
        .stdout(writer)
        .output()
        .expect("the binary runs");
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(141), "as a tool ended by SIGPIPE reports");
}
