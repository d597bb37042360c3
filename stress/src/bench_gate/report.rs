//! The gate's verdicts, and `gate.json` and `gate.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::welch::{interval, Interval};
use super::{Samples, PHASES};

/// How sure the intervals are.
pub const CONFIDENCE: f64 = 0.99;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowVerdict {
    /// The interval holds zero.
    NoDifference,
    /// Slower for certain, but not beyond the threshold for certain.
    SlowerWithinThreshold,
    /// The whole interval is above the threshold: fails the gate.
    Slower,
    Faster,
    /// The heap peaks of one revision are all above or all below the other's.
    HeapChanged,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub input: String,
    pub phase: String,
    pub base_ms: f64,
    pub head_ms: f64,
    /// Difference of means and its interval, in percent of the base mean.
    pub diff_pct: f64,
    pub low_pct: f64,
    pub high_pct: f64,
    pub verdict: RowVerdict,
    /// The base's and the head's heap peaks (distinct values) when they differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heap: Option<(Vec<u64>, Vec<u64>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    pub base: String,
    pub head: String,
    pub runs: usize,
    pub threshold_pct: f64,
    pub confidence: f64,
    pub seconds: f64,
    /// Cores of the machine the gate ran on.
    pub cores: usize,
    pub rows: Vec<Row>,
}

/// The verdict of one interval (percent of the base mean) against `threshold_pct`.
pub fn verdict(low_pct: f64, high_pct: f64, threshold_pct: f64) -> RowVerdict {
    if low_pct > threshold_pct {
        RowVerdict::Slower
    } else if low_pct > 0.0 {
        RowVerdict::SlowerWithinThreshold
    } else if high_pct < 0.0 {
        RowVerdict::Faster
    } else {
        RowVerdict::NoDifference
    }
}

fn apart(a: &[u64], b: &[u64]) -> bool {
    let range = |v: &[u64]| (v.iter().min().copied().unwrap_or(0), v.iter().max().copied().unwrap_or(0));
    let ((a_lo, a_hi), (b_lo, b_hi)) = (range(a), range(b));
    b_lo > a_hi || b_hi < a_lo
}

fn distinct(values: &[u64]) -> Vec<u64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

impl Gate {
    pub fn new(base: &str, head: &str, runs: usize, threshold_pct: f64) -> Gate {
        Gate {
            base: base.into(),
            head: head.into(),
            runs,
            threshold_pct,
            confidence: CONFIDENCE,
            seconds: 0.0,
            cores: crate::machine::cores(),
            rows: Vec::new(),
        }
    }

    pub fn add_input(&mut self, input: &str, base: &Samples, head: &Samples) {
        for phase in PHASES {
            let (Some(a), Some(b)) = (base.ms.get(*phase), head.ms.get(*phase)) else { continue };
            let Some(i): Option<Interval> = interval(a, b, CONFIDENCE) else { continue };
            let (diff_pct, low_pct, high_pct) = i.percent();
            let mut verdict = verdict(low_pct, high_pct, self.threshold_pct);
            // Heap peaks do not depend on timing, except where a collection inside the phase
            // lands a few hundred bytes earlier or later: the revisions differ when the
            // values of one are all above (or all below) the other's.
            let heap = match (base.heap.get(*phase), head.heap.get(*phase)) {
                (Some(a), Some(b)) if apart(a, b) => Some((distinct(a), distinct(b))),
                _ => None,
            };
            if heap.is_some() && verdict != RowVerdict::Slower {
                verdict = RowVerdict::HeapChanged;
            }
            self.rows.push(Row {
                input: input.into(),
                phase: phase.to_string(),
                base_ms: i.mean_base,
                head_ms: i.mean_head,
                diff_pct,
                low_pct,
                high_pct,
                verdict,
                heap,
            });
        }
    }

    /// No phase slower beyond the threshold, and no heap peak grown.
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|r| {
            r.verdict != RowVerdict::Slower && r.heap.as_ref().is_none_or(|(a, b)| b.iter().max() <= a.iter().max())
        })
    }
}

