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
use crate::guest::{check_entry, prepare_with, Instrumentation, PreparedModule, ProvidedImports};
use crate::limits::{GuestLimits, RunnerLimits};

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
}

impl RunRequest {
    pub fn entry(&self) -> &str {
        self.invoke.as_deref().unwrap_or("_start")
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
    let (guest, provided, request) = (guest.clone(), provided.clone(), request.clone());
    let stack = Some(guest.stack_bytes());
    let result = supervise(limits, stack, move |session| {
        session.set_guest_limits(guest.clone());
        let io = Rc::new(RefCell::new(HostIo::new(guest.max_output_bytes, request.stdin.clone())));
        session.set_host_io(io.clone());
        session.bootstrap()?;
        let prepared =
            session.phase("guest_checks", |_| Ok(prepare_with(&module, &guest, &provided, instrumentation)?))?;
        Ok(run_prepared(session, &guest, &prepared, &request, &io))
    });
    match result {
        Ok(((outcome, state, io), phases)) => RunReport {
            engine: "v8",
            outcome,
            stdout: io.stdout,
            stderr: io.stderr,
            fuel_used: state.as_ref().map_or(0, |s| s.0),
            fuel_limit: state.as_ref().map_or(0, |s| s.2),
            memory_bytes: state.map_or(0, |s| s.1),
            phases,
            total_ms: started.elapsed().as_secs_f64() * 1e3,
        },
        Err(failure) => RunReport::failed("v8", failure.error, failure.phases, started),
    }
}

/// (fuel used, memory bytes, fuel limit)
type StateSummary = Option<(u64, u64, u64)>;

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
) -> (RunOutcome, StateSummary, Output) {
    let options = serde_json::json!({ "args": request.args, "env": request.env, "entry": request.entry() }).to_string();
    session.set_deadline(guest.max_wall_time);
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
    let state = session
        .isolate()
        .call_runner("state", "{}")
        .ok()
        .and_then(|s| serde_json::from_str::<GuestState>(&s).ok())
        .map(|s| {
            let remaining = s.fuel_remaining.and_then(|f| f.parse::<u64>().ok()).unwrap_or(prepared.fuel_limit);
            (prepared.fuel_limit.saturating_sub(remaining), s.memory_bytes, prepared.fuel_limit)
        });
    // proc_exit ends execution by termination; it is an exit, not a failure, unless the
    // heap guard or the deadline got there first.
    let exit_code = io.borrow().exit_code;
    let outcome = match outcome {
        Ok(returned) => RunOutcome::Ok { returned },
        Err(error @ (RunnerError::HeapLimitExhausted { .. } | RunnerError::Timeout { .. })) => {
            RunOutcome::Error { error }
        }
        Err(_) if exit_code.is_some() => RunOutcome::Exit { code: exit_code.unwrap_or(0) },
        Err(RunnerError::FuelExhausted { limit, .. }) => {
            RunOutcome::Error { error: RunnerError::FuelExhausted { used: state.map_or(limit, |s| s.0), limit } }
        }
        Err(error) => RunOutcome::Error { error },
    };
    let mut io = io.borrow_mut();
    let output = Output { stdout: std::mem::take(&mut io.stdout), stderr: std::mem::take(&mut io.stderr) };
    (outcome, state, output)
}
