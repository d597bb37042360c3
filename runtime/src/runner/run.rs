//! run = warmup (with the guest checks) + the guest's entry point under fuel, stack,
//! output and wall-time limits.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::report::PhaseReport;
use super::session::Session;
use super::supervisor::supervise;
use crate::engine::HostIo;
use crate::error::RunnerError;
use crate::guest::{check_entry, prepare_cached, Instrumentation, PreparedModule, ProvidedImports};
use crate::limits::{GuestLimits, RunnerLimits};
use crate::wasi::{load_seed, Preopen};

/// What to run and with what.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRequest {
    /// argv, including argv[0].
    pub args: Vec<String>,
    /// Environment, as `KEY=VALUE`.
    pub env: Vec<String>,
    pub stdin: Vec<u8>,
    /// The export to call; `_start` when unset.
    pub invoke: Option<String>,
    /// Also report a hash of all linear memory and the exported globals (for differential
    /// comparison; costs a pass over memory).
    #[serde(default)]
    pub observe: bool,
    /// Host directories copied into the guest's in-memory file system.
    #[serde(default)]
    pub dirs: Vec<Preopen>,
    /// Function imports the runner does not provide are stubbed; calling one ends the run
    /// as `unknown_import_called` (wasmtime's `--trap-unknown-imports`).
    #[serde(default)]
    pub trap_unknown_imports: bool,
}

/// The guest's final state, as a differential comparison sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// FNV-1a (32-bit, hex) over every linear memory in index order.
    pub memory_hash: String,
    /// Exported globals by name, as text (`<opaque>` where the JS API cannot read one).
    pub globals: Vec<(String, String)>,
}

impl Observed {
    /// Globals in name order: JS lists integer-like export names first, wasmtime in
    /// export order, and neither order means anything.
    pub fn sorted(mut self) -> Self {
        self.globals.sort();
        self
    }
}

/// FNV-1a, 32-bit: what the runner's JS computes over memory.
pub fn fnv1a32(state: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(state, |h, b| (h ^ u32::from(*b)).wrapping_mul(0x0100_0193))
}

/// FNV-1a's initial state.
pub const FNV1A32_INIT: u32 = 0x811c_9dc5;

impl RunRequest {
    pub fn entry(&self) -> &str {
        self.invoke.as_deref().unwrap_or("_start")
    }

    /// The imports this request lets a module ask for, given the runner's.
    pub fn provided_imports(&self, runner: &ProvidedImports) -> ProvidedImports {
        if self.trap_unknown_imports {
            runner.clone().stubbing_unknown_functions()
        } else {
            runner.clone()
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// The entry point returned these values (as text).
    Ok { returned: Vec<String> },
    /// The guest called `proc_exit`.
    Exit { code: i32 },
    /// A typed failure.
    Error { error: RunnerError },
}

impl RunOutcome {
    /// `ok`, `exit`, or the error kind.
    pub fn kind(&self) -> &'static str {
        match self {
            RunOutcome::Ok { .. } => "ok",
            RunOutcome::Exit { .. } => "exit",
            RunOutcome::Error { error } => error.kind(),
        }
    }

    pub fn error(&self) -> Option<&RunnerError> {
        match self {
            RunOutcome::Error { error } => Some(error),
            _ => None,
        }
    }
}

/// JSON shape of an outcome: `outcome` is `ok`, `exit` or the error kind.
impl Serialize for RunOutcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("outcome", self.kind())?;
        match self {
            RunOutcome::Ok { returned } => map.serialize_entry("returned", returned)?,
            RunOutcome::Exit { code } => map.serialize_entry("exit_code", code)?,
            RunOutcome::Error { error } => {
                map.serialize_entry("message", &error.to_string())?;
                map.serialize_entry("error", error)?;
            }
        }
        map.end()
    }
}

/// Everything a run produced. Both engines fill the same report.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub engine: &'static str,
    #[serde(flatten)]
    pub outcome: RunOutcome,
    #[serde(serialize_with = "lossy_text")]
    pub stdout: Vec<u8>,
    #[serde(serialize_with = "lossy_text")]
    pub stderr: Vec<u8>,
    pub fuel_used: u64,
    pub fuel_limit: u64,
    /// Final linear memory size, over all memories.
    pub memory_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
    pub phases: Vec<PhaseReport>,
    pub total_ms: f64,
}

fn lossy_text<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(bytes))
}

impl RunReport {
    pub fn failed(engine: &'static str, error: RunnerError, phases: Vec<PhaseReport>, started: Instant) -> Self {
        RunReport {
            engine,
            outcome: RunOutcome::Error { error },
            stdout: Vec::new(),
            stderr: Vec::new(),
            fuel_used: 0,
            fuel_limit: 0,
            memory_bytes: 0,
            observed: None,
            phases,
            total_ms: started.elapsed().as_secs_f64() * 1e3,
        }
    }
}

#[derive(Deserialize)]
struct GuestState {
    fuel_remaining: Option<String>,
    memory_bytes: u64,
}

