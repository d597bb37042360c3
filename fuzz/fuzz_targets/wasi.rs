//! The `wasi` fuzz target: its property is stated in `wasm_runner_fuzz::TARGETS` and
//! fuzz/README.md; inputs that break it belong in `corpus/regressions/wasi/`, where
//! `cargo test -p wasm-runner-fuzz` replays them.
#![no_main]

use libfuzzer_sys::{fuzz_target, Corpus};

wasm_runner_fuzz::sanitizer_defaults!();
wasm_runner_fuzz::heap_guided_mutator!();

fuzz_target!(init: wasm_runner_fuzz::libfuzzer_flags::apply_defaults(), |data: &[u8]| -> Corpus {
    wasm_runner_fuzz::fuzz("wasi", data)
});
