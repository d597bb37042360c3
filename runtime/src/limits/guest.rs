//! Limits on what a guest may do. Checked and enforced Rust-side, before V8 sees the
//! bytes and outside V8's heap accounting, so raising the runner heap never widens them.

use std::time::Duration;

use serde::Serialize;

use super::env::read_positive;

const MIB: u64 = 1024 * 1024;

pub const DEFAULT_GUEST_MAX_MODULE_BYTES: u64 = 256 * MIB;
pub const DEFAULT_GUEST_MAX_MEMORY_BYTES: u64 = 1024 * MIB;
pub const DEFAULT_GUEST_MAX_MEMORIES: u64 = 4;
pub const DEFAULT_GUEST_MAX_TABLE_ELEMENTS: u64 = 5_000_000;
pub const DEFAULT_GUEST_MAX_TABLES: u64 = 100;
pub const DEFAULT_GUEST_MAX_ELEMENT_ITEMS: u64 = 5_000_000;
pub const DEFAULT_GUEST_MAX_GLOBALS: u64 = 100_000;
pub const DEFAULT_GUEST_MAX_EXPORTS: u64 = 100_000;
pub const DEFAULT_GUEST_MAX_FUNCTIONS: u64 = 1_000_000;
pub const DEFAULT_GUEST_MAX_FUEL: u64 = 20_000_000_000;
pub const DEFAULT_GUEST_MAX_STACK_BYTES: u64 = MIB;
pub const DEFAULT_GUEST_MAX_OUTPUT_BYTES: u64 = 16 * MIB;
pub const DEFAULT_GUEST_MAX_WALL_MS: u64 = 30_000;
pub const DEFAULT_GUEST_MAX_FS_BYTES: u64 = 256 * MIB;
/// Files and directories of the in-memory file system, the host's and the guest's. Each
/// lives on the runner heap (docs/limits.md gives the measured cost per node).
pub const DEFAULT_GUEST_MAX_FS_NODES: u64 = 65_536;
/// Descriptors a guest may hold open at once (besides stdio and preopens), as Linux's
/// default `ulimit -n`.
pub const DEFAULT_GUEST_MAX_OPEN_FDS: u64 = 1024;
/// Bytes one WASI call may make the host copy out of guest arguments: wasmtime's default
/// "hostcall fuel", so both engines answer ENOMEM at the same point.
pub const DEFAULT_GUEST_MAX_HOSTCALL_BYTES: u64 = 128 * MIB;
/// The guest's stdin, held by the host for the run.
pub const DEFAULT_GUEST_MAX_STDIN_BYTES: u64 = 256 * MIB;
/// The instrumented module: what the engines hold and compile, the measured driver of
/// process memory in the guest checks and compile (docs/guarantees.md).
pub const DEFAULT_GUEST_MAX_INSTRUMENTED_BYTES: u64 = 512 * MIB;
/// argv and environ together, as NUL-terminated strings (Linux's ARG_MAX).
pub const DEFAULT_GUEST_MAX_ARGS_BYTES: u64 = 2 * MIB;
/// The heap model's bound of a module's run (`limits::heap_model`): a quarter of the
/// default runner heap cap, so the guard cannot be reached without the model being wrong.
pub const DEFAULT_GUEST_MAX_HEAP_BOUND_BYTES: u64 = 512 * MIB;

/// Longest path component, in UTF-8 bytes (Linux's NAME_MAX, which wasmtime-wasi's host
/// enforces): ENAMETOOLONG past it.
pub const WASI_MAX_NAME_BYTES: u64 = 255;
/// What one record a WASI call copies out of guest arguments costs its host-call budget:
/// wasmtime-wasi charges the size of its Rust record, not the ABI's (a subscription is 48
/// bytes in guest memory and 32 in wasmtime-wasi), and the V8 runner charges the same so
/// that both engines answer ENOMEM at the same count. A reference test holds these to
/// wasmtime-wasi's sizes.
pub const WASI_HOSTCALL_CHARGE_IOVEC: u64 = 8;
pub const WASI_HOSTCALL_CHARGE_SUBSCRIPTION: u64 = 32;
pub const WASI_HOSTCALL_CHARGE_EVENT: u64 = 32;
/// Largest file in the in-memory file system (an ArrayBuffer's practical bound): a write or
/// a size past it is EFBIG, in both engines.
pub const WASI_MAX_FILE_BYTES: u64 = 4 * 1024 * MIB;
/// Most bytes one `random_get` may ask for: wasmtime-wasi's default; more traps.
pub const WASI_MAX_RANDOM_BYTES: u64 = 64 * MIB;

// V8's implementation limits that wasmparser does not share (src/wasm/wasm-limits.h), held
// by the guest checks so that a module V8 would refuse is refused up front, typed, in both
// engines, and the instrumentation never grows a module past one of them.

