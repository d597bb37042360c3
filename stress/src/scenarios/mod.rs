//! The scenarios, each with its pass rule stated in its result.

mod budgets;
mod concurrency;
mod endless;
mod faults;
mod min_heap;
mod production_bug;
mod real_modules;
mod size_sweep;
mod soak;

use std::path::PathBuf;
use std::time::Instant;

use wasm_runner::child::RunnerProgram;

use crate::profile::Profile;
use crate::report::ScenarioResult;

/// What every scenario gets.
pub struct Ctx {
    pub profile: Profile,
    /// Scratch folder for generated modules (children read them from here).
    pub work: PathBuf,
    /// What runs `wasm-runner` jobs in child processes (this binary, embedding the CLI).
    pub runner: RunnerProgram,
    /// The real-module cache (corpus/real/cache), when fetched.
    pub real_cache: Option<PathBuf>,
}

impl Ctx {
    /// Writes `bytes` as `name` in the scratch folder.
    pub fn save(&self, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let path = self.work.join(name);
        std::fs::write(&path, bytes)?;
        Ok(path)
    }
}

type Scenario = fn(&Ctx) -> ScenarioResult;

/// Every scenario, in run order.
pub const ALL: &[(&str, Scenario)] = &[
    ("size_sweep", size_sweep::run),
    ("production_bug", production_bug::run),
    ("concurrency", concurrency::run),
    ("soak", soak::run),
    ("budgets", budgets::run),
    ("faults", faults::run),
    ("endless", endless::run),
    ("real_modules", real_modules::run),
    ("min_heap", min_heap::run),
];

/// Runs one scenario and times it.
pub fn run(name: &str, scenario: Scenario, ctx: &Ctx) -> ScenarioResult {
    let started = Instant::now();
    let mut result = scenario(ctx);
    result.name = name.to_string();
    result.duration_s = started.elapsed().as_secs_f64();
    result
}

pub const MIB: f64 = 1024.0 * 1024.0;

pub fn mib(bytes: impl Into<f64>) -> f64 {
    (bytes.into() / MIB * 100.0).round() / 100.0
}

/// A synthetic module by preset name or code size.
pub fn synth_preset(name: &str) -> Option<Vec<u8>> {
    wasm_runner_testkit::synth::preset(name).map(|spec| wasm_runner_testkit::synth::build(&spec))
}

pub fn synth_code(bytes: u64) -> Vec<u8> {
    wasm_runner_testkit::synth::build(&wasm_runner_testkit::synth::SynthSpec::code_heavy(bytes, 1000))
}
