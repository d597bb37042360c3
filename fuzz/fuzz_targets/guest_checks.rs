//! Property: raw bytes through the Rust-side checks never panic, and whatever the checks
//! accept, wasmparser accepts too, before and after instrumentation.
//!
//! Oracle: `wasm_runner_fuzzing::oracles::guest_checks`; inputs that break it belong in
//! `corpus/regressions/guest_checks/`, where `cargo test` replays them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasm_runner_fuzzing::oracles::guest_checks(data));
