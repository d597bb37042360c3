//! `wasm-runner run FILE -- ARGS`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::output::{fail, outln, print_json, print_phases, read_module, ModuleInput, EXIT_FAILED, EXIT_INPUT};
use super::RunnerArgs;
use crate::guest::Instrumentation;
use crate::limits::GuestLimits;
use crate::policy::determinism::Deterministic;
use crate::report::{RunOutcome, RunReport};
use crate::request::RunRequest;
use crate::wasi::Preopen;
#[cfg(feature = "reference")]
use crate::Reference;
use crate::{Engine, Runner};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum EngineName {
    /// The V8 runner.
    V8,
    /// The wasmtime reference engine, under the same guest limits.
    Wasmtime,
}

#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// The WebAssembly module (.wasm binary).
    pub file: PathBuf,
    /// Which engine runs it.
    #[arg(long, value_enum, default_value = "v8")]
    pub engine: EngineName,
    /// Export to call instead of `_start` (parameters are passed as zeros).
    #[arg(long, value_name = "EXPORT")]
    pub invoke: Option<String>,
    /// Linear memory cap in bytes, over all memories (default WASM_GUEST_MAX_MEMORY_BYTES or 1 GiB).
    #[arg(long, value_name = "N")]
    pub max_memory_bytes: Option<u64>,
    /// Fuel: instructions the guest may execute (default WASM_GUEST_MAX_FUEL or 2e10).
    #[arg(long, value_name = "N")]
    pub max_fuel: Option<u64>,
    /// Stack for guest code in bytes, 64 KiB to 4 MiB (default WASM_GUEST_MAX_STACK_BYTES or 1 MiB).
    #[arg(long, value_name = "N")]
    pub max_stack_bytes: Option<u64>,
    /// Cap on stdout plus stderr in bytes (default WASM_GUEST_MAX_OUTPUT_BYTES or 16 MiB).
    #[arg(long, value_name = "N")]
    pub max_output_bytes: Option<u64>,
    /// Wall-time limit of the run in ms (default WASM_GUEST_MAX_WALL_MS or 30000).
    #[arg(long, value_name = "MS")]
    pub max_wall_ms: Option<u64>,
    /// Environment variable for the guest, KEY=VALUE (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// File whose bytes are the guest's stdin.
    #[arg(long, value_name = "FILE")]
    pub stdin: Option<PathBuf>,
    /// Host directory copied into the guest's in-memory file system and preopened as GUEST_DIR
    /// (default: the same name). Guest writes stay in memory (repeatable).
    #[arg(long = "dir", value_name = "HOST_DIR[::GUEST_DIR]")]
    pub dirs: Vec<Preopen>,
    /// Cap on the in-memory file system's file bytes, copied and written
    /// (default WASM_GUEST_MAX_FS_BYTES or 256 MiB).
    #[arg(long, value_name = "N")]
    pub max_fs_bytes: Option<u64>,
    /// Cap on the in-memory file system's files and directories
    /// (default WASM_GUEST_MAX_FS_NODES or 65536).
    #[arg(long, value_name = "N")]
    pub max_fs_nodes: Option<u64>,
    /// Descriptors the guest may hold open at once besides stdio and preopens
    /// (default WASM_GUEST_MAX_OPEN_FDS or 1024).
    #[arg(long, value_name = "N")]
    pub max_open_fds: Option<u64>,
    /// The guest's argv[0] (default: the module's file name).
    #[arg(long, value_name = "NAME")]
    pub argv0: Option<String>,
    /// Stub function imports the runner does not provide; the run fails as
    /// unknown_import_called only if the guest calls one.
    #[arg(long)]
    pub trap_unknown_imports: bool,
    /// Fixed time, random bytes and file timestamps, the same in both engines and in every
    /// run: clocks start at 2020-01-01 and advance 1 ms per clock_time_get, random bytes
    /// come from --seed (see docs/wasi.md).
    #[arg(long)]
    pub deterministic: bool,
    /// The seed of the guest's random bytes under --deterministic.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "deterministic")]
    pub seed: u64,
    #[command(flatten)]
    pub runner: RunnerArgs,
    /// Print the report as JSON (stdout and stderr inside it) instead of passing output through.
    #[arg(long)]
    pub json: bool,
    /// Also report a hash of all linear memory and the exported globals (JSON `observed`).
    #[arg(long)]
    pub observe: bool,
    /// Run the module without the instrumentation: fuel, growth caps and interrupt checks are
    /// not enforced (for testing what the engines do on their own).
    #[arg(long, hide = true)]
    pub no_instrumentation: bool,
    /// Arguments for the guest (argv[1..]).
    #[arg(last = true)]
    pub args: Vec<String>,
}

