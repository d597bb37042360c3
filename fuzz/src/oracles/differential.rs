use wasm_runner::limits::GuestLimits;
use wasm_runner::{Deterministic, RunRequest};
use wasm_runner_testkit::compare::{comparable, differences, Values};

use crate::generators::{first_export, terminating_module, trimmed_to_entry};
use crate::Verdict;

/// Property: a terminating module run in the V8 runner and in the wasmtime reference, both
/// through the `Engine` trait under the same guest limits, ends the same way: the same
/// outcome, the same integer results, the same final linear memory size and contents hash,
/// the same exported globals, the same fuel use and the same stdout; and the V8 run's
/// runner heap stays within the heap model's bound.
///
/// Non-determinism is handled as wasmtime's own differential oracle does: stack overflow
/// depends on each engine's frame sizes and a timeout on its speed, so such a case is
/// compared by kind only when both end that way, and skipped otherwise; NaN bit patterns
/// are made canonical by the generator, and floats are compared within an engine only
/// (each engine prints them its own way).
pub fn differential(data: &[u8]) -> Verdict {
    let Ok(generated) = terminating_module(data) else { return Verdict::Skipped("no module") };
    // The request and the limits below are fixed, so the verdict is the module's alone.
    if !crate::repeats::first_time(&generated.module) {
        return Verdict::Skipped(crate::repeats::CHECKED_BEFORE);
    }
    let Some(entry) = first_export(&generated.module) else { return Verdict::Skipped("no exported function") };
    let module = trimmed_to_entry(&generated.module, &entry);
    let guest = GuestLimits { max_fuel: 100_000_000, ..GuestLimits::default() };
    let request = RunRequest {
        args: vec!["fuzz".into()],
        invoke: Some(entry),
        observe: true,
        deterministic: Some(Deterministic::default()),
        ..Default::default()
    };
    let (v8, wasmtime) = super::run_both("differential", module, &guest, &request);
    if super::lacks(&wasmtime) {
        return Verdict::Skipped(super::ENGINE_LACKS);
    }
    if !comparable(&v8, &wasmtime) {
        return Verdict::Skipped("an engine ended by its own speed or stack depth");
    }
    let differences = differences(&v8, &wasmtime, Values::Integers);
    assert!(differences.is_empty(), "the engines differ:\n{}", differences.join("\n"));
    Verdict::Checked
}
