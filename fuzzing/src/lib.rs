//! Generators (what to run) and oracles (what counts as a bug) for the fuzz targets in
//! `fuzz/`, kept apart as wasmtime's crates/fuzzing does. It lives in the workspace so
//! that `cargo test` replays every input in `corpus/regressions/` through the oracles.
//!
//! Everything here drives the runtime's public API only.

pub mod corpus;
pub mod generators;
pub mod oracles;