impl RunArgs {
    fn guest_limits(&self) -> GuestLimits {
        let mut g = GuestLimits::from_env();
        if let Some(v) = self.max_memory_bytes {
            g.max_memory_bytes = v;
        }
        if let Some(v) = self.max_fuel {
            g.max_fuel = v;
        }
        if let Some(v) = self.max_stack_bytes {
            g.max_stack_bytes = v;
        }
        if let Some(v) = self.max_output_bytes {
            g.max_output_bytes = v;
        }
        if let Some(v) = self.max_wall_ms {
            g.max_wall_time = std::time::Duration::from_millis(v);
        }
        if let Some(v) = self.max_fs_bytes {
            g.max_fs_bytes = v;
        }
        if let Some(v) = self.max_fs_nodes {
            g.max_fs_nodes = v;
        }
        if let Some(v) = self.max_open_fds {
            g.max_open_fds = v;
        }
        g
    }
}

pub(crate) fn run(args: RunArgs) -> ExitCode {
    let file = args.file.display().to_string();
    let guest = args.guest_limits();
    let engine_name = match args.engine {
        EngineName::V8 => "v8",
        EngineName::Wasmtime => "wasmtime",
    };
    let module = match read_module(&args.file, guest.max_module_bytes) {
        Ok(b) => b,
        Err(ModuleInput::Unreadable(message)) => return fail(EXIT_INPUT, &message),
        Err(ModuleInput::TooLarge(error)) => {
            let report = RunReport::failed(engine_name, error, Vec::new(), std::time::Instant::now());
            return finish(&args, &file, &report);
        }
    };
    let stdin = match &args.stdin {
        Some(p) => match crate::input::read_bounded(p, guest.max_stdin_bytes) {
            Ok(b) => b,
            Err(e) => return fail(EXIT_INPUT, &format!("--stdin: {e} (max_stdin_bytes)")),
        },
        None => Vec::new(),
    };
    if let Some(bad) = args.env.iter().find(|e| !e.contains('=')) {
        return fail(EXIT_INPUT, &format!("--env needs KEY=VALUE, got {bad:?}"));
    }
    if let Some(bad) = args.dirs.iter().find(|d| !d.host.is_dir()) {
        return fail(EXIT_INPUT, &format!("--dir {bad}: {} is not a readable directory", bad.host.display()));
    }
    let name = args.argv0.clone().unwrap_or_else(|| {
        args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.clone())
    });
    let request = RunRequest {
        args: std::iter::once(name).chain(args.args.iter().cloned()).collect(),
        env: args.env.clone(),
        stdin,
        invoke: args.invoke.clone(),
        observe: args.observe,
        dirs: args.dirs.clone(),
        trap_unknown_imports: args.trap_unknown_imports,
        deterministic: args.deterministic.then_some(Deterministic { seed: args.seed }),
    };
    let instrumentation = if args.no_instrumentation { Instrumentation::Off } else { Instrumentation::On };
    args.runner.configure_cache();
    let engine: Box<dyn Engine> = match args.engine {
        EngineName::V8 => {
            Box::new(Runner::new(args.runner.limits()).with_guest_limits(guest).with_instrumentation(instrumentation))
        }
        #[cfg(feature = "reference")]
        EngineName::Wasmtime => {
            Box::new(Reference::new().with_guest_limits(guest).with_instrumentation(instrumentation))
        }
        #[cfg(not(feature = "reference"))]
        EngineName::Wasmtime => {
            return fail(EXIT_INPUT, "this wasm-runner was built without the wasmtime reference (feature `reference`)")
        }
    };
    let report = engine.run(module.into(), &request);
    finish(&args, &file, &report)
}

fn finish(args: &RunArgs, file: &str, report: &RunReport) -> ExitCode {
    if args.json {
        print_json(report);
    } else {
        let _ = std::io::stdout().write_all(&report.stdout);
        let _ = std::io::stderr().write_all(&report.stderr);
        if std::env::var_os("WASM_RUNNER_VERBOSE").is_some() {
            print_phases(&report.phases);
        }
    }
    match &report.outcome {
        RunOutcome::Ok { returned } => {
            if !args.json && !returned.is_empty() {
                outln!("{}", returned.join(" "));
            }
            ExitCode::SUCCESS
        }
        RunOutcome::Exit { code } => ExitCode::from((*code).clamp(0, 255) as u8),
        RunOutcome::Error { error } => fail(EXIT_FAILED, &format!("run of {file} failed: {error}")),
    }
}
