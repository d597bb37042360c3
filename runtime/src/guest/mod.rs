//! The guest checks: everything Rust does to guest bytes before an engine sees them.
//! Validation with the features V8 ships (`validate`), budgets on what the module declares
//! (`budgets`), the import check (`imports`), then the instrumentation that compiles the
//! guest limits into the module (`instrument`, with `meter` for function bodies); the
//! whole gate is `prepare`, cached per process (`cache`).

pub mod abi;
mod assemble;
mod budgets;
mod cache;
mod cancel;
mod imports;
mod instrument;
mod meter;
mod ops;
mod parallel;
mod prepare;
mod validate;
mod wait;

pub(crate) use cache::prepare_cached;
pub use cache::{prepared_cache_hits, PreparedFrom, PREPARED_CACHE_FROM_BYTES, PREPARED_CACHE_MAX_BYTES};
pub(crate) use cancel::Cancel;
pub use imports::{check_imports, ProvidedImports, MAX_LISTED_UNRESOLVED};
pub use instrument::{additions, instrument, Additions};
pub(crate) use parallel::PARALLEL_FROM_BYTES;
pub use prepare::{prepare, Instrumentation, PreparedModule};
pub use validate::{inspect, wasm_features};
