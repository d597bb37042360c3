//! An instrumented module behaves exactly like the original while no limit is hit: small
//! wasm-smith modules with ample fuel give the same result with and without the
//! instrumentation, in the V8 runner and in wasmtime.
//!
//! Cross-engine, outcome kinds and integer results are compared; float formatting is each
//! engine's own, so floats are compared only within one engine (NaNs are canonicalised).
//! Stack depth is each engine's own too (V8's frames are larger than wasmtime's under the
//! same byte limit), so a run that exhausts the stack in one engine is compared within that
//! engine only.

use arbitrary::Unstructured;
use proptest::prelude::*;
use wasm_runner::internals::{inspect, instrument, wasm_features};
use wasm_runner::{
    prepare, wasi_preview1, GuestLimits, Instrumentation, Reference, RunOutcome, RunRequest, Runner, RunnerLimits,
};
use wasm_runner_testkit::compare::{comparable, same_integers};
use wasm_runner_testkit::property::check_counted;

fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        max_imports: 0,
        // A function needs a type: without, some seeds give modules with nothing to call.
        min_types: 1,
        min_funcs: 1,
        max_funcs: 8,
        max_instructions: 60,
        max_memories: 1,
        max_tables: 2,
        max_memory32_bytes: 1 << 20,
        memory64_enabled: false,
        threads_enabled: false,
        relaxed_simd_enabled: false,
        simd_enabled: false,
        disallow_traps: true,
        gc_enabled: false,
        exceptions_enabled: false,
        export_everything: true,
        canonicalize_nans: true,
        allow_start_export: false,
        ..Default::default()
    }
}

/// A terminating module and the name of its first exported function.
fn module_from(seed: &[u8]) -> Option<(Vec<u8>, String)> {
    let mut u = Unstructured::new(seed);
    let mut module = wasm_smith::Module::new(smith_config(), &mut u).ok()?;
    module.ensure_termination(5_000).ok()?;
    let bytes = module.to_bytes();
    let name = wasmparser::Parser::new(0).parse_all(&bytes).find_map(|p| match p.ok()? {
        wasmparser::Payload::ExportSection(r) => r
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| e.kind == wasmparser::ExternalKind::Func)
            .map(|e| e.name.to_string()),
        _ => None,
    })?;
    Some((bytes, name))
}

/// One case of `instrumented_modules_behave_like_the_original`; false when the seed gave
/// no module or the engines cannot be compared on it.
fn behaves_like_the_original(seed: &[u8]) -> Result<bool, TestCaseError> {
    let Some((module, entry)) = module_from(seed) else { return Ok(false) };
    let guest = GuestLimits::default();
    let request = RunRequest { args: vec!["m".into()], invoke: Some(entry), ..Default::default() };
    let runner = Runner::new(RunnerLimits::default()).with_guest_limits(guest.clone());
    let reference = Reference::new().with_guest_limits(guest);
    let v8_on = runner.clone().run(module.clone(), &request);
    let v8_off = runner.with_instrumentation(Instrumentation::Off).run(module.clone(), &request);
    let wt_on = reference.clone().run(module.clone(), &request);
    let wt_off = reference.with_instrumentation(Instrumentation::Off).run(module, &request);
    // How deep a recursion gets before the stack runs out depends on frame sizes, which
    // both the instrumentation and the engine change: such a run is compared with nothing.
    if !(comparable(&v8_on, &v8_off) && comparable(&wt_on, &wt_off)) {
        return Ok(false);
    }
    // Guest checks may reject a generated module; then all four must say so alike.
    prop_assert_eq!(v8_on.outcome.kind(), v8_off.outcome.kind(), "v8 on {:?} off {:?}", v8_on.outcome, v8_off.outcome);
    prop_assert_eq!(
        wt_on.outcome.kind(),
        wt_off.outcome.kind(),
        "wasmtime on {:?} off {:?}",
        wt_on.outcome,
        wt_off.outcome
    );
    prop_assert_eq!(v8_on.outcome.kind(), wt_on.outcome.kind(), "v8 {:?} wasmtime {:?}", v8_on.outcome, wt_on.outcome);
    if let (RunOutcome::Ok { returned: a }, RunOutcome::Ok { returned: b }) = (&v8_on.outcome, &v8_off.outcome) {
        prop_assert_eq!(a, b);
    }
    if let (RunOutcome::Ok { returned: a }, RunOutcome::Ok { returned: b }) = (&wt_on.outcome, &wt_off.outcome) {
        prop_assert_eq!(a, b);
    }
    prop_assert!(
        same_integers(v8_on.outcome.returned(), wt_on.outcome.returned()),
        "v8 {:?} wasmtime {:?}",
        v8_on.outcome,
        wt_on.outcome
    );
    prop_assert_eq!(v8_on.memory_bytes, wt_on.memory_bytes);
    prop_assert_eq!(v8_on.fuel_used, wt_on.fuel_used);
    Ok(true)
}

