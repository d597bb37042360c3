use wasm_runner::internals::{additions, inspect, instrument as instrument_alone, wasm_features};
use wasm_runner::limits::GuestLimits;
use wasm_runner::{prepare, wasi_preview1, Instrumentation, Reference, RunRequest, RunnerError};
use wasm_runner_testkit::compare::comparable;

use super::GUEST_CAUSED;
use crate::generators::{custom_sections, first_export, terminating_module, trimmed_to_entry, with_custom_sections};
use crate::Verdict;

/// Property: any valid module (with custom sections of arbitrary contents) stays valid
/// through the instrumentation, keeps its custom sections as they were, is rewritten alike
/// by the guest checks and by `instrument` alone, and with ample fuel it computes the same
/// result as the original (run in wasmtime, whose speed keeps this target fast; the V8
/// side is covered by `differential`), unless either run ended by its stack depth or its
/// speed.
pub fn instrument(data: &[u8]) -> Verdict {
    let Ok(mut generated) = terminating_module(data) else { return Verdict::Skipped("no module") };
    generated.module = with_custom_sections(&generated.module, data);
    // Everything below is a function of the module.
    if !crate::repeats::first_time(&generated.module) {
        return Verdict::Skipped(crate::repeats::CHECKED_BEFORE);
    }
    let guest = GuestLimits::default();
    let prepared = match prepare(&generated.module, &guest, &wasi_preview1(), Instrumentation::On) {
        Ok(prepared) => prepared,
        Err(RunnerError::Internal { message }) => panic!("the guest checks failed on a generated module: {message}"),
        Err(_) => return Verdict::Skipped("refused by the guest checks"),
    };
    let mut validator = wasmparser::Validator::new_with_features(wasm_features());
    if let Err(e) = validator.validate_all(&prepared.bytes) {
        panic!("instrumentation produced an invalid module: {e}");
    }
    assert_eq!(
        custom_sections(&prepared.bytes),
        custom_sections(&generated.module),
        "the instrumentation changed the custom sections"
    );
    // The guest checks rewrite bodies while validating them; instrument() alone parses them
    // itself. The two drivers of the one body meter must agree byte for byte.
    let facts = inspect(&generated.module).expect("prepare accepted the module");
    let alone = instrument_alone(&generated.module, &facts, &guest).expect("prepare instrumented the module");
    assert!(*prepared.bytes == *alone, "the validating pass and instrument() rewrote the module differently");
    // It adds exactly what the limits reserve room for, so no setting the inventory allows
    // turns a module V8 accepts into one it refuses.
    let after = inspect(&prepared.bytes).expect("the instrumented module is valid");
    let added = additions(&facts);
    let functions = |f: &wasm_runner::ModuleFacts| u64::from(f.imported_functions + f.defined_functions);
    assert_eq!(
        (
            u64::from(after.memories - facts.memories),
            u64::from(after.globals - facts.globals),
            u64::from(after.exports - facts.exports),
            functions(&after) - functions(&facts),
            u64::from(after.types - facts.types),
        ),
        (added.memories, added.globals, added.exports, added.functions, added.types),
        "the instrumentation added other than additions() says"
    );
    let Some(entry) = first_export(&generated.module) else { return Verdict::Checked };
    // The runs call one export: the other exports and the functions it cannot reach would
    // only cost the reference compile time (`trimmed_to_entry`).
    let module = trimmed_to_entry(&generated.module, &entry);
    let request = RunRequest { args: vec!["fuzz".into()], invoke: Some(entry), ..Default::default() };
    let reference = Reference::new().with_guest_limits(guest);
    let on = reference.clone().run(module.clone(), &request);
    // The reference does not implement every proposal the checks accept; the
    // instrumentation's properties held above.
    if super::lacks(&on) {
        return Verdict::Checked;
    }
    let off = reference.with_instrumentation(Instrumentation::Off).run(module, &request);
    assert!(GUEST_CAUSED.contains(&on.outcome.kind()), "the instrumented module ended as {:?}", on.outcome);
    // How deep a recursion gets before the stack runs out depends on frame sizes, and the
    // instrumentation changes them: a run that ends so is compared with nothing, as across
    // engines (`comparable`).
    if !comparable(&on, &off) {
        return Verdict::Checked;
    }
    assert_eq!(on.outcome.kind(), off.outcome.kind(), "instrumented {:?} vs original {:?}", on.outcome, off.outcome);
    assert_eq!(
        on.outcome.returned(),
        off.outcome.returned(),
        "instrumented {:?} vs original {:?}",
        on.outcome,
        off.outcome
    );
    // Memory sizes are read through the instrumentation's own exports, so an original
    // module reports none: they are compared across engines by `differential` instead.
    Verdict::Checked
}
