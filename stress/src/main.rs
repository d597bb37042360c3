//! The nightly stress job: `wasm-runner-stress nightly [--profile ci|nightly]`.
//!
//! Drives the runtime's public API only: synthetic modules (the `synth` crate), real ones
//! from corpus/real/cache, scenarios with stated pass rules, reports in `reports/<run-id>/`.

/// `println!` that ends the job quietly (status 141) when stdout's reader went away.
macro_rules! outln {
    ($($arg:tt)*) => { wasm_runner::internals::write_stdout_line(format_args!($($arg)*)) };
}

mod bench_gate;
mod bench_table;
mod check_cost;
mod fuzz_campaign;
mod machine;
mod profile;
mod progress;
mod report;
mod scenarios;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};

use profile::{Profile, ProfileName};
use report::{Summary, Verdict};

#[derive(Debug, Parser)]
#[command(
    name = "wasm-runner-stress",
    version,
    about = "Stress the V8 wasm runner: large synthetic and real modules, concurrency, soak, faults, endless guests",
    long_about = "Stress the V8 wasm runner: large synthetic and real modules, concurrency, soak, fault injection, \
                  endless guests under each V8 tier, and the smallest runner heap each module needs.\n\n\
                  Reports go to reports/<run-id>/ (summary.json, summary.md, SVG plots). The exit status is 1 when \
                  any scenario fails, 2 on bad usage.\n\n\
                  The runner's environment applies (WASM_RUNNER_HEAP_LIMIT_MB, WASM_GUEST_MAX_*, \
                  WASM_RUNNER_V8_FLAGS); WASM_RUNNER_REAL_CACHE points at the real-module cache \
                  (default corpus/real/cache, filled by corpus/real/fetch.sh)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every scenario of a profile and write the report.
    Nightly(NightlyArgs),
    /// Write one synthetic module (see --list for the presets).
    Synth(SynthArgs),
    /// Compare two runs (report folders or summary.json files); exit 1 on a regression.
    Compare(CompareArgs),
    /// Turn criterion's results (cargo bench -p wasm-runner) into a Markdown table under reports/.
    BenchTable(bench_table::BenchTableArgs),
    /// Run the criterion benches (every tier) and write reports/baselines/<date>-bench/: the
    /// table and its plots.
    BenchBaseline(bench_table::BenchBaselineArgs),
    /// Did a change make warmup slower? Builds two revisions, runs their cold warmups
    /// interleaved, and reports each phase's difference with a 99% interval; exit 1 when a
    /// phase is slower beyond the threshold or a heap peak grew.
    BenchGate(bench_gate::BenchGateArgs),
    /// What the guest checks cost per byte for each kind of body that costs them most.
    CheckCost(check_cost::CheckCostArgs),
    /// Run every fuzz target for a bounded time on all cores and write reports/<run-id>/fuzz.json
    /// and fuzz.md (needs cargo-fuzz and the nightly toolchain).
    Fuzz(fuzz_campaign::FuzzArgs),
}

#[derive(Debug, clap::Args)]
struct NightlyArgs {
    /// ci: a few minutes, for every change; nightly: the full job (under an hour).
    #[arg(long, value_enum, default_value = "nightly")]
    profile: ProfileName,
    /// Where run folders go.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// Run only these scenarios (repeatable): size_sweep, production_bug, concurrency, soak,
    /// budgets, faults, endless, real_modules, min_heap.
    #[arg(long = "only", value_name = "SCENARIO")]
    only: Vec<String>,
    /// The run's folder name (default: UTC time and commit).
    #[arg(long)]
    run_id: Option<String>,
    /// Print summary.json to stdout as well.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct SynthArgs {
    /// Start from this preset (see --list); without, from an empty module.
    #[arg(long)]
    preset: Option<String>,
    /// Set a knob of the spec (repeatable): functions, body_bytes, exported_functions,
    /// table_elements, element_items, element_segment_size, globals, exported_globals,
    /// data_bytes.
    #[arg(long = "set", value_name = "KNOB=N")]
    set: Vec<String>,
    /// Output file.
    #[arg(short = 'o', long, required_unless_present = "list")]
    output: Option<PathBuf>,
    /// List the presets.
    #[arg(long)]
    list: bool,
}

#[derive(Debug, clap::Args)]
struct CompareArgs {
    old: PathBuf,
    new: PathBuf,
    /// Relative change tolerated before a metric counts as a regression.
    #[arg(long, default_value_t = 0.25)]
    tolerance: f64,
    #[arg(long)]
    json: bool,
}

/// The subcommand under which this binary is the `wasm-runner` command line, so scenarios
/// can run jobs in child processes of this very binary (`wasm_runner::child`).
pub const RUNNER_SUBCOMMAND: &str = "runner";

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    if std::env::args_os().nth(1).is_some_and(|a| a == RUNNER_SUBCOMMAND) {
        let program = args.next().unwrap_or_default();
        return wasm_runner::cli::main_embedded(RUNNER_SUBCOMMAND, std::iter::once(program).chain(args.skip(1)));
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,wasm_runner::isolate=error")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    match Cli::parse().command {
        Command::Nightly(args) => nightly(args),
        Command::Synth(args) => synth(args),
        Command::Compare(args) => compare(args),
        Command::BenchTable(args) => bench_table::main(args),
        Command::BenchBaseline(args) => bench_table::baseline(args),
        Command::BenchGate(args) => bench_gate::main(args),
        Command::CheckCost(args) => check_cost::main(args),
        Command::Fuzz(args) => {
            let id = args.run_id.clone().unwrap_or_else(run_id);
            fuzz_campaign::run(args, id)
        }
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn run_id() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}-{:02}{:02}{:02}-{}", rem / 3600, rem % 3600 / 60, rem % 60, machine::commit())
}

