//! Calling wasmtime-wasi's own preview1 implementation from a wrapper, as its linker entry
//! would: with the calling guest's `memory` export and the store's host-call budget.
//!
//! A wrapper cannot call the linker's original `Func` instead: a host-to-host call has no
//! calling instance, so wasmtime-wasi would find no memory.

/// `wasi!(caller, path_open(a, b, ...))`: the errno wasmtime-wasi answers, or the trap it
/// raises; `wasi!(caller, sync fd_tell(...))` for the functions wasmtime-wasi runs
/// synchronously.
macro_rules! wasi {
    ($caller:expr, sync $func:ident ( $($arg:expr),* $(,)? )) => {
        $crate::reference::shims::call::wasi!(@call $caller, $func, |call| call, $($arg),*)
    };
    ($caller:expr, $func:ident ( $($arg:expr),* $(,)? )) => {
        $crate::reference::shims::call::wasi!(@call $caller, $func, wasmtime_wasi::runtime::in_tokio, $($arg),*)
    };
    (@call $caller:expr, $func:ident, $finish:expr, $($arg:expr),*) => {{
        use wasmtime::AsContextMut as _;
        use wasmtime_wasi::p1::wasi_snapshot_preview1 as p1;
        use p1::WasiSnapshotPreview1 as _;
        let caller: &mut wasmtime::Caller<'_, _> = $caller;
        let fuel = caller.as_context_mut().hostcall_fuel();
        match caller.get_export("memory") {
            Some(wasmtime::Extern::Memory(m)) => {
                let (bytes, data) = m.data_and_store_mut(&mut *caller);
                let ctx = $crate::reference::shims::HasShims::wasi(data);
                ctx.set_hostcall_fuel(fuel);
                let mut memory = wiggle::GuestMemory::Unshared(bytes);
                ($finish)(p1::$func(ctx, &mut memory, $($arg),*))
            }
            Some(wasmtime::Extern::SharedMemory(m)) => {
                let ctx = $crate::reference::shims::HasShims::wasi(caller.data_mut());
                ctx.set_hostcall_fuel(fuel);
                let mut memory = wiggle::GuestMemory::Shared(m.data());
                ($finish)(p1::$func(ctx, &mut memory, $($arg),*))
            }
            _ => Err(wasmtime::Error::msg("missing required memory export")),
        }
    }};
}

pub(super) use wasi;
