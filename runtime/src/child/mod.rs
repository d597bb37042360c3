//! Jobs in child processes, so that what V8 can only answer with an abort (an off-heap
//! OOM, a heap guard whose termination never lands) or a lost termination becomes a
//! finding for the caller instead of the caller's death.
//!
//! There is one protocol: the `wasm-runner` command line, `--json`. A `ChildJob` is the
//! command line of one `warmup`, `run` or `script`; the program that runs it is the
//! `wasm-runner` binary or any binary that embeds the command line (`cli::main_from`)
//! behind a subcommand; the child's JSON comes back as a `ChildJson`. `min_heap` bisects,
//! with such children, the smallest runner cap that warms a module up.

mod min_heap;

pub use min_heap::{min_heap, MinHeap, MinHeapError, MinHeapSearch};

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::isolate::V8_FLAGS_ENV;
use crate::report::{PhaseReport, RunnerError};

/// How a child ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChildStatus {
    /// It exited with this code.
    Exited { code: i32 },
    /// A signal ended it (V8 aborts with SIGABRT or SIGTRAP).
    Signaled { signal: i32 },
    /// It was still running at the hard deadline and was killed.
    Hung { after_ms: u64 },
    /// It could not be started.
    NotStarted { reason: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildReport {
    #[serde(flatten)]
    pub status: ChildStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed_ms: u64,
    /// Peak resident set size of the child as last sampled (VmHWM), where /proc has it.
    pub peak_rss_bytes: Option<u64>,
}

impl ChildReport {
    /// True when the child died without exiting (a V8 abort or a kill).
    pub fn aborted(&self) -> bool {
        matches!(self.status, ChildStatus::Signaled { .. } | ChildStatus::Hung { .. })
    }
}

/// Runs `command` to completion or until `hard_deadline`, capturing its output.
fn run_child(mut command: Command, hard_deadline: Duration) -> ChildReport {
    let started = Instant::now();
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return ChildReport {
                status: ChildStatus::NotStarted { reason: e.to_string() },
                stdout: String::new(),
                stderr: String::new(),
                elapsed_ms: 0,
                peak_rss_bytes: None,
            }
        }
    };
    // Drain both pipes on their own threads so a chatty child cannot block on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let pid = child.id();
    let mut peak_rss_bytes = None;
    let status = loop {
        if let Some(hwm) = crate::process::peak_rss_bytes(pid) {
            peak_rss_bytes = Some(hwm);
        }
        match child.try_wait() {
            Ok(Some(status)) => break exit_status(status),
            Ok(None) if started.elapsed() >= hard_deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break ChildStatus::Hung { after_ms: started.elapsed().as_millis() as u64 };
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => break ChildStatus::NotStarted { reason: format!("lost track of the child: {e}") },
        }
    };
    ChildReport {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed_ms: started.elapsed().as_millis() as u64,
        peak_rss_bytes,
    }
}

fn exit_status(status: std::process::ExitStatus) -> ChildStatus {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ChildStatus::Signaled { signal };
        }
    }
    ChildStatus::Exited { code: status.code().unwrap_or(-1) }
}

/// What runs `wasm-runner` command lines.
#[derive(Debug, Clone)]
pub struct RunnerProgram {
    exe: PathBuf,
    prefix: Vec<OsString>,
}

impl RunnerProgram {
    /// The `wasm-runner` binary at `exe`.
    pub fn binary(exe: impl Into<PathBuf>) -> Self {
        RunnerProgram { exe: exe.into(), prefix: Vec::new() }
    }

    /// A binary that runs `cli::main_from` on what follows `subcommand`.
    pub fn embedded(exe: impl Into<PathBuf>, subcommand: &str) -> Self {
        RunnerProgram { exe: exe.into(), prefix: vec![subcommand.into()] }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.exe);
        command.args(&self.prefix);
        command
    }

    /// How a person would type `args` for this program.
    pub fn display(&self, args: &[String]) -> String {
        let mut words = vec![self.exe.display().to_string()];
        words.extend(self.prefix.iter().map(|p| p.to_string_lossy().into_owned()));
        words.extend(args.iter().cloned());
        words.join(" ")
    }
}

/// One `wasm-runner` command line.
#[derive(Debug, Clone)]
pub struct ChildJob {
    args: Vec<String>,
    v8_flags: Option<String>,
}

impl ChildJob {
    fn new(command: &str, file: &Path) -> Self {
        ChildJob { args: vec![command.into(), file.display().to_string(), "--json".into()], v8_flags: None }
    }

    /// `wasm-runner warmup FILE`.
    pub fn warmup(module: &Path) -> Self {
        ChildJob::new("warmup", module)
    }

