//! The one list of every limit: name, default, env var, class, where it is enforced and
//! which test exercises it. `tests/limits_inventory.rs` audits this list against the
//! source: a limit-like constant missing here, a stale entry, an env var nobody reads or a
//! named test that does not exist all fail the build.

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
}

pub static INVENTORY: &[LimitEntry] = &[
    LimitEntry {
        name: "runner_heap_limit",
        constant: "DEFAULT_RUNNER_HEAP_LIMIT_MB",
        default: "2048 MiB",
        env_var: Some("WASM_RUNNER_HEAP_LIMIT_MB"),
        class: LimitClass::Policy,
        enforced_at: "engine::RunnerIsolate::new, as heap_limits(0, cap)",
        tested_by: &["heap_limit_env_fallbacks", "seed_regression_fails_at_guest_budget_and_passes_at_default"],
    },
    LimitEntry {
        name: "runner_heap_limit_max",
        constant: "MAX_RUNNER_HEAP_LIMIT_MB",
        default: "1048576 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "limits::RunnerLimits (larger values count as overflow)",
        tested_by: &["heap_limit_env_fallbacks"],
    },
    LimitEntry {
        name: "guest_isolate_heap_budget",
        constant: "GUEST_ISOLATE_HEAP_BUDGET_MB",
        default: "128 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "never given to the runner; the seed regression runs warmup under it on purpose",
        tested_by: &["seed_regression_fails_at_guest_budget_and_passes_at_default"],
    },
    LimitEntry {
        name: "warmup_timeout",
        constant: "DEFAULT_WARMUP_TIMEOUT_MS",
        default: "120000 ms",
        env_var: Some("WASM_RUNNER_WARMUP_TIMEOUT_MS"),
        class: LimitClass::Policy,
        enforced_at: "runner::supervisor watchdog (TerminateExecution at the deadline)",
        tested_by: &["endless_script_ends_as_timeout"],
    },
    LimitEntry {
        name: "termination_grace",
        constant: "DEFAULT_TERMINATION_GRACE_MS",
        default: "5000 ms",
        env_var: Some("WASM_RUNNER_TERMINATION_GRACE_MS"),
        class: LimitClass::Policy,
        enforced_at: "runner::supervisor watchdog (reports termination_lost, abandons the thread)",
        tested_by: &["lost_termination_is_reported_or_isolated"],
    },
    LimitEntry {
        name: "timeout_setting_max",
        constant: "MAX_TIMEOUT_MS",
        default: "86400000 ms",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "limits::RunnerLimits::from_env (larger values count as overflow)",
        tested_by: &["timeout_env_fallbacks"],
    },
    LimitEntry {
        name: "heap_guard_raise",
        constant: "HEAP_GUARD_RAISE_BYTES",
        default: "1024 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "engine::heap_guard near-heap-limit callback",
        tested_by: &["one_raise_fits_the_largest_single_v8_object", "allocation_bomb_ends_typed_and_process_goes_on"],
    },
    LimitEntry {
        name: "heap_guard_max_raises",
        constant: "HEAP_GUARD_MAX_RAISES",
        default: "4",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "engine::heap_guard near-heap-limit callback",
        tested_by: &["policy_raises_a_bounded_number_of_times", "lost_termination_is_reported_or_isolated"],
    },
    LimitEntry {
        name: "runner_thread_stack",
        constant: "RUNNER_THREAD_STACK_BYTES",
        default: "8 MiB",
        env_var: None,
        class: LimitClass::Invariant,
        enforced_at: "runner::supervisor (the thread every isolate runs on)",
        tested_by: &["allocation_bomb_ends_typed_and_process_goes_on"],
    },
];
