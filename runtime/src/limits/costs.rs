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