#[test]
fn instrumented_modules_behave_like_the_original() {
    // wasm-smith makes a callable, terminating module of almost every seed; stack
    // exhaustion is rare at these sizes.
    check_counted(
        "instrumented_modules_behave_like_the_original",
        96,
        80,
        proptest::collection::vec(any::<u8>(), 512..4096),
        |seed| behaves_like_the_original(&seed),
    );
}

/// The guest checks rewrite each body while validating it; `instrument` alone rewrites it
/// from a parse of its own. Both must give the same module.
/// Whether the module was instrumented (and so compared).
fn rewritten_alike(module: &[u8]) -> Result<bool, TestCaseError> {
    let guest = GuestLimits::default();
    let stubbing = wasi_preview1().stubbing_unknown_functions();
    let prepared = match prepare(module, &guest, &stubbing, Instrumentation::On) {
        Ok(prepared) => prepared,
        // Refused before instrumenting (a budget, an import kind): nothing to compare.
        Err(_) => return Ok(false),
    };
    let alone = instrument(module, &inspect(module).unwrap(), &guest).unwrap();
    prop_assert!(*prepared.bytes == *alone, "the validating pass and instrument() rewrote the module differently");
    Ok(true)
}

/// Tail calls, exceptions, several memories and a start function: everything the
/// instrumentation treats specially. No imports and no GC types, which the default guest
/// limits would mostly refuse. With `many`, at least 300 functions (wasm-smith fills what
/// the seed does not cover with the simplest bodies); the passes split bodies across threads
/// from 32 KiB of them, which the larger seeds reach and the test below always does.
fn broad_smith_config(many: bool) -> wasm_smith::Config {
    wasm_smith::Config {
        min_funcs: if many { 300 } else { 1 },
        max_imports: 0,
        gc_enabled: false,
        wide_arithmetic_enabled: false,
        max_funcs: 600,
        max_instructions: 40,
        max_memories: 3,
        tail_call_enabled: true,
        exceptions_enabled: true,
        allow_start_export: true,
        ..Default::default()
    }
}

#[test]
fn validating_pass_rewrites_bodies_as_instrument_does() {
    check_counted(
        "validating_pass_rewrites_bodies_as_instrument_does",
        64,
        48,
        (proptest::collection::vec(any::<u8>(), 256..65536), any::<bool>()),
        |(seed, many)| {
            let mut u = Unstructured::new(&seed);
            let Ok(module) = wasm_smith::Module::new(broad_smith_config(many), &mut u) else { return Ok(false) };
            rewritten_alike(&module.to_bytes())
        },
    );
}

#[test]
fn parallel_rewrite_keeps_body_order_tail_calls_and_the_start_function() {
    // Over a thousand functions of some 100 bytes: both passes split the bodies across
    // threads.
    let pad = "nop ".repeat(100);
    let funcs: String = (0..1200)
        .map(|i| match i % 3 {
            0 => format!("(func $f{i} (param i32) (result i32) (local i64 f32) {pad} (return_call $f{} (local.get 0)))", i + 1),
            1 => format!(
                "(func $f{i} (param i32) (result i32) (block (br_if 0 (local.get 0))) (i32.add (local.get 0) (i32.const {i})) (call $f{}))",
                i + 1
            ),
            _ => format!("(func $f{i} (param i32) (result i32) (loop (br_if 0 (i32.eqz (local.get 0)))) (local.get 0))"),
        })
        .collect();
    let wat =
        format!("(module (memory 1) {funcs} (func $last (param i32) (result i32) (local.get 0)) (func $s) (start $s))")
            .replace("$f1200", "$last");
    let module = wat::parse_str(wat).unwrap();
    let facts = inspect(&module).unwrap();
    assert_eq!(facts.tail_calls, 400);
    assert!(rewritten_alike(&module).unwrap(), "the module is instrumented");
    let prepared = prepare(&module, &GuestLimits::default(), &wasi_preview1(), Instrumentation::On).unwrap();
    wasmparser::Validator::new_with_features(wasm_features()).validate_all(&prepared.bytes).unwrap();
}
