//! The `wasi` fuzz target: its property is stated in `wasm_runner_fuzz::TARGETS` and
//! fuzz/README.md; inputs that break it belong in `corpus/regressions/wasi/`, where
//! `cargo test -p wasm-runner-fuzz` replays them.
#![no_main]

use libfuzzer_sys::{fuzz_target, Corpus};

wasm_runner_fuzz::sanitizer_defaults!();
wasm_runner_fuzz::heap_guided_mutator!();

fuzz_target!(init: wasm_runner_fuzz::libfuzzer_flags::apply_defaults(), |data: &[u8]| -> Corpus {
    wasm_runner_fuzz::repeats::skip_repeats_on_this_thread();
    let started = std::time::Instant::now();
    let verdict = wasm_runner_fuzz::oracles::wasi(data);
    wasm_runner_fuzz::elites::offer(data, started.elapsed());
    match verdict {
        wasm_runner_fuzz::Verdict::Checked => Corpus::Keep,
        wasm_runner_fuzz::Verdict::Skipped(_) => Corpus::Reject,
    }
});
