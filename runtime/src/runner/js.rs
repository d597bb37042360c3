//! The runner's own JS, the names Rust injects into it, and the startup snapshot that holds
//! it with the WASI runtime's JS.

use std::sync::OnceLock;

use crate::guest::abi;
use crate::report::RunnerError;

/// The runner's scripts, in order: name and source.
fn scripts() -> Vec<(&'static str, String)> {
    vec![
        (
            "wasm-runner:runner/abi.js",
            format!("'use strict';\nconst RUNNER_ABI = Object.freeze({});\n", abi::names_json()),
        ),
        ("wasm-runner:runner/bootstrap.js", include_str!("js/bootstrap.js").to_string()),
    ]
}

/// What the `bootstrap` phase evaluates: `true` when the context holds both runtimes' entry
/// points.
pub(crate) const BOOTSTRAP_CHECK: &str =
    "typeof __wasmRunner.instantiate === 'function' && typeof __wasmRunner.run === 'function' \
     && typeof WASI_PREVIEW1 === 'object'";

/// The snapshot every runner isolate starts from: the runner's scripts, then the WASI
/// runtime's, run once per process.
pub(crate) fn snapshot() -> Result<&'static [u8], RunnerError> {
    static SNAPSHOT: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    let made = SNAPSHOT.get_or_init(|| {
        let mut all = scripts();
        all.extend(crate::wasi::js::scripts());
        crate::isolate::snapshot::create(&all)
    });
    match made {
        Ok(blob) => Ok(blob.as_slice()),
        Err(message) => Err(RunnerError::Internal { message: message.clone() }),
    }
}
