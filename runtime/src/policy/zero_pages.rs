//! Which pages of a linear memory are known to read as zeros without reading them.
//!
//! Hashing a memory by reading it maps every page the guest never touched (a page fault
//! each, then the zero page torn down again when the memory goes), and most of a fuzzer's
//! memories are untouched: reading them was about a tenth of a `differential` execution.
//! The kernel already knows which pages were never populated. A page of a private
//! anonymous mapping with no page table entry (neither present nor swapped out) has never
//! been written, or was discarded, and reads as zeros. Both engines' linear memories are
//! such mappings: V8 allocates them so, and the reference copies data segments in rather
//! than mapping a memory image (`reference::config`). For a file-backed mapping the rule
//! would not hold (an untouched page shows the file's contents), so a page `mincore` finds
//! resident, in a file's page cache, is never taken as zero either: a second guard, not a
//! proof for such mappings (a file page evicted from the cache would look untouched).
//! Anything unknown (no `/proc/self/pagemap`, an unaligned slice, a failed call) is read.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::OnceLock;

/// `/proc/self/pagemap` entry bits (Documentation/admin-guide/mm/pagemap.rst).
const PRESENT: u64 = 1 << 63;
const SWAPPED: u64 = 1 << 62;

fn pagemap() -> Option<&'static File> {
    static PAGEMAP: OnceLock<Option<File>> = OnceLock::new();
    PAGEMAP.get_or_init(|| File::open("/proc/self/pagemap").ok()).as_ref()
}

fn page_size() -> usize {
    static PAGE: OnceLock<usize> = OnceLock::new();
    // SAFETY: sysconf has no preconditions.
    *PAGE.get_or_init(|| usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0))
}

/// The pages of one memory known to read as zeros.
pub(crate) struct ZeroPages {
    page: usize,
    zero: Vec<bool>,
}

impl ZeroPages {
    /// Whether every byte of `range` (offsets into the memory) lies in a page known to be
    /// zero.
    pub fn covers(&self, range: std::ops::Range<usize>) -> bool {
        if self.zero.is_empty() || range.is_empty() {
            return false;
        }
        let (first, last) = (range.start / self.page, (range.end - 1) / self.page);
        last < self.zero.len() && self.zero[first..=last].iter().all(|&zero| zero)
    }
}

/// Asks the kernel which whole pages of `memory` are known to be zero (see the module's
/// comment); an empty answer when it cannot say.
pub(crate) fn zero_pages(memory: &[u8]) -> ZeroPages {
    let page = page_size();
    let unknown = ZeroPages { page: page.max(1), zero: Vec::new() };
    let address = memory.as_ptr() as usize;
    let Some(pagemap) = pagemap() else { return unknown };
    if page == 0 || !address.is_multiple_of(page) || memory.len() < page {
        return unknown;
    }
    let pages = memory.len() / page;
    let mut entries = vec![0u8; pages * 8];
    if pagemap.read_exact_at(&mut entries, (address / page) as u64 * 8).is_err() {
        return unknown;
    }
    let mut resident = vec![0u8; pages];
    // SAFETY: `memory` is a live mapping of at least `pages` whole pages starting at the
    // page-aligned `address`; mincore only looks up their residency and writes one byte
    // per page into `resident`, which is that long.
    if unsafe { libc::mincore(address as *mut libc::c_void, pages * page, resident.as_mut_ptr()) } != 0 {
        return unknown;
    }
    let zero = entries
        .chunks_exact(8)
        .zip(&resident)
        .map(|(entry, resident)| {
            let entry = u64::from_ne_bytes(entry.try_into().expect("8 bytes"));
            entry & (PRESENT | SWAPPED) == 0 && resident & 1 == 0
        })
        .collect();
    ZeroPages { page, zero }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn an_untouched_anonymous_mapping_is_known_zero_except_where_written() {
        let mut map = memmap2::MmapMut::map_anon(16 * page_size()).unwrap();
        map[3 * page_size() + 7] = 1;
        let zero = zero_pages(&map);
        assert!(zero.covers(0..3 * page_size()));
        assert!(!zero.covers(3 * page_size()..3 * page_size() + 1));
        assert!(zero.covers(4 * page_size()..16 * page_size()));
    }

    #[test]
    fn a_page_that_was_only_read_is_not_taken_for_untouched() {
        let map = memmap2::MmapMut::map_anon(4 * page_size()).unwrap();
        assert_eq!(std::hint::black_box(map[page_size()]), 0);
        assert!(!zero_pages(&map).covers(page_size()..page_size() + 1));
    }

    #[test]
    fn an_untouched_page_of_a_private_file_mapping_with_contents_is_not_known_zero() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&vec![7u8; 4 * page_size()]).unwrap();
        // SAFETY: the file is this test's own and nothing else changes it.
        let map = unsafe { memmap2::MmapOptions::new().map_copy(&file) }.unwrap();
        assert!(!zero_pages(&map).covers(0..page_size()), "the file's pages are in its page cache");
    }

    #[test]
    fn an_unaligned_slice_is_not_known_zero_anywhere() {
        let map = memmap2::MmapMut::map_anon(4 * page_size()).unwrap();
        assert!(!zero_pages(&map[1..]).covers(page_size()..2 * page_size()));
    }
}
