//! Warmup through the library API: phases, reports, and a typed error for every bad input.

use wasm_runner::internals::run_trusted_script;
use wasm_runner::{Runner, RunnerError, RunnerLimits};
use wasm_runner_testkit::fixtures::{wasm, SMALL};

fn small_module() -> Vec<u8> {
    wasm(SMALL)
}

fn runner() -> Runner {
    Runner::new(RunnerLimits::default())
}

#[test]
fn small_module_reports_every_phase() {
    let module = small_module();
    let report = runner().warmup(module.clone()).expect("warms up");
    let names: Vec<_> = report.phases.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["bootstrap", "guest_checks", "compile", "instantiate"]);
    assert_eq!(report.module_bytes, module.len());
    assert_eq!(report.heap_limit_bytes, 2048 * 1024 * 1024);
    assert_eq!(report.module.defined_functions, 1);
    assert_eq!(report.module.exported_functions, 1);
    assert_eq!(report.module.table_initial_elements, 4);
    for phase in &report.phases {
        assert!(phase.peak_used_heap_bytes > 0, "{phase:?}");
        assert!(phase.peak_used_heap_bytes >= phase.used_heap_after_bytes, "{phase:?}");
    }
}

#[test]
fn unsatisfied_import_is_named() {
    let module = wasm(
        r#"(module
            (import "env" "log" (func (param i32)))
            (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))))"#,
    );
    // WASI preview1 is provided; env.log is not.
    let failure = runner().warmup(module).expect_err("imports cannot be satisfied");
    assert_eq!(
        failure.error,
        RunnerError::UnresolvedImport {
            module: "env".into(),
            name: "log".into(),
            import_kind: "function".into(),
            unresolved_total: 1,
            unresolved: Box::new(vec!["env.log (function)".into()]),
        }
    );
    assert_eq!(failure.error.kind(), "unresolved_import");
    assert!(failure.error.to_string().contains("env.log"));
    // Rejected before V8 compiled anything.
    assert_eq!(failure.phases.last().map(|p| p.name.as_str()), Some("guest_checks"));
}

#[test]
fn memory_import_is_named_too() {
    let module = wasm(r#"(module (import "env" "memory" (memory 1)))"#);
    let failure = runner().warmup(module).expect_err("no memory is provided");
    assert!(matches!(&failure.error, RunnerError::UnresolvedImport { import_kind, .. } if import_kind == "memory"));
}

fn assert_invalid(bytes: Vec<u8>, needle: &str) {
    let failure = runner().warmup(bytes).expect_err("invalid input is rejected");
    match &failure.error {
        RunnerError::InvalidModule { reason, .. } => {
            assert!(reason.contains(needle), "{reason:?} lacks {needle:?}")
        }
        other => panic!("expected invalid_module, got {other:?}"),
    }
    assert_eq!(failure.error.kind(), "invalid_module");
}

#[test]
fn empty_input_is_invalid() {
    assert_invalid(Vec::new(), "empty");
}

#[test]
fn short_header_is_truncated() {
    assert_invalid(b"\0asm\x01\0".to_vec(), "truncated");
}

#[test]
fn text_is_not_wasm() {
    assert_invalid(b"(module)\n".to_vec(), "magic");
}

#[test]
fn truncated_module_is_invalid() {
    let module = small_module();
    let failure = runner().warmup(module[..module.len() - 3].to_vec()).expect_err("truncated");
    assert_eq!(failure.error.kind(), "invalid_module", "{}", failure.error);
}

#[test]
fn invalid_body_is_rejected_before_v8() {
    // A function that returns nothing but claims an i32 result: wat encodes it, wasmparser
    // rejects it.
    let bytes = wasm("(module (func (result i32)))");
    let failure = runner().warmup(bytes).expect_err("type error in the body");
    assert_eq!(failure.error.kind(), "invalid_module");
    assert_eq!(failure.phases.last().map(|p| p.name.as_str()), Some("guest_checks"));
}

#[test]
fn start_function_trap_is_typed() {
    let module = wasm(r#"(module (func $s unreachable) (start $s))"#);
    let failure = runner().warmup(module).expect_err("start traps");
    assert!(matches!(&failure.error, RunnerError::Trap { phase, .. } if phase == "instantiate"), "{:?}", failure.error);
    assert!(!failure.error.to_string().contains("null"));
}

#[test]
fn failing_segment_is_a_typed_error() {
    // An active data segment past the end of memory fails at instantiation.
    let module = wasm(r#"(module (memory 1) (data (i32.const 65535) "ab"))"#);
    let failure = runner().warmup(module).expect_err("out-of-bounds segment");
    assert!(matches!(failure.error.kind(), "trap" | "link_error"), "{:?}", failure.error);
    assert!(failure.error.to_string().len() > 20, "{}", failure.error);
}

#[test]
fn many_runners_on_many_threads() {
    let threads: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(|| (0..5).for_each(|_| drop(runner().warmup(small_module()).expect("warms up")))))
        .collect();
    for t in threads {
        t.join().expect("no panic");
    }
}

#[test]
fn the_wasi_runtime_registers_every_preview1_function_it_is_given() {
    let names = run_trusted_script(&runner(), "names.js", "JSON.stringify(__wasmRunner.wasi.names)")
        .expect("the WASI runtime is bootstrapped")
        .0;
    let names: Vec<String> = serde_json::from_str(&names).unwrap();
    assert_eq!(names, wasm_runner::internals::WASI_PREVIEW1_FUNCTIONS);
}

#[test]
fn every_preview1_function_has_an_implementation_of_its_own() {
    // None falls back to ENOSYS: each answers as wasmtime-wasi answers (sockets: EBADF or
    // ENOTSOCK; tests/wasi_preview1.rs calls each in both engines).
    let names = run_trusted_script(&runner(), "unimplemented.js", "JSON.stringify(__wasmRunner.wasi.unimplemented)")
        .expect("the WASI runtime is bootstrapped")
        .0;
    let names: Vec<String> = serde_json::from_str(&names).unwrap();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn a_start_function_that_exits_is_a_typed_guest_exit() {
    let module = wasm(
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (func $s (call $exit (i32.const 4))) (start $s))"#,
    );
    let failure = runner().warmup(module).expect_err("the start function exits");
    assert_eq!(failure.error, RunnerError::GuestExited { phase: "instantiate".into(), code: 4 });
}

#[test]
fn a_module_that_imports_no_wasi_function_starts_without_the_wasi_runtime() {
    // The WASI runtime's JS is most of what a runner context holds (about 200 KiB of
    // heap); a module that cannot call it runs on an isolate made without it.
    let after_bootstrap = |module: Vec<u8>| {
        let report = runner().warmup(module).expect("warms up");
        report.phases.iter().find(|p| p.name == "bootstrap").expect("a bootstrap phase").used_heap_after_bytes
    };
    let with_wasi =
        after_bootstrap(wasm(r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))"#));
    let alone = after_bootstrap(small_module());
    assert!(alone + (64 << 10) < with_wasi, "bootstrap heap: {alone} bytes alone, {with_wasi} with the WASI runtime");
}

#[test]
fn runner_contexts_leave_out_the_js_features_v8_would_install_into_each() {
    // `--no-js-shipping` (a default the operator may override): V8 installs these into
    // every new context rather than keeping them in the snapshot.
    let seen = run_trusted_script(&runner(), "features.js", "[typeof DisposableStack, typeof Float16Array].join()")
        .expect("the script runs")
        .0;
    assert_eq!(seen, "undefined,undefined");
}