/// Largest function body V8 compiles, in bytes (locals included), after instrumentation.
pub const V8_MAX_FUNCTION_BODY_BYTES: u64 = 7_654_321;
/// Most targets of one `br_table` V8 compiles.
pub const V8_MAX_BR_TABLE_TARGETS: u64 = 65_520;
/// Largest module V8 compiles, in bytes, after instrumentation.
pub const V8_MAX_MODULE_BYTES: u64 = 1024 * MIB;
/// V8's limits on what a module declares, which the instrumentation's additions count
/// against: each count limit's largest setting leaves room for the additions below.
pub const V8_MAX_MEMORIES: u64 = 100;
pub const V8_MAX_GLOBALS: u64 = 1_000_000;
pub const V8_MAX_EXPORTS: u64 = 1_000_000;
pub const V8_MAX_FUNCTIONS: u64 = 1_000_000;
pub const V8_MAX_TYPES: u64 = 1_000_000;
/// Elements one table may hold: V8 refuses to grow a table past it (`table.grow` answers
/// -1) where wasmtime would grow, so the instrumentation caps every table's maximum here.
pub const V8_MAX_TABLE_ELEMENTS: u64 = 10_000_000;

// What the instrumentation adds to a module at most (`guest::instrument::additions` gives
// the exact count for one module).

/// The interrupt flag's memory (modules with tail calls).
pub const ADDED_MEMORIES: u64 = 1;
/// The fuel counter and the out-of-fuel flag.
pub const ADDED_GLOBALS: u64 = 2;
/// Exports besides one per memory: the two counters, the start function, the interrupt flag.
pub const ADDED_EXPORTS_BESIDES_MEMORIES: u64 = 4;
/// The wait helpers of one shared memory (`guest::wait`).
pub const ADDED_FUNCTIONS_PER_SHARED_MEMORY: u64 = 2;
/// The wait helpers' types (modules with a shared memory).
pub const ADDED_TYPES: u64 = 4;

/// The largest settings of the count limits: V8's limit less what the instrumentation may
/// add (with every memory shared and exported).
pub const MAX_GUEST_MEMORIES: u64 = V8_MAX_MEMORIES - ADDED_MEMORIES;
pub const MAX_GUEST_GLOBALS: u64 = V8_MAX_GLOBALS - ADDED_GLOBALS;
pub const MAX_GUEST_EXPORTS: u64 = V8_MAX_EXPORTS - ADDED_EXPORTS_BESIDES_MEMORIES - MAX_GUEST_MEMORIES;
pub const MAX_GUEST_FUNCTIONS: u64 = V8_MAX_FUNCTIONS - ADDED_FUNCTIONS_PER_SHARED_MEMORY * MAX_GUEST_MEMORIES;

/// Most operand checks one `br_table` may cost to validate (targets times its labels'
/// arity): what keeps the guest checks' time linear in the module's size.
pub const MAX_BR_TABLE_OPERAND_CHECKS: u64 = 1 << 20;

/// The largest stack a guest may be given: the runner thread has 8 MiB and V8's own C++
/// needs room below the guest's part.
pub const MAX_GUEST_STACK_BYTES: u64 = 4 * MIB;
/// Smallest stack: the runner's own JS frames run on the same stack.
pub const MIN_GUEST_STACK_BYTES: u64 = 64 * 1024;
/// wasm32 and V8 both stop at 16 GiB of linear memory per memory; nothing above is useful.
pub const MAX_GUEST_MEMORY_BYTES: u64 = 16 * 1024 * MIB;

