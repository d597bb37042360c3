//! What a differential comparison looks at after a run: an FNV-1a hash over every linear
//! memory in index order, and the guest's exported globals in name order.

use crate::guest::abi::RESERVED_PREFIX;
use crate::report::Observed;

const FNV1A32_INIT: u32 = 0x811c_9dc5;

fn fnv1a32(state: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(state, |h, b| (h ^ u32::from(*b)).wrapping_mul(0x0100_0193))
}

/// The hash of all memories, in index order, as 8 hex digits.
pub(crate) fn memory_hash<'a>(memories: impl IntoIterator<Item = &'a [u8]>) -> String {
    format!("{:08x}", memories.into_iter().fold(FNV1A32_INIT, fnv1a32))
}

/// Whether an export is the guest's own (the instrumentation's start with a reserved prefix).
pub(crate) fn is_observed_export(name: &str) -> bool {
    !name.starts_with(RESERVED_PREFIX)
}

/// An observation, its globals in name order (JS lists integer-like export names first,
/// wasmtime in export order; neither order means anything).
pub(crate) fn observed(memory_hash: String, mut globals: Vec<(String, String)>) -> Observed {
    globals.sort();
    Observed { memory_hash, globals }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_runs_over_memories_in_order_as_one_stream() {
        assert_eq!(memory_hash([]), "811c9dc5");
        assert_eq!(memory_hash([&b"ab"[..], b"c"]), memory_hash([&b"abc"[..]]));
        assert_ne!(memory_hash([&b"ab"[..]]), memory_hash([&b"ba"[..]]));
    }
}