    /// `wasm-runner run FILE`.
    pub fn run(module: &Path) -> Self {
        ChildJob::new("run", module)
    }

    /// `wasm-runner script FILE`: trusted JS in a runner isolate (fault injection).
    pub fn script(source: &Path) -> Self {
        ChildJob::new("script", source)
    }

    fn flag(mut self, name: &str, value: impl ToString) -> Self {
        self.args.push(name.into());
        self.args.push(value.to_string());
        self
    }

    pub fn heap_limit_mb(self, mb: u64) -> Self {
        self.flag("--heap-limit-mb", mb)
    }

    pub fn warmup_timeout_ms(self, ms: u64) -> Self {
        self.flag("--warmup-timeout-ms", ms)
    }

    pub fn termination_grace_ms(self, ms: u64) -> Self {
        self.flag("--termination-grace-ms", ms)
    }

    /// `run` only.
    pub fn max_fuel(self, fuel: u64) -> Self {
        self.flag("--max-fuel", fuel)
    }

    /// `run` only.
    pub fn max_wall_ms(self, ms: u64) -> Self {
        self.flag("--max-wall-ms", ms)
    }

    /// `run` only.
    pub fn invoke(self, export: &str) -> Self {
        self.flag("--invoke", export)
    }

    /// `run` only: the module runs as it is, without fuel or interrupt checks.
    pub fn no_instrumentation(mut self) -> Self {
        self.args.push("--no-instrumentation".into());
        self
    }

    /// `warmup` and `run`.
    pub fn trap_unknown_imports(mut self) -> Self {
        self.args.push("--trap-unknown-imports".into());
        self
    }

    /// Extra V8 flags for the child (`WASM_RUNNER_V8_FLAGS`); without, the child gets none
    /// from this process's environment either.
    pub fn v8_flags(mut self, flags: &str) -> Self {
        self.v8_flags = Some(flags.into());
        self
    }

    /// The arguments after the program.
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// How a person would reproduce this job.
    pub fn display(&self, program: &RunnerProgram) -> String {
        let flags = self.v8_flags.as_ref().map(|f| format!("{V8_FLAGS_ENV}='{f}' ")).unwrap_or_default();
        format!("{flags}{}", program.display(&self.args))
    }

    /// Runs the job, waiting at most `hard_deadline` before killing the child.
    pub fn spawn(&self, program: &RunnerProgram, hard_deadline: Duration) -> ChildRun {
        let mut command = program.command();
        command.args(&self.args);
        match &self.v8_flags {
            Some(flags) => command.env(V8_FLAGS_ENV, flags),
            None => command.env_remove(V8_FLAGS_ENV),
        };
        let process = run_child(command, hard_deadline);
        let report = serde_json::from_str::<ChildJson>(&process.stdout).ok();
        ChildRun { process, report }
    }
}

/// A child job: how the process ended, and its JSON report when it printed one.
#[derive(Debug, Clone)]
pub struct ChildRun {
    pub process: ChildReport,
    pub report: Option<ChildJson>,
}

impl ChildRun {
    /// The report's outcome (`ok`, `exit`, or an error kind); `none` without a report.
    pub fn outcome(&self) -> &str {
        self.report.as_ref().map_or("none", |r| r.outcome.as_str())
    }
}

/// The JSON a `wasm-runner ... --json` child prints: the fields every command shares, and
/// the ones each adds (absent where a command has none).
#[derive(Debug, Clone, Deserialize)]
pub struct ChildJson {
    pub outcome: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error: Option<RunnerError>,
    #[serde(default)]
    pub phases: Vec<PhaseReport>,
    #[serde(default)]
    pub total_ms: Option<f64>,
    /// `run`: the guest's `proc_exit` code.
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// `run`: what the entry point returned.
    #[serde(default)]
    pub returned: Option<Vec<String>>,
    /// `run`.
    #[serde(default)]
    pub fuel_used: Option<u64>,
    /// `run`.
    #[serde(default)]
    pub stdout: Option<String>,
    /// `warmup` and `run`: the heap model's bound.
    #[serde(default)]
    pub heap_bound_bytes: Option<u64>,
    /// `script`: what the script evaluated to.
    #[serde(default)]
    pub value: Option<String>,
}

impl ChildJson {
    pub fn phase(&self, name: &str) -> Option<&PhaseReport> {
        self.phases.iter().find(|p| p.name == name)
    }

    /// Highest used heap over all phases.
    pub fn peak_used_heap_bytes(&self) -> usize {
        self.phases.iter().map(|p| p.peak_used_heap_bytes).max().unwrap_or(0)
    }
}
