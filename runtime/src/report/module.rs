//! What a module declares, as the guest checks counted it.

use serde::{Deserialize, Serialize};

/// What a module declares, counted in one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleFacts {
    pub bytes: usize,
    pub imports: Vec<ImportRef>,
    pub defined_functions: u32,
    pub code_bytes: u64,
    pub exports: u32,
    pub exported_functions: u32,
    /// Exports whose name starts with the prefix the instrumentation's own exports use
    /// (`guest::abi::RESERVED_PREFIX`): they would collide with them.
    pub reserved_exports: u32,
    pub tables: u32,
    pub table_initial_elements: u64,
    pub memories: u32,
    pub memory_initial_pages: u64,
    pub globals: u32,
    pub element_segments: u32,
    pub element_items: u64,
    pub data_segments: u32,
    pub data_bytes: u64,
    pub imported_functions: u32,
    /// Types that only the GC proposal has (structs and arrays): their instances live on
    /// the runner heap and are allocated by guest code at will.
    pub gc_types: u32,
    /// Exception tags whose payload holds a reference other than funcref: thrown
    /// exceptions can then chain each other into unbounded heap use.
    pub tags_with_ref_payload: u32,
    pub tags: u32,
    /// `return_call`, `return_call_indirect` and `return_call_ref` instructions: V8's
    /// optimizing tier does not stop an endless tail-call cycle on TerminateExecution
    /// (docs/v8-findings.md #5), so the instrumentation guards them.
    pub tail_calls: u64,
    /// `memory.atomic.wait32` and `memory.atomic.wait64` instructions: in a single-threaded
    /// guest a wait can only end by timing out, so those on shared memories are rewritten to
    /// wait in slices (see `guest::wait`).
    pub atomic_waits: u64,
    /// `table.grow` instructions: a module without one keeps its tables at their initial
    /// sizes (the heap model counts the table budget for a module with one).
    pub table_grows: u64,
    /// Initial slots of tables that hold exception references, and globals that do: each
    /// may keep a thrown exception alive on the runner heap.
    pub exn_tables: u32,
    pub exn_table_elements: u64,
    pub exn_globals: u32,
    /// The largest exception payload of any tag, in the 8-byte slots V8 encodes it in
    /// (2 per i32 or f32, 4 per i64 or f64, 8 per v128, 1 per reference).
    pub max_tag_payload_slots: u32,
    /// Types, imported and defined (every member of every recursion group).
    pub types: u32,
    /// The shared memories, imported and defined.
    pub shared_memories: Vec<SharedMemory>,
    /// The start function, if any.
    pub start_function: Option<u32>,
}

/// A shared memory: its index and whether its addresses are 64-bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedMemory {
    pub index: u32,
    pub memory64: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Function,
    Table,
    Memory,
    Global,
    Tag,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Function => "function",
            ImportKind::Table => "table",
            ImportKind::Memory => "memory",
            ImportKind::Global => "global",
            ImportKind::Tag => "tag",
        }
    }
}

impl From<&wasmparser::TypeRef> for ImportKind {
    fn from(ty: &wasmparser::TypeRef) -> Self {
        match ty {
            wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_) => ImportKind::Function,
            wasmparser::TypeRef::Table(_) => ImportKind::Table,
            wasmparser::TypeRef::Memory(_) => ImportKind::Memory,
            wasmparser::TypeRef::Global(_) => ImportKind::Global,
            wasmparser::TypeRef::Tag(_) => ImportKind::Tag,
        }
    }
}

/// One import of a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRef {
    pub module: String,
    pub name: String,
    pub kind: ImportKind,
}

impl std::fmt::Display for ImportRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{} ({})", self.module, self.name, self.kind.as_str())
    }
}
