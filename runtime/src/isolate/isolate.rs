//! One runner isolate: a V8 isolate created with `heap_limits(0, cap)` from a startup
//! snapshot, its heap guard, its heap tracker and one context per job (the snapshot's, with
//! its `__host` object for natives). Between jobs `reset` gives it a fresh context and
//! collects everything the last job left, so a job finds the heap as a new isolate's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::heap_guard::HeapGuard;
use super::heap_stats::{HeapTracker, PhaseHeap};
use super::interrupt::InterruptFlag;
use super::platform::ensure_initialized;

/// Why a call into JS did not produce a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsFailure {
    /// Execution was terminated (by the heap guard or the watchdog).
    Terminated,
    /// A JS exception. `kind` is set when the runner's own JS threw a tagged error.
    Exception { kind: Option<String>, name: String, message: String, detail: Option<String> },
    /// V8 refused an input outright (a string or buffer too large to create).
    Refused(String),
}

/// What a script evaluated to, as a string (JSON when the script returns JSON).
pub(crate) type ScriptOutcome = Result<String, JsFailure>;

/// A V8 isolate for the runner. Not `Send`: it lives and dies on its runner thread.
pub(crate) struct RunnerIsolate {
    // Globals first: fields drop in order, and globals must go before the isolate.
    /// `None` only inside `reset`, between dropping one job's context and making the next's.
    context: Option<v8::Global<v8::Context>>,
    module: Option<v8::Global<v8::WasmModuleObject>>,
    isolate: v8::OwnedIsolate,
    guard: Arc<HeapGuard>,
    tracker: Box<HeapTracker>,
    heap_limit_bytes: usize,
    interrupt: Arc<InterruptFlag>,
    /// What `set_slot` stored, to remove between jobs.
    slot_removers: Vec<fn(&mut v8::OwnedIsolate)>,
    /// The young generation's size when the isolate was new (see `reset`).
    young_bytes_when_new: usize,
}

/// How much larger than a new isolate's a reused isolate's young generation may be. V8 grows
/// it at a job's first scavenges (a new isolate's 256 KiB doubles for nearly any job) and
/// much further for a job that allocates much, and a full collection does not shrink it;
/// garbage the next job leaves in it counts in its peaks until a collection. Four times a new
/// isolate's (1 MiB) stays within the heap model's base allowance beside a new isolate's own
/// heap; past it the isolate is replaced.
const YOUNG_GROWTH_KEPT: usize = 4;

/// The young generation's size.
fn young_bytes(isolate: &mut v8::OwnedIsolate) -> usize {
    (0..isolate.number_of_heap_spaces())
        .filter_map(|i| isolate.get_heap_space_statistics(i))
        .filter(|s| s.space_name().to_bytes() == b"new_space")
        .map(|s| s.space_size())
        .sum()
}

/// How many runner isolates this process has made (jobs reuse them: see `reset`).
static ISOLATES_MADE: AtomicU64 = AtomicU64::new(0);

pub fn isolates_made() -> u64 {
    ISOLATES_MADE.load(Ordering::Relaxed)
}

/// One full, compacting collection: what a job left becomes free and the heap holds what a
/// new isolate holds. `LowMemoryNotification` would also do, at about twice the cost (it
/// repeats the collection and returns pages to the system, which the next job takes again).
/// Needs `--expose-gc`, which `platform` always sets.
fn collect_all(isolate: &mut v8::OwnedIsolate) {
    isolate.request_garbage_collection_for_testing(v8::GarbageCollectionType::Full);
}

fn remove_slot<T: 'static>(isolate: &mut v8::OwnedIsolate) {
    isolate.remove_slot::<T>();
}

/// The snapshot's default context, with the scripts' state and `__host`.
fn new_context(isolate: &mut v8::OwnedIsolate) -> v8::Global<v8::Context> {
    v8::scope!(let scope, isolate);
    let context = v8::Context::new(scope, Default::default());
    v8::Global::new(scope, context)
}

/// The runner's JS entry points live on this global object.
const RUNNER_GLOBAL: &str = "__wasmRunner";

