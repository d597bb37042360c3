use wasm_runner::guest::{
    inspect, instrument as instrument_alone, prepare, wasm_features, Instrumentation, ProvidedImports,
};
use wasm_runner::limits::GuestLimits;
use wasm_runner::{reference, RunRequest};

use super::returned;
use crate::generators::{first_export, terminating_module};

/// Property: any valid module stays valid through the instrumentation, is rewritten alike
/// by the guest checks and by `instrument` alone, and with ample
/// fuel it computes the same result as the original (run in wasmtime, whose speed keeps
/// this target fast; the V8 side is covered by `differential`).
pub fn instrument(data: &[u8]) {
    let Ok(generated) = terminating_module(data) else { return };
    let guest = GuestLimits::default();
    let Ok(prepared) = prepare(&generated.module, &guest, &ProvidedImports::wasi_preview1()) else { return };
    let mut validator = wasmparser::Validator::new_with_features(wasm_features());
    if let Err(e) = validator.validate_all(&prepared.bytes) {
        panic!("instrumentation produced an invalid module: {e}");
    }
    // The guest checks rewrite bodies while validating them; instrument() alone parses them
    // itself. The two drivers of the one body rewriter must agree byte for byte.
    let facts = inspect(&generated.module).expect("prepare accepted the module");
    let alone = instrument_alone(&generated.module, &facts, &guest).expect("prepare instrumented the module");
    assert!(*prepared.bytes == *alone, "the validating pass and instrument() rewrote the module differently");
    let Some(entry) = first_export(&generated.module) else { return };
    let request = RunRequest { args: vec!["fuzz".into()], invoke: Some(entry), ..Default::default() };
    let on = reference::run_with(&generated.module, &guest, &request, Instrumentation::On);
    let off = reference::run_with(&generated.module, &guest, &request, Instrumentation::Off);
    assert_eq!(on.outcome.kind(), off.outcome.kind(), "instrumented {:?} vs original {:?}", on.outcome, off.outcome);
    assert_eq!(returned(&on), returned(&off), "instrumented {:?} vs original {:?}", on.outcome, off.outcome);
    // Memory sizes are read through the instrumentation's own exports, so an original
    // module reports none: they are compared across engines by `differential` instead.
}
