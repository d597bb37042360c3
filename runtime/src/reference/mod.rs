//! The reference engine: wasmtime (with wasmtime-wasi preview1) running the same checked
//! and instrumented bytes under the same `GuestLimits`, filling the same `RunReport`.
//!
//! Fuel is the instrumentation's counter in both engines, so fuel use agrees exactly;
//! memory and tables are clamped in the bytes and, here, also held by `StoreLimits`; the
//! stack by `max_wasm_stack`; wall time by epoch interruption; output by a capped pipe
//! with the V8 runner's semantics (keep what fits, then stop the guest).

mod compiled;
mod output;

use std::sync::mpsc;
use std::time::Instant;

use wasmtime::{Config, Engine, Linker, Module, Store, StoreLimits, StoreLimitsBuilder, Trap, Val};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

use crate::error::RunnerError;
use crate::guest::{
    prepare_with, ImportKind, ImportRef, Instrumentation, PreparedModule, ProvidedImports, FUEL_EXHAUSTED_EXPORT,
    FUEL_EXPORT, MEMORY_EXPORT_PREFIX, START_EXPORT,
};
use crate::limits::GuestLimits;
use crate::runner::{
    fnv1a32, Observed, PhaseReport, RunOutcome, RunReport, RunRequest, FNV1A32_INIT, RUNNER_THREAD_STACK_BYTES,
};
use crate::wasi::{load_seed, Preopen};
use output::{CappedOutput, Captured};

/// Why a wasmtime run stopped early.
enum Stop {
    Exit(i32),
    Failed(RunnerError),
}

impl From<RunnerError> for Stop {
    fn from(e: RunnerError) -> Self {
        Stop::Failed(e)
    }
}

struct State {
    wasi: WasiP1Ctx,
    limits: StoreLimits,
}

fn phase(name: &'static str, since: Instant) -> PhaseReport {
    PhaseReport {
        name,
        peak_used_heap_bytes: 0,
        used_heap_after_bytes: 0,
        duration_ms: since.elapsed().as_secs_f64() * 1e3,
    }
}

/// Runs `module` in wasmtime under `guest`, like `Runner::run` does in V8.
pub fn run(module: &[u8], guest: &GuestLimits, request: &RunRequest) -> RunReport {
    run_with(module, guest, request, Instrumentation::On)
}

/// `run`, choosing whether the guest limits are compiled into the module.
pub fn run_with(
    module: &[u8],
    guest: &GuestLimits,
    request: &RunRequest,
    instrumentation: Instrumentation,
) -> RunReport {
    let started = Instant::now();
    let t = Instant::now();
    let prepared = match prepare_with(
        module,
        guest,
        &request.provided_imports(&ProvidedImports::wasi_preview1()),
        instrumentation,
    ) {
        Ok(p) => p,
        Err(e) => return RunReport::failed("wasmtime", e, vec![phase("guest_checks", t)], started),
    };
    let checks = phase("guest_checks", t);
    let (guest, request) = (guest.clone(), request.clone());
    // wasmtime runs guest code on the calling thread's stack: give it the runner's.
    let worker = std::thread::Builder::new()
        .name("wasmtime-reference".into())
        .stack_size(RUNNER_THREAD_STACK_BYTES)
        .spawn(move || run_prepared(&prepared, &guest, &request));
    let mut report = match worker.map(|w| w.join()) {
        Ok(Ok(report)) => report,
        Ok(Err(_)) => RunReport::failed(
            "wasmtime",
            RunnerError::Internal { message: "the wasmtime thread panicked".into() },
            Vec::new(),
            started,
        ),
        Err(e) => RunReport::failed(
            "wasmtime",
            RunnerError::Internal { message: format!("could not start a wasmtime thread: {e}") },
            Vec::new(),
            started,
        ),
    };
    report.phases.insert(0, checks);
    report.total_ms = started.elapsed().as_secs_f64() * 1e3;
    report
}

/// The reference engine's configuration: the features V8 ships, the guest's stack, epoch
/// interruption, shared memory (the instrumentation's interrupt flag).
pub fn config(guest: &GuestLimits) -> Config {
    let mut config = Config::new();
    config
        .max_wasm_stack(guest.stack_bytes() as usize)
        .epoch_interruption(true)
        .wasm_multi_memory(true)
        .wasm_memory64(true)
        .wasm_tail_call(true)
        .wasm_relaxed_simd(true)
        .wasm_function_references(true)
        .wasm_exceptions(true)
        .wasm_extended_const(true)
        .wasm_threads(true)
        // The instrumentation's interrupt flag is a shared memory.
        .shared_memory(true)
        .wasm_gc(true);
    config
}