pub fn markdown(gate: &Gate) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Warmup gate: {} (head) against {} (base)\n", gate.head, gate.base);
    let _ = writeln!(
        md,
        "{} cold warmups per revision and input, interleaved, a new process each; {:.0}% Welch intervals of the \
         difference of means; a phase fails when its whole interval is more than {:.1}% slower. {:.0} s on a \
         {}-core machine.\n",
        gate.runs,
        gate.confidence * 100.0,
        gate.threshold_pct,
        gate.seconds,
        gate.cores
    );
    let _ = writeln!(md, "| input | phase | base ms | head ms | difference | 99% interval | verdict |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for r in &gate.rows {
        let verdict = match r.verdict {
            RowVerdict::NoDifference => "no difference".to_string(),
            RowVerdict::SlowerWithinThreshold => "slower, within the threshold".to_string(),
            RowVerdict::Slower => "**slower**".to_string(),
            RowVerdict::Faster => "faster".to_string(),
            RowVerdict::HeapChanged => {
                let (a, b) = r.heap.clone().unwrap_or_default();
                format!("heap peak {a:?} -> {b:?}")
            }
        };
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {:.2} | {:+.1}% | [{:+.1}%, {:+.1}%] | {} |",
            r.input, r.phase, r.base_ms, r.head_ms, r.diff_pct, r.low_pct, r.high_pct, verdict
        );
    }
    let _ = writeln!(md, "\n**{}**", if gate.passed() { "pass" } else { "FAIL" });
    md
}

pub fn write(gate: &Gate, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let json = dir.join("gate.json");
    std::fs::write(&json, serde_json::to_string_pretty(gate).unwrap_or_default())?;
    let md = dir.join("gate.md");
    std::fs::write(&md, markdown(gate))?;
    Ok(vec![json, md])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(ms: &[f64], heap: u64) -> Samples {
        let mut s = Samples::default();
        for phase in PHASES {
            s.ms.insert(phase.to_string(), ms.to_vec());
            s.heap.insert(phase.to_string(), vec![heap; ms.len()]);
        }
        s
    }

    const NOISY: [f64; 10] = [100.0, 104.0, 97.0, 101.0, 99.0, 103.0, 96.0, 100.5, 98.5, 102.0];

    #[test]
    fn the_same_samples_pass_with_no_difference() {
        let mut gate = Gate::new("a", "b", 10, 2.0);
        gate.add_input("m", &samples(&NOISY, 1000), &samples(&NOISY, 1000));
        assert!(gate.passed());
        assert!(gate.rows.iter().all(|r| r.verdict == RowVerdict::NoDifference));
    }

    #[test]
    fn a_clear_slowdown_beyond_the_threshold_fails() {
        let slow: Vec<f64> = NOISY.iter().map(|x| x * 1.10).collect();
        let mut gate = Gate::new("a", "b", 10, 2.0);
        gate.add_input("m", &samples(&NOISY, 1000), &samples(&slow, 1000));
        assert!(!gate.passed());
        assert!(gate.rows.iter().all(|r| r.verdict == RowVerdict::Slower));
    }

    #[test]
    fn a_grown_heap_peak_fails_and_a_smaller_one_is_only_reported() {
        let mut grown = Gate::new("a", "b", 10, 2.0);
        grown.add_input("m", &samples(&NOISY, 1000), &samples(&NOISY, 1024));
        assert!(!grown.passed());
        assert!(grown.rows.iter().all(|r| r.verdict == RowVerdict::HeapChanged));
        let mut shrunk = Gate::new("a", "b", 10, 2.0);
        shrunk.add_input("m", &samples(&NOISY, 1024), &samples(&NOISY, 1000));
        assert!(shrunk.passed());
    }

    #[test]
    fn heap_peaks_that_overlap_are_the_same() {
        let mut a = samples(&NOISY, 1000);
        let mut b = samples(&NOISY, 1000);
        a.heap.insert("instantiate".into(), vec![1000, 1104, 1192]);
        b.heap.insert("instantiate".into(), vec![1000, 1192]);
        let mut gate = Gate::new("a", "b", 10, 2.0);
        gate.add_input("m", &a, &b);
        assert!(gate.passed());
        assert!(gate.rows.iter().all(|r| r.heap.is_none()));
    }

    #[test]
    fn verdicts_follow_the_interval() {
        assert_eq!(verdict(-1.0, 1.0, 2.0), RowVerdict::NoDifference);
        assert_eq!(verdict(0.5, 4.0, 2.0), RowVerdict::SlowerWithinThreshold);
        assert_eq!(verdict(2.5, 4.0, 2.0), RowVerdict::Slower);
        assert_eq!(verdict(-4.0, -0.5, 2.0), RowVerdict::Faster);
    }
}
