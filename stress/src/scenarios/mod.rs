//! The scenarios, each with its pass rule stated in its result.

mod concurrency;
mod endless;
mod faults;
mod min_heap;
mod real_modules;
mod seed_regression;
mod size_sweep;
mod soak;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::profile::Profile;
use crate::report::ScenarioResult;

/// What every scenario gets.
pub struct Ctx {
    pub profile: Profile,
    /// Scratch folder for generated modules (children read them from here).
    pub work: PathBuf,
    /// This binary, for child processes.
    pub exe: PathBuf,
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
    ("seed_regression", seed_regression::run),
    ("concurrency", concurrency::run),
    ("soak", soak::run),
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
    wasm_runner_synth::preset(name).map(|spec| wasm_runner_synth::build(&spec))
}

pub fn synth_code(bytes: u64) -> Vec<u8> {
    wasm_runner_synth::build(&wasm_runner_synth::SynthSpec::code_heavy(bytes, 1000))
}

/// Looks for corpus/real/cache: `WASM_RUNNER_REAL_CACHE`, else relative to the current
/// directory or to the repository this binary was built from.
pub fn find_real_cache() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("WASM_RUNNER_REAL_CACHE").map(PathBuf::from),
        Some(PathBuf::from("corpus/real/cache")),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/real/cache")),
    ];
    candidates.into_iter().flatten().find(|p| p.join("COMPLETE").is_file())
}
