//! The `wasm-runner` command line. It is a library module so that a harness binary can
//! embed it (`main_from`) and be its own child process: the child-process protocol
//! (`child`) is this command line and its `--json` output.

mod limits;
mod min_heap;
pub(crate) mod output;
mod run;
mod script;
mod warmup;

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::child::RunnerProgram;
use crate::limits::runner::{MAX_RUNNER_HEAP_LIMIT_MB, MAX_TIMEOUT_MS};
use crate::limits::RunnerLimits;

/// Runs WebAssembly modules inside a V8 isolate whose heap is sized for the runner, with
/// every guest limit enforced apart from it.
#[derive(Debug, Parser)]
#[command(name = "wasm-runner", version, about, long_about = None)]
#[command(after_help = "Environment:\n  \
    WASM_RUNNER_HEAP_LIMIT_MB         runner V8 heap cap in MiB (default 2048; 0 or invalid -> default)\n  \
    WASM_RUNNER_WARMUP_TIMEOUT_MS     warmup deadline (default 120000)\n  \
    WASM_RUNNER_TERMINATION_GRACE_MS  how long a requested termination may take (default 5000)\n  \
    WASM_RUNNER_V8_FLAGS              extra V8 flags, e.g. \"--no-wasm-lazy-compilation\"\n  \
    WASM_RUNNER_CACHE_DIR             on-disk cache of prepared modules and wasmtime artifacts\n  \
                                      (default $XDG_CACHE_HOME/wasm-runner or ~/.cache/wasm-runner)\n  \
    WASM_GUEST_MAX_*                  guest limits (`wasm-runner limits` lists them with their defaults)\n  \
    RUST_LOG                          log filter (default: warn)\n\n\
    Exit status: 0 ok, 1 the module failed (the outcome says why), 2 bad usage or unreadable input,\n\
    141 stdout's reader went away.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Bootstrap the runner, check, compile and instantiate FILE; report heap and time per phase.
    Warmup(warmup::WarmupArgs),
    /// Warm FILE up and run its `_start` (or --invoke EXPORT) under the guest limits.
    Run(Box<run::RunArgs>),
    /// List every limit: default, environment variable, class, where it is enforced.
    Limits(limits::LimitsArgs),
    /// Bisect, in child processes, the smallest runner heap cap that warms FILE up, and
    /// report it beside the heap model's bound.
    MinHeap(min_heap::MinHeapArgs),
    /// Run trusted JS in a runner isolate after bootstrap (fault injection for the heap
    /// guard and the watchdog; never guest input).
    #[command(hide = true)]
    Script(script::ScriptArgs),
}

/// Options shared by every command that creates a runner.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct RunnerArgs {
    /// Runner V8 heap cap in MiB (overrides WASM_RUNNER_HEAP_LIMIT_MB).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_RUNNER_HEAP_LIMIT_MB))]
    pub heap_limit_mb: Option<u64>,
    /// Warmup deadline in ms (overrides WASM_RUNNER_WARMUP_TIMEOUT_MS).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_MS))]
    pub warmup_timeout_ms: Option<u64>,
    /// How long a requested termination may take to land, in ms (overrides
    /// WASM_RUNNER_TERMINATION_GRACE_MS).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_MS))]
    pub termination_grace_ms: Option<u64>,
    /// Neither read nor write the on-disk cache of prepared modules and compiled wasmtime
    /// artifacts (WASM_RUNNER_CACHE_DIR moves it).
    #[arg(long)]
    pub no_cache: bool,
}

impl RunnerArgs {
    /// Turns the disk cache on at its default folder, or off with `--no-cache`.
    pub(crate) fn configure_cache(&self) {
        crate::set_disk_cache(if self.no_cache { None } else { crate::default_cache_dir() });
    }

    pub(crate) fn limits(&self) -> RunnerLimits {
        let mut limits = RunnerLimits::from_env();
        if let Some(mb) = self.heap_limit_mb {
            limits = limits.with_heap_limit_mb(mb);
        }
        if let Some(ms) = self.warmup_timeout_ms {
            limits = limits.with_warmup_timeout(Duration::from_millis(ms));
        }
        if let Some(ms) = self.termination_grace_ms {
            limits = limits.with_termination_grace(Duration::from_millis(ms));
        }
        limits
    }
}

/// The command line of this process.
pub fn main() -> ExitCode {
    main_from(std::env::args_os())
}

/// The command line with these arguments (the first is the program name), in the
/// `wasm-runner` binary itself.
pub fn main_from(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let exe = std::env::current_exe().unwrap_or_else(|_| "wasm-runner".into());
    dispatch(args, &RunnerProgram::binary(exe))
}

/// The command line in a binary that embeds it behind `subcommand` (its child jobs go to
/// `this-binary subcommand ...`).
pub fn main_embedded(subcommand: &str, args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let exe = std::env::current_exe().unwrap_or_default();
    dispatch(args, &RunnerProgram::embedded(exe, subcommand))
}

fn dispatch(args: impl IntoIterator<Item = OsString>, program: &RunnerProgram) -> ExitCode {
    init_logging();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    match cli.command {
        Command::Warmup(args) => warmup::run(args),
        Command::Run(args) => run::run(*args),
        Command::Limits(args) => limits::run(args),
        Command::MinHeap(args) => min_heap::run(args, program),
        Command::Script(args) => script::run(args),
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    // The heap guard's own warning is part of the outcome the CLI prints; keep it out of
    // the default stderr so a failure reads as one line. RUST_LOG shows everything.
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,wasm_runner::isolate=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
