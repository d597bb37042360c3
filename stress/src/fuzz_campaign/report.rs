//! The campaign's report: `fuzz.json` for scripts and `compare`, `fuzz.md` for a person.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::machine::Machine;
use crate::report::{Finding, ScenarioResult, Summary, Verdict};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FuzzReport {
    pub run_id: String,
    pub commit: String,
    pub machine: Machine,
    /// Seconds each target ran.
    pub seconds_per_target: u64,
    /// libFuzzer processes per target (`-fork`).
    pub jobs: usize,
    /// Whether the heap-level feedback was on (fuzz/src/feedback.rs).
    pub heap_feedback: bool,
    pub targets: Vec<TargetRun>,
    pub verdict: Verdict,
    pub duration_s: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetRun {
    pub target: String,
    pub seconds: f64,
    pub executions: u64,
    /// Executions over the run's seconds, every job together.
    pub exec_per_s: u64,
    /// As libFuzzer printed it last (one job's, in -fork mode).
    pub libfuzzer_exec_per_s: u64,
    pub edges_covered: u64,
    pub features_covered: u64,
    pub corpus_before: u64,
    pub corpus_after: u64,
    /// The highest runner-heap peak any execution reached, and the worst peak/bound ratio
    /// (0 for targets that run no V8 job through the heap model).
    pub highest_peak_heap_bytes: u64,
    pub worst_heap_ratio: f64,
    pub findings: Vec<Finding>,
    /// libFuzzer's exit status (a crash in single-process mode ends the run).
    pub exit_code: Option<i32>,
}

impl FuzzReport {
    pub fn load(path: &Path) -> Result<FuzzReport, String> {
        let file = if path.is_dir() { path.join("fuzz.json") } else { path.to_path_buf() };
        let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{} is not a fuzz report: {e}", file.display()))
    }

    /// The report in the stress summary's shape, so `compare` reads both alike: one scenario
    /// per target, with `exec_per_s` and `*_covered` (smaller is worse).
    pub fn as_summary(&self) -> Summary {
        let scenarios = self
            .targets
            .iter()
            .map(|t| {
                let mut s = ScenarioResult::new(&format!("fuzz_{}", t.target), "the target's property holds");
                s.metrics = BTreeMap::from([
                    ("exec_per_s".to_string(), t.exec_per_s as f64),
                    ("edges_covered".to_string(), t.edges_covered as f64),
                    ("features_covered".to_string(), t.features_covered as f64),
                ]);
                if !t.findings.is_empty() {
                    s.verdict = Verdict::Fail;
                }
                s
            })
            .collect();
        Summary {
            run_id: self.run_id.clone(),
            started_unix_s: 0,
            commit: self.commit.clone(),
            machine: self.machine.clone(),
            profile: crate::profile::Profile::new(crate::profile::ProfileName::Ci),
            limits: serde_json::Value::Null,
            scenarios,
            verdict: self.verdict,
            duration_s: self.duration_s,
        }
    }

    pub fn markdown(&self) -> String {
        let mib = |b: u64| b as f64 / 1048576.0;
        let mut out = format!(
            "# Fuzz campaign {} ({:?})\n\ncommit `{}`, {} cores, V8 {}, {} s per target, {} job(s) each, heap feedback {}, \
             {:.0} s in all\n\n",
            self.run_id,
            self.verdict,
            &self.commit[..self.commit.len().min(12)],
            self.machine.cores,
            self.machine.v8_version,
            self.seconds_per_target,
            self.jobs,
            if self.heap_feedback { "on" } else { "off" },
            self.duration_s
        );
        out.push_str(
            "| target | executions | exec/s | edges | features | corpus before -> after | highest heap peak | worst peak/bound | findings |\n\
             |---|---|---|---|---|---|---|---|---|\n",
        );
        for t in &self.targets {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} -> {} | {:.1} MiB | {:.3} | {} |\n",
                t.target,
                t.executions,
                t.exec_per_s,
                t.edges_covered,
                t.features_covered,
                t.corpus_before,
                t.corpus_after,
                mib(t.highest_peak_heap_bytes),
                t.worst_heap_ratio,
                t.findings.len()
            ));
        }
        let findings: Vec<&Finding> = self.targets.iter().flat_map(|t| &t.findings).collect();
        if !findings.is_empty() {
            out.push_str("\n## Findings\n\n");
            for f in findings {
                out.push_str(&format!("- {}: `{}`\n  reproduce: `{}`\n", f.what, f.input, f.detail));
            }
        }
        out
    }
}
