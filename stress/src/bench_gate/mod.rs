//! `bench-gate --base REV [--head REV]`: did a change make warmup slower? Both revisions'
//! `wasm-runner` are built once on this machine, their cold warmups (a new process each, no
//! disk cache) run interleaved (A B B A ...) so that drift and other load fall on both
//! alike, and for each input and phase the difference of means gets a 99% Welch interval.
//! A phase fails the gate when the whole interval is above the threshold; heap peaks, which
//! do not depend on timing, are compared exactly.

mod builds;
mod report;
mod welch;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use serde::Deserialize;

use report::Gate;

#[derive(Debug, clap::Args)]
pub struct BenchGateArgs {
    /// The revision to compare against (a commit, branch or tag; for a pull request, the
    /// merge base).
    #[arg(long, required_unless_present = "base_bin")]
    base: Option<String>,
    /// The revision under review.
    #[arg(long, default_value = "HEAD")]
    head: String,
    /// A prebuilt base `wasm-runner` instead of building --base.
    #[arg(long, requires = "head_bin")]
    base_bin: Option<PathBuf>,
    /// A prebuilt head `wasm-runner` instead of building --head.
    #[arg(long, requires = "base_bin")]
    head_bin: Option<PathBuf>,
    /// Modules to warm up (files), or synthetic presets by name (`code-8mb`, and those
    /// `wasm-runner-stress synth --list` prints). Default: code-8mb and exports-100k.
    #[arg(long = "inputs", num_args = 1.., value_name = "FILE_OR_PRESET")]
    inputs: Vec<String>,
    /// An argument for every `wasm-runner warmup` (repeatable), e.g.
    /// `--warmup-arg=--trap-unknown-imports` for python.wasm.
    #[arg(long = "warmup-arg", value_name = "ARG", allow_hyphen_values = true)]
    warmup_args: Vec<String>,
    /// Warmups per revision and input.
    #[arg(long, default_value_t = 30)]
    runs: usize,
    /// A phase fails when its whole 99% interval is more than this many percent slower.
    #[arg(long, default_value_t = 2.0)]
    threshold_pct: f64,
    /// Where run folders go.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// The run's folder name (default: gate-<base>-<head>).
    #[arg(long)]
    run_id: Option<String>,
    /// Print gate.json to stdout as well.
    #[arg(long)]
    json: bool,
}

/// The phases compared: the warmup phases after bootstrap, and the whole warmup.
pub const PHASES: &[&str] = &["guest_checks", "compile", "instantiate", "total"];

/// One warmup's figures, as `wasm-runner warmup --json` prints them.
#[derive(Debug, Clone, Deserialize)]
struct WarmupJson {
    outcome: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    phases: Vec<PhaseJson>,
    #[serde(default)]
    total_ms: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
struct PhaseJson {
    name: String,
    duration_ms: f64,
    peak_used_heap_bytes: u64,
}

/// What the runs of one revision on one input gave: durations per phase, heap peaks per
/// phase (one value each when they are deterministic).
#[derive(Debug, Default, Clone)]
pub struct Samples {
    pub ms: std::collections::BTreeMap<String, Vec<f64>>,
    pub heap: std::collections::BTreeMap<String, Vec<u64>>,
}

impl Samples {
    fn add(&mut self, warmup: &WarmupJson) {
        let mut after_bootstrap = 0.0;
        for phase in &warmup.phases {
            if phase.name != "bootstrap" {
                after_bootstrap += phase.duration_ms;
            }
            if PHASES.contains(&phase.name.as_str()) {
                self.ms.entry(phase.name.clone()).or_default().push(phase.duration_ms);
                self.heap.entry(phase.name.clone()).or_default().push(phase.peak_used_heap_bytes);
            }
        }
        self.ms.entry("total".into()).or_default().push(warmup.total_ms.unwrap_or(after_bootstrap));
    }
}

/// A `wasm-runner` to time, and how to ask it for a cold warmup.
struct Program {
    path: PathBuf,
    /// Older builds have no disk cache, and no `--no-cache`.
    no_cache_flag: bool,
    args: Vec<String>,
}

impl Program {
    fn new(path: PathBuf, args: &[String]) -> Result<Program, String> {
        let help = Command::new(&path)
            .args(["warmup", "--help"])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
        if !help.status.success() {
            return Err(format!("{} warmup --help failed", path.display()));
        }
        Ok(Program {
            path,
            no_cache_flag: String::from_utf8_lossy(&help.stdout).contains("--no-cache"),
            args: args.to_vec(),
        })
    }

