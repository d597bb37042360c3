//! The heap model (`limits::heap_model`): each cost per item measured against its stated
//! bound (the measured figure is printed: docs/limits.md quotes them), the budget that
//! refuses a module whose bound is too high, and measured peaks within the bound for the
//! stress presets and the hostile modules that push what a guest can grow.

use wasm_runner::limits::costs::*;
use wasm_runner::limits::guest::DEFAULT_GUEST_MAX_HEAP_BOUND_BYTES;
use wasm_runner::limits::heap_bound;
use wasm_runner::{GuestLimits, RunRequest, Runner, RunnerError, RunnerLimits, WarmupReport};
use wasm_runner_testkit::fixtures::wasm;
use wasm_runner_testkit::heap::{assert_run_within_bound, assert_warmup_within_bound};
use wasm_runner_testkit::synth::{build, preset, SynthSpec, STRESS_PRESETS};

fn runner() -> Runner {
    // Tables and items past their defaults, so one count can be pushed alone.
    let guest = GuestLimits { max_table_elements: 20_000_000, max_element_items: 20_000_000, ..Default::default() };
    Runner::new(RunnerLimits::default()).with_guest_limits(guest)
}

fn warm(module: Vec<u8>) -> WarmupReport {
    let report = runner().warmup(module).expect("warms up");
    assert_warmup_within_bound(&report, "measurement module");
    report
}

/// The runner-heap cost of one item: the peak with `n` items less the peak without, over `n`.
fn per_item(without: Vec<u8>, with: Vec<u8>, n: u64) -> f64 {
    let base = warm(without).peak_used_heap_bytes() as f64;
    let peak = warm(with).peak_used_heap_bytes() as f64;
    (peak - base) / n as f64
}

fn assert_cost(name: &str, measured: f64, bound: u64) {
    eprintln!("{name}: measured {measured:.1} B per item, bound {bound} B");
    assert!(measured <= bound as f64, "{name} costs {measured:.1} B per item, past its bound of {bound} B");
}

fn one_function() -> SynthSpec {
    SynthSpec { functions: 1, body_bytes: 4, ..Default::default() }
}

fn repeat(n: u64, item: &str) -> String {
    let mut out = String::with_capacity(item.len() * n as usize);
    for _ in 0..n {
        out.push_str(item);
    }
    out
}

#[test]
fn the_isolate_with_a_small_module_is_within_the_base_bound() {
    let peak = warm(build(&one_function())).peak_used_heap_bytes() as f64;
    assert_cost("base", peak, BASE_HEAP_BOUND_BYTES);
    // The larger isolate: one made with the WASI runtime's JS, for a module that imports it.
    let with_wasi = wasm(r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))"#);
    assert_cost("base with the WASI runtime", warm(with_wasi).peak_used_heap_bytes() as f64, BASE_HEAP_BOUND_BYTES);
}

#[test]
fn a_function_costs_at_most_its_stated_heap() {
    let n = 200_000;
    let with = build(&SynthSpec { functions: n as u32 + 1, ..one_function() });
    assert_cost("function", per_item(build(&one_function()), with, n), FUNCTION_HEAP_BOUND_BYTES);
}

#[test]
fn an_import_costs_at_most_its_stated_heap() {
    // Every WASI function (a JS function accepts any signature, so `(func)` links).
    // Both modules import one at least, so both run with the WASI runtime's JS (a module
    // importing none runs without it, and its heap would be the runtime's less).
    let names = wasm_runner::internals::WASI_PREVIEW1_FUNCTIONS;
    let import = |name: &&str| format!("(import \"wasi_snapshot_preview1\" \"{name}\" (func))");
    let memory = "(memory (export \"memory\") 1)";
    let without = wasm(&format!("(module {} {memory})", import(&names[0])));
    let with = wasm(&format!("(module {} {memory})", names.iter().map(import).collect::<String>()));
    let n = names.len() as u64 - 1;
    assert_cost("import", per_item(without, with, n), IMPORT_HEAP_BOUND_BYTES);
}

#[test]
fn a_type_costs_at_most_its_stated_heap() {
    let n = 100_000;
    let types = (0..n).map(|i| format!("(type (func (param {})))", "i32 ".repeat(i % 20))).collect::<String>();
    let with = wasm(&format!("(module {types} (func))"));
    assert_cost("type", per_item(wasm("(module (func))"), with, n as u64), TYPE_HEAP_BOUND_BYTES);
}

#[test]
fn a_tag_costs_at_most_its_stated_heap() {
    let n = 100_000;
    let with = wasm(&format!("(module (type (func (param i32))) {} (func))", repeat(n, "(tag (type 0))")));
    assert_cost("tag", per_item(wasm("(module (type (func (param i32))) (func))"), with, n), TAG_HEAP_BOUND_BYTES);
}

