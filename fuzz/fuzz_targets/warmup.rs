//! Property: a wasm-smith module of any size warms up under default limits without ever
//! reaching the runner's heap guard and without a panic; when it does not warm up, the
//! reason is a typed guest-limit rejection or the guest's own start function (trap, fuel,
//! stack, time), never `heap_limit_exhausted`, an internal error or a JS error.
//!
//! Oracle: `wasm_runner_fuzzing::oracles::warmup`; inputs that break it belong in
//! `corpus/regressions/warmup/`, where `cargo test` replays them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasm_runner_fuzzing::oracles::warmup(data));
