use std::time::Duration;

use wasm_runner::limits::GuestLimits;
use wasm_runner::{Deterministic, Preopen, RunOutcome, RunReport, RunRequest};
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

/// Runs `module`'s `entry` in both engines as the oracle does: the same limits, arguments,
/// environment, stdin and file tree, under the deterministic mode. `None` without a scratch
/// folder.
pub fn run_module(module: Vec<u8>, entry: String) -> Option<(RunReport, RunReport)> {
    let dir = tree().ok()?;
    let guest = limits();
    let request = RunRequest {
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
    };
    Some(super::run_both("wasi", module, &guest, &request))
}

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
    let Some((v8, wasmtime)) = run_module(generated.module, entry) else {
        return Verdict::Skipped("no scratch folder");
    };
    if !comparable(&v8, &wasmtime) {
        return Verdict::Skipped("an engine ended by its own speed");
    }
    // Where a guest's bad pointer traps, where an exit ends it, what it printed and how far
    // it got agree; when both finish, so do every errno (folded into `returned`) and memory.
    let kind = |r: &RunReport| r.outcome.kind();
    assert_eq!(kind(&v8), kind(&wasmtime), "outcomes differ: v8 {:?}, wasmtime {:?}", v8.outcome, wasmtime.outcome);
    assert_eq!(v8.fuel_used, wasmtime.fuel_used, "fuel differs: {:?} vs {:?}", v8.outcome, wasmtime.outcome);
    assert!(v8.stdout == wasmtime.stdout && v8.stderr == wasmtime.stderr, "output differs: {:?} vs {:?}", v8, wasmtime);
    if let (RunOutcome::Ok { returned: a }, RunOutcome::Ok { returned: b }) = (&v8.outcome, &wasmtime.outcome) {
        assert_eq!(a, b, "the calls' errnos differ (fuzz/examples/wasi_narrow finds the call)");
        assert_eq!(v8.observed, wasmtime.observed, "the calls wrote different bytes to memory");
    }
    Verdict::Checked
}
