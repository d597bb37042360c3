//! The one list of every limit: name, default, env var, class, where it is enforced and
//! which test exercises it. `tests/limits_inventory.rs` audits this list against the
//! source: a limit-like constant missing here, a stale entry, an env var nobody reads or a
//! named test that does not exist all fail the build. docs/limits.md is `markdown()`,
//! checked current by the same audit.

use serde::Serialize;

/// Whether a limit protects the process (invariant) or expresses a chosen budget (policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitClass {
    /// Must hold whatever the configuration: breaking it risks the process.
    Invariant,
    /// A tunable budget; operators may change it through its env var.
    Policy,
}

#[derive(Debug, Clone, Serialize)]
pub struct LimitEntry {
    pub name: &'static str,
    /// The Rust constant holding the default.
    pub constant: &'static str,
    pub default: &'static str,
    pub env_var: Option<&'static str>,
    pub class: LimitClass,
    pub enforced_at: &'static str,
    /// Test functions (by name) that exercise the limit.
    pub tested_by: &'static [&'static str],
    /// Measured runner-heap cost of one item, where the limit counts heap-resident things.
    pub heap_cost_per_item: Option<&'static str>,
}

pub static INVENTORY: &[LimitEntry] = &[
    LimitEntry {
        name: "runner_heap_limit",
        constant: "DEFAULT_RUNNER_HEAP_LIMIT_MB",
        default: "2048 MiB",
        env_var: Some("WASM_RUNNER_HEAP_LIMIT_MB"),
        class: LimitClass::Policy,
        enforced_at: "isolate::RunnerIsolate::new, as heap_limits(0, cap)",
        heap_cost_per_item: None,
        tested_by: &["heap_limit_env_fallbacks", "the_production_bug_module_warms_up_under_the_default_cap_and_needs_more_than_the_guest_budget"],
    },
    LimitEntry {
        name: "runner_heap_limit_max",
        constant: "MAX_RUNNER_HEAP_LIMIT_MB",
        default: "1048576 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "limits::RunnerLimits (larger values count as overflow)",
        heap_cost_per_item: None,
        tested_by: &["heap_limit_env_fallbacks"],
    },
    LimitEntry {
        name: "guest_isolate_heap_budget",
        constant: "GUEST_ISOLATE_HEAP_BUDGET_MB",
        default: "128 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "never given to the runner; the production-bug regression runs warmup under it on purpose",
        heap_cost_per_item: None,
        tested_by: &["the_production_bug_module_warms_up_under_the_default_cap_and_needs_more_than_the_guest_budget"],
    },
    LimitEntry {
        name: "warmup_timeout",
        constant: "DEFAULT_WARMUP_TIMEOUT_MS",
        default: "120000 ms",
        env_var: Some("WASM_RUNNER_WARMUP_TIMEOUT_MS"),
        class: LimitClass::Policy,
        enforced_at: "runner::supervisor watchdog (TerminateExecution at the deadline)",
        heap_cost_per_item: None,
        tested_by: &["an_endless_script_ends_as_timeout_on_time"],
    },
    LimitEntry {
        name: "termination_grace",
        constant: "DEFAULT_TERMINATION_GRACE_MS",
        default: "5000 ms",
        env_var: Some("WASM_RUNNER_TERMINATION_GRACE_MS"),
        class: LimitClass::Policy,
        enforced_at: "runner::supervisor watchdog (reports termination_lost, abandons the thread)",
        heap_cost_per_item: None,
        tested_by: &["a_lost_termination_of_a_spinning_loop_is_reported_and_the_process_lives_on"],
    },
    LimitEntry {
        name: "timeout_setting_max",
        constant: "MAX_TIMEOUT_MS",
        default: "86400000 ms",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "limits::RunnerLimits::from_env (larger values count as overflow)",
        heap_cost_per_item: None,
        tested_by: &["timeout_env_fallbacks"],
    },
    LimitEntry {
        name: "heap_guard_raise",
        constant: "HEAP_GUARD_RAISE_BYTES",
        default: "1024 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "isolate::heap_guard near-heap-limit callback",
        heap_cost_per_item: None,
        tested_by: &["one_raise_fits_the_largest_single_v8_object", "an_allocation_bomb_ends_as_heap_limit_exhausted"],
    },
    LimitEntry {
        name: "heap_guard_max_raises",
        constant: "HEAP_GUARD_MAX_RAISES",
        default: "4",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "isolate::heap_guard near-heap-limit callback",
        heap_cost_per_item: None,
        tested_by: &["policy_raises_a_bounded_number_of_times", "a_heap_bomb_that_outlasts_a_patient_watchdog_ends_in_a_bounded_v8_abort"],
    },
    LimitEntry {
        name: "runner_thread_stack",
        constant: "RUNNER_THREAD_STACK_BYTES",
        default: "8 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "runner::supervisor and reference::run (the thread guest code runs on in either engine)",
        heap_cost_per_item: None,
        tested_by: &["an_allocation_bomb_ends_as_heap_limit_exhausted"],
    },
    LimitEntry {
        name: "guest_module_bytes",
        constant: "DEFAULT_GUEST_MAX_MODULE_BYTES",
        default: "256 MiB",
        env_var: Some("WASM_GUEST_MAX_MODULE_BYTES"),
        class: LimitClass::Policy,
        enforced_at: "guest::budgets, before parsing",
        heap_cost_per_item: Some("0 (bytes stay in Rust memory; V8 keeps its own copy off-heap)"),
        tested_by: &["oversized_module_is_refused_before_parsing", "guest_limits_env_fallbacks"],
    },
    LimitEntry {
        name: "guest_memory_bytes",
        constant: "DEFAULT_GUEST_MAX_MEMORY_BYTES",
        default: "1 GiB",
        env_var: Some("WASM_GUEST_MAX_MEMORY_BYTES"),
        class: LimitClass::Policy,
        enforced_at:
            "guest::budgets (initial) and guest::instrument (every memory's maximum clamped; total over memories)",
        heap_cost_per_item: Some("0 (linear memory is off-heap)"),
        tested_by: &[
            "memory_grows_to_exactly_the_cap",
            "memory_does_not_grow_past_the_cap",
            "initial_memory_over_the_cap_is_rejected",
            "memory_cap_is_shared_by_all_memories",
        ],
    },
    LimitEntry {
        name: "guest_memories",
        constant: "DEFAULT_GUEST_MAX_MEMORIES",
        default: "4",
        env_var: Some("WASM_GUEST_MAX_MEMORIES"),
        class: LimitClass::Policy,
        enforced_at: "guest::budgets (each memory reserves its own guard region)",
        heap_cost_per_item: None,
        tested_by: &["many_memories_are_refused"],
    },
    LimitEntry {
        name: "guest_table_elements",
        constant: "DEFAULT_GUEST_MAX_TABLE_ELEMENTS",
        default: "5000000",
        env_var: Some("WASM_GUEST_MAX_TABLE_ELEMENTS"),
        class: LimitClass::Policy,
        enforced_at: "guest::budgets (initial) and guest::instrument (table maximums clamped; total over tables)",
        heap_cost_per_item: Some("~23 B per slot, ~46 B once filled by an element segment"),
        tested_by: &["tables_grow_to_exactly_the_budget", "tables_do_not_grow_past_the_budget", "huge_table_is_refused"],
    },
    LimitEntry {
        name: "guest_tables",
        constant: "DEFAULT_GUEST_MAX_TABLES",
        default: "100",
        env_var: Some("WASM_GUEST_MAX_TABLES"),
        class: LimitClass::Policy,
        enforced_at: "guest::budgets",
        heap_cost_per_item: None,
        tested_by: &["many_tables_are_refused"],
    },
    LimitEntry {
        name: "guest_element_items",
        constant: "DEFAULT_GUEST_MAX_ELEMENT_ITEMS",
        default: "5000000",
        env_var: Some("WASM_GUEST_MAX_ELEMENT_ITEMS"),
        class: LimitClass::Policy,
        enforced_at: "guest::budgets",
        heap_cost_per_item: Some("~23 B per item placed in a table"),
        tested_by: &["big_element_segments_are_refused"],
    },
    LimitEntry {
        name: "guest_globals",
        constant: "DEFAULT_GUEST_MAX_GLOBALS",
        default: "100000",
        env_var: Some("WASM_GUEST_MAX_GLOBALS"),
        class: LimitClass::Policy,
        enforced_at: "guest::budgets",
        heap_cost_per_item: Some("~5 B; ~150 B when exported"),
        tested_by: &["many_globals_are_refused"],
    },
    LimitEntry {
        name: "guest_exports",
        constant: "DEFAULT_GUEST_MAX_EXPORTS",
        default: "100000",
        env_var: Some("WASM_GUEST_MAX_EXPORTS"),
        class: LimitClass::Policy,
        enforced_at: "guest::budgets (wasmparser also caps exports at 100000)",
        heap_cost_per_item: Some("~100 B per export; ~420 B more per distinct exported function"),
        tested_by: &["many_exports_are_refused"],
    },
    LimitEntry {
        name: "guest_functions",
        constant: "DEFAULT_GUEST_MAX_FUNCTIONS",
        default: "1000000",
        env_var: Some("WASM_GUEST_MAX_FUNCTIONS"),
        class: LimitClass::Policy,
        enforced_at: "guest::budgets",
        heap_cost_per_item: Some("~16 B per function (code itself is off-heap)"),
        tested_by: &["many_functions_are_refused"],
    },
    LimitEntry {
        name: "guest_fuel",
        constant: "DEFAULT_GUEST_MAX_FUEL",
        default: "20000000000",
        env_var: Some("WASM_GUEST_MAX_FUEL"),
        class: LimitClass::Policy,
        enforced_at: "guest::instrument (per-segment charge; fuel_exhausted)",
        heap_cost_per_item: None,
        tested_by: &["fuel_at_exactly_the_need_is_enough", "fuel_one_below_the_need_is_exhausted_and_never_overspent", "fuel_exhaustion_is_not_a_guest_unreachable"],
    },
    LimitEntry {
        name: "guest_stack_bytes",
        constant: "DEFAULT_GUEST_MAX_STACK_BYTES",
        default: "1 MiB",
        env_var: Some("WASM_GUEST_MAX_STACK_BYTES"),
        class: LimitClass::Policy,
        enforced_at:
            "isolate::RunnerIsolate::new (isolate stack limit on the 8 MiB runner thread); wasmtime max_wasm_stack",
        heap_cost_per_item: None,
        tested_by: &["recursion_within_the_stack_limit_returns", "recursion_past_the_stack_limit_is_stack_exhausted"],
    },
    LimitEntry {
        name: "guest_output_bytes",
        constant: "DEFAULT_GUEST_MAX_OUTPUT_BYTES",
        default: "16 MiB",
        env_var: Some("WASM_GUEST_MAX_OUTPUT_BYTES"),
        class: LimitClass::Policy,
        enforced_at: "policy::OutputCapture (stdout + stderr), by wasi::natives write (V8: terminates) and reference::output (wasmtime: traps)",
        heap_cost_per_item: None,
        tested_by: &["output_at_the_cap_is_kept_whole", "output_over_the_cap_keeps_what_fits_and_ends_the_run"],
    },
    LimitEntry {
        name: "guest_fs_bytes",
        constant: "DEFAULT_GUEST_MAX_FS_BYTES",
        default: "256 MiB",
        env_var: Some("WASM_GUEST_MAX_FS_BYTES"),
        class: LimitClass::Policy,
        enforced_at: "wasi::image (host trees) and wasi/js/fs.js (guest writes, 256 B + name per node; ENOSPC)",
        heap_cost_per_item: Some("~256 B per file or directory (charged); file bytes off-heap"),
        tested_by: &["a_host_tree_over_the_fs_budget_is_refused_in_both_engines", "a_guest_write_past_the_fs_budget_is_enospc"],
    },
    LimitEntry {
        name: "guest_wall_time",
        constant: "DEFAULT_GUEST_MAX_WALL_MS",
        default: "30000 ms",
        env_var: Some("WASM_GUEST_MAX_WALL_MS"),
        class: LimitClass::Policy,
        enforced_at: "runner::supervisor watchdog (run phase deadline); reference: epoch interruption",
        heap_cost_per_item: None,
        tested_by: &["the_wall_time_limit_ends_an_endless_loop"],
    },
    LimitEntry {
        name: "guest_stack_bytes_max",
        constant: "MAX_GUEST_STACK_BYTES",
        default: "4 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "limits::GuestLimits (the runner thread has 8 MiB)",
        heap_cost_per_item: None,
        tested_by: &["guest_limits_env_fallbacks"],
    },
    LimitEntry {
        name: "guest_stack_bytes_min",
        constant: "MIN_GUEST_STACK_BYTES",
        default: "64 KiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "limits::GuestLimits (the runner's own JS shares the stack)",
        heap_cost_per_item: None,
        tested_by: &["guest_limits_env_fallbacks"],
    },
    LimitEntry {
        name: "guest_memory_bytes_max",
        constant: "MAX_GUEST_MEMORY_BYTES",
        default: "16 GiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "limits::GuestLimits::from_env",
        heap_cost_per_item: None,
        tested_by: &["guest_limits_env_fallbacks"],
    },
    LimitEntry {
        name: "unresolved_imports_listed",
        constant: "MAX_LISTED_UNRESOLVED",
        default: "32",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "guest::imports (the error names this many; the total is always given)",
        heap_cost_per_item: None,
        tested_by: &["the_unresolved_list_is_capped_but_the_total_is_not"],
    },
    LimitEntry {
        name: "reference_artifact_cache_threshold",
        constant: "CACHE_FROM_BYTES",
        default: "1 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "reference::compiled (smaller modules are compiled every time)",
        heap_cost_per_item: None,
        tested_by: &["a_large_module_compiles_once_per_process", "a_small_module_is_never_cached"],
    },
    LimitEntry {
        name: "prepared_cache_bytes",
        constant: "PREPARED_CACHE_MAX_BYTES",
        default: "1 GiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "guest::cache (originals + instrumented copies; oldest evicted)",
        heap_cost_per_item: Some("0 (Rust memory, not the V8 heap)"),
        tested_by: &["a_repeated_module_is_prepared_once"],
    },
    LimitEntry {
        name: "prepared_cache_threshold",
        constant: "PREPARED_CACHE_FROM_BYTES",
        default: "1 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "guest::cache (smaller modules are checked every time)",
        heap_cost_per_item: None,
        tested_by: &["a_repeated_module_is_prepared_once"],
    },
    LimitEntry {
        name: "reference_artifact_cache_bytes",
        constant: "REFERENCE_CACHE_MAX_BYTES",
        default: "1 GiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "reference::compiled (module bytes + serialized artifacts; oldest evicted)",
        heap_cost_per_item: Some("0 (Rust memory, not the V8 heap)"),
        tested_by: &["a_large_module_compiles_once_per_process", "the_oldest_entries_go_first_past_the_bound"],
    },
];

/// The inventory as docs/limits.md (`wasm-runner limits --markdown`).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Limits\n\n\
         Every bound the runtime enforces. Generated from `runtime/src/limits/inventory.rs` by\n\
         `wasm-runner limits --markdown`; `runtime/tests/limits_inventory.rs` fails when this page is not current.\n\n\
         Environment values follow one rule: a positive integer up to the limit's maximum is honoured; 0, empty,\n\
         negative, non-numeric or larger values fall back to the default with one warning naming the bad value.\n\
         *Invariant* limits protect the process and are not configurable; *policy* limits are budgets an operator may\n\
         change.\n\n\
         | limit | default | environment | class | enforced at | runner-heap cost per item | tested by |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for e in INVENTORY {
        let class = match e.class {
            LimitClass::Invariant => "invariant",
            LimitClass::Policy => "policy",
        };
        let tests: Vec<String> = e.tested_by.iter().map(|t| format!("`{t}`")).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            e.name,
            e.default,
            e.env_var.map_or("-".to_string(), |v| format!("`{v}`")),
            class,
            e.enforced_at.replace('|', "\\|"),
            e.heap_cost_per_item.unwrap_or("-"),
            tests.join(", ")
        ));
    }
    out
}
