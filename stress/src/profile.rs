//! How much each scenario does. `ci` fits in CI's budget (under 3 minutes here); `nightly`
//! is the full job (under 60 minutes).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ProfileName {
    Ci,
    Nightly,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Profile {
    pub name: ProfileName,
    /// Code sizes of the size sweep, in bytes.
    pub sweep_bytes: Vec<u64>,
    /// Presets for the production-bug proof and the min-heap bisection.
    pub presets: Vec<String>,
    /// Concurrent warmups: multiples of the core count.
    pub concurrency_factors: Vec<usize>,
    /// Code size of the module each concurrent warmup loads.
    pub concurrency_module_bytes: u64,
    /// Warmup-and-run iterations of the soak.
    pub soak_iterations: usize,
    /// Rounds of the fault-injection mix.
    pub fault_rounds: usize,
    /// Bisection steps of the min-heap search (each halves the interval).
    pub min_heap_steps: u32,
    /// Whether the real modules (python.wasm, graphviz.wasm) run when cached.
    pub real_modules: bool,
    /// Wall time each non-terminating guest gets before its deadline.
    pub endless_wall_ms: u64,
    /// The file-system node budget the `budgets` scenario fills (the default in the nightly).
    pub budgets_fs_nodes: u64,
}

impl Profile {
    pub fn new(name: ProfileName) -> Self {
        const MB: u64 = 1_000_000;
        match name {
            ProfileName::Ci => Profile {
                name,
                sweep_bytes: vec![MB, 8 * MB, 32 * MB],
                presets: vec!["production-bug".into(), "exports-100k".into()],
                concurrency_factors: vec![1, 2],
                concurrency_module_bytes: 4 * MB,
                soak_iterations: 40,
                fault_rounds: 2,
                min_heap_steps: 5,
                real_modules: false,
                endless_wall_ms: 200,
                budgets_fs_nodes: 8192,
            },
            ProfileName::Nightly => Profile {
                name,
                sweep_bytes: vec![MB, 4 * MB, 16 * MB, 32 * MB, 64 * MB, 100 * MB, 128 * MB, 200 * MB],
                presets: wasm_runner_testkit::synth::STRESS_PRESETS.iter().map(|s| s.to_string()).collect(),
                concurrency_factors: vec![1, 2, 4],
                concurrency_module_bytes: 32 * MB,
                soak_iterations: 4000,
                fault_rounds: 100,
                min_heap_steps: 8,
                real_modules: true,
                endless_wall_ms: 1000,
                budgets_fs_nodes: wasm_runner::GuestLimits::default().max_fs_nodes,
            },
        }
    }
}
