use wasm_runner::internals::wasm_features;
use wasm_runner::limits::GuestLimits;
use wasm_runner::{prepare, wasi_preview1, Instrumentation};

use crate::Verdict;

/// Property: raw bytes through the Rust-side checks never panic, and whatever the checks
/// accept, wasmparser accepts too, before and after instrumentation.
pub fn guest_checks(data: &[u8]) -> Verdict {
    let Ok(prepared) = prepare(data, &GuestLimits::default(), &wasi_preview1(), Instrumentation::On) else {
        // Refused without a panic: the property held.
        return Verdict::Checked;
    };
    let mut validator = wasmparser::Validator::new_with_features(wasm_features());
    assert!(validator.validate_all(data).is_ok(), "the checks accepted bytes wasmparser rejects");
    let mut validator = wasmparser::Validator::new_with_features(wasm_features());
    if let Err(e) = validator.validate_all(&prepared.bytes) {
        panic!("instrumentation produced an invalid module: {e}");
    }
    Verdict::Checked
}
