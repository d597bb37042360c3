//! Real WASI programs nobody here wrote (corpus/real/fetch.sh puts them in the cache):
//! graphviz.wasm and python.wasm, in the V8 runner and the wasmtime reference, byte for
//! byte. Without the cache they are skipped with a message, and under `CI=true` they fail:
//! `.ci/run` fetches it first.

use wasm_runner::{GuestLimits, Preopen, Reference, RunOutcome, RunReport, RunRequest, Runner, RunnerLimits};
use wasm_runner_testkit::driver::{add_driver, Driver, DriverArg, DriverOutput};
use wasm_runner_testkit::real::require as cache;

fn runner() -> Runner {
    Runner::new(RunnerLimits::default()).with_guest_limits(GuestLimits::default())
}

fn assert_same(v8: &RunReport, wasmtime: &RunReport) {
    assert_eq!(v8.outcome, wasmtime.outcome, "outcomes differ; v8 stderr: {}", String::from_utf8_lossy(&v8.stderr));
    assert!(v8.stdout == wasmtime.stdout, "stdout differs:\nv8: {:?}\nwasmtime: {:?}", v8.stdout, wasmtime.stdout);
    assert_eq!(v8.stderr, wasmtime.stderr);
}

fn graphviz_driver(dot: &str) -> Driver {
    Driver {
        export: "graphviz_render".into(),
        args: vec![
            DriverArg::CString(dot.as_bytes().to_vec()),
            DriverArg::CString(b"svg".to_vec()),
            DriverArg::CString(b"dot".to_vec()),
            DriverArg::OutBuffer(4),
        ],
        output: DriverOutput::PointerWithLengthIn(3),
        entry: "drive".into(),
    }
}

#[test]
fn graphviz_renders_dot_to_svg_like_wasmtime() {
    let Some(cache) = cache("graphviz_renders_dot_to_svg_like_wasmtime") else { return };
    let module = std::fs::read(cache.join("graphviz.wasm")).unwrap();
    let driven = add_driver(&module, &graphviz_driver("digraph G { a -> b; b -> c; a -> c; }")).unwrap();
    let request = RunRequest { args: vec!["graphviz".into()], invoke: Some("drive".into()), ..Default::default() };
    let v8 = runner().run(driven.clone(), &request);
    assert_eq!(v8.outcome.kind(), "ok", "{:?}", v8.outcome);
    wasm_runner_testkit::heap::assert_run_within_bound(&v8, "graphviz.wasm");
    let svg = String::from_utf8_lossy(&v8.stdout);
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "not SVG: {svg:.300}");
    for node in ["<title>a</title>", "<title>b</title>", "<title>a&#45;&gt;c</title>"] {
        assert!(svg.contains(node), "{node} missing from {svg:.2000}");
    }
    let wasmtime = Reference::new().run(driven.clone(), &request);
    assert_same(&v8, &wasmtime);
}

#[test]
fn graphviz_reports_a_bad_graph_as_a_trap_in_both_engines() {
    let Some(cache) = cache("graphviz_reports_a_bad_graph_as_a_trap_in_both_engines") else { return };
    let module = std::fs::read(cache.join("graphviz.wasm")).unwrap();
    let driven = add_driver(&module, &graphviz_driver("digraph { a -> }")).unwrap();
    let request = RunRequest { invoke: Some("drive".into()), ..Default::default() };
    let v8 = runner().run(driven.clone(), &request);
    assert_eq!(v8.outcome.kind(), "trap", "{:?}", v8.outcome);
    let wasmtime = Reference::new().run(driven.clone(), &request);
    assert_eq!(wasmtime.outcome.kind(), "trap");
    assert_eq!(v8.stdout, wasmtime.stdout);
}

fn python_request(cache: &std::path::Path, code: &str) -> RunRequest {
    RunRequest {
        args: ["/usr/local/bin/python.wasm", "-c", code].map(String::from).to_vec(),
        invoke: Some("run".into()),
        dirs: vec![Preopen { host: cache.join("python-lib"), guest: "/usr/local/lib".into() }],
        trap_unknown_imports: true,
        ..Default::default()
    }
}

#[test]
fn python_prints_42_like_wasmtime() {
    let Some(cache) = cache("python_prints_42_like_wasmtime") else { return };
    let module = std::fs::read(cache.join("python.wasm")).unwrap();
    let request = python_request(&cache, "print(6*7)");
    let v8 = runner().run(module.clone(), &request);
    assert_eq!(v8.outcome, RunOutcome::Ok { returned: vec!["0".into()] }, "{}", String::from_utf8_lossy(&v8.stderr));
    assert_eq!(v8.stdout, b"42\n");
    let wasmtime = Reference::new().run(module.clone(), &request);
    assert_same(&v8, &wasmtime);
}

/// The file-system calls CPython makes for ordinary file work, in both engines.
#[test]
fn python_file_work_matches_wasmtime() {
    let Some(cache) = cache("python_file_work_matches_wasmtime") else { return };
    let module = std::fs::read(cache.join("python.wasm")).unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("input.txt"), "line one\nline two\n").unwrap();
    std::fs::create_dir(work.path().join("sub")).unwrap();
    std::fs::write(work.path().join("sub/deep.bin"), [0u8, 1, 2, 255]).unwrap();
    let code = r#"
import os
os.chdir('/work')
print(sorted(os.listdir('.')), sorted(os.listdir('sub')))
print(open('input.txt').read().splitlines())
print(list(open('sub/deep.bin', 'rb').read()), os.stat('sub/deep.bin').st_size)
with open('out.txt', 'w') as f:
    f.write('abc' * 1000)
