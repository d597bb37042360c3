//! What a differential comparison looks at after a run: a CRC-32 over every linear memory
//! in index order, and the guest's exported globals in name order.

use crate::guest::abi::RESERVED_PREFIX;
use crate::report::Observed;

/// The hash of all memories, in index order, as 8 hex digits. CRC-32 (with the CPU's
/// carry-less multiply): every differential execution hashes each engine's memories, up to
/// megabytes of them, and a byte-at-a-time hash was a fifth of the reference's time there.
pub(crate) fn memory_hash<'a>(memories: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut crc = crc32fast::Hasher::new();
    for memory in memories {
        crc.update(memory);
    }
    format!("{:08x}", crc.finalize())
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
        assert_eq!(memory_hash([]), "00000000");
        assert_eq!(memory_hash([&b"123456789"[..]]), "cbf43926", "the CRC-32 check value");
        assert_eq!(memory_hash([&b"ab"[..], b"c"]), memory_hash([&b"abc"[..]]));
        assert_ne!(memory_hash([&b"ab"[..]]), memory_hash([&b"ba"[..]]));
    }
}