impl RunnerIsolate {
    /// Creates an isolate from `snapshot` (see `snapshot::create`) whose heap is capped at
    /// `heap_limit_bytes`; the cap is reserved, not committed (`heap_limits(0, cap)`). With `stack_bytes`, JS and wasm on this
    /// thread may use that much stack below the caller's frame, and overflow beyond it
    /// throws a stack-overflow `RangeError`. The isolate must then only ever run on the
    /// calling thread.
    pub fn new(heap_limit_bytes: usize, stack_bytes: Option<u64>, snapshot: &'static [u8]) -> RunnerIsolate {
        ensure_initialized();
        let mut params =
            v8::CreateParams::default().heap_limits(0, heap_limit_bytes).snapshot_blob(v8::StartupData::from(snapshot));
        if let Some(stack_bytes) = stack_bytes {
            let marker = 0u8;
            let here = std::hint::black_box(&marker) as *const u8 as usize;
            let limit = here.saturating_sub(stack_bytes as usize);
            // SAFETY: `limit` lies inside this thread's stack (the runner thread's stack is
            // larger than any allowed guest stack), and the isolate runs on this thread only.
            params = unsafe { params.set_stack_limit(limit as *mut u32) };
        }
        let mut isolate = v8::Isolate::new(params);
        let guard = HeapGuard::install(&mut isolate);
        let tracker = HeapTracker::install(&mut isolate);
        let interrupt = InterruptFlag::new();
        isolate.set_slot(Arc::clone(&interrupt));
        // Collected before the context is made, as `reset` collects, so a job's heap figures
        // are the same on a new isolate and on a reused one.
        ISOLATES_MADE.fetch_add(1, Ordering::Relaxed);
        collect_all(&mut isolate);
        let context = Some(new_context(&mut isolate));
        let young_bytes_when_new = young_bytes(&mut isolate);
        RunnerIsolate {
            context,
            module: None,
            isolate,
            guard,
            tracker,
            heap_limit_bytes,
            interrupt,
            slot_removers: Vec::new(),
            young_bytes_when_new,
        }
    }

    /// Makes the isolate ready for another job: the module, the natives' state and the
    /// context go (a fresh context from the snapshot takes its place, so no global crosses),
    /// the interrupt flag is a new one, and a full collection (the same as after `new`)
    /// frees what the last job allocated. Only for an isolate whose job ended without a
    /// termination request or a guard firing: those leave state a reset cannot undo. Returns
    /// false when a job that allocated much left the young generation grown past
    /// `YOUNG_GROWTH_KEPT` times a new isolate's (the next job's collections would come later
    /// and its peaks lie higher than the heap model allows for); the caller replaces it.
    pub fn reset(&mut self) -> bool {
        // An exit, a host trap or the output cap end a run by termination from a native.
        self.isolate.cancel_terminate_execution();
        self.interrupt.detach();
        self.module = None;
        for remove in self.slot_removers.drain(..) {
            remove(&mut self.isolate);
        }
        self.interrupt = InterruptFlag::new();
        self.isolate.set_slot(Arc::clone(&self.interrupt));
        // Collected without the next job's context, so the collection marks less.
        self.context = None;
        collect_all(&mut self.isolate);
        self.context = Some(new_context(&mut self.isolate));
        young_bytes(&mut self.isolate) <= YOUNG_GROWTH_KEPT * self.young_bytes_when_new
    }

    pub fn heap_limit_bytes(&self) -> usize {
        self.heap_limit_bytes
    }

    /// The guard, shared with the watchdog on another thread.
    pub fn guard(&self) -> Arc<HeapGuard> {
        Arc::clone(&self.guard)
    }

    /// The guest interrupt flag, shared with the watchdog on another thread.
    pub fn interrupt(&self) -> Arc<InterruptFlag> {
        Arc::clone(&self.interrupt)
    }

    /// A handle another thread may use to terminate execution.
    pub fn terminator(&self) -> v8::IsolateHandle {
        self.isolate.thread_safe_handle()
    }

