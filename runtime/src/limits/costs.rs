//! What one item of a guest-controlled count may cost the runner heap, at most: measured
//! (docs/limits.md gives the measurements), rounded up, and held by the tests at the limit
//! and the stress job's `budgets` scenario. A budget's bound on the runner heap is its
//! count times its cost here.

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

/// The most a guest can make the runner heap hold in the run phase under `guest`: every
/// budget of things the WASI runtime keeps, at its stated cost, and the young generation.
/// (Arrays a call reads, paths, polls and file bytes cost the heap nothing per item.)
pub fn run_phase_heap_bound(guest: &super::GuestLimits) -> u64 {
    guest.max_fs_nodes * FS_NODE_HEAP_BOUND_BYTES
        + guest.max_open_fds * OPEN_FD_HEAP_BOUND_BYTES
        + guest.max_args_bytes * ARGS_HEAP_BOUND_PER_BYTE
        + YOUNG_GARBAGE_BYTES
}
