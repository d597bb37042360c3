//! `check-cost`: what the guest checks (validation, budgets, imports, instrumentation) cost
//! per byte of module, for each kind of body that costs them most: the worst case per
//! operator class, measured on modules of one size, best of three runs.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use wasm_runner::child::{ChildJob, RunnerProgram};
use wasm_runner::{prepare, wasi_preview1, GuestLimits, Instrumentation};

#[derive(Debug, clap::Args)]
pub struct CheckCostArgs {
    /// Size of each module in MB (the classes fill it with copies of their function).
    #[arg(long, default_value_t = 8)]
    pub mb: usize,
    /// Print the table as JSON.
    #[arg(long)]
    pub json: bool,
    /// Measure only these classes (repeatable; default all).
    #[arg(long = "only", value_name = "CLASS")]
    pub only: Vec<String>,
    /// Also run each module in a child process (warmup, then its first function once) and
    /// report the child's peak RSS above an empty module's.
    #[arg(long)]
    pub rss: bool,
}

/// One class: its name, and one function of it as WAT (the module repeats it).
fn classes() -> Vec<(&'static str, String)> {
    let targets = |n: usize| "0 ".repeat(n);
    vec![
        ("straight_line", format!("(func {})", "(drop (i32.const 1)) ".repeat(100_000))),
        ("segments", format!("(func (block {}))", "(br_if 0 (i32.const 0)) ".repeat(100_000))),
        ("call_sites", format!("(func {})", "(call 0) ".repeat(100_000))),
        ("br_table_max_targets", format!("(func (block (br_table {} (i32.const 0))))", targets(65_520))),
        (
            "br_table_max_operand_checks",
            format!(
                "(func (result {r}) (block (result {r}) {v} (br_table {t} (i32.const 0))))",
                r = "i32 ".repeat(16),
                v = "(i32.const 0) ".repeat(16),
                t = targets(65_000)
            ),
        ),
        (
            "br_table_high_arity",
            format!(
                "(func (result {r}) (block (result {r}) {v} (br_table {t} (i32.const 0))))",
                r = "i32 ".repeat(1000),
                v = "(i32.const 0) ".repeat(1000),
                t = targets(65_000)
            ),
        ),
        ("br_table_over_v8s_limit", format!("(func (block (br_table {} (i32.const 0))))", targets(1_000_000))),
        (
            "locals_max",
            format!("(func (local {}) {})", "i32 ".repeat(50_000), "(drop (local.get 49999)) ".repeat(50_000)),
        ),
        ("deep_nesting", format!("(func {}{})", "(block ".repeat(10_000), ")".repeat(10_000))),
        ("tiny_functions", "(func)".to_string()),
    ]
}

/// Modules that are not one function repeated: name and WAT for about `bytes` bytes.
fn whole_modules(bytes: usize) -> Vec<(&'static str, String)> {
    // Function 0 calls every other once: a run compiles them all.
    let body = "(drop (i32.const 1)) ".repeat(16_000);
    let n = (bytes / 48_000).max(1);
    let calls: String = (1..=n).map(|i| format!("(call {i}) ")).collect();
    vec![("all_functions_run", format!("(func {calls}) {}", format!("(func {body}) ").repeat(n)))]
}

/// A module of about `bytes` bytes: `function` repeated (at least once), exported.
fn module(function: &str, bytes: usize) -> Vec<u8> {
    let one = wat::parse_str(format!("(module {function})")).unwrap_or_default();
    let copies = (bytes / one.len().max(1)).clamp(1, 1_000_000);
    let text = format!("(module {} (export \"f\" (func 0)))", function.repeat(copies));
    wat::parse_str(text).unwrap_or_default()
}

struct Row {
    class: &'static str,
    bytes: usize,
    best: Duration,
    verdict: String,
    /// The child's peak RSS above an empty module's, and how its run ended.
    rss: Option<(u64, String)>,
}

