//! Modules built to fill the runner heap with guest-declared things. Under default guest
//! limits each is refused by the guest checks, before V8 sees it, and never reaches the
//! runner's heap guard.

use wasm_runner::limits::costs::run_phase_heap_bound;
use wasm_runner::{GuestLimits, Runner, RunnerError, RunnerLimits};
use wasm_runner_testkit::fixtures::wasm;
use wasm_runner_testkit::synth::{build, SynthSpec};

fn assert_refused(module: Vec<u8>, limit: &str) {
    let failure = Runner::new(RunnerLimits::default()).warmup(module).expect_err("a hostile module is refused");
    match &failure.error {
        RunnerError::GuestLimitRejected { limit: l, requested, allowed } => {
            assert_eq!(l, limit);
            assert!(requested > allowed);
        }
        other => panic!("expected guest_limit_rejected({limit}), got {other:?}"),
    }
    assert_eq!(failure.phases.last().map(|p| p.name.as_str()), Some("guest_checks"), "refused before compile");
}

#[test]
fn huge_table_is_refused() {
    let table = GuestLimits::default().max_table_elements as u32 + 1;
    assert_refused(
        build(&SynthSpec { functions: 1, body_bytes: 4, table_elements: table, ..Default::default() }),
        "max_table_elements",
    );
}

#[test]
fn many_tables_are_refused() {
    let tables = GuestLimits::default().max_tables + 1;
    let text = format!("(module {})", "(table 1 funcref)".repeat(tables as usize));
    assert_refused(wasm(&text), "max_tables");
}

#[test]
fn many_globals_are_refused() {
    let globals = GuestLimits::default().max_globals as u32 + 1;
    assert_refused(build(&SynthSpec { globals, exported_globals: 0, ..Default::default() }), "max_globals");
}

#[test]
fn big_element_segments_are_refused() {
    let items = GuestLimits::default().max_element_items as u32 + 1;
    // Passive segments: they sit on the runner heap as arrays whatever the tables hold.
    let mut m = wasm_encoder::Module::new();
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function([], []);
    m.section(&types);
    let mut funcs = wasm_encoder::FunctionSection::new();
    funcs.function(0);
    m.section(&funcs);
    let mut elems = wasm_encoder::ElementSection::new();
    let indices = vec![0u32; items as usize];
    elems.passive(wasm_encoder::Elements::Functions(indices.into()));
    m.section(&elems);
    let mut code = wasm_encoder::CodeSection::new();
    let mut f = wasm_encoder::Function::new([]);
    f.instruction(&wasm_encoder::Instruction::End);
    code.function(&f);
    m.section(&code);
    assert_refused(m.finish(), "max_element_items");
}

#[test]
fn many_exports_are_refused() {
    // Over the export budget but within what wasmparser accepts, on a tighter budget.
    let guest = GuestLimits { max_exports: 1000, ..Default::default() };
    let module = build(&SynthSpec { functions: 10, body_bytes: 4, exported_functions: 1001, ..Default::default() });
    let failure = Runner::new(RunnerLimits::default()).with_guest_limits(guest).warmup(module).expect_err("refused");
    assert!(matches!(&failure.error, RunnerError::GuestLimitRejected { limit, .. } if limit == "max_exports"));
}

#[test]
fn exports_over_the_default_budget_are_refused() {
    let module = build(&SynthSpec { functions: 10, body_bytes: 4, exported_functions: 100_001, ..Default::default() });
    let failure = Runner::new(RunnerLimits::default()).warmup(module).expect_err("refused");
    assert_eq!(
        failure.error,
        RunnerError::GuestLimitRejected { limit: "max_exports".into(), requested: 100_001, allowed: 100_000 }
    );
}

