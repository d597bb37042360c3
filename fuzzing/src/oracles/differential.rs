use wasm_runner::limits::GuestLimits;
use wasm_runner::{reference, RunRequest, Runner, RunnerLimits};

use super::{returned, same_integers};
use crate::generators::{first_export, terminating_module};

/// Property: a terminating module run in the V8 runner and in the wasmtime reference under
/// the same guest limits ends the same way: the same outcome class, the same integer
/// results, the same final linear memory size and contents hash, the same exported
/// globals, the same fuel use and the same stdout.
///
/// Non-determinism is handled as wasmtime's own differential oracle does: stack overflow
/// depends on each engine's frame sizes, so a case where either engine exhausted its stack
/// is skipped; NaN bit patterns are made canonical by the generator, and floats are
/// compared within an engine only (each engine prints them its own way); a case where
/// either engine hit its wall-time limit is skipped (speed differs).
pub fn differential(data: &[u8]) {
    let Ok(generated) = terminating_module(data) else { return };
    let Some(entry) = first_export(&generated.module) else { return };
    let guest = GuestLimits { max_fuel: 100_000_000, ..GuestLimits::default() };
    let request = RunRequest { args: vec!["fuzz".into()], invoke: Some(entry), observe: true, ..Default::default() };
    let v8 =
        Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone()).run(generated.module.clone(), &request);
    let wt = reference::run(&generated.module, &guest, &request);
    let nondeterministic = ["stack_exhausted", "timeout"];
    if nondeterministic.contains(&v8.outcome.kind()) || nondeterministic.contains(&wt.outcome.kind()) {
        return;
    }
    assert_eq!(v8.outcome.kind(), wt.outcome.kind(), "v8 {:?}\nwasmtime {:?}", v8.outcome, wt.outcome);
    assert!(same_integers(&returned(&v8), &returned(&wt)), "v8 {:?}\nwasmtime {:?}", v8.outcome, wt.outcome);
    assert_eq!(v8.memory_bytes, wt.memory_bytes, "final memory size");
    assert_eq!(v8.fuel_used, wt.fuel_used, "fuel used");
    assert_eq!(v8.stdout, wt.stdout, "stdout");
    let (Some(a), Some(b)) = (&v8.observed, &wt.observed) else {
        assert_eq!(v8.observed.is_some(), wt.observed.is_some(), "both engines observe the instance or neither");
        return;
    };
    assert_eq!(a.memory_hash, b.memory_hash, "memory contents");
    let names = |o: &wasm_runner::Observed| o.globals.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(a), names(b), "exported global names");
    let values = |o: &wasm_runner::Observed| o.globals.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>();
    assert!(same_integers(&values(a), &values(b)), "exported globals: v8 {:?} wasmtime {:?}", a.globals, b.globals);
}
