//! One wasmtime run: guest checks, then compile, instantiate and the entry point on a
//! thread with the runner's stack, under an epoch watchdog.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use wasmtime::{Linker, Module, Store, StoreLimits, StoreLimitsBuilder, Val};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder, WasiView};

use super::classify::{self, classify, Stopped, StubCalled};
use super::memory::GuestMemory;
use super::output::{CappedOutput, Captured};
use super::scratch::scratch_dirs;
use super::shims::{FsUsage, HasShims, ShimState, VirtualMonotonicClock, VirtualWallClock};
use super::workers::WORKERS;
use super::{compiled, engines, watchdog, Reference};
use crate::guest::abi::{memory_export, FUEL_EXHAUSTED_EXPORT, FUEL_EXPORT};
use crate::guest::{prepare_cached, Cancel, PreparedModule, PARALLEL_FROM_BYTES};
use crate::limits::guest::{WASI_HOSTCALL_CHARGE_SUBSCRIPTION, WASI_MAX_RANDOM_BYTES};
use crate::limits::GuestLimits;
use crate::policy::determinism::FixedSources;
use crate::policy::{
    before_entry, check_entry, check_request, decide, fuel_used, is_observed_export, js_number, memory_hash, observed,
    provided_for, StopSignals, Stream, AFTER_INSTANTIATE,
};
use crate::report::{Observed, PhaseReport, RunReport, RunnerError};
use crate::request::RunRequest;
use crate::wasi::FsBudget;

const ENGINE: &str = "wasmtime";
/// Resource-table entries besides subscriptions and the guest's descriptors: stdio,
/// preopens and their streams.
const TABLE_SLACK: u64 = 1024;

/// A run's store data.
pub(super) struct State {
    wasi: WasiP1Ctx,
    limits: StoreLimits,
    shims: ShimState,
}

impl HasShims for State {
    fn shims(&mut self) -> &mut ShimState {
        &mut self.shims
    }

    fn wasi(&mut self) -> &mut WasiP1Ctx {
        &mut self.wasi
    }
}

pub(super) fn run(reference: &Reference, module: &Arc<[u8]>, request: &RunRequest) -> RunReport {
    let started = Instant::now();
    let guest = reference.guest.clone();
    let optimized = reference.optimized;
    if let Err(error) = check_request(request, &guest) {
        return RunReport::failed(ENGINE, error, Vec::new(), started);
    }
    let provided = provided_for(request, &reference.provided);
    // The same caches as the V8 runner's: both engines run the same prepared bytes.
    let prepared = match prepare_cached(module, &guest, &provided, reference.instrumentation, &Cancel::default()) {
        Ok((p, _)) => p,
        Err(e) => {
            return RunReport::failed(ENGINE, e, vec![PhaseReport::timed("guest_checks", started.elapsed())], started)
        }
    };
    let checks = PhaseReport::timed("guest_checks", started.elapsed());
    let request = request.clone();
    // wasmtime runs guest code on the calling thread's stack: give it the runner's.
    let mut report = match WORKERS.run(move || run_prepared(&prepared, &guest, optimized, &request)) {
        Ok(report) => report,
        Err(message) => RunReport::failed(ENGINE, RunnerError::Internal { message }, Vec::new(), started),
    };
    report.phases.insert(0, checks);
    report.total_ms = started.elapsed().as_secs_f64() * 1e3;
    report
}

/// A phase's report from its start.
fn timed(name: &str, since: Instant) -> PhaseReport {
    PhaseReport::timed(name, since.elapsed())
}

