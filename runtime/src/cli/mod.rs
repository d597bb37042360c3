//! Command-line interface.

mod output;
mod run;
mod warmup;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wasm_runner::limits::runner::MAX_RUNNER_HEAP_LIMIT_MB;

/// Runs WebAssembly modules inside a V8 isolate whose heap is sized for the runner, with
/// every guest limit enforced apart from it.
#[derive(Debug, Parser)]
#[command(name = "wasm-runner", version, about, long_about = None)]
#[command(after_help = "Environment:\n  \
    WASM_RUNNER_HEAP_LIMIT_MB         runner V8 heap cap in MiB (default 2048; 0 or invalid -> default)\n  \
    WASM_RUNNER_WARMUP_TIMEOUT_MS     warmup deadline (default 120000)\n  \
    WASM_RUNNER_TERMINATION_GRACE_MS  how long a requested termination may take (default 5000)\n  \
    WASM_RUNNER_V8_FLAGS              extra V8 flags, e.g. \"--no-wasm-lazy-compilation\"\n  \
    WASM_GUEST_MAX_*                  guest limits: MODULE_BYTES, MEMORY_BYTES, MEMORIES, TABLE_ELEMENTS, TABLES,\n  \
                                      ELEMENT_ITEMS, GLOBALS, EXPORTS, FUNCTIONS, FUEL, STACK_BYTES, OUTPUT_BYTES, WALL_MS\n  \
    RUST_LOG                          log filter (default: warn)\n\n\
    Exit status: 0 ok, 1 the module failed (the outcome says why), 2 bad usage or unreadable input.")]
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
}

/// Options shared by every command that creates a runner.
#[derive(Debug, clap::Args)]
pub struct RunnerArgs {
    /// Runner V8 heap cap in MiB (overrides WASM_RUNNER_HEAP_LIMIT_MB).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_RUNNER_HEAP_LIMIT_MB))]
    pub heap_limit_mb: Option<u64>,
}

impl RunnerArgs {
    pub fn limits(&self) -> wasm_runner::RunnerLimits {
        let limits = wasm_runner::RunnerLimits::from_env();
        match self.heap_limit_mb {
            Some(mb) => limits.with_heap_limit_mb(mb),
            None => limits,
        }
    }
}

pub fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        Command::Warmup(args) => warmup::run(args),
        Command::Run(args) => run::run(*args),
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    // The heap guard's own warning is part of the outcome the CLI prints; keep it out of
    // the default stderr so a failure reads as one line. RUST_LOG shows everything.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,wasm_runner::engine=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
