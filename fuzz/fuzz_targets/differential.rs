//! Property: a terminating module run in the V8 runner and in the wasmtime reference under
//! the same guest limits ends the same way: the same outcome class, the same integer
//! results, the same final linear memory size and the same fuel use.
//!
//! Non-determinism is handled as wasmtime's own differential oracle does: stack overflow
//! depends on each engine's frame sizes, so a case where either engine exhausted its stack
//! is skipped; NaN bit patterns are made canonical by the generator, and floats are
//! compared within an engine only (each engine prints them its own way); a case where
//! either engine hit its wall-time limit is skipped (speed differs).
//!
//! Oracle: `wasm_runner_fuzzing::oracles::differential`; inputs that break it belong in
//! `corpus/regressions/differential/`, where `cargo test` replays them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasm_runner_fuzzing::oracles::differential(data));
