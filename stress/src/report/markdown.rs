//! `summary.md`: the verdicts, the headline numbers and the findings, for a person.

use std::fmt::Write;
use std::path::PathBuf;

use super::{Summary, Verdict};

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Skipped => "skipped",
    }
}

pub fn render(summary: &Summary, files: &[PathBuf]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Stress run {} ({})\n", summary.run_id, verdict(summary.verdict));
    let m = &summary.machine;
    let _ = writeln!(
        out,
        "commit `{}`, profile `{:?}`, {} cores, {:.1} GiB, {} {}, V8 {}, {:.0} s\n",
        summary.commit,
        summary.profile.name,
        m.cores,
        m.memory_total_bytes.unwrap_or(0) as f64 / f64::from(1u32 << 30),
        m.os,
        m.arch,
        m.v8_version,
        summary.duration_s
    );
    let _ = writeln!(out, "| scenario | verdict | time | rule |\n|---|---|---|---|");
    for s in &summary.scenarios {
        let _ = writeln!(out, "| {} | {} | {:.1} s | {} |", s.name, verdict(s.verdict), s.duration_s, s.rule);
    }
    for s in &summary.scenarios {
        let _ = writeln!(out, "\n## {} ({})\n", s.name, verdict(s.verdict));
        let _ = writeln!(out, "Rule: {}\n", s.rule);
        if !s.metrics.is_empty() {
            let _ = writeln!(out, "| metric | value |\n|---|---|");
            for (k, v) in &s.metrics {
                let _ = writeln!(out, "| {k} | {} |", format_number(*v));
            }
        }
        for note in &s.notes {
            let _ = writeln!(out, "\n- {note}");
        }
        for f in &s.findings {
            let _ = writeln!(out, "\n- **finding**: {} (input: `{}`): {}", f.what, f.input, f.detail);
        }
    }
    let plots: Vec<_> = files.iter().filter(|f| f.extension().is_some_and(|e| e == "svg")).collect();
    if !plots.is_empty() {
        let _ = writeln!(out, "\n## Plots\n");
        for p in plots {
            if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
                let _ = writeln!(out, "![{name}]({name})");
            }
        }
    }
    out
}

fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}
