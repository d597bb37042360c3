//! `bench-table`: criterion's results (target/criterion) as one Markdown table per input
//! size, with the ratios the warmup goals are stated in, and two plots of latency by module
//! size (V8's tiers beside wasmtime's compilers; the lazy tier's phases).
//! `bench-baseline` runs the benches first and writes all of it as a dated baseline.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchTableArgs {
    /// Criterion's output folder.
    #[arg(long, default_value = "target/criterion")]
    pub criterion: PathBuf,
    /// Where to write the table (default reports/bench-<unix time>.md; the plots go beside
    /// it); `-` for stdout only.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct BenchBaselineArgs {
    /// The baseline's date, its folder's name (reports/baselines/<date>-bench/).
    #[arg(long)]
    pub date: String,
    /// The criterion benches to run (repeatable; default: every tier).
    #[arg(long = "bench", value_name = "NAME")]
    pub benches: Vec<String>,
    /// Where baselines go.
    #[arg(long, default_value = "reports/baselines")]
    pub out: PathBuf,
}

/// The benches of `runtime/benches`, one per V8 tier.
pub const BENCHES: &[&str] = &["warmup_lazy", "warmup_liftoff", "warmup_optimizing"];

/// A criterion group and its label in a plot's legend.
type Drawn = (&'static str, &'static str);

/// (plot file, title, groups drawn): what reviewers look at first.
const PLOTS: &[(&str, &str, &[Drawn])] = &[
    (
        "tiers.svg",
        "Warmup by module size: V8's tiers beside wasmtime's compilers",
        &[
            ("warmup/lazy", "V8 warmup, lazy"),
            ("warmup/eager_liftoff", "V8 warmup, eager Liftoff"),
            ("warmup/eager_optimizing", "V8 warmup, eager optimizing"),
            ("wasmtime_winch", "wasmtime Winch compile"),
            ("wasmtime_cranelift", "wasmtime Cranelift compile"),
            ("wasmparser_validate", "wasmparser validation alone"),
        ],
    ),
    (
        "phases_lazy.svg",
        "Warmup phases by module size, lazy tier",
        &[
            ("warmup/lazy", "warmup (cold)"),
            ("phase_guest_checks/lazy", "guest checks"),
            ("phase_compile/lazy", "compile"),
            ("phase_instantiate/lazy", "instantiate"),
            ("warmup_cached/lazy", "warmup (prepared module cached)"),
        ],
    ),
];

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

fn measured(criterion: &Path) -> Result<Vec<Measured>, String> {
    let mut all = Vec::new();
    walk(criterion, &mut all);
    if all.is_empty() {
        return Err(format!(
            "no criterion results under {} (run `cargo bench -p wasm-runner` first)",
            criterion.display()
        ));
    }
    Ok(all)
}

/// The plots (file name, SVG) for the groups criterion has results of.
pub fn plots(criterion: &Path) -> Result<Vec<(String, String)>, String> {
    let all = measured(criterion)?;
    let mut out = Vec::new();
    for (file, title, groups) in PLOTS {
        let series: Vec<crate::report::Series> = groups
            .iter()
            .map(|(group, label)| crate::report::Series {
                name: label.to_string(),
                points: all
                    .iter()
                    .filter(|m| m.group == *group)
                    .filter_map(|m| Some((m.bytes? / 1e6, m.mean_ns / 1e6)))
                    .collect(),
            })
            .filter(|s| !s.points.is_empty())
            .collect();
        if !series.is_empty() {
            out.push((file.to_string(), crate::report::plot(title, "module size (MB)", "ms (mean)", &series)));
        }
    }
    Ok(out)
}