#[test]
fn a_memory_costs_at_most_its_stated_heap() {
    let n = GuestLimits::default().max_memories;
    let with = wasm(&format!("(module {} (func))", repeat(n, "(memory 1)")));
    assert_cost("memory", per_item(wasm("(module (func))"), with, n), MEMORY_HEAP_BOUND_BYTES);
}

#[test]
fn a_table_slot_costs_at_most_its_stated_heap() {
    let n = 2_000_000;
    let with = build(&SynthSpec { table_elements: n as u32, ..one_function() });
    assert_cost("table slot", per_item(build(&one_function()), with, n), TABLE_SLOT_HEAP_BOUND_BYTES);
}

#[test]
fn an_element_item_costs_at_most_its_stated_heap() {
    // Distinct functions, each placed once: whatever a reference to a function costs.
    let n = 200_000;
    let functions = SynthSpec { functions: n as u32, table_elements: n as u32, ..one_function() };
    let with = build(&SynthSpec { element_items: n as u32, element_segment_size: 50_000, ..functions.clone() });
    assert_cost("element item", per_item(build(&functions), with, n), ELEMENT_ITEM_HEAP_BOUND_BYTES);
}

#[test]
fn an_element_segment_costs_at_most_its_stated_heap() {
    let n = 99_000;
    let with = wasm(&format!("(module (func $f) {})", repeat(n, "(elem func)")));
    assert_cost("element segment", per_item(wasm("(module (func $f))"), with, n), ELEMENT_SEGMENT_HEAP_BOUND_BYTES);
}

#[test]
fn a_data_segment_costs_at_most_its_stated_heap() {
    let n = 99_000;
    let with = wasm(&format!("(module (memory 1) {} (func))", repeat(n, "(data \"\")")));
    assert_cost("data segment", per_item(wasm("(module (memory 1) (func))"), with, n), DATA_SEGMENT_HEAP_BOUND_BYTES);
}

#[test]
fn an_exported_function_costs_at_most_an_exports_stated_heap() {
    let n = 100_000;
    let functions = SynthSpec { functions: n as u32, ..one_function() };
    let with = build(&SynthSpec { exported_functions: n as u32, ..functions.clone() });
    assert_cost("exported function", per_item(build(&functions), with, n), EXPORT_HEAP_BOUND_BYTES);
}

#[test]
fn an_exported_global_costs_at_most_an_exports_and_a_globals_stated_heap() {
    let n = 90_000;
    let with = build(&SynthSpec { globals: n as u32, exported_globals: n as u32, ..one_function() });
    let bound = EXPORT_HEAP_BOUND_BYTES + GLOBAL_HEAP_BOUND_BYTES;
    assert_cost("exported global", per_item(build(&one_function()), with, n), bound);
}

#[test]
fn a_global_costs_at_most_its_stated_heap() {
    let n = 100_000;
    let with = build(&SynthSpec { globals: n as u32, ..one_function() });
    assert_cost("global", per_item(build(&one_function()), with, n), GLOBAL_HEAP_BOUND_BYTES);
}

/// A guest that throws `n` exceptions with `params` and keeps each in an exception table.
fn exceptions_kept(params: &[&str], n: u32) -> Vec<u8> {
    let value = |p: &&str| match *p {
        "v128" => "(v128.const i64x2 1 1)".to_string(),
        "funcref" => "(ref.null func)".to_string(),
        other => format!("({other}.const 1)"),
    };
    let values: String = params.iter().map(value).collect();
    wasm(&format!(
        r#"(module
          (tag $t (param {params}))
          (table $held {n} exnref)
          (func (export "_start") (local $i i32)
            (loop $l
              (table.set $held (local.get $i)
                (block $caught (result exnref)
                  (try_table (catch_all_ref $caught) (throw $t {values}))
                  unreachable))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))))"#,
        params = params.join(" ")
    ))
}

#[test]
fn a_held_exception_costs_at_most_its_stated_heap_for_every_payload_type() {
    let n = 100_000;
    for (params, slots) in [
        (vec![], 0),
        (vec!["i32"; 8], 16),
        (vec!["i64"; 8], 32),
        (vec!["f64"; 8], 32),
        (vec!["v128"; 8], 64),
        (vec!["funcref"; 8], 8),
    ] {
        let report = runner().run(exceptions_kept(&params, n), &RunRequest::default());
        assert_eq!(report.outcome.kind(), "ok", "{:?}", report.outcome);
        assert_run_within_bound(&report, "exceptions kept in a table");
        let phase = |name: &str| report.phases.iter().find(|p| p.name == name).map(|p| p.peak_used_heap_bytes);
        let (Some(run), Some(before)) = (phase("run"), phase("instantiate")) else { panic!("phases") };
        let measured = (run as f64 - before as f64) / f64::from(n);
        let bound = EXCEPTION_HEAP_BOUND_BYTES + slots * EXCEPTION_SLOT_HEAP_BOUND_BYTES;
        assert_cost(&format!("exception with {} {:?} params", params.len(), params.first()), measured, bound);
    }
}

