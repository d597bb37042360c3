//! `bench-gate` end to end with stand-in `wasm-runner` programs (shell scripts that print a
//! warmup report with chosen timings), so the gate's own verdicts are tested without
//! building two revisions: the same program passes, one 20% slower in its guest checks
//! fails with exit status 1, and the report is written.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A stand-in `wasm-runner`: `warmup --help` mentions `--no-cache`; `warmup --json FILE
/// --no-cache` prints a report whose guest checks take about `checks_ms` (with a little
/// noise from the shell's random numbers) and whose heap peaks are fixed.
fn program(dir: &Path, name: &str, checks_ms: u32) -> PathBuf {
    let path = dir.join(name);
    let script = format!(
        r#"#!/usr/bin/env bash
if [[ "$2" == "--help" ]]; then echo "  --no-cache  do not use the disk cache"; exit 0; fi
noise=$(( RANDOM % 5 ))
checks=$(( {checks_ms} + noise ))
cat <<JSON
{{"outcome":"ok","total_ms":$(( checks + 30 )),"phases":[
 {{"name":"bootstrap","duration_ms":1.0,"peak_used_heap_bytes":600000}},
 {{"name":"guest_checks","duration_ms":$checks,"peak_used_heap_bytes":600000}},
 {{"name":"compile","duration_ms":$(( 10 + RANDOM % 3 )),"peak_used_heap_bytes":610000}},
 {{"name":"instantiate","duration_ms":$(( 20 + RANDOM % 3 )),"peak_used_heap_bytes":700000}}]}}
JSON
"#
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn gate(base: &Path, head: &Path, out: &Path, module: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wasm-runner-stress"))
        .args(["bench-gate", "--runs", "12", "--run-id", "gate", "--base-bin"])
        .arg(base)
        .arg("--head-bin")
        .arg(head)
        .arg("--out")
        .arg(out)
        .arg("--inputs")
        .arg(module)
        .output()
        .expect("the binary runs")
}

#[test]
fn the_same_program_against_itself_passes_and_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("m.wasm");
    std::fs::write(&module, b"\0asm\x01\0\0\0").unwrap();
    let a = program(dir.path(), "a", 100);
    let output = gate(&a, &a, dir.path(), &module);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("gate/gate.json")).unwrap()).unwrap();
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "guest_checks, compile, instantiate, total");
    assert!(dir.path().join("gate/gate.md").is_file());
}

#[test]
fn guest_checks_twenty_percent_slower_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("m.wasm");
    std::fs::write(&module, b"\0asm\x01\0\0\0").unwrap();
    let (a, b) = (program(dir.path(), "a", 100), program(dir.path(), "b", 120));
    let output = gate(&a, &b, dir.path(), &module);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("gate/gate.json")).unwrap()).unwrap();
    let checks = report["rows"].as_array().unwrap().iter().find(|r| r["phase"] == "guest_checks").unwrap();
    assert_eq!(checks["verdict"], "slower");
}

#[test]
fn a_missing_base_is_a_one_line_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_wasm-runner-stress")).args(["bench-gate"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_warmup_argument_reaches_every_warmup() {
    // A stand-in that warms up only when given `--needed` (as python.wasm needs
    // `--trap-unknown-imports`).
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("m.wasm");
    std::fs::write(&module, b"\0asm\x01\0\0\0").unwrap();
    let picky = dir.path().join("picky");
    let ok = program(dir.path(), "ok", 100);
    std::fs::write(
        &picky,
        format!(
            "#!/usr/bin/env bash\nif [[ \"$2\" == \"--help\" ]]; then echo --no-cache; exit 0; fi\n\
             if [[ \" $* \" != *\" --needed \"* ]]; then echo '{{\"outcome\":\"unresolved_import\"}}'; exit 1; fi\n\
             exec {} \"$@\"\n",
            ok.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&picky, std::fs::Permissions::from_mode(0o755)).unwrap();
    let without = gate(&picky, &picky, dir.path(), &module);
    assert_eq!(without.status.code(), Some(2), "{}", String::from_utf8_lossy(&without.stderr));
    let with = Command::new(env!("CARGO_BIN_EXE_wasm-runner-stress"))
        .args(["bench-gate", "--runs", "4", "--run-id", "gate", "--warmup-arg=--needed", "--base-bin"])
        .arg(&picky)
        .arg("--head-bin")
        .arg(&picky)
        .arg("--out")
        .arg(dir.path())
        .arg("--inputs")
        .arg(&module)
        .output()
        .unwrap();
    assert_eq!(with.status.code(), Some(0), "{}", String::from_utf8_lossy(&with.stderr));
}