fn run_prepared(prepared: &PreparedModule, guest: &GuestLimits, request: &RunRequest) -> RunReport {
    let started = Instant::now();
    let mut phases = Vec::new();
    let engine = match Engine::new(&config(guest)) {
        Ok(e) => e,
        Err(e) => {
            let error = RunnerError::Internal { message: format!("wasmtime engine: {e:#}") };
            return RunReport::failed("wasmtime", error, phases, started);
        }
    };
    let t = Instant::now();
    let module = match compiled::compile(&engine, &prepared.bytes[..]) {
        Ok(m) => m,
        Err(e) => {
            phases.push(phase("compile", t));
            let error = RunnerError::CompileError { message: format!("{e:#}") };
            return RunReport::failed("wasmtime", error, phases, started);
        }
    };
    phases.push(phase("compile", t));

    let captured = Captured::new(guest.max_output_bytes);
    let env: Vec<(String, String)> = request
        .env
        .iter()
        .map(|kv| kv.split_once('=').map_or((kv.clone(), String::new()), |(k, v)| (k.into(), v.into())))
        .collect();
    // The guest's directories: the same seed the V8 runner copies into memory, written to
    // scratch directories so guest writes never reach the originals.
    let scratch = match scratch_dirs(&request.dirs, guest.max_fs_bytes) {
        Ok(s) => s,
        Err(error) => return RunReport::failed("wasmtime", error, phases, started),
    };
    let mut builder = WasiCtxBuilder::new();
    builder
        .args(&request.args)
        .envs(&env)
        .stdin(wasmtime_wasi::p2::pipe::MemoryInputPipe::new(request.stdin.clone()))
        .stdout(CappedOutput::new(&captured, 1))
        .stderr(CappedOutput::new(&captured, 2));
    for (dir, guest_name) in &scratch {
        if let Err(e) = builder.preopened_dir(dir.path(), guest_name, FsPerms::ReadWrite) {
            let error = RunnerError::HostDir { path: dir.path().display().to_string(), message: format!("{e:#}") };
            return RunReport::failed("wasmtime", error, phases, started);
        }
    }
    let wasi = builder.build_p1();
    let limits = StoreLimitsBuilder::new()
        .memory_size(guest.max_memory_bytes as usize)
        .table_elements(guest.max_table_elements as usize)
        .tables(guest.max_tables as usize)
        // One more for the instrumentation's interrupt flag.
        .memories(guest.max_memories as usize + 1)
        .instances(1)
        .build();
    let mut store = Store::new(&engine, State { wasi, limits });
    store.limiter(|s| &mut s.limits);
    store.set_epoch_deadline(1);

    // The wall-time watchdog: one epoch tick at the deadline interrupts the guest.
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let wall = guest.max_wall_time;
    let ticker = engine.clone();
    let watchdog = std::thread::spawn(move || {
        if done_rx.recv_timeout(wall) == Err(mpsc::RecvTimeoutError::Timeout) {
            ticker.increment_epoch();
        }
    });

    let mut linker: Linker<State> = Linker::new(&engine);
    let mut last_instance = None;
    let outcome = (|| -> Result<Vec<String>, Stop> {
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut State| &mut s.wasi)
            .map_err(|e| RunnerError::Internal { message: format!("{e:#}") })?;
        if request.trap_unknown_imports {
            stub_unknown_imports(&mut linker, &module)?;
        }
        let t = Instant::now();
        let instance = linker.instantiate(&mut store, &module);
        phases.push(phase("instantiate", t));
        let instance = instance.map_err(|e| classify(e, "instantiate", guest, &captured))?;
        last_instance = Some(instance);
        // A guarded module's start function, as the V8 runner calls it (see guest::instrument).
        if let Ok(start) = instance.get_typed_func::<(), ()>(&mut store, START_EXPORT) {
            start.call(&mut store, ()).map_err(|e| classify(e, "instantiate", guest, &captured))?;
        }
        let entry = request.entry();
        crate::guest::check_entry(&prepared.bytes, entry)?;
        let func = instance.get_func(&mut store, entry).ok_or(RunnerError::NoEntry { name: entry.to_string() })?;
        // A WASI reactor is initialised before any other export is called.
        let init = instance.get_typed_func::<(), ()>(&mut store, "_initialize").ok().filter(|_| entry != "_start");
        let ty = func.ty(&store);
        let params: Vec<Val> = ty.params().map(|p| Val::default_for_ty(&p).unwrap_or(Val::I32(0))).collect();
        let mut results: Vec<Val> = ty.results().map(|r| Val::default_for_ty(&r).unwrap_or(Val::I32(0))).collect();
        let t = Instant::now();
        let called = match init {
            Some(init) => init.call(&mut store, ()).and_then(|()| func.call(&mut store, &params, &mut results)),
            None => func.call(&mut store, &params, &mut results),
        };
        phases.push(phase("run", t));
        called.map_err(|e| classify(e, "run", guest, &captured))?;
        Ok(results.iter().map(val_text).collect())
    })();
    let _ = done_tx.send(());
    let _ = watchdog.join();

    // Fuel and memory, read back from the instrumentation's exports.
    let (fuel_left, exhausted, memory_bytes) = match last_instance {
        Some(instance) => read_state(&mut store, instance),
        None => (None, false, 0),
    };
    let observed = match last_instance {
        Some(instance) if request.observe => Some(observe(&mut store, instance)),
        _ => None,
    };
    let outcome = match outcome {
        Ok(returned) => RunOutcome::Ok { returned },
        Err(Stop::Exit(code)) => RunOutcome::Exit { code },
        Err(Stop::Failed(RunnerError::Trap { .. })) if exhausted => RunOutcome::Error {
            error: RunnerError::FuelExhausted {
                used: prepared.fuel_limit.saturating_sub(fuel_left.unwrap_or(0)),
                limit: prepared.fuel_limit,
            },
        },
        Err(Stop::Failed(error)) => RunOutcome::Error { error },
    };
    let (stdout, stderr) = captured.take();
    RunReport {
        engine: "wasmtime",
        outcome,
        stdout,
        stderr,
        fuel_used: prepared.fuel_limit.saturating_sub(fuel_left.unwrap_or(prepared.fuel_limit)),
        fuel_limit: prepared.fuel_limit,
        memory_bytes,
        observed,
        phases,
        total_ms: started.elapsed().as_secs_f64() * 1e3,
    }
}

