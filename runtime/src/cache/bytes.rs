//! `SharedBytes`: bytes both engines and the caches share without copying, whether they were
//! made in this process or mapped from a disk-cache entry.

use std::ops::{Deref, Range};
use std::sync::Arc;

/// Immutable bytes, cheap to clone: in memory, or a part of a disk-cache entry's file mapped
/// read-only (`cache::disk`). Mapping instead of reading spares a warm start the copy of
/// the instrumented module into fresh memory, which was most of its guest checks.
#[derive(Clone)]
pub struct SharedBytes(Repr);

#[derive(Clone)]
enum Repr {
    Memory(Arc<[u8]>),
    Mapped { map: Arc<memmap2::Mmap>, range: Range<usize> },
}

impl SharedBytes {
    /// `range` of a mapped file; the caller has checked that it lies within the mapping.
    pub(crate) fn mapped(map: Arc<memmap2::Mmap>, range: Range<usize>) -> Self {
        debug_assert!(range.end <= map.len());
        SharedBytes(Repr::Mapped { map, range })
    }

    /// Whether both are the same bytes in memory (not only equal ones).
    pub fn ptr_eq(a: &SharedBytes, b: &SharedBytes) -> bool {
        std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()
    }
}

impl Deref for SharedBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            Repr::Memory(bytes) => bytes,
            Repr::Mapped { map, range } => map.get(range.clone()).unwrap_or_default(),
        }
    }
}

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl From<Arc<[u8]>> for SharedBytes {
    fn from(bytes: Arc<[u8]>) -> Self {
        SharedBytes(Repr::Memory(bytes))
    }
}

impl From<Vec<u8>> for SharedBytes {
    fn from(bytes: Vec<u8>) -> Self {
        SharedBytes(Repr::Memory(bytes.into()))
    }
}

impl From<&[u8]> for SharedBytes {
    fn from(bytes: &[u8]) -> Self {
        SharedBytes(Repr::Memory(bytes.into()))
    }
}

impl PartialEq for SharedBytes {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

impl Eq for SharedBytes {}

/// The length only: a module's bytes in a debug print say nothing and run to megabytes.
impl std::fmt::Debug for SharedBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.0 {
            Repr::Memory(_) => "in memory",
            Repr::Mapped { .. } => "mapped",
        };
        write!(f, "SharedBytes({} bytes, {how})", self.len())
    }
}
