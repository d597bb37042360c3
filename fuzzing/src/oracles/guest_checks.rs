use wasm_runner::guest::{prepare, wasm_features, ProvidedImports};
use wasm_runner::limits::GuestLimits;

/// Property: raw bytes through the Rust-side checks never panic, and whatever the checks
/// accept, wasmparser accepts too, before and after instrumentation.
pub fn guest_checks(data: &[u8]) {
    let Ok(prepared) = prepare(data, &GuestLimits::default(), &ProvidedImports::wasi_preview1()) else { return };
    let mut validator = wasmparser::Validator::new_with_features(wasm_features());
    assert!(validator.validate_all(data).is_ok(), "the checks accepted bytes wasmparser rejects");
    let mut validator = wasmparser::Validator::new_with_features(wasm_features());
    if let Err(e) = validator.validate_all(&prepared.bytes) {
        panic!("instrumentation produced an invalid module: {e}");
    }
}
