//! `wasm-runner warmup FILE`.

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use super::output::{
    fail, human_bytes, outln, print_json, print_phases, read_module, ModuleInput, EXIT_FAILED, EXIT_INPUT,
};
use super::RunnerArgs;
use crate::limits::{GuestLimits, HeapLimitSource};
use crate::report::{ModuleFacts, PhaseReport, RunnerError};
use crate::Runner;

#[derive(Debug, clap::Args)]
pub(crate) struct WarmupArgs {
    /// The WebAssembly module (.wasm binary, or WAT text).
    pub file: PathBuf,
    #[command(flatten)]
    pub runner: RunnerArgs,
    /// Stub function imports the runner does not provide (as `run --trap-unknown-imports`).
    #[arg(long)]
    pub trap_unknown_imports: bool,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct WarmupJson<'a> {
    outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a RunnerError>,
    file: String,
    heap_limit_bytes: usize,
    heap_limit_source: HeapLimitSource,
    module_bytes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    module: Option<&'a ModuleFacts>,
    phases: &'a [PhaseReport],
    peak_used_heap_bytes: usize,
    /// The heap model's bound, beside the measured peak.
    #[serde(skip_serializing_if = "Option::is_none")]
    heap_bound_bytes: Option<u64>,
    /// `checked`, `memory_cache` or `disk_cache`.
    #[serde(skip_serializing_if = "Option::is_none")]
    prepared_from: Option<crate::PreparedFrom>,
    peak_rss_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_ms: Option<f64>,
    v8_version: &'static str,
}

pub(crate) fn run(args: WarmupArgs) -> ExitCode {
    args.runner.configure_cache();
    let limits = args.runner.limits();
    let guest = GuestLimits::from_env();
    let file = args.file.display().to_string();
    let bytes = match read_module(&args.file, guest.max_module_bytes) {
        Ok(bytes) => bytes,
        Err(ModuleInput::Unreadable(message)) => {
            if args.json {
                print_json(&serde_json::json!({ "outcome": "io_error", "message": message, "file": file }));
            }
            return fail(EXIT_INPUT, &message);
        }
        Err(ModuleInput::TooLarge(error)) => {
            if args.json {
                print_json(&serde_json::json!({
                    "outcome": error.kind(), "message": error.to_string(), "error": error, "file": file, "phases": [],
                }));
            }
            return fail(EXIT_FAILED, &format!("warmup of {file} failed: {error}"));
        }
    };
    let module_bytes = bytes.len();
    let mut provided = crate::wasi::preview1::provided();
    if args.trap_unknown_imports {
        provided = provided.stubbing_unknown_functions();
    }
    let runner =
        crate::Runner::new(limits.clone()).with_guest_limits(GuestLimits::from_env()).with_provided_imports(provided);
    let result = Runner::warmup(&runner, bytes);
    let mut json = WarmupJson {
        outcome: "ok",
        message: None,
        error: None,
        file,
        heap_limit_bytes: limits.heap_limit_bytes,
        heap_limit_source: limits.heap_limit_source,
        module_bytes,
        module: None,
        phases: &[],
        peak_used_heap_bytes: 0,
        heap_bound_bytes: None,
        prepared_from: None,
        peak_rss_bytes: 0,
        total_ms: None,
        v8_version: crate::v8_version(),
    };
    match &result {
        Ok(report) => {
            json.module = Some(&report.module);
            json.phases = &report.phases;
            json.peak_used_heap_bytes = report.peak_used_heap_bytes();
            json.heap_bound_bytes = Some(report.heap_bound_bytes);
            json.prepared_from = Some(report.prepared_from);
            json.peak_rss_bytes = report.peak_rss_bytes();
            json.total_ms = Some(report.total_ms);
            if args.json {
                print_json(&json);
            } else {
                outln!(
                    "warmed up {} ({}) under a {} runner heap in {:.1} ms",
                    json.file,
                    human_bytes(module_bytes),
                    human_bytes(limits.heap_limit_bytes),
                    report.total_ms
                );
                print_phases(&report.phases);
                match report.prepared_from {
                    crate::PreparedFrom::Checked => {}
                    crate::PreparedFrom::MemoryCache => outln!("guest checks served from this process's cache"),
                    crate::PreparedFrom::DiskCache => outln!("guest checks served from the disk cache"),
                }
                outln!(
                    "peak heap {} of the heap model's bound {}",
                    human_bytes(report.peak_used_heap_bytes()),
                    human_bytes(report.heap_bound_bytes as usize)
                );
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            json.outcome = failure.error.kind();
            json.message = Some(failure.error.to_string());
            json.error = Some(&failure.error);
            json.phases = &failure.phases;
            json.peak_used_heap_bytes = failure.phases.iter().map(|p| p.peak_used_heap_bytes).max().unwrap_or(0);
            json.peak_rss_bytes = failure.phases.iter().map(|p| p.peak_rss_bytes).max().unwrap_or(0);
            if args.json {
                print_json(&json);
            }
            fail(EXIT_FAILED, &format!("warmup of {} failed: {}", json.file, failure.error))
        }
    }
}