pub const GUEST_MAX_MODULE_BYTES_ENV: &str = "WASM_GUEST_MAX_MODULE_BYTES";
pub const GUEST_MAX_MEMORY_BYTES_ENV: &str = "WASM_GUEST_MAX_MEMORY_BYTES";
pub const GUEST_MAX_MEMORIES_ENV: &str = "WASM_GUEST_MAX_MEMORIES";
pub const GUEST_MAX_TABLE_ELEMENTS_ENV: &str = "WASM_GUEST_MAX_TABLE_ELEMENTS";
pub const GUEST_MAX_TABLES_ENV: &str = "WASM_GUEST_MAX_TABLES";
pub const GUEST_MAX_ELEMENT_ITEMS_ENV: &str = "WASM_GUEST_MAX_ELEMENT_ITEMS";
pub const GUEST_MAX_GLOBALS_ENV: &str = "WASM_GUEST_MAX_GLOBALS";
pub const GUEST_MAX_EXPORTS_ENV: &str = "WASM_GUEST_MAX_EXPORTS";
pub const GUEST_MAX_FUNCTIONS_ENV: &str = "WASM_GUEST_MAX_FUNCTIONS";
pub const GUEST_MAX_FUEL_ENV: &str = "WASM_GUEST_MAX_FUEL";
pub const GUEST_MAX_STACK_BYTES_ENV: &str = "WASM_GUEST_MAX_STACK_BYTES";
pub const GUEST_MAX_OUTPUT_BYTES_ENV: &str = "WASM_GUEST_MAX_OUTPUT_BYTES";
pub const GUEST_MAX_WALL_MS_ENV: &str = "WASM_GUEST_MAX_WALL_MS";
pub const GUEST_MAX_FS_BYTES_ENV: &str = "WASM_GUEST_MAX_FS_BYTES";
pub const GUEST_MAX_FS_NODES_ENV: &str = "WASM_GUEST_MAX_FS_NODES";
pub const GUEST_MAX_OPEN_FDS_ENV: &str = "WASM_GUEST_MAX_OPEN_FDS";
pub const GUEST_MAX_HOSTCALL_BYTES_ENV: &str = "WASM_GUEST_MAX_HOSTCALL_BYTES";
pub const GUEST_MAX_STDIN_BYTES_ENV: &str = "WASM_GUEST_MAX_STDIN_BYTES";
pub const GUEST_MAX_ARGS_BYTES_ENV: &str = "WASM_GUEST_MAX_ARGS_BYTES";
pub const GUEST_MAX_INSTRUMENTED_BYTES_ENV: &str = "WASM_GUEST_MAX_INSTRUMENTED_BYTES";
pub const GUEST_MAX_HEAP_BOUND_BYTES_ENV: &str = "WASM_GUEST_MAX_HEAP_BOUND_BYTES";

/// Every guest limit. Counts are totals over the whole module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuestLimits {
    pub max_module_bytes: u64,
    /// Linear memory, summed over all memories (initial sizes and growth).
    pub max_memory_bytes: u64,
    pub max_memories: u64,
    /// Table slots, summed over all tables (initial sizes and growth).
    pub max_table_elements: u64,
    pub max_tables: u64,
    /// Items of all element segments (passive ones live on the runner heap).
    pub max_element_items: u64,
    pub max_globals: u64,
    pub max_exports: u64,
    /// Functions, imported and defined.
    pub max_functions: u64,
    pub max_fuel: u64,
    pub max_stack_bytes: u64,
    /// stdout and stderr together.
    pub max_output_bytes: u64,
    pub max_wall_time: Duration,
    /// File bytes of the in-memory file system: the host's files and what the guest writes.
    pub max_fs_bytes: u64,
    /// Files and directories of the in-memory file system (ENOSPC past it).
    pub max_fs_nodes: u64,
    /// Descriptors the guest holds open at once, besides stdio and preopens (EMFILE).
    pub max_open_fds: u64,
    /// Bytes one WASI call may copy out of guest arguments (ENOMEM).
    pub max_hostcall_bytes: u64,
    /// The request's stdin.
    pub max_stdin_bytes: u64,
    /// The request's argv and environ, as NUL-terminated strings.
    pub max_args_bytes: u64,
    /// The module after instrumentation.
    pub max_instrumented_bytes: u64,
    /// The heap model's bound of a run of the module (`limits::heap_model`).
    pub max_heap_bound_bytes: u64,
}

impl Default for GuestLimits {
    fn default() -> Self {
        GuestLimits {
            max_module_bytes: DEFAULT_GUEST_MAX_MODULE_BYTES,
            max_memory_bytes: DEFAULT_GUEST_MAX_MEMORY_BYTES,
            max_memories: DEFAULT_GUEST_MAX_MEMORIES,
            max_table_elements: DEFAULT_GUEST_MAX_TABLE_ELEMENTS,
            max_tables: DEFAULT_GUEST_MAX_TABLES,
            max_element_items: DEFAULT_GUEST_MAX_ELEMENT_ITEMS,
            max_globals: DEFAULT_GUEST_MAX_GLOBALS,
            max_exports: DEFAULT_GUEST_MAX_EXPORTS,
            max_functions: DEFAULT_GUEST_MAX_FUNCTIONS,
            max_fuel: DEFAULT_GUEST_MAX_FUEL,
            max_stack_bytes: DEFAULT_GUEST_MAX_STACK_BYTES,
            max_output_bytes: DEFAULT_GUEST_MAX_OUTPUT_BYTES,
            max_wall_time: Duration::from_millis(DEFAULT_GUEST_MAX_WALL_MS),
            max_fs_bytes: DEFAULT_GUEST_MAX_FS_BYTES,
            max_fs_nodes: DEFAULT_GUEST_MAX_FS_NODES,
            max_open_fds: DEFAULT_GUEST_MAX_OPEN_FDS,
            max_hostcall_bytes: DEFAULT_GUEST_MAX_HOSTCALL_BYTES,
            max_stdin_bytes: DEFAULT_GUEST_MAX_STDIN_BYTES,
            max_args_bytes: DEFAULT_GUEST_MAX_ARGS_BYTES,
            max_instrumented_bytes: DEFAULT_GUEST_MAX_INSTRUMENTED_BYTES,
            max_heap_bound_bytes: DEFAULT_GUEST_MAX_HEAP_BOUND_BYTES,
        }
    }
}

