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
    /// The in-memory file system: host file bytes, bytes the guest writes, and a fixed
    /// charge per file or directory (its runner-heap bookkeeping).
    pub max_fs_bytes: u64,
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
            max_memories: read_positive(GUEST_MAX_MEMORIES_ENV, d.max_memories, 100).0,
            max_table_elements: read_positive(GUEST_MAX_TABLE_ELEMENTS_ENV, d.max_table_elements, 100_000_000).0,
            max_tables: read_positive(GUEST_MAX_TABLES_ENV, d.max_tables, 100_000).0,
            max_element_items: read_positive(GUEST_MAX_ELEMENT_ITEMS_ENV, d.max_element_items, 100_000_000).0,
            max_globals: read_positive(GUEST_MAX_GLOBALS_ENV, d.max_globals, 1_000_000).0,
            max_exports: read_positive(GUEST_MAX_EXPORTS_ENV, d.max_exports, 1_000_000).0,
            max_functions: read_positive(GUEST_MAX_FUNCTIONS_ENV, d.max_functions, 1_000_000).0,
            max_fuel: read_positive(GUEST_MAX_FUEL_ENV, d.max_fuel, i64::MAX as u64).0,
            max_stack_bytes: read_positive(GUEST_MAX_STACK_BYTES_ENV, d.max_stack_bytes, MAX_GUEST_STACK_BYTES)
                .0
                .max(MIN_GUEST_STACK_BYTES),
            max_output_bytes: read_positive(GUEST_MAX_OUTPUT_BYTES_ENV, d.max_output_bytes, u32::MAX as u64).0,
            max_wall_time: Duration::from_millis(
                read_positive(GUEST_MAX_WALL_MS_ENV, DEFAULT_GUEST_MAX_WALL_MS, 86_400_000).0,
            ),
            max_fs_bytes: read_positive(GUEST_MAX_FS_BYTES_ENV, d.max_fs_bytes, 16 * 1024 * MIB).0,
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
