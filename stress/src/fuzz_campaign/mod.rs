//! `wasm-runner-stress fuzz`: the nightly fuzz campaign. Every target (or those named) runs
//! for a bounded time on all cores (`-fork`), over a corpus kept between campaigns (seeded
//! from `corpus/<target>` and its regressions, and grown by libFuzzer's own merge), and the
//! run writes `reports/<run-id>/fuzz.json` and `fuzz.md`: executions, exec/s, coverage,
//! corpus size, the highest heap peak and the worst peak/bound ratio the oracles saw, and
//! each finding with the command that reproduces it. `compare` reads two of them.

mod libfuzzer;
pub mod report;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use report::{FuzzReport, TargetRun};

use crate::report::{Finding, Verdict};

/// Where cargo-fuzz puts the binaries of this workspace.
const BINARIES: &str = "target/x86_64-unknown-linux-gnu/release";
/// The oracles' heap report folder (fuzz/src/heap.rs) and the feedback switch
/// (fuzz/src/feedback.rs), by their names.
const HEAP_REPORT_ENV: &str = "WASM_RUNNER_FUZZ_HEAP_REPORT";
const FEEDBACK_ENV: &str = "WASM_RUNNER_FUZZ_HEAP_FEEDBACK";
/// How often progress is printed while a target runs.
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, clap::Args)]
pub struct FuzzArgs {
    /// Targets to run (repeatable; default: every target `cargo fuzz list` names).
    #[arg(long = "target", value_name = "TARGET")]
    targets: Vec<String>,
    /// Seconds each target runs.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    seconds: u64,
    /// libFuzzer processes per target (default: the number of cores; 1 runs without -fork).
    #[arg(long)]
    jobs: Option<usize>,
    /// Where the campaign corpus lives between runs (a folder per target).
    #[arg(long, default_value = "target/fuzz-corpus")]
    corpus_dir: PathBuf,
    /// Where run folders go.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// The run's folder name (default: UTC time and commit).
    #[arg(long)]
    pub run_id: Option<String>,
    /// Use the binaries already built (`cargo +nightly fuzz build -s none`).
    #[arg(long)]
    no_build: bool,
    /// Turn the heap-level feedback off (to compare runs with and without it).
    #[arg(long)]
    no_heap_feedback: bool,
    /// libFuzzer's -max_len (bytes of input; larger inputs reach larger modules).
    #[arg(long, default_value_t = 1_048_576)]
    max_len: u64,
    /// Print fuzz.json to stdout as well.
    #[arg(long)]
    json: bool,
}