impl GuestLimits {
    /// Defaults overridden by the `WASM_GUEST_*` environment variables, with the runner
    /// heap's fallback rules (0, empty, negative, non-numeric or too large: default + warning).
    pub fn from_env() -> Self {
        let d = GuestLimits::default();
        GuestLimits {
            max_module_bytes: read_positive(GUEST_MAX_MODULE_BYTES_ENV, d.max_module_bytes, u32::MAX as u64).0,
            max_memory_bytes: read_positive(GUEST_MAX_MEMORY_BYTES_ENV, d.max_memory_bytes, MAX_GUEST_MEMORY_BYTES).0,
            // The count limits' ranges leave room for what the instrumentation adds.
            max_memories: read_positive(GUEST_MAX_MEMORIES_ENV, d.max_memories, MAX_GUEST_MEMORIES).0,
            max_table_elements: read_positive(GUEST_MAX_TABLE_ELEMENTS_ENV, d.max_table_elements, 100_000_000).0,
            max_tables: read_positive(GUEST_MAX_TABLES_ENV, d.max_tables, 100_000).0,
            max_element_items: read_positive(GUEST_MAX_ELEMENT_ITEMS_ENV, d.max_element_items, 100_000_000).0,
            max_globals: read_positive(GUEST_MAX_GLOBALS_ENV, d.max_globals, MAX_GUEST_GLOBALS).0,
            max_exports: read_positive(GUEST_MAX_EXPORTS_ENV, d.max_exports, MAX_GUEST_EXPORTS).0,
            max_functions: read_positive(GUEST_MAX_FUNCTIONS_ENV, d.max_functions, MAX_GUEST_FUNCTIONS).0,
            max_fuel: read_positive(GUEST_MAX_FUEL_ENV, d.max_fuel, i64::MAX as u64).0,
            max_stack_bytes: read_positive(GUEST_MAX_STACK_BYTES_ENV, d.max_stack_bytes, MAX_GUEST_STACK_BYTES)
                .0
                .max(MIN_GUEST_STACK_BYTES),
            max_output_bytes: read_positive(GUEST_MAX_OUTPUT_BYTES_ENV, d.max_output_bytes, u32::MAX as u64).0,
            max_wall_time: Duration::from_millis(
                read_positive(GUEST_MAX_WALL_MS_ENV, DEFAULT_GUEST_MAX_WALL_MS, 86_400_000).0,
            ),
            max_fs_bytes: read_positive(GUEST_MAX_FS_BYTES_ENV, d.max_fs_bytes, 16 * 1024 * MIB).0,
            max_fs_nodes: read_positive(GUEST_MAX_FS_NODES_ENV, d.max_fs_nodes, 1 << 24).0,
            max_open_fds: read_positive(GUEST_MAX_OPEN_FDS_ENV, d.max_open_fds, 1 << 20).0,
            max_hostcall_bytes: read_positive(GUEST_MAX_HOSTCALL_BYTES_ENV, d.max_hostcall_bytes, 4 * 1024 * MIB).0,
            max_stdin_bytes: read_positive(GUEST_MAX_STDIN_BYTES_ENV, d.max_stdin_bytes, 4 * 1024 * MIB).0,
            max_args_bytes: read_positive(GUEST_MAX_ARGS_BYTES_ENV, d.max_args_bytes, 256 * MIB).0,
            max_instrumented_bytes: read_positive(
                GUEST_MAX_INSTRUMENTED_BYTES_ENV,
                d.max_instrumented_bytes,
                V8_MAX_MODULE_BYTES,
            )
            .0,
            max_heap_bound_bytes: read_positive(
                GUEST_MAX_HEAP_BOUND_BYTES_ENV,
                d.max_heap_bound_bytes,
                1024 * 1024 * MIB,
            )
            .0,
        }
    }

    /// The stack size in force, clamped to what the runner thread can give.
    pub fn stack_bytes(&self) -> u64 {
        self.max_stack_bytes.clamp(MIN_GUEST_STACK_BYTES, MAX_GUEST_STACK_BYTES)
    }

    /// Fuel as the instrumented module's i64 counter holds it.
    pub fn fuel(&self) -> u64 {
        self.max_fuel.min(i64::MAX as u64)
    }
}
