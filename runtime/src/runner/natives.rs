//! The runner's own natives on `__host`: a stubbed import was called, the guest's interrupt
//! flag exists, and the memory hash of an observation.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::isolate::{install_natives, InterruptFlag};
use crate::policy::{memory_hash, UnknownImportCall};

/// Per-job state of the runner's natives.
#[derive(Debug, Default)]
pub(crate) struct RunnerHost {
    pub unknown_import: Option<UnknownImportCall>,
}

pub(crate) type SharedRunnerHost = Rc<RefCell<RunnerHost>>;

/// `__host.unknownImport(module, name)`: a stubbed import was called; records it and ends
/// the run (by termination, so guest `catch_all` cannot swallow it).
fn unknown_import(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let module = args.get(0).to_rust_string_lossy(scope);
    let name = args.get(1).to_rust_string_lossy(scope);
    if let Some(host) = scope.get_slot::<SharedRunnerHost>().cloned() {
        host.borrow_mut().unknown_import.get_or_insert(UnknownImportCall { module, name });
    }
    scope.terminate_execution();
}

/// `__host.setInterrupt(sharedArrayBuffer)`: the guest's interrupt memory (see
/// `isolate::InterruptFlag`), registered once the instance exists.
fn set_interrupt(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let Ok(buffer) = v8::Local::<v8::SharedArrayBuffer>::try_from(args.get(0)) else { return };
    if buffer.byte_length() < 4 {
        return;
    }
    let Some(data) = buffer.get_backing_store().data() else { return };
    if let Some(flag) = scope.get_slot::<Arc<InterruptFlag>>() {
        flag.attach(data.as_ptr() as usize);
    }
}

/// `__host.hashMemories(buffer, ...)`: the observation's memory hash over the buffers (the
/// guest's memories, in index order), so the rule lives in Rust once.
fn hash_memories(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let mut stores = Vec::new();
    for i in 0..args.length() {
        let value = args.get(i);
        let store = if let Ok(buffer) = v8::Local::<v8::ArrayBuffer>::try_from(value) {
            buffer.get_backing_store()
        } else if let Ok(buffer) = v8::Local::<v8::SharedArrayBuffer>::try_from(value) {
            buffer.get_backing_store()
        } else {
            return;
        };
        stores.push(store);
    }
    let slices = stores.iter().map(|store| match store.data() {
        // SAFETY: the backing store is kept alive by `stores` for the whole hash, and no JS
        // runs (and so nothing can grow or detach the memory) while it is read.
        Some(data) => unsafe { std::slice::from_raw_parts(data.as_ptr() as *const u8, store.byte_length()) },
        None => &[][..],
    });
    let hash = memory_hash(slices);
    if let Some(text) = v8::String::new(scope, &hash) {
        rv.set(text.into());
    }
}

/// Puts the runner's natives on `host`.
pub(crate) fn install(scope: &mut v8::PinScope, host: v8::Local<v8::Object>) -> Option<()> {
    install_natives!(scope, host, {
        "unknownImport" => unknown_import,
        "setInterrupt" => set_interrupt,
        "hashMemories" => hash_memories,
    });
    Some(())
}
