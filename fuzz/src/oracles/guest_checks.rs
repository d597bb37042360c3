use wasm_runner::internals::wasm_features;
use wasm_runner::limits::GuestLimits;
use wasm_runner::{prepare, wasi_preview1, Instrumentation, RunnerError};

use crate::Verdict;

/// Property: raw bytes through the Rust-side checks never panic; the checks call a module
/// invalid exactly when wasmparser does, with wasmparser's reason and offset (the checks
/// validate each instruction through their own visitor, which keeps its own view of the
/// control frames); and what they accept stays valid after instrumentation.
pub fn guest_checks(data: &[u8]) -> Verdict {
    let prepared = prepare(data, &GuestLimits::default(), &wasi_preview1(), Instrumentation::On);
    let reference = wasmparser::Validator::new_with_features(wasm_features()).validate_all(data);
    match (&prepared, &reference) {
        // Bytes that are not a core module's header get the checks' own plainer reason.
        (Err(RunnerError::InvalidModule { reason, offset }), Err(e)) if data.starts_with(b"\0asm\x01\0\0\0") => {
            assert_eq!((reason.as_str(), *offset), (e.message(), e.offset()), "the checks' reason is not wasmparser's");
        }
        (Err(RunnerError::InvalidModule { reason, offset }), Ok(_)) => {
            panic!("the checks refused a module wasmparser accepts: {reason} at {offset}")
        }
        (Ok(_), Err(e)) => panic!("the checks accepted bytes wasmparser rejects: {e}"),
        // Refused for a limit or an import, without a panic: the property held.
        (Err(_), _) | (Ok(_), Ok(_)) => {}
    }
    if let Ok(prepared) = prepared {
        let mut validator = wasmparser::Validator::new_with_features(wasm_features());
        if let Err(e) = validator.validate_all(&prepared.bytes) {
            panic!("instrumentation produced an invalid module: {e}");
        }
    }
    Verdict::Checked
}