pub(crate) fn run(
    limits: &RunnerLimits,
    guest: &GuestLimits,
    provided: &ProvidedImports,
    instrumentation: Instrumentation,
    module: Arc<[u8]>,
    request: &RunRequest,
) -> RunReport {
    let started = Instant::now();
    let seed = match load_seed(&request.dirs, guest.max_fs_bytes) {
        Ok(seed) => seed,
        Err(error) => return RunReport::failed("v8", error, Vec::new(), started),
    };
    let (guest, provided, request) = (guest.clone(), request.provided_imports(provided), request.clone());
    let stack = Some(guest.stack_bytes());
    let result = supervise(limits, stack, move |session| {
        session.set_guest_limits(guest.clone());
        let mut io = HostIo::new(guest.max_output_bytes, request.stdin.clone());
        io.fs = seed.clone();
        let io = Rc::new(RefCell::new(io));
        session.set_host_io(io.clone());
        session.bootstrap()?;
        let prepared =
            session.phase("guest_checks", |_| Ok(prepare_cached(&module, &guest, &provided, instrumentation)?))?;
        Ok(run_prepared(session, &guest, &prepared, &request, &io))
    });
    match result {
        Ok(((outcome, state, io), phases)) => RunReport {
            engine: "v8",
            outcome,
            stdout: io.stdout,
            stderr: io.stderr,
            fuel_used: state.fuel_used,
            fuel_limit: state.fuel_limit,
            memory_bytes: state.memory_bytes,
            observed: state.observed,
            phases,
            total_ms: started.elapsed().as_secs_f64() * 1e3,
        },
        Err(failure) => RunReport::failed("v8", failure.error, failure.phases, started),
    }
}

/// What the guest left behind, read after the run.
#[derive(Default)]
struct FinalState {
    fuel_used: u64,
    fuel_limit: u64,
    memory_bytes: u64,
    observed: Option<Observed>,
}

/// Plain host output, moved out of the isolate's shared cell.
struct Output {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn run_prepared(
    session: &mut Session,
    guest: &GuestLimits,
    prepared: &PreparedModule,
    request: &RunRequest,
    io: &Rc<RefCell<HostIo>>,
) -> (RunOutcome, FinalState, Output) {
    let options = serde_json::json!({
        "args": request.args,
        "env": request.env,
        "fsLimit": guest.max_fs_bytes,
        "stubUnknownImports": prepared.stubs_unknown_imports,
    })
    .to_string();
    session.set_deadline(guest.max_wall_time);
    io.borrow_mut().deadline = Some(Instant::now() + guest.max_wall_time);
    let outcome = (|| {
        session.phase("compile", |iso| Ok(iso.compile_module(&prepared.bytes)?))?;
        session.phase("instantiate", |iso| Ok(iso.call_runner_with_module("instantiate", &options).map(drop)?))?;
        let returned = session.phase("run", |iso| {
            let params = check_entry(&prepared.bytes, request.entry())?;
            let options = serde_json::json!({ "entry": request.entry(), "params": params }).to_string();
            Ok(iso.call_runner("run", &options)?)
        })?;
        Ok(serde_json::from_str::<Vec<String>>(&returned).unwrap_or_default())
    })();
    session.isolate().clear_termination();
    let mut state = session
        .isolate()
        .call_runner("state", "{}")
        .ok()
        .and_then(|s| serde_json::from_str::<GuestState>(&s).ok())
        .map(|s| {
            let remaining = s.fuel_remaining.and_then(|f| f.parse::<u64>().ok()).unwrap_or(prepared.fuel_limit);
            FinalState {
                fuel_used: prepared.fuel_limit.saturating_sub(remaining),
                fuel_limit: prepared.fuel_limit,
                memory_bytes: s.memory_bytes,
                observed: None,
            }
        })
        .unwrap_or_default();
    if request.observe {
        state.observed = session
            .isolate()
            .call_runner("observe", "{}")
            .ok()
            .and_then(|s| serde_json::from_str::<Observed>(&s).ok())
            .map(Observed::sorted);
    }
    // proc_exit ends execution by termination; it is an exit, not a failure, unless the
    // heap guard or the deadline got there first.
    let exit_code = io.borrow().exit_code;
    let unknown_import = io.borrow().unknown_import_called.clone();
    let outcome = match (outcome, unknown_import) {
        (Ok(returned), _) => RunOutcome::Ok { returned },
        (Err(error @ (RunnerError::HeapLimitExhausted { .. } | RunnerError::Timeout { .. })), _) => {
            RunOutcome::Error { error }
        }
        (Err(_), Some(call)) => {
            RunOutcome::Error { error: RunnerError::UnknownImportCalled { module: call.module, name: call.name } }
        }
        (Err(e), None) => match e {
            _ if exit_code.is_some() => RunOutcome::Exit { code: exit_code.unwrap_or(0) },
            RunnerError::FuelExhausted { limit, .. } => {
                RunOutcome::Error { error: RunnerError::FuelExhausted { used: state.fuel_used, limit } }
            }
            error => RunOutcome::Error { error },
        },
    };
    let mut io = io.borrow_mut();
    let output = Output { stdout: std::mem::take(&mut io.stdout), stderr: std::mem::take(&mut io.stderr) };
    (outcome, state, output)
}
