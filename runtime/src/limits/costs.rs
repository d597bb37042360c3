//! What one item of a guest-controlled count may cost the runner heap, at most: measured
//! (`runtime/tests/heap_model.rs` measures each and prints it; docs/limits.md gives the
//! figures), rounded up, and held by the tests at the limit and the stress job's `budgets`
//! scenario. A count's bound on the runner heap is the count times its cost here; the heap
//! model (`limits::heap_model`) sums them.

// What the WASI runtime keeps for a guest in the run phase.

/// One file or directory of the in-memory file system with the longest name (255 bytes):
/// the node object, its directory's map entry, and its place in the sorted listing.
pub const FS_NODE_HEAP_BOUND_BYTES: u64 = 1024;
/// One open descriptor: its table entry and its position state.
pub const OPEN_FD_HEAP_BOUND_BYTES: u64 = 512;
/// One byte of argv or environ held as JS strings while the guest reads them.
pub const ARGS_HEAP_BOUND_PER_BYTE: u64 = 4;
/// What a run's short-lived garbage may add to a phase's peak (V8's young generation, as
/// measured: a run of a million empty iovecs peaks 1.6 MiB above its start).
pub const YOUNG_GARBAGE_BYTES: u64 = 16 * 1024 * 1024;

// What V8 keeps for a module's declarations (compile and instantiate), per item.

/// The isolate as a startup snapshot makes it, with one small module instantiated
/// (measured 0.5 MiB with the runner's JS alone, 0.7 MiB with the WASI runtime's).
pub const BASE_HEAP_BOUND_BYTES: u64 = 2 * 1024 * 1024;
/// A function, imported or defined (measured 16 B; its code is off-heap).
pub const FUNCTION_HEAP_BOUND_BYTES: u64 = 32;
/// An import: its wrapper and the JS value behind it (measured about 1 KiB with WASI's).
pub const IMPORT_HEAP_BOUND_BYTES: u64 = 2048;
/// A type (measured 8 B).
pub const TYPE_HEAP_BOUND_BYTES: u64 = 16;
/// An exception tag (measured 24 B).
pub const TAG_HEAP_BOUND_BYTES: u64 = 48;
/// A memory's JS objects (a handful per memory).
pub const MEMORY_HEAP_BOUND_BYTES: u64 = 4096;
/// A table slot, empty or holding a reference (measured 24 B).
pub const TABLE_SLOT_HEAP_BOUND_BYTES: u64 = 32;
/// An element-segment item: the reference it places (measured 24 B, distinct functions or
/// not).
pub const ELEMENT_ITEM_HEAP_BOUND_BYTES: u64 = 32;
/// An element segment besides its items (measured 8 B).
pub const ELEMENT_SEGMENT_HEAP_BOUND_BYTES: u64 = 16;
/// A data segment (its bytes stay off-heap; measured under 1 B).
pub const DATA_SEGMENT_HEAP_BOUND_BYTES: u64 = 8;
/// An export of any kind: its name and the exported value's wrapper (measured 417 B for a
/// distinct function, 162 B for a global).
pub const EXPORT_HEAP_BOUND_BYTES: u64 = 512;
/// A global (measured 4 B).
pub const GLOBAL_HEAP_BOUND_BYTES: u64 = 8;
/// A thrown exception held by an exception reference: the object and its tag (measured
/// 61 B with no payload) ...
pub const EXCEPTION_HEAP_BOUND_BYTES: u64 = 128;
/// ... and each 8-byte slot of its payload (measured 8 to 10 B per slot).
pub const EXCEPTION_SLOT_HEAP_BOUND_BYTES: u64 = 12;
/// The stack bytes that can hold one reference (a spilled value or a local).
pub const STACK_BYTES_PER_REFERENCE: u64 = 8;

/// The most a guest can make the runner heap hold in the run phase under `guest`: every
/// budget of things the WASI runtime keeps, at its stated cost, and the young generation.
/// (Arrays a call reads, paths, polls and file bytes cost the heap nothing per item.)
pub fn run_phase_heap_bound(guest: &super::GuestLimits) -> u64 {
    guest.max_fs_nodes * FS_NODE_HEAP_BOUND_BYTES
        + guest.max_open_fds * OPEN_FD_HEAP_BOUND_BYTES
        + guest.max_args_bytes * ARGS_HEAP_BOUND_PER_BYTE
        + YOUNG_GARBAGE_BYTES
}