fn nightly(args: NightlyArgs) -> ExitCode {
    let known: Vec<&str> = scenarios::ALL.iter().map(|(n, _)| *n).collect();
    if let Some(bad) = args.only.iter().find(|o| !known.contains(&o.as_str())) {
        return usage(&format!("unknown scenario {bad:?}; known: {}", known.join(", ")));
    }
    let Ok(exe) = std::env::current_exe() else { return usage("cannot find this program's path") };
    let work = match tempfile::Builder::new().prefix("wasm-runner-stress").tempdir() {
        Ok(dir) => dir,
        Err(e) => return usage(&format!("cannot make a scratch folder: {e}")),
    };
    let profile = Profile::new(args.profile);
    let ctx = scenarios::Ctx {
        profile: profile.clone(),
        work: work.path().to_path_buf(),
        runner: wasm_runner::child::RunnerProgram::embedded(exe, RUNNER_SUBCOMMAND),
        real_cache: wasm_runner_testkit::real::cache(),
    };
    let run_id = args.run_id.clone().unwrap_or_else(run_id);
    let started_unix_s = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let started = Instant::now();
    eprintln!(
        "stress run {run_id}: profile {:?}, {} scenario(s)",
        profile.name,
        if args.only.is_empty() { known.len() } else { args.only.len() }
    );
    let mut results = Vec::new();
    for (name, scenario) in scenarios::ALL {
        if !args.only.is_empty() && !args.only.iter().any(|o| o == name) {
            continue;
        }
        let result = scenarios::run(name, *scenario, &ctx);
        eprintln!("{name}: {:?} in {:.1} s", result.verdict, result.duration_s);
        for note in result.notes.iter().take(5) {
            eprintln!("  {note}");
        }
        results.push(result);
    }
    let verdict = if results.iter().any(|r| r.verdict == Verdict::Fail) { Verdict::Fail } else { Verdict::Pass };
    let limits = serde_json::json!({
        "runner_heap_limit_bytes": wasm_runner::RunnerLimits::from_env().heap_limit_bytes,
        "guest": wasm_runner::GuestLimits::from_env(),
    });
    let summary = Summary {
        run_id: run_id.clone(),
        started_unix_s,
        commit: machine::commit(),
        machine: machine::Machine::this(),
        profile,
        limits,
        scenarios: results,
        verdict,
        duration_s: started.elapsed().as_secs_f64(),
    };
    let dir = args.out.join(&run_id);
    match report::write(&summary, &dir) {
        Ok(files) => eprintln!("report: {} ({} files)", dir.display(), files.len()),
        Err(e) => {
            eprintln!("error: cannot write the report to {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
    }
    let failed = summary.failed();
    if failed.is_empty() {
        eprintln!("stress: all scenarios passed in {:.0} s", summary.duration_s);
        ExitCode::SUCCESS
    } else {
        eprintln!("stress: FAILED: {}", failed.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", "));
        ExitCode::FAILURE
    }
}

fn synth(args: SynthArgs) -> ExitCode {
    use wasm_runner_testkit::synth;
    if args.list {
        for (name, what) in synth::PRESETS {
            outln!("{name:16} {what}");
        }
        return ExitCode::SUCCESS;
    }
    let Some(output) = args.output else { return usage("-o is required") };
    let mut spec = match &args.preset {
        None => synth::SynthSpec::default(),
        Some(name) => match synth::preset(name) {
            Some(spec) => spec,
            None => {
                let names: Vec<_> = synth::PRESETS.iter().map(|(n, _)| *n).collect();
                return usage(&format!("unknown preset {name:?}; presets: {}", names.join(", ")));
            }
        },
    };
    for knob in &args.set {
        let Some((name, value)) = knob.split_once('=') else {
            return usage(&format!("--set needs KNOB=N, got {knob:?}"));
        };
        let Ok(value) = value.parse::<u64>() else {
            return usage(&format!("--set {name} needs a whole number, got {value:?}"));
        };
        if let Err(e) = spec.set(name, value) {
            return usage(&e);
        }
    }
    let module = synth::build(&spec);
    match std::fs::write(&output, &module) {
        Ok(()) => {
            eprintln!("{}: {} bytes", output.display(), module.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", output.display());
            ExitCode::FAILURE
        }
    }
}

/// A stress summary, or a fuzz campaign's report in the summary's shape.
fn load_run(path: &std::path::Path) -> Result<Summary, String> {
    let fuzz = path.ends_with("fuzz.json") || (path.is_dir() && !path.join("summary.json").exists());
    if fuzz {
        fuzz_campaign::report::FuzzReport::load(path).map(|r| r.as_summary())
    } else {
        Summary::load(path)
    }
}

fn compare(args: CompareArgs) -> ExitCode {
    let (old, new) = match (load_run(&args.old), load_run(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return usage(&e),
    };
    let c = report::compare::compare(&old, &new, args.tolerance);
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&c).unwrap_or_default());
    } else {
        outln!("{} -> {} (tolerance {:.0}%)", c.old_run, c.new_run, c.tolerance * 100.0);
        for name in &c.newly_failing {
            outln!("NEWLY FAILING  {name}");
        }
        for reg in &c.regressions {
            outln!(
                "REGRESSION     {}.{}: {:.2} -> {:.2} (x{:.2})",
                reg.scenario,
                reg.metric,
                reg.old,
                reg.new,
                reg.ratio
            );
        }
        for imp in &c.improvements {
            outln!(
                "improved       {}.{}: {:.2} -> {:.2} (x{:.2})",
                imp.scenario,
                imp.metric,
                imp.old,
                imp.new,
                imp.ratio
            );
        }
        if !c.regressed() {
            outln!("no regressions");
        }
    }
    if c.regressed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
