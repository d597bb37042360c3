use arbitrary::Unstructured;
use wasm_runner::{RunRequest, Runner, RunnerLimits};

use super::GUEST_CAUSED;
use crate::corpus::stored_input;
use crate::generators::{first_export, small_guest_limits, terminating_module};
use crate::Verdict;

/// Property: under small arbitrary guest limits, a run never ends with linear memory above
/// the cap or fuel used above the limit, and always ends in an outcome the guest can cause
/// (never `heap_limit_exhausted`, `termination_lost`, an internal or a JS error), with the
/// runner heap within the heap model's bound.
pub fn guest_limits(data: &[u8]) -> Verdict {
    // Limits come from the start of the fuzz input (stored in corpus entries); the module
    // from the rest, or from the corpus entry itself.
    let input = stored_input(data).unwrap_or(data);
    let mut u = Unstructured::new(input);
    let Ok(guest) = small_guest_limits(&mut u) else { return Verdict::Skipped("no limits") };
    let module_source = if stored_input(data).is_some() { data } else { u.take_rest() };
    let Ok(generated) = terminating_module(module_source) else { return Verdict::Skipped("no module") };
    let Some(entry) = first_export(&generated.module) else { return Verdict::Skipped("no exported function") };
    let request = RunRequest { args: vec!["fuzz".into()], invoke: Some(entry), ..Default::default() };
    let module_bytes = generated.module.len();
    let report = Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone()).run(generated.module, &request);
    crate::heap::check_run(&report, "guest_limits", module_bytes);
    assert!(
        report.memory_bytes <= guest.max_memory_bytes,
        "linear memory {} above the cap {}",
        report.memory_bytes,
        guest.max_memory_bytes
    );
    assert!(report.fuel_used <= guest.fuel(), "fuel used {} above the limit {}", report.fuel_used, guest.fuel());
    let kind = report.outcome.kind();
    assert!(GUEST_CAUSED.contains(&kind), "untyped outcome {kind}: {:?}", report.outcome);
    Verdict::Checked
}