/// A stubbed import was called (the V8 runner's `__host.unknownImport`).
#[derive(Debug, thiserror::Error)]
#[error("the guest called {module}.{name}, an import the runner only stubbed")]
struct UnknownImportCall {
    module: String,
    name: String,
}

/// Every function import the linker cannot satisfy becomes a stub that fails the call.
fn stub_unknown_imports(linker: &mut Linker<State>, module: &Module) -> Result<(), RunnerError> {
    let internal = |e: wasmtime::Error| RunnerError::Internal { message: format!("{e:#}") };
    let wasi = ProvidedImports::wasi_preview1();
    let missing: Vec<_> = module
        .imports()
        .filter_map(|i| i.ty().func().cloned().map(|ty| (i.module().to_string(), i.name().to_string(), ty)))
        .filter(|(from, name, _)| {
            let import = ImportRef { module: from.clone(), name: name.clone(), kind: ImportKind::Function };
            !wasi.provides(&import)
        })
        .collect();
    for (from, name, ty) in missing {
        let call = (from.clone(), name.clone());
        linker
            .func_new(&from, &name, ty, move |_, _, _| {
                Err(UnknownImportCall { module: call.0.clone(), name: call.1.clone() }.into())
            })
            .map_err(internal)?;
    }
    Ok(())
}

/// Writes the seed of the guest's file system into one scratch directory per preopen.
fn scratch_dirs(dirs: &[Preopen], max_fs_bytes: u64) -> Result<Vec<(tempfile::TempDir, String)>, RunnerError> {
    let seed = load_seed(dirs, max_fs_bytes)?;
    let io = |path: &std::path::Path, e: std::io::Error| RunnerError::HostDir {
        path: path.display().to_string(),
        message: format!("writing the reference engine's scratch copy: {e}"),
    };
    let mut out = Vec::new();
    for guest_name in &seed.preopens {
        let dir =
            tempfile::Builder::new().prefix("wasm-runner-ref").tempdir().map_err(|e| io(&std::env::temp_dir(), e))?;
        out.push((dir, guest_name.clone()));
    }
    for entry in &seed.entries {
        let path = out[entry.preopen].0.path().join(&entry.path);
        match &entry.bytes {
            None => std::fs::create_dir(&path).map_err(|e| io(&path, e))?,
            Some(bytes) => std::fs::write(&path, bytes).map_err(|e| io(&path, e))?,
        }
    }
    Ok(out)
}

