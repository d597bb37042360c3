//! The real-module cache (`corpus/real/cache`, filled by `corpus/real/fetch.sh`): real WASI
//! programs nobody here wrote.

use std::path::PathBuf;

/// Where the cache is looked for: `WASM_RUNNER_REAL_CACHE`, else the repository's.
pub const REAL_CACHE_ENV: &str = "WASM_RUNNER_REAL_CACHE";

/// The cache folder, when it has been fetched completely.
pub fn cache() -> Option<PathBuf> {
    let dir = std::env::var_os(REAL_CACHE_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/real/cache"));
    dir.join("COMPLETE").is_file().then_some(dir)
}

/// The cache for a test that needs it. Without it the test is skipped with a note, except
/// under `CI=true`, where a missing input is a failure: CI fetches the cache first, and a
/// test that passes by skipping would hide that it did not.
pub fn require(test: &str) -> Option<PathBuf> {
    if let Some(dir) = cache() {
        return Some(dir);
    }
    let message = format!("{test}: no real-module cache (run corpus/real/fetch.sh, or set {REAL_CACHE_ENV})");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}; under CI=true the real-module tests must run");
    }
    eprintln!("{message}: skipped");
    None
}
