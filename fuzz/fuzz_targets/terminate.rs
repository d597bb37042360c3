//! Property: a guest whose loops never exit, run with fuel out of the way (the largest
//! fuel budget) and a 200 ms wall-time limit, always ends: as `timeout` when it spins, or
//! on its own terms (a trap, stack exhaustion, returning when it never enters a loop),
//! within `STOP_BOUND` (5 s) of the deadline, and never as `termination_lost`. A run that
//! does not end at all is libFuzzer's `-timeout` crash, with the input saved.
//!
//! Oracle: `wasm_runner_fuzzing::oracles::terminate`; inputs that break it belong in
//! `corpus/regressions/terminate/`, where `cargo test` replays them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasm_runner_fuzzing::oracles::terminate(data));