fn run_prepared(prepared: &PreparedModule, guest: &GuestLimits, optimized: bool, request: &RunRequest) -> RunReport {
    let started = Instant::now();
    let mut phases = Vec::new();
    // A small module's few functions compile faster on this thread than handed to rayon's
    // pool, whose workers then spin waiting for more (5.5% of a `differential` fuzz
    // execution's CPU, taken from the V8 side running beside it); the same threshold as the
    // guest checks' own fan-out.
    let parallel = prepared.bytes.len() >= PARALLEL_FROM_BYTES;
    let shared = match engines::shared(guest, optimized, parallel) {
        Ok(shared) => shared,
        Err(e) => {
            let error = RunnerError::Internal { message: format!("wasmtime engine: {e:#}") };
            return RunReport::failed(ENGINE, error, phases, started);
        }
    };
    let engine = &shared.engine;
    let t = Instant::now();
    let module = compiled::compile(engine, &prepared.bytes);
    phases.push(timed("compile", t));
    let module = match module {
        Ok(m) => m,
        Err(e) => return RunReport::failed(ENGINE, classify::compile_failure(&e, &prepared.bytes), phases, started),
    };

    let captured = Captured::new(guest.max_output_bytes);
    let env: Vec<(String, String)> = request
        .env
        .iter()
        .map(|kv| kv.split_once('=').map_or((kv.clone(), String::new()), |(k, v)| (k.into(), v.into())))
        .collect();
    let scratch = match scratch_dirs(&request.dirs, FsBudget::of(guest)) {
        Ok(s) => s,
        Err(error) => return RunReport::failed(ENGINE, error, phases, started),
    };
    let fixed = request.deterministic.map(FixedSources::new);
    let mut builder = WasiCtxBuilder::new();
    if let Some(fixed) = &fixed {
        builder
            .wall_clock(VirtualWallClock(fixed.clocks.clone()))
            .monotonic_clock(VirtualMonotonicClock(fixed.clocks.clone()));
    }
    builder
        .args(&request.args)
        .envs(&env)
        .stdin(wasmtime_wasi::p2::pipe::MemoryInputPipe::new(request.stdin.clone()))
        .stdout(CappedOutput::new(&captured, Stream::Stdout))
        .stderr(CappedOutput::new(&captured, Stream::Stderr))
        .max_random_size(WASI_MAX_RANDOM_BYTES);
    for (dir, guest_name) in &scratch {
        if let Err(e) = builder.preopened_dir(dir.path(), guest_name, FsPerms::ReadWrite) {
            let error = RunnerError::HostDir { path: dir.path().display().to_string(), message: format!("{e:#}") };
            return RunReport::failed(ENGINE, error, phases, started);
        }
    }
    let mut wasi = builder.build_p1();
    // wasmtime-wasi's resource table holds a pollable per poll_oneoff subscription and traps
    // past a million entries; the V8 runner has no such table. The host-call budget bounds
    // the subscriptions, and the descriptor limit the rest, so the table is sized by them.
    let table = guest.max_hostcall_bytes / WASI_HOSTCALL_CHARGE_SUBSCRIPTION + guest.max_open_fds + TABLE_SLACK;
    wasi.ctx().table.set_max_capacity(usize::try_from(table).unwrap_or(usize::MAX));
    let limits = StoreLimitsBuilder::new()
        .memory_size(guest.max_memory_bytes as usize)
        .table_elements(guest.max_table_elements as usize)
        .tables(guest.max_tables as usize)
        // One more for the instrumentation's interrupt flag.
        .memories(guest.max_memories as usize + 1)
        .instances(1)
        .build();
    let roots: Vec<&std::path::Path> = scratch.iter().map(|(dir, _)| dir.path()).collect();
    // One deadline for the guest and its host calls: the watchdog's, and `poll_oneoff`'s.
    let deadline = Instant::now() + guest.max_wall_time;
    let shims = ShimState::new(
        guest.max_open_fds,
        FsUsage::new(&roots, guest.max_fs_nodes, guest.max_fs_bytes),
        deadline,
        fixed,
    );
    let mut store = Store::new(engine, State { wasi, limits, shims });
    store.limiter(|s| &mut s.limits);
    // What one WASI call may copy out of guest arguments: wasmtime-wasi answers ENOMEM past
    // it, as the V8 runner's WASI runtime does.
    store.set_hostcall_fuel(usize::try_from(guest.max_hostcall_bytes).unwrap_or(usize::MAX));

    // The wall-time watchdog: the engine's epoch tick at the deadline interrupts the guest.
    let watch = match watchdog::watch(engine, deadline) {
        Ok(watch) => watch,
        Err(message) => return RunReport::failed(ENGINE, RunnerError::Internal { message }, phases, started),
    };
    store.set_epoch_deadline(1);
    let mut on_tick = watch.on_tick();
    store.epoch_deadline_callback(move |_| Ok(on_tick()));

    let mut signals = StopSignals::default();
    let mut phase = "instantiate";
    let mut instance = None;
    let result = (|| -> Result<Vec<String>, wasmtime::Error> {
        // The shared linker as it is, or a copy with the stubbed imports added.
        let mut linker = Cow::Borrowed(&shared.linker);
        if !prepared.stubbed.is_empty() {
            let internal = |e: wasmtime::Error| RunnerError::Internal { message: format!("{e:#}") };
            stub_imports(linker.to_mut(), &module, prepared).map_err(internal)?;
        }
        let t = Instant::now();
        let created = linker.instantiate(&mut store, &module);
        phases.push(timed("instantiate", t));
        let created = created?;
        instance = Some(created);
        call_exports(&mut store, created, AFTER_INSTANTIATE)?;
        phase = "run";
        let entry = request.entry();
        check_entry(&prepared.bytes, entry)?;
        let func = created.get_func(&mut store, entry).ok_or(RunnerError::NoEntry { name: entry.to_string() })?;
        let ty = func.ty(&store);
        let params: Vec<Val> = ty.params().map(|p| Val::default_for_ty(&p).unwrap_or(Val::I32(0))).collect();
        let mut results: Vec<Val> = ty.results().map(|r| Val::default_for_ty(&r).unwrap_or(Val::I32(0))).collect();
        let t = Instant::now();
        let called = call_exports(&mut store, created, before_entry(entry))
            .and_then(|()| func.call(&mut store, &params, &mut results));
        phases.push(timed("run", t));
        called?;
        Ok(results.iter().map(val_text).collect())
    })();
    let timed_out = watch.finish();

    let result = result.map_err(|e| match e.downcast::<RunnerError>() {
        Ok(error) => error,
        Err(e) => match classify(e, phase, guest) {
            Stopped::Exit(code) => {
                signals.exit_code = Some(code);
                RunnerError::Internal { message: "proc_exit".into() }
            }
            Stopped::Stub(call) => {
                signals.unknown_import = Some(call);
                RunnerError::Internal { message: "stub called".into() }
            }
            Stopped::Error(error) => error,
        },
    });
    let (fuel_left, exhausted, memory_bytes) = match instance {
        Some(instance) => read_state(&mut store, instance),
        None => (None, false, 0),
    };
    let used = fuel_used(prepared.fuel_limit, fuel_left);
    let observed = match instance {
        Some(instance) if request.observe => Some(observe(&mut store, instance)),
        _ => None,
    };
    signals.output_exceeded = captured.exceeded();
    signals.fuel_exhausted = exhausted.then_some((used, prepared.fuel_limit));
    if timed_out {
        signals.timed_out = Some((phase.to_string(), guest.max_wall_time.as_millis() as u64));
    }
    let (stdout, stderr) = captured.take();
    RunReport {
        engine: ENGINE,
        outcome: decide(result, signals),
        stdout,
        stderr,
        fuel_used: used,
        fuel_limit: prepared.fuel_limit,
        memory_bytes,
        observed,
        // A bound of V8's heap: wasmtime has none to bound.
        heap_bound_bytes: None,
        phases,
        total_ms: started.elapsed().as_secs_f64() * 1e3,
    }
}

