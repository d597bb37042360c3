//! The WASI runtime's JS, split by concern, and the names Rust injects into it. Each file
//! is a classic script run in the runner's context at the `wasi_runtime` phase; their
//! top-level `const`s are shared through the context's script scope.

use super::preview1;

/// The scripts, in the order they run: name and source.
pub(crate) fn scripts() -> Vec<(&'static str, String)> {
    let names = serde_json::json!({ "module": preview1::MODULE, "functions": preview1::FUNCTIONS });
    vec![
        ("wasm-runner:wasi/names.js", format!("'use strict';\nconst WASI_PREVIEW1 = Object.freeze({names});\n")),
        ("wasm-runner:wasi/codec.js", include_str!("js/codec.js").to_string()),
        ("wasm-runner:wasi/abi.js", include_str!("js/abi.js").to_string()),
        ("wasm-runner:wasi/fs.js", include_str!("js/fs.js").to_string()),
        ("wasm-runner:wasi/fds.js", include_str!("js/fds.js").to_string()),
        ("wasm-runner:wasi/preview1.js", include_str!("js/preview1.js").to_string()),
    ]
}
