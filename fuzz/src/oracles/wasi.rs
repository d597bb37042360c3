use std::time::Duration;

use wasm_runner::limits::GuestLimits;
use wasm_runner::{Deterministic, Preopen, Reference, RunOutcome, RunReport, RunRequest};
use wasm_runner_testkit::compare::comparable;

use crate::generators::{first_export, wasi_program};
use crate::Verdict;

/// Small budgets, so that a guest reaches each of them within a run.
fn limits() -> GuestLimits {
    GuestLimits {
        max_fuel: 50_000_000,
        max_wall_time: Duration::from_secs(3),
        max_output_bytes: 64 * 1024,
        max_fs_bytes: 1 << 20,
        max_fs_nodes: 64,
        max_open_fds: 16,
        max_hostcall_bytes: 1 << 20,
        ..GuestLimits::default()
    }
}

/// A small tree for the guest's preopen: a file, a directory and a file in it.
fn tree() -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("f"), b"hello, file\n")?;
    std::fs::create_dir(dir.path().join("d"))?;
    std::fs::write(dir.path().join("d/g"), vec![7u8; 3000])?;
    Ok(dir)
}

/// The request every run of the oracle makes, on the tree in `dir`.
fn request(dir: &tempfile::TempDir, entry: String) -> RunRequest {
    RunRequest {
        args: vec!["fuzz".into(), "an argument".into()],
        env: vec!["A=1".into(), "EMPTY=".into()],
        stdin: b"some input\nover two lines\n".to_vec(),
        dirs: vec![Preopen { host: dir.path().to_path_buf(), guest: "/d".into() }],
        invoke: Some(entry),
        // Every byte the calls wrote is compared, through the memory's hash.
        observe: true,
        // Clocks, random bytes, timestamps, inode numbers and directory order the same in
        // both engines, so that what the calls wrote can agree.
        deterministic: Some(Deterministic::default()),
        ..Default::default()
    }
}

/// Runs `module`'s `entry` in both engines as the oracle does: the same limits, arguments,
/// environment, stdin and file tree, under the deterministic mode. `None` without a scratch
/// folder.
pub fn run_module(module: Vec<u8>, entry: String) -> Option<(RunReport, RunReport)> {
    let dir = tree().ok()?;
    Some(super::run_both("wasi", module, &limits(), &request(&dir, entry)))
}

/// The reference alone, on a fresh tree, as `run_module` runs it.
fn run_reference(module: &[u8], entry: String) -> Option<RunReport> {
    let dir = tree().ok()?;
    let reference = Reference::new().with_guest_limits(limits()).unoptimized();
    Some(reference.run(module.to_vec(), &request(&dir, entry)))
}

/// How two runs differ in what the oracle compares, first difference first: the outcome (where
/// a guest's bad pointer traps, where an exit ends it), fuel, output, and when both finish,
/// every errno (folded into `returned`) and the bytes written to memory. `None` when alike.
fn difference(a: &RunReport, b: &RunReport) -> Option<String> {
    if a.outcome.kind() != b.outcome.kind() {
        return Some(format!("outcomes differ: v8 {:?}, wasmtime {:?}", a.outcome, b.outcome));
    }
    if a.fuel_used != b.fuel_used {
        return Some(format!("fuel differs: {} vs {} ({:?} vs {:?})", a.fuel_used, b.fuel_used, a.outcome, b.outcome));
    }
    if a.stdout != b.stdout || a.stderr != b.stderr {
        return Some(format!("output differs: {a:?} vs {b:?}"));
    }
    if let (RunOutcome::Ok { returned: x }, RunOutcome::Ok { returned: y }) = (&a.outcome, &b.outcome) {
        if x != y {
            return Some(format!(
                "the calls' errnos differ (fuzz/examples/wasi_narrow finds the call): {x:?} vs {y:?}"
            ));
        }
        if a.observed != b.observed {
            return Some(format!("the calls wrote different bytes to memory: {:?} vs {:?}", a.observed, b.observed));
        }
    }
    None
}

/// Runs of the reference that must all repeat its first answer before a difference from
/// the V8 runner counts.
const REFERENCE_REPEATS: usize = 3;

/// Property: a guest calling WASI preview1 with hostile arguments (pointers past memory or
/// misaligned, huge counts and lengths, bad descriptors and paths, each call repeated up to
/// a thousand times) never ends the V8 runner or the reference in an outcome the guest
/// cannot cause (a JS error, an internal error, the heap guard), never takes the runner heap
/// past the heap model's bound (the WASI budgets at their stated costs), and ends exactly as
/// wasmtime-wasi does under the deterministic mode: the same outcome (a trap where one
/// traps), the same errno from every call, the same bytes written to memory, the same fuel,
/// stdout and stderr.
pub fn wasi(data: &[u8]) -> Verdict {
    let Ok(generated) = wasi_program(data) else { return Verdict::Skipped("no module") };
    // `run`, or whatever function a mutated corpus entry exports first.
    let Some(entry) = first_export(&generated.module) else { return Verdict::Skipped("no exported function") };
    // The request and the seeded files are fixed: the verdict is the module's.
    if !crate::repeats::first_time(&generated.module) {
        return Verdict::Skipped(crate::repeats::CHECKED_BEFORE);
    }
    let Some((v8, wasmtime)) = run_module(generated.module.clone(), entry.clone()) else {
        return Verdict::Skipped("no scratch folder");
    };
    if !comparable(&v8, &wasmtime) {
        return Verdict::Skipped("an engine ended by its own speed");
    }
    // wasmtime-wasi turns a clock subscription into a deadline in real time, whatever clock
    // the deterministic mode gives it: on a loaded machine a 2 ms clock beside a ready
    // descriptor is sometimes ready too. A difference the reference does not repeat is its
    // speed, not a rule; one it repeats every time is a finding.
    let Some(found) = difference(&v8, &wasmtime) else { return Verdict::Checked };
    for _ in 0..REFERENCE_REPEATS {
        match run_reference(&generated.module, entry.clone()) {
            Some(again) if difference(&again, &wasmtime).is_none() => {}
            Some(_) => return Verdict::Skipped("the reference answered by its own speed"),
            None => return Verdict::Skipped("no scratch folder"),
        }
    }
    panic!("{found}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A guest that writes to stdout and to its memory, and returns an errno.
    fn writer() -> Vec<u8> {
        wasm_runner_testkit::fixtures::wasm(
            r#"(module
                 (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
                 (memory (export "memory") 1)
                 (data (i32.const 16) "hello\n")
                 (func (export "run") (result i32)
                   (i32.store (i32.const 0) (i32.const 16))
                   (i32.store (i32.const 4) (i32.const 6))
                   (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))"#,
        )
    }

    #[test]
    fn the_reference_repeats_a_run_exactly() {
        let first = run_reference(&writer(), "run".into()).unwrap();
        let again = run_reference(&writer(), "run".into()).unwrap();
        assert!(matches!(first.outcome, RunOutcome::Ok { .. }), "{:?}", first.outcome);
        assert_eq!(first.stdout, b"hello\n");
        assert_eq!(difference(&first, &again), None);
    }

    #[test]
    fn runs_that_differ_only_in_what_they_printed_or_wrote_are_not_the_same() {
        let first = run_reference(&writer(), "run".into()).unwrap();
        let mut printed = first.clone();
        printed.stdout.push(b'!');
        assert!(difference(&first, &printed).is_some());
        let mut wrote = first.clone();
        wrote.observed = None;
        assert!(first.observed.is_some() && difference(&first, &wrote).is_some());
    }
}