#[test]
fn exceptions_held_on_the_stack_stay_within_the_heap_bound() {
    // Each frame keeps an exception in a local and recurses until the stack runs out.
    let module = wasm(
        r#"(module
          (tag $t (param i64 i64 i64 i64))
          (func $deep (local $held exnref)
            (local.set $held
              (block $caught (result exnref)
                (try_table (catch_all_ref $caught) (throw $t (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)))
                unreachable))
            (call $deep)
            (drop (ref.is_null (local.get $held))))
          (func (export "_start") (call $deep)))"#,
    );
    let report = runner().run(module, &RunRequest::default());
    assert_eq!(report.outcome.kind(), "stack_exhausted", "{:?}", report.outcome);
    assert_run_within_bound(&report, "exceptions held on the stack");
    let stack_refs = GuestLimits::default().stack_bytes() / STACK_BYTES_PER_REFERENCE;
    eprintln!("stack: up to {stack_refs} references; run peak {} bytes", report.peak_used_heap_bytes());
}

#[test]
fn the_heap_bound_budget_is_a_quarter_of_the_default_runner_cap() {
    let cap = RunnerLimits::default().heap_limit_bytes as u64;
    assert_eq!(GuestLimits::default().max_heap_bound_bytes, DEFAULT_GUEST_MAX_HEAP_BOUND_BYTES);
    assert!(DEFAULT_GUEST_MAX_HEAP_BOUND_BYTES * 4 <= cap, "the heap-bound budget is over a quarter of the cap");
}

#[test]
fn a_module_that_could_keep_exceptions_past_the_heap_bound_budget_is_refused() {
    // Five million exception slots, each able to hold a 1000-byte payload.
    let module = wasm(&format!(
        "(module (tag (param {})) (table 5000000 exnref) (func (export \"_start\")))",
        "v128 ".repeat(16)
    ));
    let failure = Runner::new(RunnerLimits::default()).warmup(module).expect_err("refused");
    match failure.error {
        RunnerError::GuestLimitRejected { limit, requested, allowed } => {
            assert_eq!(limit, "max_heap_bound_bytes");
            assert!(requested > allowed);
            assert_eq!(allowed, DEFAULT_GUEST_MAX_HEAP_BOUND_BYTES);
        }
        other => panic!("expected the heap-bound budget, got {other}"),
    }
}

#[test]
fn a_table_that_can_grow_is_bounded_at_the_table_budget() {
    let grows = wasm("(module (table 1 funcref) (func (drop (table.grow 0 (ref.null func) (i32.const 1)))))");
    let fixed = wasm("(module (table 1 funcref) (func))");
    let guest = GuestLimits::default();
    let facts = |m: &[u8]| wasm_runner::internals::inspect(m).expect("valid");
    let difference = heap_bound(&facts(&grows), &guest).run_bytes - heap_bound(&facts(&fixed), &guest).run_bytes;
    assert!(difference >= (guest.max_table_elements - 1) * TABLE_SLOT_HEAP_BOUND_BYTES);
}

#[test]
fn a_guest_growing_its_table_to_the_budget_stays_within_the_bound() {
    let budget = GuestLimits::default().max_table_elements;
    let module = wasm(&format!(
        r#"(module (table $t 1 funcref) (func $f)
             (elem declare func $f)
             (func (export "_start")
               (drop (table.grow $t (ref.func $f) (i32.const {})))))"#,
        budget - 1
    ));
    let report = Runner::new(RunnerLimits::default()).run(module, &RunRequest::default());
    assert_eq!(report.outcome.kind(), "ok", "{:?}", report.outcome);
    assert_run_within_bound(&report, "a table grown to the budget");
}

#[test]
fn every_stress_preset_warms_up_within_its_bound() {
    for name in STRESS_PRESETS {
        let spec = preset(name).expect("a preset");
        let report = Runner::new(RunnerLimits::default()).warmup(build(&spec)).expect("presets are within defaults");
        assert_warmup_within_bound(&report, name);
        eprintln!(
            "{name}: peak {:.1} MiB, bound {:.1} MiB",
            report.peak_used_heap_bytes() as f64 / 1048576.0,
            report.heap_bound_bytes as f64 / 1048576.0
        );
    }
}
