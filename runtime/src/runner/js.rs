//! The runner's own JS and the names Rust injects into it.

use crate::guest::abi;

/// The scripts the `bootstrap` phase runs, in order: name and source.
pub(crate) fn scripts() -> Vec<(&'static str, String)> {
    vec![
        (
            "wasm-runner:runner/abi.js",
            format!("'use strict';\nconst RUNNER_ABI = Object.freeze({});\n", abi::names_json()),
        ),
        ("wasm-runner:runner/bootstrap.js", include_str!("js/bootstrap.js").to_string()),
    ]
}
