//! run = warmup (with the guest checks) + the guest's entry point under fuel, stack,
//! output and wall-time limits.

use std::sync::Arc;
use std::time::Instant;

use super::instance::{instantiate_options, observe, read_state};
use super::js::Scripts;
use super::session::Session;
use super::supervisor::supervise;
use super::Runner;
use crate::guest::{prepare_cached, PreparedModule};
use crate::limits::{heap_bound, GuestLimits};
use crate::policy::{before_entry, check_entry, check_request, decide, provided_for};
use crate::report::{Observed, RunOutcome, RunReport};
use crate::request::RunRequest;
use crate::wasi::{load_image, FsBudget, SharedWasiHost, WasiHost};

/// What a run produced, moved out of the runner thread.
struct Ran {
    outcome: RunOutcome,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    fuel_used: u64,
    fuel_limit: u64,
    memory_bytes: u64,
    observed: Option<Observed>,
    heap_bound_bytes: u64,
}

pub(crate) fn run(runner: &Runner, module: Arc<[u8]>, request: &RunRequest) -> RunReport {
    let started = Instant::now();
    let guest = runner.guest.clone();
    if let Err(error) = check_request(request, &guest) {
        return RunReport::failed("v8", error, Vec::new(), started);
    }
    let image = match load_image(&request.dirs, FsBudget::of(&guest)) {
        Ok(image) => image,
        Err(error) => return RunReport::failed("v8", error, Vec::new(), started),
    };
    let provided = provided_for(request, &runner.provided);
    let (instrumentation, request) = (runner.instrumentation, request.clone());
    let scripts = Scripts::for_module(&module, &provided);
    let result = supervise(&runner.limits, Some(guest.stack_bytes()), scripts, move |session| {
        session.set_guest_limits(guest.clone());
        let wasi = session.attach_wasi(
            WasiHost::new(guest.max_output_bytes, request.stdin.clone(), image).deterministic(request.deterministic),
        );
        let cancel = session.cancel();
        let prepared = session.bootstrap().and_then(|()| {
            session
                .phase("guest_checks", |_| Ok(prepare_cached(&module, &guest, &provided, instrumentation, &cancel)?.0))
        });
        match prepared {
            Ok(prepared) => Ok(run_prepared(session, &guest, &prepared, &request, &wasi)),
            Err(error) => Err(session.failure(error, None)),
        }
    });
    match result {
        Ok((ran, phases)) => RunReport {
            engine: "v8",
            outcome: ran.outcome,
            stdout: ran.stdout,
            stderr: ran.stderr,
            fuel_used: ran.fuel_used,
            fuel_limit: ran.fuel_limit,
            memory_bytes: ran.memory_bytes,
            observed: ran.observed,
            heap_bound_bytes: Some(ran.heap_bound_bytes),
            phases,
            total_ms: started.elapsed().as_secs_f64() * 1e3,
        },
        Err(failure) => RunReport::failed("v8", failure.error, failure.phases, started),
    }
}

fn run_prepared(
    session: &mut Session,
    guest: &GuestLimits,
    prepared: &PreparedModule,
    request: &RunRequest,
    wasi: &SharedWasiHost,
) -> Ran {
    session.set_deadline(guest.max_wall_time);
    wasi.borrow_mut().deadline = Some(Instant::now() + guest.max_wall_time);
    let entry = request.entry();
    let result = (|| {
        session.phase("compile", |iso| Ok(iso.compile_module(&prepared.bytes)?))?;
        let options = instantiate_options(prepared, crate::wasi::options(request, guest));
        session.phase("instantiate", |iso| Ok(iso.call_runner_with_module("instantiate", &options).map(drop)?))?;
        let returned = session.phase("run", |iso| {
            let params = check_entry(&prepared.bytes, entry)?;
            let options = serde_json::json!({ "entry": entry, "before": before_entry(entry), "params": params });
            Ok(iso.call_runner("run", &options.to_string())?)
        })?;
        Ok(serde_json::from_str::<Vec<String>>(&returned).unwrap_or_default())
    })();
    let state = read_state(session, prepared.fuel_limit);
    let observed = if request.observe { observe(session) } else { None };
    let outcome = decide(result, session.signals(state.fuel_exhausted));
    let (stdout, stderr) = wasi.borrow_mut().output.take();
    Ran {
        outcome,
        stdout,
        stderr,
        fuel_used: state.fuel_used,
        fuel_limit: prepared.fuel_limit,
        memory_bytes: state.memory_bytes,
        observed,
        heap_bound_bytes: heap_bound(&prepared.facts, guest).run_bytes,
    }
}