/// Peak RSS of a child process that warms `module` up and calls its export `f` once.
fn child_rss(module: &[u8], dir: &std::path::Path, name: &str) -> Option<(u64, String)> {
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, module).ok()?;
    let exe = std::env::current_exe().ok()?;
    let program = RunnerProgram::embedded(exe, crate::RUNNER_SUBCOMMAND);
    let child = ChildJob::run(&path).invoke("f").max_wall_ms(60_000).spawn(&program, Duration::from_secs(180));
    Some((child.process.peak_rss_bytes?, child.outcome().to_string()))
}

pub fn main(args: CheckCostArgs) -> std::process::ExitCode {
    let limits = GuestLimits::default();
    let mut rows = Vec::new();
    let Ok(scratch) = tempfile::tempdir() else {
        eprintln!("error: no scratch folder");
        return std::process::ExitCode::from(2);
    };
    let baseline = if args.rss {
        let empty = wat::parse_str("(module (func (export \"f\")))").unwrap_or_default();
        child_rss(&empty, scratch.path(), "empty").map_or(0, |(rss, _)| rss)
    } else {
        0
    };
    let wanted = |class: &str| args.only.is_empty() || args.only.iter().any(|c| c == class);
    let mut all: Vec<(&'static str, Vec<u8>)> = Vec::new();
    for (class, function) in classes().into_iter().filter(|(class, _)| wanted(class)) {
        all.push((class, module(&function, args.mb << 20)));
    }
    for (class, text) in whole_modules(args.mb << 20).into_iter().filter(|(class, _)| wanted(class)) {
        all.push((class, wat::parse_str(format!("(module {text} (export \"f\" (func 0)))")).unwrap_or_default()));
    }
    for (class, bytes) in all {
        if bytes.is_empty() {
            eprintln!("error: the {class} module did not assemble");
            return std::process::ExitCode::from(2);
        }
        let mut best = Duration::MAX;
        let mut verdict = String::new();
        for _ in 0..3 {
            let started = Instant::now();
            let outcome = prepare(&bytes, &limits, &wasi_preview1(), Instrumentation::On);
            best = best.min(started.elapsed());
            verdict = match outcome {
                Ok(_) => "accepted".into(),
                Err(e) => format!("refused: {}", e.kind()),
            };
        }
        eprintln!("{class}: {:.1} MB in {:.0} ms ({verdict})", bytes.len() as f64 / 1e6, best.as_secs_f64() * 1e3);
        let rss = if args.rss {
            child_rss(&bytes, scratch.path(), class).map(|(rss, outcome)| (rss.saturating_sub(baseline), outcome))
        } else {
            None
        };
        rows.push(Row { class, bytes: bytes.len(), best, verdict, rss });
    }
    if args.json {
        let json: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "class": r.class, "bytes": r.bytes, "ms": r.best.as_secs_f64() * 1e3,
                    "ns_per_byte": r.best.as_nanos() as f64 / r.bytes as f64, "verdict": r.verdict,
                    "rss_above_empty_bytes": r.rss.as_ref().map(|(b, _)| b), "run_outcome": r.rss.as_ref().map(|(_, o)| o),
                })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
    } else {
        let mut out = String::from(
            "| class | MB | guest checks (ms) | ns per byte | verdict | peak RSS above empty (MB) | run |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for r in &rows {
            let (rss, run) = match &r.rss {
                Some((bytes, outcome)) => (format!("{:.0}", *bytes as f64 / 1e6), outcome.clone()),
                None => ("-".into(), "-".into()),
            };
            let _ = writeln!(
                out,
                "| {} | {:.1} | {:.0} | {:.1} | {} | {rss} | {run} |",
                r.class,
                r.bytes as f64 / 1e6,
                r.best.as_secs_f64() * 1e3,
                r.best.as_nanos() as f64 / r.bytes as f64,
                r.verdict
            );
        }
        print!("{out}");
    }
    std::process::ExitCode::SUCCESS
}