/// Calls each of `names` the instance exports, in order (see `policy::calls`).
fn call_exports(store: &mut Store<State>, instance: wasmtime::Instance, names: &[&str]) -> wasmtime::Result<()> {
    for name in names {
        if let Ok(f) = instance.get_typed_func::<(), ()>(&mut *store, name) {
            f.call(&mut *store, ())?;
        }
    }
    Ok(())
}

/// Each import the guest checks accepted as a stub becomes one that fails the call.
fn stub_imports(linker: &mut Linker<State>, module: &Module, prepared: &PreparedModule) -> wasmtime::Result<()> {
    for import in module.imports() {
        let Some(ty) = import.ty().func().cloned() else { continue };
        if !prepared.stubbed.iter().any(|s| s.module == import.module() && s.name == import.name()) {
            continue;
        }
        let (from, name) = (import.module().to_string(), import.name().to_string());
        linker.func_new(&from.clone(), &name.clone(), ty, move |_, _, _| {
            Err(StubCalled { module: from.clone(), name: name.clone() }.into())
        })?;
    }
    Ok(())
}

/// Reads the instrumentation's counters and memories from the instance.
fn read_state(store: &mut Store<State>, instance: wasmtime::Instance) -> (Option<u64>, bool, u64) {
    let fuel = instance.get_global(&mut *store, FUEL_EXPORT).and_then(|g| g.get(&mut *store).i64()).map(|v| v as u64);
    let exhausted =
        instance.get_global(&mut *store, FUEL_EXHAUSTED_EXPORT).and_then(|g| g.get(&mut *store).i32()) == Some(1);
    let memory_bytes = memories(store, instance).iter().map(|m| m.size(&*store) as u64).sum();
    (fuel, exhausted, memory_bytes)
}

/// The instance's memories in index order, as the instrumentation exports them.
fn memories(store: &mut Store<State>, instance: wasmtime::Instance) -> Vec<GuestMemory> {
    (0..).map_while(|i| GuestMemory::of(instance.get_export(&mut *store, &memory_export(i)))).collect()
}

/// The observation the run policy defines (`policy::observe`).
fn observe(store: &mut Store<State>, instance: wasmtime::Instance) -> Observed {
    let memories = memories(store, instance);
    let hash = memory_hash(memories.iter().map(|m| m.bytes(&*store)));
    let names: Vec<String> = instance.exports(&mut *store).map(|e| e.name().to_string()).collect();
    let mut globals = Vec::new();
    for name in names.into_iter().filter(|n| is_observed_export(n)) {
        if let Some(g) = instance.get_global(&mut *store, &name) {
            let value = g.get(&mut *store);
            let text = match value {
                Val::I32(_) | Val::I64(_) | Val::F32(_) | Val::F64(_) => val_text(&value),
                _ => "<ref>".to_string(),
            };
            globals.push((name, text));
        }
    }
    observed(hash, globals)
}

fn val_text(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(bits) => js_number(f64::from(f32::from_bits(*bits))),
        Val::F64(bits) => js_number(f64::from_bits(*bits)),
        other => format!("{other:?}"),
    }
}
