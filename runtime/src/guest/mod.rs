//! Rust-side checks on guest bytes, before V8 sees them.

mod facts;
mod imports;

pub use facts::{inspect, wasm_features, ModuleFacts};
pub use imports::{check_imports, ImportKind, ImportRef, ProvidedImports};
