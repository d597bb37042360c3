//! The WASI runtime's JS, split by concern, and the names and constants Rust injects into
//! it. Each file is a classic script run, after the runner's own, in the context the
//! startup snapshot holds (`runner::js::snapshot`); their top-level `const`s are shared
//! through the context's script scope.

use super::preview1;
use crate::limits::guest::{
    WASI_HOSTCALL_CHARGE_EVENT, WASI_HOSTCALL_CHARGE_IOVEC, WASI_HOSTCALL_CHARGE_SUBSCRIPTION, WASI_MAX_FILE_BYTES,
    WASI_MAX_NAME_BYTES, WASI_MAX_RANDOM_BYTES,
};

/// The scripts, in the order they run: name and source.
pub(crate) fn scripts() -> Vec<(&'static str, String)> {
    let names = serde_json::json!({ "module": preview1::MODULE, "functions": preview1::FUNCTIONS });
    let limits = serde_json::json!({
        "maxNameBytes": WASI_MAX_NAME_BYTES,
        "maxRandomBytes": WASI_MAX_RANDOM_BYTES,
        "maxFileBytes": WASI_MAX_FILE_BYTES,
        "charge": {
            "iovec": WASI_HOSTCALL_CHARGE_IOVEC,
            "subscription": WASI_HOSTCALL_CHARGE_SUBSCRIPTION,
            "event": WASI_HOSTCALL_CHARGE_EVENT,
        },
    });
    let injected = format!(
        "'use strict';\nconst WASI_PREVIEW1 = Object.freeze({names});\nconst WASI_LIMITS = Object.freeze({limits});\n"
    );
    vec![
        ("wasm-runner:wasi/injected.js", injected),
        ("wasm-runner:wasi/codec.js", include_str!("js/codec.js").to_string()),
        ("wasm-runner:wasi/abi.js", include_str!("js/abi.js").to_string()),
        ("wasm-runner:wasi/memory.js", include_str!("js/memory.js").to_string()),
        ("wasm-runner:wasi/fs.js", include_str!("js/fs.js").to_string()),
        ("wasm-runner:wasi/fds.js", include_str!("js/fds.js").to_string()),
        ("wasm-runner:wasi/preview1.js", include_str!("js/preview1.js").to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The names after `prefix` (`E.` or `wasiAbi.errno.`) in `source`.
    fn names_after(source: &str, prefix: &str) -> BTreeSet<String> {
        source
            .match_indices(prefix)
            .filter(|(at, _)| !source[..*at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map(|(at, _)| source[at + prefix.len()..].chars().take_while(|c| c.is_ascii_uppercase()).collect())
            .filter(|name: &String| !name.is_empty())
            .collect()
    }

    #[test]
    fn every_errno_the_wasi_runtime_returns_is_in_its_table() {
        // A name missing from the table is `undefined` in JS, which the guest reads as 0:
        // success.
        let abi = include_str!("js/abi.js");
        let table = &abi[abi.find("errno: Object.freeze({").unwrap()..];
        let table = &table[..table.find("})").unwrap()];
        let defined: BTreeSet<String> = table
            .lines()
            .filter_map(|l| l.trim().split_once(':').map(|(name, _)| name.trim().to_string()))
            .filter(|n| n.chars().all(|c| c.is_ascii_uppercase()))
            .collect();
        assert!(defined.contains("SUCCESS") && defined.contains("BADF"), "the table was read: {defined:?}");
        for (name, source) in super::scripts() {
            let used: BTreeSet<String> =
                names_after(&source, "E.").union(&names_after(&source, "wasiAbi.errno.")).cloned().collect();
            let missing: Vec<&String> = used.difference(&defined).collect();
            assert!(missing.is_empty(), "{name} returns errnos the table lacks: {missing:?}");
        }
    }
}