    fn warmup(&self, module: &Path) -> Result<WarmupJson, String> {
        let mut command = Command::new(&self.path);
        command.args(["warmup", "--json"]).arg(module).args(&self.args);
        if self.no_cache_flag {
            command.arg("--no-cache");
        }
        let output = command.output().map_err(|e| format!("cannot run {}: {e}", self.path.display()))?;
        let json: WarmupJson = serde_json::from_slice(&output.stdout).map_err(|e| {
            format!(
                "{} printed no warmup report ({e}): {}",
                self.path.display(),
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
        if json.outcome != "ok" {
            return Err(format!(
                "{} did not warm up {}: {} {}",
                self.path.display(),
                module.display(),
                json.outcome,
                json.message.clone().unwrap_or_default()
            ));
        }
        Ok(json)
    }
}

pub fn main(args: BenchGateArgs) -> ExitCode {
    match run(args) {
        Ok(passed) => ExitCode::from(if passed { 0 } else { 1 }),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: BenchGateArgs) -> Result<bool, String> {
    if args.runs < 2 {
        return Err("--runs must be at least 2: an interval needs two samples a side".into());
    }
    let work = tempfile::Builder::new().prefix("bench-gate").tempdir().map_err(|e| format!("scratch folder: {e}"))?;
    let (base_name, head_name, base, head) = match (&args.base_bin, &args.head_bin) {
        (Some(a), Some(b)) => (a.display().to_string(), b.display().to_string(), a.clone(), b.clone()),
        _ => {
            let base_rev = args.base.clone().ok_or("--base or --base-bin is required")?;
            let base = builds::build(&base_rev)?;
            let head = builds::build(&args.head)?;
            (base.name, head.name, base.binary, head.binary)
        }
    };
    let (base, head) = (Program::new(base, &args.warmup_args)?, Program::new(head, &args.warmup_args)?);
    let inputs = inputs(&args.inputs, work.path())?;

    let started = Instant::now();
    let mut gate = Gate::new(&base_name, &head_name, args.runs, args.threshold_pct);
    for (name, path) in &inputs {
        let (mut a, mut b) = (Samples::default(), Samples::default());
        // A warmup of each first, untimed: the page cache and the binaries' first start.
        base.warmup(path)?;
        head.warmup(path)?;
        for i in 0..args.runs {
            // A B B A: each revision goes first as often as second.
            if i % 2 == 0 {
                a.add(&base.warmup(path)?);
                b.add(&head.warmup(path)?);
            } else {
                b.add(&head.warmup(path)?);
                a.add(&base.warmup(path)?);
            }
            if (i + 1) % 10 == 0 || i + 1 == args.runs {
                eprintln!(
                    "[bench-gate] {name}: {}/{} interleaved runs, {:.0} s",
                    i + 1,
                    args.runs,
                    started.elapsed().as_secs_f64()
                );
            }
        }
        gate.add_input(name, &a, &b);
    }
    gate.seconds = started.elapsed().as_secs_f64();

    let id = args.run_id.clone().unwrap_or_else(|| format!("gate-{}-{}", short(&base_name), short(&head_name)));
    let dir = args.out.join(&id);
    let written = report::write(&gate, &dir).map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    eprint!("{}", report::markdown(&gate));
    for path in written {
        eprintln!("wrote {}", path.display());
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&gate).unwrap_or_default());
    }
    Ok(gate.passed())
}

fn short(name: &str) -> String {
    let base = Path::new(name).file_name().map_or(name.to_string(), |f| f.to_string_lossy().into_owned());
    base.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_').take(12).collect()
}

/// The modules to time: files as they are, preset names written into `work`.
fn inputs(named: &[String], work: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let named: Vec<String> =
        if named.is_empty() { vec!["code-8mb".into(), "exports-100k".into()] } else { named.to_vec() };
    named
        .iter()
        .map(|name| {
            let path = Path::new(name);
            if path.is_file() {
                let label = path.file_name().map_or(name.clone(), |f| f.to_string_lossy().into_owned());
                return Ok((label, path.to_path_buf()));
            }
            let spec = match name.as_str() {
                "code-8mb" => wasm_runner_testkit::synth::SynthSpec::code_heavy(8_000_000, 1000),
                other => wasm_runner_testkit::synth::preset(other).ok_or_else(|| {
                    format!("{other:?} is neither a file nor a preset (code-8mb, or see `synth --list`)")
                })?,
            };
            let file = work.join(format!("{name}.wasm"));
            std::fs::write(&file, wasm_runner_testkit::synth::build(&spec))
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            Ok((name.clone(), file))
        })
        .collect()
}
