//! `wasm-runner script FILE.js` (hidden): trusted JS in a runner isolate, for fault
//! injection in child processes (heap bombs, loops only the watchdog can stop).

use std::path::PathBuf;
use std::process::ExitCode;

use super::output::{fail, outln, print_json, EXIT_FAILED, EXIT_INPUT};
use super::RunnerArgs;

#[derive(Debug, clap::Args)]
pub(crate) struct ScriptArgs {
    /// The JS source.
    pub file: PathBuf,
    #[command(flatten)]
    pub runner: RunnerArgs,
    /// Print the outcome as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(args: ScriptArgs) -> ExitCode {
    let source = match std::fs::read_to_string(&args.file) {
        Ok(s) => s,
        Err(e) => return fail(EXIT_INPUT, &format!("cannot read {}: {e}", args.file.display())),
    };
    let runner = crate::Runner::new(args.runner.limits());
    let name = args.file.display().to_string();
    match crate::internals::run_trusted_script(&runner, &name, &source) {
        Ok((value, phases)) => {
            if args.json {
                print_json(&serde_json::json!({ "outcome": "ok", "value": value, "phases": phases }));
            } else {
                outln!("{value}");
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            if args.json {
                print_json(&serde_json::json!({
                    "outcome": failure.error.kind(),
                    "message": failure.error.to_string(),
                    "error": failure.error,
                    "phases": failure.phases,
                }));
            }
            fail(EXIT_FAILED, &format!("script {name} failed: {}", failure.error))
        }
    }
}