pub fn run(args: FuzzArgs, run_id: String) -> ExitCode {
    let started = Instant::now();
    if !args.no_build {
        eprintln!("[fuzz] building the targets (cargo +nightly fuzz build -s none)");
        let built = Command::new("cargo").args(["+nightly", "fuzz", "build", "-s", "none"]).status();
        if !matches!(built, Ok(s) if s.success()) {
            eprintln!("error: cargo +nightly fuzz build failed (is cargo-fuzz installed? cargo install cargo-fuzz)");
            return ExitCode::from(2);
        }
    }
    let targets = if args.targets.is_empty() {
        match listed_targets() {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        args.targets.clone()
    };
    let jobs = args.jobs.unwrap_or_else(crate::machine::cores).max(1);
    let dir = args.out.join(&run_id);
    let mut runs = Vec::new();
    for target in &targets {
        match run_target(&args, target, jobs, &dir) {
            Ok(run) => {
                eprintln!(
                    "[fuzz] {target}: {} executions, {} exec/s, {} edges, corpus {} -> {}, worst peak/bound {:.3}, {} finding(s)",
                    run.executions,
                    run.exec_per_s,
                    run.edges_covered,
                    run.corpus_before,
                    run.corpus_after,
                    run.worst_heap_ratio,
                    run.findings.len()
                );
                runs.push(run);
            }
            Err(e) => {
                eprintln!("error: {target}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let failed = runs.iter().any(|r| !r.findings.is_empty());
    let report = FuzzReport {
        run_id: run_id.clone(),
        commit: crate::machine::commit(),
        machine: crate::machine::Machine::this(),
        seconds_per_target: args.seconds,
        jobs,
        heap_feedback: !args.no_heap_feedback,
        targets: runs,
        verdict: if failed { Verdict::Fail } else { Verdict::Pass },
        duration_s: started.elapsed().as_secs_f64(),
    };
    let json = serde_json::to_string_pretty(&report).unwrap_or_default();
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("fuzz.json"), &json))
        .and_then(|()| std::fs::write(dir.join("fuzz.md"), report.markdown()));
    if let Err(e) = written {
        eprintln!("error: cannot write the report to {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    eprintln!("[fuzz] report: {}/fuzz.json and fuzz.md", dir.display());
    if args.json {
        outln!("{json}");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn listed_targets() -> Result<Vec<String>, String> {
    let out = Command::new("cargo")
        .args(["+nightly", "fuzz", "list"])
        .output()
        .map_err(|e| format!("cannot run cargo fuzz list: {e}"))?;
    if !out.status.success() {
        return Err("cargo fuzz list failed (is cargo-fuzz installed? cargo install cargo-fuzz)".into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).split_whitespace().map(str::to_string).collect())
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default()
}

/// The campaign corpus of `target`, seeded from the committed seeds and regressions the
/// first time.
fn campaign_corpus(args: &FuzzArgs, target: &str) -> std::io::Result<PathBuf> {
    let dir = args.corpus_dir.join(target);
    std::fs::create_dir_all(&dir)?;
    if files_in(&dir).is_empty() {
        for seeds in [PathBuf::from("corpus").join(target), PathBuf::from("corpus/regressions").join(target)] {
            for file in files_in(&seeds) {
                if let Some(name) = file.file_name() {
                    std::fs::copy(&file, dir.join(name))?;
                }
            }
        }
    }
    Ok(dir)
}

fn run_target(args: &FuzzArgs, target: &str, jobs: usize, out: &Path) -> Result<TargetRun, String> {
    let binary = PathBuf::from(BINARIES).join(target);
    if !binary.is_file() {
        return Err(format!("{} is not built (run without --no-build)", binary.display()));
    }
    let corpus = campaign_corpus(args, target).map_err(|e| format!("cannot prepare the corpus: {e}"))?;
    let corpus_before = files_in(&corpus).len() as u64;
    let artifacts = out.join("artifacts").join(target);
    let heap = out.join("heap").join(target);
    let log_path = out.join("logs").join(format!("{target}.log"));
    for dir in [&artifacts, &heap] {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    }
    if let Some(parent) = log_path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot make {}: {e}", parent.display()))?;
    }
    let log = std::fs::File::create(&log_path).map_err(|e| format!("cannot write {}: {e}", log_path.display()))?;
    let mut command = Command::new(&binary);
    command
        .arg(&corpus)
        .arg(format!("-max_total_time={}", args.seconds))
        .arg(format!("-max_len={}", args.max_len))
        .arg("-rss_limit_mb=8192")
        .arg("-timeout=60")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        .env(HEAP_REPORT_ENV, &heap)
        .env(FEEDBACK_ENV, if args.no_heap_feedback { "0" } else { "1" })
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log);
    if jobs > 1 {
        // Keep fuzzing past a finding: every crash is saved under artifacts/.
        command.arg(format!("-fork={jobs}")).args(["-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1"]);
    }
    eprintln!(
        "[fuzz] {target}: {} s on {jobs} job(s), corpus {} ({corpus_before} files)",
        args.seconds,
        corpus.display()
    );
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let status = loop {
        match child.wait_timeout_poll(PROGRESS_EVERY) {
            Some(status) => break status,
            None => {
                let text = read_log(&log_path);
                if let Some(s) = libfuzzer::last_status(&text) {
                    eprintln!(
                        "[fuzz] {target}: {:.0} s, {} executions, {} exec/s, {} edges, corpus {}",
                        started.elapsed().as_secs_f64(),
                        s.executions,
                        s.exec_per_s,
                        s.edges,
                        s.corpus
                    );
                }
            }
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let text = read_log(&log_path);
    let last = libfuzzer::last_status(&text).unwrap_or_default();
    let (highest_peak_heap_bytes, worst_heap_ratio) = heap_reports(&heap);
    let findings = files_in(&artifacts)
        .into_iter()
        .map(|file| Finding {
            what: format!(
                "{target}: {}",
                file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            ),
            input: file.display().to_string(),
            detail: format!("cargo +nightly fuzz run -s none {target} {}", file.display()),
        })
        .collect();
    Ok(TargetRun {
        target: target.to_string(),
        seconds,
        executions: last.executions,
        // Over the whole run and every job (in -fork mode libFuzzer's own figure is one
        // job's); libFuzzer's last printed figure is kept beside it.
        exec_per_s: (last.executions as f64 / seconds.max(1e-3)) as u64,
        libfuzzer_exec_per_s: last.exec_per_s,
        edges_covered: last.edges,
        features_covered: last.features,
        corpus_before,
        corpus_after: files_in(&corpus).len() as u64,
        highest_peak_heap_bytes,
        worst_heap_ratio,
        findings,
        exit_code: status.and_then(|s| s.code()),
    })
}

fn read_log(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    text
}

/// The highest peak and the worst ratio over every process's heap report.
fn heap_reports(dir: &Path) -> (u64, f64) {
    let mut peak = 0u64;
    let mut ratio = 0f64;
    for file in files_in(dir).into_iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        peak = peak.max(value["highest_peak_bytes"].as_u64().unwrap_or(0));
        ratio = ratio.max(value["worst_ratio"].as_f64().unwrap_or(0.0));
    }
    (peak, ratio)
}

/// Waiting on a child with a bound, without another crate.
trait WaitTimeout {
    /// `Some(status)` once it ended (`None` inside when it could not be read), `None` while it runs.
    fn wait_timeout_poll(&mut self, most: Duration) -> Option<Option<std::process::ExitStatus>>;
}

impl WaitTimeout for std::process::Child {
    fn wait_timeout_poll(&mut self, most: Duration) -> Option<Option<std::process::ExitStatus>> {
        let until = Instant::now() + most;
        loop {
            match self.try_wait() {
                Ok(Some(status)) => return Some(Some(status)),
                Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(200)),
                Ok(None) => return None,
                Err(_) => return Some(None),
            }
        }
    }
}
