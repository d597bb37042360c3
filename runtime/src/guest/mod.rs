//! Rust-side checks on guest bytes, before V8 sees them.

mod checks;
mod entry;
mod facts;
mod imports;
mod instrument;

pub use checks::{check_budgets, check_module_size};
pub use facts::{inspect, wasm_features, ModuleFacts};
pub use imports::{check_imports, ImportKind, ImportRef, ProvidedImports, WASI_PREVIEW1_FUNCTIONS};
pub use instrument::{
    instrument, FUEL_EXHAUSTED_EXPORT, FUEL_EXPORT, INTERRUPT_EXPORT, MEMORY_EXPORT_PREFIX, START_EXPORT,
};

mod prepare;
mod prepared_cache;
pub use entry::check_entry;
pub use prepare::{prepare, prepare_with, Instrumentation, PreparedModule};
pub use prepared_cache::{prepare_cached, prepared_cache_hits, PREPARED_CACHE_FROM_BYTES, PREPARED_CACHE_MAX_BYTES};