    /// Per-run state for natives, found by type (one value per type).
    pub fn set_slot<T: 'static>(&mut self, value: T) {
        self.isolate.set_slot(value);
        self.slot_removers.push(remove_slot::<T>);
    }

    /// Runs `install` with the context's `__host` object, to add natives to it.
    pub fn install_natives(
        &mut self,
        install: impl FnOnce(&mut v8::PinScope, v8::Local<v8::Object>) -> Option<()>,
    ) -> Result<(), JsFailure> {
        v8::scope!(let scope, &mut self.isolate);
        let Some(context) = self.context.as_ref() else { return Err(no_context()) };
        let context = v8::Local::new(scope, context);
        let scope = &mut v8::ContextScope::new(scope, context);
        let host = v8::String::new(scope, super::natives::HOST_OBJECT)
            .and_then(|key| context.global(scope).get(scope, key.into()))
            .and_then(|value| value.to_object(scope));
        match host.and_then(|host| install(scope, host)) {
            Some(()) => Ok(()),
            None => Err(JsFailure::Refused("V8 refused a native function".into())),
        }
    }

    pub fn begin_phase(&mut self, phase: &'static str) {
        self.guard.set_phase(phase);
        self.tracker.begin(&mut self.isolate);
    }

    pub fn end_phase(&mut self) -> PhaseHeap {
        self.tracker.end(&mut self.isolate)
    }

    /// Clears a termination that landed, so the isolate can run JS again.
    pub fn clear_termination(&mut self) {
        self.isolate.cancel_terminate_execution();
    }

    /// Compiles and runs trusted JS (the runner's own scripts) in the runner context.
    pub fn run_script(&mut self, name: &str, source: &str) -> ScriptOutcome {
        v8::scope!(let scope, &mut self.isolate);
        let Some(context) = self.context.as_ref() else { return Err(no_context()) };
        let context = v8::Local::new(scope, context);
        let scope = &mut v8::ContextScope::new(scope, context);
        v8::tc_scope!(let tc, scope);
        let Some(code) = v8::String::new(tc, source) else {
            return Err(JsFailure::Refused(format!("script {name} is too large for a V8 string")));
        };
        let Some(resource) = v8::String::new(tc, name) else {
            return Err(JsFailure::Refused("script name is too large for a V8 string".into()));
        };
        let origin = v8::ScriptOrigin::new(tc, resource.into(), 0, 0, false, 0, None, false, false, false, None);
        let Some(script) = v8::Script::compile(tc, code, Some(&origin)) else {
            return Err(failure(tc));
        };
        match script.run(tc) {
            Some(value) => Ok(value.to_rust_string_lossy(tc)),
            None => Err(failure(tc)),
        }
    }

    /// Compiles wasm bytes straight from Rust memory into a module object (no JS string or
    /// JS copy of the bytes on the heap).
    pub fn compile_module(&mut self, bytes: &[u8]) -> Result<(), JsFailure> {
        v8::scope!(let scope, &mut self.isolate);
        let Some(context) = self.context.as_ref() else { return Err(no_context()) };
        let context = v8::Local::new(scope, context);
        let scope = &mut v8::ContextScope::new(scope, context);
        v8::tc_scope!(let tc, scope);
        match v8::WasmModuleObject::compile(tc, bytes) {
            Some(module) => {
                self.module = Some(v8::Global::new(tc, module));
                Ok(())
            }
            None => Err(failure(tc)),
        }
    }

    /// Calls `__wasmRunner[method](module, arg)` with the compiled module; returns the
    /// result as a string.
    pub fn call_runner_with_module(&mut self, method: &str, arg: &str) -> ScriptOutcome {
        self.call(method, arg, true)
    }

    /// Calls `__wasmRunner[method](arg)` and returns its result as a string.
    pub fn call_runner(&mut self, method: &str, arg: &str) -> ScriptOutcome {
        self.call(method, arg, false)
    }

    fn call(&mut self, method: &str, arg: &str, with_module: bool) -> ScriptOutcome {
        let module = match (with_module, self.module.as_ref()) {
            (true, None) => return Err(JsFailure::Refused("no module has been compiled".into())),
            (true, Some(module)) => Some(module),
            (false, _) => None,
        };
        v8::scope!(let scope, &mut self.isolate);
        let Some(context) = self.context.as_ref() else { return Err(no_context()) };
        let context = v8::Local::new(scope, context);
        let scope = &mut v8::ContextScope::new(scope, context);
        v8::tc_scope!(let tc, scope);
        let Some(function) = runner_method(tc, context, method) else {
            return Err(if tc.has_caught() || tc.has_terminated() {
                failure(tc)
            } else {
                JsFailure::Refused(format!("the runner script defines no {RUNNER_GLOBAL}.{method}"))
            });
        };
        let Some(arg) = v8::String::new(tc, arg) else {
            return Err(JsFailure::Refused("argument is too large for a V8 string".into()));
        };
        let mut args: Vec<v8::Local<v8::Value>> = Vec::with_capacity(2);
        if let Some(module) = module {
            args.push(v8::Local::new(tc, module).into());
        }
        args.push(arg.into());
        let recv = v8::undefined(tc).into();
        match function.call(tc, recv, &args) {
            Some(result) => Ok(result.to_rust_string_lossy(tc)),
            None => Err(failure(tc)),
        }
    }
}

