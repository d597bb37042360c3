//! Property: any valid module stays valid through the instrumentation, and with ample
//! fuel it computes the same result as the original (run in wasmtime, whose speed keeps
//! this target fast; the V8 side is covered by `differential`).
//!
//! Oracle: `wasm_runner_fuzzing::oracles::instrument`; inputs that break it belong in
//! `corpus/regressions/instrument/`, where `cargo test` replays them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasm_runner_fuzzing::oracles::instrument(data));
