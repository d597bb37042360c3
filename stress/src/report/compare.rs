//! `compare OLD NEW`: what got worse between two runs.

use serde::Serialize;

use super::{Summary, Verdict};

#[derive(Debug, Clone, Serialize)]
pub struct Regression {
    pub scenario: String,
    pub metric: String,
    pub old: f64,
    pub new: f64,
    /// new / old.
    pub ratio: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub old_run: String,
    pub new_run: String,
    pub tolerance: f64,
    /// Scenarios that passed before and fail now.
    pub newly_failing: Vec<String>,
    pub regressions: Vec<Regression>,
    pub improvements: Vec<Regression>,
}

impl Comparison {
    pub fn regressed(&self) -> bool {
        !self.newly_failing.is_empty() || !self.regressions.is_empty()
    }
}

/// Whether a larger value of `metric` is worse (`Some(true)`), better (`Some(false)`), or
/// neither (counts, settings).
fn larger_is_worse(metric: &str) -> Option<bool> {
    if metric.ends_with("_ms") || metric.ends_with("_bytes") || metric.ends_with("_mib") {
        Some(true)
    } else if metric.ends_with("_factor") || metric.ends_with("_per_s") || metric.ends_with("_covered") {
        Some(false)
    } else {
        None
    }
}

/// Metrics whose old and new values are both below this are noise, whatever the ratio.
const NOISE_FLOOR: f64 = 1.0;

pub fn compare(old: &Summary, new: &Summary, tolerance: f64) -> Comparison {
    let mut c = Comparison {
        old_run: old.run_id.clone(),
        new_run: new.run_id.clone(),
        tolerance,
        newly_failing: Vec::new(),
        regressions: Vec::new(),
        improvements: Vec::new(),
    };
    for n in &new.scenarios {
        let Some(o) = old.scenario(&n.name) else { continue };
        if o.verdict == Verdict::Pass && n.verdict == Verdict::Fail {
            c.newly_failing.push(n.name.clone());
        }
        for (metric, &new_value) in &n.metrics {
            let (Some(&old_value), Some(worse_up)) = (o.metrics.get(metric), larger_is_worse(metric)) else { continue };
            if old_value.abs() < NOISE_FLOOR && new_value.abs() < NOISE_FLOOR {
                continue;
            }
            let ratio = if old_value == 0.0 { f64::INFINITY } else { new_value / old_value };
            let entry =
                Regression { scenario: n.name.clone(), metric: metric.clone(), old: old_value, new: new_value, ratio };
            let (worse, better) = if worse_up {
                (ratio > 1.0 + tolerance, ratio < 1.0 / (1.0 + tolerance))
            } else {
                (ratio < 1.0 / (1.0 + tolerance), ratio > 1.0 + tolerance)
            };
            if worse {
                c.regressions.push(entry);
            } else if better {
                c.improvements.push(entry);
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ScenarioResult;

    fn summary(id: &str, verdict: Verdict, metrics: &[(&str, f64)]) -> Summary {
        let mut s = ScenarioResult::new("size_sweep", "rule");
        s.verdict = verdict;
        for (k, v) in metrics {
            s.metric(k, *v);
        }
        Summary {
            run_id: id.into(),
            started_unix_s: 0,
            commit: "c".into(),
            machine: crate::machine::Machine {
                cores: 2,
                memory_total_bytes: None,
                os: "linux".into(),
                arch: "x86_64".into(),
                v8_version: "v".into(),
            },
            profile: crate::profile::Profile::new(crate::profile::ProfileName::Ci),
            limits: serde_json::Value::Null,
            scenarios: vec![s],
            verdict,
            duration_s: 1.0,
        }
    }

    #[test]
    fn fewer_executions_per_second_or_less_coverage_are_regressions() {
        let old = summary("a", Verdict::Pass, &[("exec_per_s", 1000.0), ("edges_covered", 5000.0)]);
        let new = summary("b", Verdict::Pass, &[("exec_per_s", 500.0), ("edges_covered", 3000.0)]);
        let c = compare(&old, &new, 0.25);
        let regressed: Vec<_> = c.regressions.iter().map(|r| r.metric.as_str()).collect();
        assert_eq!(regressed, ["edges_covered", "exec_per_s"]);
    }

    #[test]
    fn slower_and_bigger_are_regressions_within_tolerance_is_not() {
        let old = summary("a", Verdict::Pass, &[("warmup_ms", 100.0), ("peak_heap_mib", 10.0), ("cases", 5.0)]);
        let new = summary("b", Verdict::Pass, &[("warmup_ms", 150.0), ("peak_heap_mib", 10.5), ("cases", 50.0)]);
        let c = compare(&old, &new, 0.25);
        assert_eq!(c.regressions.len(), 1, "{c:?}");
        assert_eq!(c.regressions[0].metric, "warmup_ms");
        assert!(c.regressed());
    }

    #[test]
    fn a_shrinking_headroom_factor_is_a_regression_and_a_new_failure_too() {
        let old = summary("a", Verdict::Pass, &[("headroom_factor", 10.0)]);
        let new = summary("b", Verdict::Fail, &[("headroom_factor", 5.0)]);
        let c = compare(&old, &new, 0.25);
        assert_eq!(c.newly_failing, vec!["size_sweep".to_string()]);
        assert_eq!(c.regressions[0].metric, "headroom_factor");
    }

    #[test]
    fn faster_is_an_improvement_not_a_regression() {
        let old = summary("a", Verdict::Pass, &[("warmup_ms", 100.0)]);
        let new = summary("b", Verdict::Pass, &[("warmup_ms", 50.0)]);
        let c = compare(&old, &new, 0.25);
        assert!(!c.regressed());
        assert_eq!(c.improvements.len(), 1);
    }
}