impl Drop for RunnerIsolate {
    fn drop(&mut self) {
        // Before the isolate and the guest's interrupt memory go (fields drop after this).
        self.interrupt.detach();
        self.module = None;
        self.guard.uninstall(&mut self.isolate);
        self.tracker.uninstall(&mut self.isolate);
    }
}

fn no_context() -> JsFailure {
    JsFailure::Refused("the isolate has no context (it is being reset)".into())
}

fn runner_method<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    context: v8::Local<'s, v8::Context>,
    method: &str,
) -> Option<v8::Local<'s, v8::Function>> {
    let global = context.global(scope);
    let key = v8::String::new(scope, RUNNER_GLOBAL)?;
    let runner = global.get(scope, key.into())?.to_object(scope)?;
    let key = v8::String::new(scope, method)?;
    let value = runner.get(scope, key.into())?;
    v8::Local::<v8::Function>::try_from(value).ok()
}

/// Turns what a `TryCatch` caught into a `JsFailure` that always has a message.
fn failure(tc: &mut v8::PinnedRef<'_, v8::TryCatch<'_, '_, v8::HandleScope<'_>>>) -> JsFailure {
    if tc.has_terminated() {
        return JsFailure::Terminated;
    }
    let Some(exception) = tc.exception() else {
        return JsFailure::Exception {
            kind: None,
            name: "Error".into(),
            message: "V8 reported a failure without an exception".into(),
            detail: None,
        };
    };
    let prop = |tc: &mut v8::PinnedRef<'_, v8::TryCatch<'_, '_, v8::HandleScope<'_>>>, name: &str| -> Option<String> {
        let obj = exception.to_object(tc)?;
        let key = v8::String::new(tc, name)?;
        let value = obj.get(tc, key.into())?;
        if value.is_null_or_undefined() {
            None
        } else {
            Some(value.to_rust_string_lossy(tc))
        }
    };
    let (kind, name, message, detail) = if exception.is_object() {
        (prop(tc, "kind"), prop(tc, "name"), prop(tc, "message"), prop(tc, "detail"))
    } else {
        (None, None, None, None)
    };
    let type_name = exception.type_of(tc).to_rust_string_lossy(tc);
    let message = match message.filter(|m| !m.is_empty()) {
        Some(m) => m,
        None if exception.is_null_or_undefined() => {
            format!("a {type_name} value was thrown without a message")
        }
        None => {
            let text = exception.to_rust_string_lossy(tc);
            if text.is_empty() {
                format!("a {type_name} value was thrown without a message")
            } else {
                text
            }
        }
    };
    JsFailure::Exception { kind, name: name.unwrap_or(type_name), message, detail }
}