pub fn render(criterion: &Path) -> Result<String, String> {
    let all = measured(criterion)?;
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
    match write(&args.criterion, &path, &table) {
        Ok(written) => {
            print!("{table}");
            for path in written {
                eprintln!("written to {}", path.display());
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Writes the table to `path` and the plots beside it (`<stem>-<plot>.svg`).
fn write(criterion: &Path, path: &Path, table: &str) -> Result<Vec<PathBuf>, String> {
    std::fs::write(path, table).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut written = vec![path.to_path_buf()];
    let stem = path.file_stem().map_or("bench".into(), |s| s.to_string_lossy().into_owned());
    for (file, svg) in plots(criterion)? {
        let plot = path.with_file_name(format!("{stem}-{file}"));
        std::fs::write(&plot, svg).map_err(|e| format!("cannot write {}: {e}", plot.display()))?;
        written.push(plot);
    }
    Ok(written)
}

/// `bench-baseline`: runs the benches, then writes `<out>/<date>-bench/bench.md` and its plots.
pub fn baseline(args: BenchBaselineArgs) -> std::process::ExitCode {
    let benches: Vec<String> =
        if args.benches.is_empty() { BENCHES.iter().map(|b| b.to_string()).collect() } else { args.benches };
    let mut command = std::process::Command::new("cargo");
    command.args(["bench", "-p", "wasm-runner"]);
    for bench in &benches {
        command.args(["--bench", bench]);
    }
    eprintln!("[bench-baseline] cargo bench -p wasm-runner --bench {}", benches.join(" --bench "));
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => {
            eprintln!("error: cargo bench failed ({status})");
            return std::process::ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            return std::process::ExitCode::from(2);
        }
    }
    main(BenchTableArgs {
        criterion: PathBuf::from("target/criterion"),
        output: Some(args.out.join(format!("{}-bench", args.date)).join("bench.md")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A criterion output folder with `group/input/new/{benchmark,estimates}.json`.
    fn criterion(dir: &Path, rows: &[(&str, &str, f64, f64)]) {
        for (group, input, bytes, mean_ns) in rows {
            let new = dir.join(group.replace('/', "_")).join(input).join("new");
            std::fs::create_dir_all(&new).unwrap();
            let bench = serde_json::json!({"group_id": group, "value_str": input, "throughput": {"Bytes": bytes}});
            std::fs::write(new.join("benchmark.json"), bench.to_string()).unwrap();
            let est = serde_json::json!({"mean": {"point_estimate": mean_ns}});
            std::fs::write(new.join("estimates.json"), est.to_string()).unwrap();
        }
    }

    #[test]
    fn each_plot_draws_the_groups_it_names_by_module_size() {
        let dir = tempfile::tempdir().unwrap();
        criterion(
            dir.path(),
            &[
                ("warmup/lazy", "1mb", 1e6, 13e6),
                ("warmup/lazy", "8mb", 8e6, 80e6),
                ("wasmtime_winch", "8mb", 8e6, 250e6),
                ("phase_guest_checks/lazy", "8mb", 8e6, 56e6),
            ],
        );
        let plots = plots(dir.path()).unwrap();
        let names: Vec<&str> = plots.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["tiers.svg", "phases_lazy.svg"]);
        let (_, tiers) = &plots[0];
        assert!(tiers.contains("V8 warmup, lazy") && tiers.contains("wasmtime Winch compile"));
        assert!(!tiers.contains("Cranelift"), "a group without results is left out");
        // Two lazy warmup points and one Winch point.
        assert_eq!(tiers.matches("<circle").count(), 3);
    }

    #[test]
    fn the_table_and_its_plots_are_written_side_by_side() {
        let dir = tempfile::tempdir().unwrap();
        criterion(dir.path(), &[("warmup/lazy", "1mb", 1e6, 13e6), ("phase_compile/lazy", "1mb", 1e6, 3e6)]);
        let table = render(dir.path()).unwrap();
        let path = dir.path().join("out/bench.md");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let written = write(dir.path(), &path, &table).unwrap();
        let names: Vec<String> =
            written.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["bench.md", "bench-tiers.svg", "bench-phases_lazy.svg"]);
    }
}
