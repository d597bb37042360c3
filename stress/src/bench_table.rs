//! `bench-table`: criterion's results (target/criterion) as one Markdown table per input
//! size, with the ratios the warmup goals are stated in.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchTableArgs {
    /// Criterion's output folder.
    #[arg(long, default_value = "target/criterion")]
    pub criterion: PathBuf,
    /// Where to write the table (default reports/bench-<unix time>.md); `-` for stdout only.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

/// One benchmark: group (like `warmup/lazy`), input (like `8mb`), mean time, bytes.
#[derive(Debug, Clone)]
struct Measured {
    group: String,
    input: String,
    mean_ns: f64,
    bytes: Option<f64>,
}

fn walk(dir: &Path, out: &mut Vec<Measured>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "new") {
                if let Some(m) = read(&path) {
                    out.push(m);
                }
            } else {
                walk(&path, out);
            }
        }
    }
}

fn read(new: &Path) -> Option<Measured> {
    let bench: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(new.join("benchmark.json")).ok()?).ok()?;
    let est: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(new.join("estimates.json")).ok()?).ok()?;
    Some(Measured {
        group: bench.get("group_id")?.as_str()?.to_string(),
        input: bench
            .get("value_str")
            .and_then(|v| v.as_str())
            .or_else(|| bench.get("function_id")?.as_str())?
            .to_string(),
        mean_ns: est.get("mean")?.get("point_estimate")?.as_f64()?,
        bytes: bench.get("throughput").and_then(|t| t.get("Bytes")).and_then(|b| b.as_f64()),
    })
}

fn ms(ns: f64) -> String {
    format!("{:.1}", ns / 1e6)
}

pub fn render(criterion: &Path) -> Result<String, String> {
    let mut all = Vec::new();
    walk(criterion, &mut all);
    if all.is_empty() {
        return Err(format!(
            "no criterion results under {} (run `cargo bench -p wasm-runner` first)",
            criterion.display()
        ));
    }
    let mut by_input: BTreeMap<String, BTreeMap<String, Measured>> = BTreeMap::new();
    for m in all {
        by_input.entry(m.input.clone()).or_default().insert(m.group.clone(), m);
    }
    let mut out = String::new();
    let _ = writeln!(out, "# Warmup benchmarks\n\nMean times from criterion (ms); MB/s over the module's bytes.\n");
    for (input, groups) in &by_input {
        let bytes = groups.values().find_map(|m| m.bytes).unwrap_or(0.0);
        let _ = writeln!(out, "## {input} ({:.1} MB)\n", bytes / 1e6);
        let _ = writeln!(out, "| benchmark | ms | MB/s |\n|---|---|---|");
        for (group, m) in groups {
            let rate = if m.mean_ns > 0.0 { bytes / 1e6 / (m.mean_ns / 1e9) } else { 0.0 };
            let _ = writeln!(out, "| {group} | {} | {rate:.1} |", ms(m.mean_ns));
        }
        let get = |g: &str| groups.get(g).map(|m| m.mean_ns);
        let mut ratios = Vec::new();
        if let (Some(v8), Some(winch)) = (get("warmup/lazy"), get("wasmtime_winch")) {
            ratios.push(format!("V8 lazy warmup / Winch compile = {:.2}", v8 / winch));
        }
        if let (Some(v8), Some(winch)) = (get("warmup/eager_liftoff"), get("wasmtime_winch")) {
            ratios.push(format!("V8 eager Liftoff warmup / Winch compile = {:.2}", v8 / winch));
        }
        if let (Some(v8), Some(cl)) = (get("warmup/eager_optimizing"), get("wasmtime_cranelift")) {
            ratios.push(format!("V8 eager optimizing warmup / Cranelift compile = {:.2}", v8 / cl));
        }
        if let (Some(checks), Some(total)) = (get("phase_guest_checks/lazy"), get("warmup/lazy")) {
            ratios.push(format!("guest checks and instrumentation = {:.0}% of lazy warmup", 100.0 * checks / total));
        }
        if let (Some(checks), Some(floor)) = (get("phase_guest_checks/lazy"), get("wasmparser_validate")) {
            ratios.push(format!("guest checks / validation alone = {:.2}", checks / floor));
        }
        for r in ratios {
            let _ = writeln!(out, "\n- {r}");
        }
        let _ = writeln!(out);
    }
    Ok(out)
}

pub fn main(args: BenchTableArgs) -> std::process::ExitCode {
    let table = match render(&args.criterion) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let path = match &args.output {
        Some(p) if p.as_os_str() == "-" => {
            print!("{table}");
            return std::process::ExitCode::SUCCESS;
        }
        Some(p) => p.clone(),
        None => {
            let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            PathBuf::from("reports").join(format!("bench-{secs}.md"))
        }
    };
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    match std::fs::write(&path, &table) {
        Ok(()) => {
            print!("{table}");
            eprintln!("written to {}", path.display());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            std::process::ExitCode::FAILURE
        }
    }
}
