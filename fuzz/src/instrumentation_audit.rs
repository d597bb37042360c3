//! The rustc wrapper (`tools/fuzz-rustc/rustc-wrapper`, named by `.cargo/config.toml`) that
//! narrows cargo-fuzz's coverage instrumentation: run on a stand-in rustc that prints its
//! arguments, it must leave ordinary builds and the runtime's crates alone, take all coverage
//! from the reference engine's crates and the hash functions, and only comparison tracing
//! from wasm-smith.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const WRAPPER: &str = "tools/fuzz-rustc/rustc-wrapper";

/// What cargo-fuzz 0.13 adds to RUSTFLAGS (`-s none`, Linux).
const FUZZ_FLAGS: &[&str] = &[
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "--cfg",
    "fuzzing",
    "-Cllvm-args=-simplifycfg-branch-fold-threshold=0",
    "-Cllvm-args=-sanitizer-coverage-stack-depth",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The arguments the wrapper hands to rustc for `crate_name` with `flags`.
fn passed_on(crate_name: &str, flags: &[&str]) -> Vec<String> {
    let out = Command::new(repo().join(WRAPPER))
        .arg("/bin/echo")
        .args(["--crate-name", crate_name, "--edition=2021", "src/lib.rs"])
        .args(flags)
        .output()
        .expect("the wrapper runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().map(str::to_string).collect()
}

fn expected(crate_name: &str, flags: &[&str]) -> Vec<String> {
    ["--crate-name", crate_name, "--edition=2021", "src/lib.rs"].iter().chain(flags).map(|s| s.to_string()).collect()
}

#[test]
fn the_cargo_config_names_the_wrapper_and_it_is_executable() {
    let config = std::fs::read_to_string(repo().join(".cargo/config.toml")).unwrap();
    assert!(config.contains(&format!("rustc-wrapper = \"{WRAPPER}\"")), "{config}");
    let mode = std::fs::metadata(repo().join(WRAPPER)).unwrap().permissions().mode();
    assert!(mode & 0o111 != 0, "the wrapper is executable");
}

#[test]
fn outside_a_fuzz_build_every_crate_is_compiled_as_cargo_asks() {
    for name in ["wasmtime", "cranelift_codegen", "wasm_smith", "wasm_runner"] {
        let flags = ["-Copt-level=3", "-Cllvm-args=-sanitizer-coverage-level=4"];
        assert_eq!(passed_on(name, &flags), expected(name, &flags), "{name}");
    }
}

#[test]
fn the_reference_engine_s_crates_get_no_coverage_instrumentation() {
    let kept = ["--cfg", "fuzzing", "-Cllvm-args=-simplifycfg-branch-fold-threshold=0"];
    for name in ["wasmtime", "wasmtime_internal_cranelift", "cranelift_codegen", "regalloc2", "pulley_interpreter"] {
        assert_eq!(passed_on(name, FUZZ_FLAGS), expected(name, &kept), "{name}");
    }
}

#[test]
fn the_hash_functions_get_no_coverage_instrumentation() {
    let kept = ["--cfg", "fuzzing", "-Cllvm-args=-simplifycfg-branch-fold-threshold=0"];
    for name in ["blake3", "crc32fast", "sha2"] {
        assert_eq!(passed_on(name, FUZZ_FLAGS), expected(name, &kept), "{name}");
    }
}

#[test]
fn wasm_smith_keeps_edge_coverage_without_comparison_tracing() {
    let kept: Vec<&str> =
        FUZZ_FLAGS.iter().copied().filter(|f| *f != "-Cllvm-args=-sanitizer-coverage-trace-compares").collect();
    assert_eq!(passed_on("wasm_smith", FUZZ_FLAGS), expected("wasm_smith", &kept));
}

#[test]
fn the_runtime_and_its_parsers_are_instrumented_as_cargo_fuzz_asks() {
    for name in ["wasm_runner", "wasm_runner_fuzz", "wasmparser", "wasm_encoder", "warmup"] {
        assert_eq!(passed_on(name, FUZZ_FLAGS), expected(name, FUZZ_FLAGS), "{name}");
    }
}