#[test]
fn gc_types_are_refused() {
    let module = wasm(r#"(module (type (struct (field i32))) (func (export "f")))"#);
    assert_refused(module, "gc_types");
}

#[test]
fn chaining_exception_payloads_are_refused() {
    let module = wasm(r#"(module (tag (param exnref)) (func (export "f")))"#);
    assert_refused(module, "tags_with_ref_payload");
}

#[test]
fn oversized_module_is_refused_before_parsing() {
    let guest = GuestLimits { max_module_bytes: 100, ..Default::default() };
    let module = build(&SynthSpec { functions: 100, body_bytes: 8, ..Default::default() });
    let failure = Runner::new(RunnerLimits::default()).with_guest_limits(guest).warmup(module).expect_err("refused");
    assert!(matches!(&failure.error, RunnerError::GuestLimitRejected { limit, .. } if limit == "max_module_bytes"));
}

#[test]
fn the_largest_module_within_defaults_and_its_run_stay_within_a_quarter_of_the_runner_cap() {
    // Everything at the default budgets at once (tables full of one function's refs,
    // the most exports of distinct functions wasmparser takes, and globals).
    let d = GuestLimits::default();
    let spec = SynthSpec {
        functions: 100_000,
        body_bytes: 4,
        exported_functions: 90_000,
        globals: d.max_globals as u32 - 10,
        exported_globals: 10_000,
        table_elements: d.max_table_elements as u32,
        element_items: d.max_element_items as u32,
        element_segment_size: 50_000,
        data_bytes: 0,
    };
    let report = Runner::new(RunnerLimits::default()).warmup(build(&spec)).expect("within defaults: warms up");
    wasm_runner_testkit::heap::assert_warmup_within_bound(&report, "the largest module within defaults");
    let peak = report.peak_used_heap_bytes() as u64;
    // What a run can add on top, at every default budget (docs/guarantees.md).
    let run = run_phase_heap_bound(&d);
    let mib = |b: u64| b as f64 / 1048576.0;
    eprintln!("worst default module: warmup peak {:.1} MiB, run phase at most {:.1} MiB more", mib(peak), mib(run));
    let quarter = RunnerLimits::default().heap_limit_bytes as u64 / 4;
    assert!(peak + run <= quarter, "warmup {peak} + run {run} bytes past a quarter of the runner cap ({quarter})");
}

#[test]
fn many_memories_are_refused() {
    let memories = GuestLimits::default().max_memories + 1;
    let text = format!("(module {})", "(memory 0)".repeat(memories as usize));
    assert_refused(wasm(&text), "max_memories");
}

#[test]
fn many_functions_are_refused() {
    let guest = GuestLimits { max_functions: 100, ..Default::default() };
    let module = build(&SynthSpec { functions: 101, body_bytes: 4, ..Default::default() });
    let failure = Runner::new(RunnerLimits::default()).with_guest_limits(guest).warmup(module).expect_err("refused");
    assert!(matches!(&failure.error, RunnerError::GuestLimitRejected { limit, .. } if limit == "max_functions"));
}

/// `(block (br_table 0 0 ... 0 (i32.const 0)))` with `targets` targets besides the default.
fn br_table(targets: usize) -> Vec<u8> {
    let labels = "0 ".repeat(targets);
    wasm(&format!(r#"(module (func (export "f") (block (br_table {labels} 0 (i32.const 0)))))"#))
}

#[test]
fn a_br_table_of_65520_targets_warms_up() {
    Runner::new(RunnerLimits::default()).warmup(br_table(65_520)).expect("V8 compiles a br_table at its limit");
}

#[test]
fn a_br_table_of_65521_targets_is_refused() {
    assert_refused(br_table(65_521), "v8_max_br_table_targets");
}

#[test]
fn a_br_table_whose_checks_would_cost_too_much_is_refused() {
    // 60000 targets to a label of 20 values: 1.2M operand checks for one instruction.
    let results = "i32 ".repeat(20);
    let values = "(i32.const 0) ".repeat(20);
    let labels = "0 ".repeat(60_000);
    let module = wasm(&format!(
        r#"(module (func (export "f") (result {results})
             (block (result {results}) {values} (br_table {labels} 0 (i32.const 0)))))"#
    ));
    assert_refused(module, "max_br_table_operand_checks");
}

#[test]
fn a_body_that_instrumentation_would_grow_past_v8s_limit_is_refused() {
    // 1.8 MB of `br_if` segments: each gets a fuel charge several times its size.
    let body = "(br_if 0 (i32.const 0))".repeat(450_000);
    let module = wasm(&format!(r#"(module (func (export "f") (block {body})))"#));
    assert!(module.len() < 7_654_321 / 4, "the original body is well within V8's limit");
    assert_refused(module, "v8_max_function_body_bytes");
}

#[test]
fn guest_checks_that_outlast_the_warmup_deadline_end_as_a_timeout() {
    // Many bodies, each a br_table near the operand-check limit: seconds of validation.
    let results = "i32 ".repeat(16);
    let values = "(i32.const 0) ".repeat(16);
    let labels = "0 ".repeat(60_000);
    let func =
        format!(r#"(func (result {results}) (block (result {results}) {values} (br_table {labels} 0 (i32.const 0))))"#);
    let module = wasm(&format!("(module {})", func.repeat(400)));
    let limits = RunnerLimits::default().with_warmup_timeout(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    let failure = Runner::new(limits).warmup(module).expect_err("the checks cannot finish in 200 ms");
    assert!(
        matches!(&failure.error, RunnerError::Timeout { phase, limit_ms: 200 } if phase == "guest_checks"),
        "{:?}",
        failure.error
    );
    // Cancelled between two bodies, not after all of them (several seconds).
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "stopped after {:?}", started.elapsed());
}

#[test]
fn exports_at_the_default_budget_warm_up_with_the_instrumentations_own() {
    // The instrumentation exports its counters and memories too: a module at the export
    // budget must still be one V8 compiles.
    let max = GuestLimits::default().max_exports as u32;
    let module = build(&SynthSpec { functions: 10, body_bytes: 4, exported_functions: max, ..Default::default() });
    Runner::new(RunnerLimits::default()).warmup(module).expect("a module at the export budget warms up");
}

#[test]
fn a_dense_module_whose_instrumentation_outgrows_its_budget_is_refused() {
    // 1 MB of `br_if` segments grows about six-fold: over a 4 MB budget.
    let body = "(br_if 0 (i32.const 0))".repeat(250_000);
    let module = wasm(&format!(r#"(module (func (export "f") (block {body})))"#));
    let guest = GuestLimits { max_instrumented_bytes: 4 << 20, ..GuestLimits::default() };
    let failure = Runner::new(RunnerLimits::default()).with_guest_limits(guest).warmup(module).expect_err("refused");
    assert!(
        matches!(&failure.error, RunnerError::GuestLimitRejected { limit, allowed, .. } if limit == "max_instrumented_bytes" && *allowed == 4 << 20),
        "{:?}",
        failure.error
    );
}

#[test]
fn an_export_named_like_the_instrumentations_own_is_refused_in_both_engines() {
    // Found by the warmup fuzzer: a guest exporting the fuel counter's name made the
    // instrumented module export it twice (V8 and wasmtime then refuse to compile it).
    let module = wasm("(module (global (export \"\\01wasm-runner:fuel\") i64 (i64.const 0)) (func (export \"f\")))");
    assert_refused(module.clone(), "reserved_export_names");
    let report = wasm_runner::Reference::new().run(module, &wasm_runner::RunRequest::default());
    assert!(
        matches!(report.outcome.error(), Some(RunnerError::GuestLimitRejected { limit, .. }) if limit == "reserved_export_names"),
        "{:?}",
        report.outcome
    );
}