with open('out.txt', 'r+b') as f:
    f.seek(2990); f.write(b'XYZ'); f.seek(-5, 2); print(f.read())
os.mkdir('made'); os.rename('out.txt', 'made/moved.txt')
print(sorted(os.listdir('made')), os.path.getsize('made/moved.txt'), os.path.exists('out.txt'))
os.remove('made/moved.txt'); os.rmdir('made')
print(sorted(os.listdir('.')), os.path.isdir('sub'), os.path.isfile('input.txt'))
try:
    open('missing.txt')
except FileNotFoundError as e:
    print('missing', e.errno)
try:
    os.rmdir('sub')
except OSError as e:
    print('not empty', type(e).__name__)
"#;
    let mut request = python_request(&cache, code);
    request.dirs.push(Preopen { host: work.path().to_path_buf(), guest: "/work".into() });
    let v8 = runner().run(module.clone(), &request);
    assert_eq!(v8.outcome.kind(), "ok", "{:?} {}", v8.outcome, String::from_utf8_lossy(&v8.stderr));
    let wasmtime = Reference::new().run(module.clone(), &request);
    assert_same(&v8, &wasmtime);
    // Guest writes stay in the guest's copy.
    assert!(!work.path().join("made").exists() && !work.path().join("out.txt").exists());
}

/// A script over json, re, hashlib, zlib, decimal, a file tree, random, time, hash
/// randomisation and numpy (python.wasm ships it), under the deterministic mode: the same
/// output and the same fuel in both engines, and from one run to the next.
const PYTHON_LIBRARIES: &str = r#"
import json, re, hashlib, zlib, decimal, os, random, time
import numpy as np
os.chdir('/work')
data = {'a': [1, 2.5, None, True], 'b': {'c': 'u'}}
text = json.dumps(data, sort_keys=True)
print(text, json.loads(text) == data)
print(re.findall(r'(\w+)@(\w+)\.com', 'x@y.com, z@w.com'))
print(hashlib.sha256(b'wasm').hexdigest()[:16], zlib.crc32(zlib.compress(b'a' * 1000)))
decimal.getcontext().prec = 30
print(decimal.Decimal(1) / decimal.Decimal(7))
os.makedirs('tree/a/b', exist_ok=True)
for i in range(3):
    with open(f'tree/a/f{i}.txt', 'w') as f:
        f.write(str(i) * (i + 1))
print([(d, sorted(fs)) for d, _, fs in sorted(os.walk('tree'))])
print(os.listdir('tree/a'), os.stat('tree/a/f2.txt').st_size)
print(random.random(), time.time(), hash('abc') % 1000)
a = np.arange(12).reshape(3, 4)
print(a.sum(axis=0), round(float(np.linalg.det(np.array([[2.0, 1.0], [1.0, 3.0]]))), 6))
"#;

#[test]
fn python_with_its_libraries_and_numpy_runs_identically_in_both_engines_under_the_deterministic_mode() {
    let test = "python_with_its_libraries_and_numpy_runs_identically_in_both_engines_under_the_deterministic_mode";
    let Some(cache) = cache(test) else { return };
    let module = std::fs::read(cache.join("python.wasm")).unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut request = python_request(&cache, PYTHON_LIBRARIES);
    request.dirs.push(Preopen { host: work.path().to_path_buf(), guest: "/work".into() });
    request.deterministic = Some(wasm_runner::Deterministic { seed: 3 });
    let v8 = runner().run(module.clone(), &request);
    assert_eq!(v8.outcome.kind(), "ok", "{:?} {}", v8.outcome, String::from_utf8_lossy(&v8.stderr));
    let stdout = String::from_utf8_lossy(&v8.stdout);
    assert!(stdout.contains("0.142857142857142857142857142857") && stdout.contains("[12 15 18 21] 5.0"), "{stdout}");
    assert!(stdout.contains(" 1577836800."), "time.time() reads the virtual clock: {stdout}");
    let again = runner().run(module.clone(), &request);
    assert_eq!((&again.stdout, again.fuel_used), (&v8.stdout, v8.fuel_used), "a second V8 run differs");
    let wasmtime = Reference::new().run(module, &request);
    assert_same(&v8, &wasmtime);
    assert_eq!(v8.fuel_used, wasmtime.fuel_used, "fuel differs between the engines");
    eprintln!("python.wasm under the deterministic mode: {} units of fuel in both engines", v8.fuel_used);
}

#[test]
fn python_names_its_unknown_import_exactly() {
    let Some(cache) = cache("python_names_its_unknown_import_exactly") else { return };
    let module = std::fs::read(cache.join("python.wasm")).unwrap();
    // python.wasm imports host.call beyond WASI: a plain warmup names it exactly.
    let err = runner().warmup(module).unwrap_err();
    assert_eq!(err.error.kind(), "unresolved_import");
    assert!(err.error.to_string().contains("host.call (function)"), "{}", err.error);
}

#[test]
fn python_runs_under_default_limits_far_below_the_runner_cap() {
    let Some(cache) = cache("python_runs_under_default_limits_far_below_the_runner_cap") else { return };
    let module = std::fs::read(cache.join("python.wasm")).unwrap();
    let report = runner().run(module, &python_request(&cache, "pass"));
    assert_eq!(report.outcome.kind(), "ok", "{:?}", report.outcome);
    wasm_runner_testkit::heap::assert_run_within_bound(&report, "python.wasm");
    for phase in &report.phases {
        assert!(
            phase.peak_used_heap_bytes < 128 << 20,
            "{} peaked at {} bytes",
            phase.name,
            phase.peak_used_heap_bytes
        );
    }
}
