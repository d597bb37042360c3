//! Property: under small arbitrary guest limits, a run never ends with linear memory above
//! the cap or fuel used above the limit, and always ends in one of the typed outcomes
//! (never `heap_limit_exhausted`, `termination_lost`, an internal or a JS error).
//!
//! Oracle: `wasm_runner_fuzzing::oracles::guest_limits`; inputs that break it belong in
//! `corpus/regressions/guest_limits/`, where `cargo test` replays them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasm_runner_fuzzing::oracles::guest_limits(data));
