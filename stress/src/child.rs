//! One job in a child process (this binary's hidden `child` command), for what can only end
//! in a V8 abort or a lost termination: the parent gets a report either way.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use wasm_runner::guest::{Instrumentation, ProvidedImports};
use wasm_runner::limits::GuestLimits;
use wasm_runner::runner::child::{run_child, ChildReport};
use wasm_runner::{RunRequest, Runner, RunnerLimits};

#[derive(Debug, Clone, clap::Args)]
pub struct ChildArgs {
    /// The module to warm up or run.
    #[arg(long)]
    pub module: PathBuf,
    /// Only warm up (the JSON is a warmup report or failure).
    #[arg(long)]
    pub warmup_only: bool,
    #[arg(long)]
    pub invoke: Option<String>,
    #[arg(long)]
    pub heap_limit_mb: Option<u64>,
    #[arg(long)]
    pub wall_ms: Option<u64>,
    #[arg(long)]
    pub fuel: Option<u64>,
    #[arg(long)]
    pub grace_ms: Option<u64>,
    /// Run without the instrumentation (no fuel, no interrupt checks).
    #[arg(long)]
    pub no_instrumentation: bool,
    /// Stub function imports beyond WASI preview1 (as `wasm-runner run --trap-unknown-imports`).
    #[arg(long)]
    pub trap_unknown_imports: bool,
}

/// The child's side: one job, its JSON on stdout, exit 0 whatever the outcome.
pub fn main(args: ChildArgs) -> std::process::ExitCode {
    let module = match std::fs::read(&args.module) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {}: {e}", args.module.display());
            return std::process::ExitCode::from(2);
        }
    };
    let mut limits = RunnerLimits::from_env();
    if let Some(mb) = args.heap_limit_mb {
        limits = limits.with_heap_limit_mb(mb);
    }
    if let Some(ms) = args.grace_ms {
        limits = limits.with_termination_grace(Duration::from_millis(ms));
    }
    let mut guest = GuestLimits::from_env();
    if let Some(ms) = args.wall_ms {
        guest.max_wall_time = Duration::from_millis(ms);
    }
    if let Some(fuel) = args.fuel {
        guest.max_fuel = fuel;
    }
    let mode = if args.no_instrumentation { Instrumentation::Off } else { Instrumentation::On };
    let mut runner = Runner::new(limits).with_guest_limits(guest).with_instrumentation(mode);
    if args.trap_unknown_imports {
        runner = runner.with_provided_imports(ProvidedImports::wasi_preview1().stubbing_unknown_functions());
    }
    let json = if args.warmup_only {
        match runner.warmup(module) {
            Ok(report) => serde_json::json!({
                "outcome": "ok",
                "peak_used_heap_bytes": report.peak_used_heap_bytes(),
                "total_ms": report.total_ms,
                "phases": report.phases,
            }),
            Err(failure) => serde_json::json!({
                "outcome": failure.error.kind(),
                "message": failure.error.to_string(),
                "phases": failure.phases,
            }),
        }
    } else {
        let request = RunRequest {
            args: vec!["stress".into()],
            invoke: args.invoke.clone(),
            trap_unknown_imports: args.trap_unknown_imports,
            ..Default::default()
        };
        serde_json::to_value(runner.run(module, &request)).unwrap_or_default()
    };
    println!("{json}");
    // A spinning, abandoned runner thread must not keep the child alive.
    std::process::exit(0)
}

/// The parent's side: runs `child ARGS` with these V8 flags, waits at most `deadline`.
pub fn spawn(
    exe: &Path,
    args: &[String],
    v8_flags: Option<&str>,
    deadline: Duration,
) -> (ChildReport, Option<serde_json::Value>) {
    let mut command = Command::new(exe);
    command.arg("child").args(args);
    match v8_flags {
        Some(flags) => command.env("WASM_RUNNER_V8_FLAGS", flags),
        None => command.env_remove("WASM_RUNNER_V8_FLAGS"),
    };
    let report = run_child(command, deadline);
    let json = report.stdout.lines().rev().find_map(|l| serde_json::from_str::<serde_json::Value>(l).ok());
    (report, json)
}
