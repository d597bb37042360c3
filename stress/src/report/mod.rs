//! The run's report: `summary.json` (everything, for scripts and `compare`), `summary.md`
//! (for people) and SVG plots, in `reports/<run-id>/`.

pub mod compare;
mod markdown;
mod svg;
pub(crate) use svg::{plot, Series};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::machine::Machine;
use crate::profile::Profile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Not run (an input is missing, such as the real-module cache); never a failure.
    Skipped,
}

/// Something a scenario found that needs a person: an abort, a hang, a limit not held.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub what: String,
    /// Where to reproduce it: a module file, a preset, a command.
    pub input: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub name: String,
    /// The pass rule, stated.
    pub rule: String,
    pub verdict: Verdict,
    pub duration_s: f64,
    /// Headline numbers, by name. `compare` flags growth in `*_ms`, `*_bytes` and `*_mib`
    /// metrics and shrinkage in `*_factor` ones.
    pub metrics: BTreeMap<String, f64>,
    /// Per-item details (one row per module size, iteration, case...).
    pub rows: Vec<serde_json::Value>,
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
}

impl ScenarioResult {
    pub fn new(name: &str, rule: &str) -> Self {
        ScenarioResult {
            name: name.into(),
            rule: rule.into(),
            verdict: Verdict::Pass,
            duration_s: 0.0,
            metrics: BTreeMap::new(),
            rows: Vec::new(),
            findings: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn skipped(name: &str, rule: &str, why: &str) -> Self {
        let mut r = ScenarioResult::new(name, rule);
        r.verdict = Verdict::Skipped;
        r.notes.push(why.into());
        r
    }

    /// Records a broken pass rule: the scenario fails, with the reason kept.
    pub fn fail(&mut self, why: impl Into<String>) {
        self.verdict = Verdict::Fail;
        self.notes.push(why.into());
    }

    pub fn metric(&mut self, name: &str, value: f64) {
        self.metrics.insert(name.into(), value);
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub run_id: String,
    pub started_unix_s: u64,
    pub commit: String,
    pub machine: Machine,
    pub profile: Profile,
    /// The runner and guest limits in force (defaults unless the environment changed them).
    pub limits: serde_json::Value,
    pub scenarios: Vec<ScenarioResult>,
    pub verdict: Verdict,
    pub duration_s: f64,
}

impl Summary {
    pub fn failed(&self) -> Vec<&ScenarioResult> {
        self.scenarios.iter().filter(|s| s.verdict == Verdict::Fail).collect()
    }

    pub fn scenario(&self, name: &str) -> Option<&ScenarioResult> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    pub fn load(path: &Path) -> Result<Summary, String> {
        let file = if path.is_dir() { path.join("summary.json") } else { path.to_path_buf() };
        let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{} is not a stress summary: {e}", file.display()))
    }
}

/// Writes `summary.json`, `summary.md` and the plots into `dir`; returns the files written.
pub fn write(summary: &Summary, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let json = dir.join("summary.json");
    std::fs::write(&json, serde_json::to_string_pretty(summary).map_err(std::io::Error::other)?)?;
    written.push(json);
    for (name, svg) in svg::plots(summary) {
        let path = dir.join(name);
        std::fs::write(&path, svg)?;
        written.push(path);
    }
    let md = dir.join("summary.md");
    std::fs::write(&md, markdown::render(summary, &written))?;
    written.push(md);
    Ok(written)
}