/// Reads the instrumentation's globals and memories from the instance.
fn read_state(store: &mut Store<State>, instance: wasmtime::Instance) -> (Option<u64>, bool, u64) {
    let fuel = instance.get_global(&mut *store, FUEL_EXPORT).and_then(|g| g.get(&mut *store).i64()).map(|v| v as u64);
    let exhausted =
        instance.get_global(&mut *store, FUEL_EXHAUSTED_EXPORT).and_then(|g| g.get(&mut *store).i32()) == Some(1);
    let mut memory_bytes = 0u64;
    for i in 0.. {
        match instance.get_memory(&mut *store, &format!("{MEMORY_EXPORT_PREFIX}{i}")) {
            Some(m) => memory_bytes += m.data_size(&*store) as u64,
            None => break,
        }
    }
    (fuel, exhausted, memory_bytes)
}

/// The same observation the runner's JS makes: FNV-1a over all memories, exported globals.
fn observe(store: &mut Store<State>, instance: wasmtime::Instance) -> Observed {
    let mut hash = FNV1A32_INIT;
    for i in 0.. {
        match instance.get_memory(&mut *store, &format!("{MEMORY_EXPORT_PREFIX}{i}")) {
            Some(m) => hash = fnv1a32(hash, m.data(&*store)),
            None => break,
        }
    }
    let names: Vec<String> = instance.exports(&mut *store).map(|e| e.name().to_string()).collect();
    let mut globals = Vec::new();
    for name in names.into_iter().filter(|n| !n.starts_with('\u{1}')) {
        if let Some(g) = instance.get_global(&mut *store, &name) {
            let value = g.get(&mut *store);
            let text = match value {
                Val::I32(_) | Val::I64(_) | Val::F32(_) | Val::F64(_) => val_text(&value),
                _ => "<ref>".to_string(),
            };
            globals.push((name, text));
        }
    }
    Observed { memory_hash: format!("{hash:08x}"), globals }.sorted()
}

fn classify(e: wasmtime::Error, phase: &str, guest: &GuestLimits, captured: &Captured) -> Stop {
    if let Some(exit) = e.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return Stop::Exit(exit.0);
    }
    Stop::Failed(classify_error(e, phase, guest, captured))
}

fn classify_error(e: wasmtime::Error, phase: &str, guest: &GuestLimits, captured: &Captured) -> RunnerError {
    if captured.exceeded() {
        return RunnerError::OutputLimitExceeded { limit_bytes: guest.max_output_bytes };
    }
    if let Some(call) = e.downcast_ref::<UnknownImportCall>() {
        return RunnerError::UnknownImportCalled { module: call.module.clone(), name: call.name.clone() };
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::StackOverflow) => {
            RunnerError::StackExhausted { phase: phase.to_string(), limit_bytes: guest.stack_bytes() }
        }
        Some(Trap::Interrupt) => {
            RunnerError::Timeout { phase: phase.to_string(), limit_ms: guest.max_wall_time.as_millis() as u64 }
        }
        Some(trap) => RunnerError::Trap { phase: phase.to_string(), message: trap.to_string() },
        None if phase == "instantiate" && e.to_string().contains("unknown import") => {
            RunnerError::LinkError { message: format!("{e:#}") }
        }
        None => RunnerError::Trap { phase: phase.to_string(), message: format!("{e:#}") },
    }
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

/// Formats a float the way JS `String(n)` does: shortest round-trip digits, in plain
/// notation from 1e-6 up to 1e21 and in exponent notation (`1e-7`, `1.5e+21`) outside.
fn js_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if x == 0.0 {
        "0".into()
    } else if x.abs() >= 1e21 || x.abs() < 1e-6 {
        let s = format!("{x:e}");
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        }
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::js_number;

    #[test]
    fn floats_print_like_js() {
        assert_eq!(js_number(1.0), "1");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(0.5), "0.5");
        assert_eq!(js_number(4.736183456157674e20), "473618345615767400000");
        assert_eq!(js_number(-1.0517584831833629e21), "-1.0517584831833629e+21");
        assert_eq!(js_number(1e-7), "1e-7");
        assert_eq!(js_number(f64::from(0.1f32)), "0.10000000149011612");
    }
}
