//! `wasm-runner min-heap FILE`: the smallest runner cap that warms FILE up, bisected in
//! child processes of this program, beside the heap model's bound.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::output::{fail, human_bytes, outln, print_json, EXIT_FAILED, EXIT_INPUT};
use super::RunnerArgs;
use crate::child::{min_heap, MinHeapError, MinHeapSearch, RunnerProgram};

#[derive(Debug, clap::Args)]
pub(crate) struct MinHeapArgs {
    /// The WebAssembly module (.wasm binary, or WAT text).
    pub file: PathBuf,
    /// Bisection steps after the first guess (one child process each).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(0..=64))]
    pub steps: u32,
    /// A child running longer than this many seconds is killed (and reported).
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub child_timeout_s: u64,
    /// Stub function imports nobody provides with traps (modules that need more than WASI).
    #[arg(long)]
    pub trap_unknown_imports: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// The cap the search starts from (--heap-limit-mb, or the runner's cap in force).
    #[command(flatten)]
    pub runner: RunnerArgs,
}

pub(crate) fn run(args: MinHeapArgs, program: &RunnerProgram) -> ExitCode {
    if let Err(e) = std::fs::metadata(&args.file) {
        return fail(EXIT_INPUT, &format!("cannot read {}: {e}", args.file.display()));
    }
    let max_cap_mib = (args.runner.limits().heap_limit_bytes / (1024 * 1024)) as u64;
    let search = MinHeapSearch {
        module: &args.file,
        max_cap_mib,
        steps: args.steps,
        trap_unknown_imports: args.trap_unknown_imports,
        child_deadline: Duration::from_secs(args.child_timeout_s),
    };
    let file = args.file.display().to_string();
    let mut progress = |line: &str| eprintln!("[min-heap] {file}: {line}");
    match min_heap(program, &search, &mut progress) {
        Ok(found) => {
            if args.json {
                print_json(
                    &serde_json::json!({ "outcome": "ok", "file": file, "max_cap_mib": max_cap_mib, "min_heap": found }),
                );
            } else {
                let bound = found.heap_bound_bytes.map_or("unknown".to_string(), |b| human_bytes(b as usize));
                let below = match found.fails_at_mib {
                    0 => "no smaller cap fails: V8 keeps a minimum heap of its own".to_string(),
                    mb => format!("{mb} MiB fails"),
                };
                outln!(
                    "{file}: warms up with a {} MiB runner cap ({below}); peak {} under {max_cap_mib} MiB; \
                     heap model's bound {bound}; {} children",
                    found.min_cap_mib,
                    human_bytes(found.peak_used_heap_bytes as usize),
                    found.children
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            if args.json {
                let outcome = match &error {
                    MinHeapError::NoWarmup { .. } => "no_warmup",
                    MinHeapError::Child { .. } => "child_failed",
                };
                print_json(
                    &serde_json::json!({ "outcome": outcome, "file": file, "message": error.to_string(), "error": error }),
                );
            }
            fail(EXIT_FAILED, &format!("min-heap of {file}: {error}"))
        }
    }
}
