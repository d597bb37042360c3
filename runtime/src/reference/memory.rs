//! A guest's linear memory in the reference, shared or not. wasmtime hands out a shared
//! memory as an export of its own kind (`Extern::SharedMemory`), which `Extern::into_memory`
//! and `Instance::get_memory` pass over: a reader that used them saw no memory at all in a
//! guest whose memory is shared (wasi-threads programs), so the run reported no memory and
//! the WASI wrappers (deterministic directory order, clocks, output limits) stood aside.
//! Every reader of guest memory goes through here.

use wasmtime::{AsContext, AsContextMut, Extern};

pub(super) enum GuestMemory {
    Own(wasmtime::Memory),
    Shared(wasmtime::SharedMemory),
}

impl GuestMemory {
    pub fn of(export: Option<Extern>) -> Option<Self> {
        match export? {
            Extern::Memory(memory) => Some(GuestMemory::Own(memory)),
            Extern::SharedMemory(memory) => Some(GuestMemory::Shared(memory)),
            _ => None,
        }
    }

    /// The memory's bytes as they are now.
    pub fn bytes<'a, T: 'static>(&'a self, store: impl Into<wasmtime::StoreContext<'a, T>>) -> &'a [u8] {
        match self {
            GuestMemory::Own(memory) => memory.data(store),
            GuestMemory::Shared(memory) => {
                let data = memory.data();
                // SAFETY: the cells are the shared memory's mapping, alive as long as
                // `memory`; the reference runs one thread of the guest, the one that called
                // the host or has returned, so nothing writes them while the slice lives.
                unsafe { std::slice::from_raw_parts(data.as_ptr() as *const u8, data.len()) }
            }
        }
    }

    pub fn size(&self, store: impl AsContext) -> usize {
        match self {
            GuestMemory::Own(memory) => memory.data_size(store),
            GuestMemory::Shared(memory) => memory.data_size(),
        }
    }

    /// Copies `out.len()` bytes from `at`; `None` past the end.
    pub fn read<'a, T: 'static>(
        &'a self,
        store: impl Into<wasmtime::StoreContext<'a, T>>,
        at: usize,
        out: &mut [u8],
    ) -> Option<()> {
        out.copy_from_slice(self.bytes(store).get(at..at.checked_add(out.len())?)?);
        Some(())
    }

    /// Writes `bytes` at `at`; `None` (and nothing written) past the end.
    pub fn write(&self, mut store: impl AsContextMut, at: usize, bytes: &[u8]) -> Option<()> {
        let end = at.checked_add(bytes.len())?;
        match self {
            GuestMemory::Own(memory) => memory.data_mut(&mut store).get_mut(at..end)?.copy_from_slice(bytes),
            GuestMemory::Shared(memory) => {
                for (cell, byte) in memory.data().get(at..end)?.iter().zip(bytes) {
                    // SAFETY: the cell is inside the shared memory's mapping; this thread
                    // runs the guest that called, so only other guest threads could race
                    // with the write, as they could with wasmtime-wasi's own.
                    unsafe { *cell.get() = *byte };
                }
            }
        }
        Some(())
    }
}
