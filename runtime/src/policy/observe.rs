//! What a differential comparison looks at after a run: a CRC-32 over every linear memory
//! in index order, and the guest's exported globals in name order.

use crate::guest::abi::RESERVED_PREFIX;
use crate::report::Observed;

use super::zero_pages::zero_pages;

/// The unit the hash skips when it holds only zeros.
const CHUNK: usize = 4096;

/// The hash of all memories, in index order, as 8 hex digits: CRC-32 (with the CPU's
/// carry-less multiply) over each memory's length and its chunks that hold a nonzero byte,
/// each after its index. Every differential execution hashes each engine's memories, up to
/// megabytes of them: a byte-at-a-time hash was a fifth of the reference's time there, and
/// reading the pages a guest never touched, only to hash their zeros, a tenth of an
/// execution; those pages are now known from the kernel (`zero_pages`) and not read. The
/// value depends on the contents alone, whichever pages either engine left untouched.
pub(crate) fn memory_hash<'a>(memories: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut crc = crc32fast::Hasher::new();
    for memory in memories {
        crc.update(&(memory.len() as u64).to_le_bytes());
        let untouched = zero_pages(memory);
        for (index, chunk) in memory.chunks(CHUNK).enumerate() {
            let start = index * CHUNK;
            if untouched.covers(start..start + chunk.len()) || all_zero(chunk) {
                continue;
            }
            crc.update(&(index as u64).to_le_bytes());
            crc.update(chunk);
        }
    }
    format!("{:08x}", crc.finalize())
}

fn all_zero(chunk: &[u8]) -> bool {
    // OR-folded in blocks, which the compiler vectorises, rather than stopping at the first
    // nonzero byte one byte at a time.
    chunk.chunks(64).all(|block| block.iter().fold(0u8, |any, &byte| any | byte) == 0)
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
    fn the_hash_is_the_same_for_the_same_contents_however_they_are_held() {
        let mut map = memmap2::MmapMut::map_anon(64 * CHUNK).unwrap();
        map[5 * CHUNK + 1] = 3;
        map[40 * CHUNK] = 9;
        let copy = map.to_vec();
        assert_eq!(memory_hash([&map[..]]), memory_hash([&copy[..]]));
    }

    #[test]
    fn a_byte_changed_in_an_otherwise_untouched_memory_changes_the_hash() {
        let mut map = memmap2::MmapMut::map_anon(64 * CHUNK).unwrap();
        let before = memory_hash([&map[..]]);
        map[63 * CHUNK + 5] = 1;
        assert_ne!(memory_hash([&map[..]]), before);
    }

    #[test]
    fn memories_of_other_sizes_or_order_hash_differently_even_when_all_zero() {
        let (small, large) = (vec![0u8; CHUNK], vec![0u8; 2 * CHUNK]);
        assert_ne!(memory_hash([&small[..]]), memory_hash([&large[..]]));
        assert_ne!(memory_hash([&small[..], &large[..]]), memory_hash([&large[..], &small[..]]));
        assert_ne!(memory_hash([&small[..]]), memory_hash([]));
    }

    #[test]
    fn where_a_byte_lies_counts_not_only_its_value() {
        let (mut a, mut b) = (vec![0u8; 4 * CHUNK], vec![0u8; 4 * CHUNK]);
        a[CHUNK] = 1;
        b[2 * CHUNK] = 1;
        assert_ne!(memory_hash([&a[..]]), memory_hash([&b[..]]));
        assert_ne!(memory_hash([&b"ab"[..]]), memory_hash([&b"ba"[..]]));
    }
}
