//! Process-wide caches keyed by content: the prepared-module cache of the guest checks and
//! the reference's compiled artifacts are both "this result for these bytes under these
//! settings", bounded in bytes, oldest out first.
//!
//! A hit needs the same bytes (a keyed hash with per-process random keys, then a full
//! comparison, so no crafted module can pass for another) and equal settings.

mod bytes;
pub mod disk;

pub use bytes::SharedBytes;

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

struct Entry<S, V> {
    hash: u64,
    key: SharedBytes,
    settings: S,
    value: V,
    cost: u64,
}

pub(crate) struct ContentCache<S, V> {
    max_bytes: u64,
    entries: Mutex<Vec<Entry<S, V>>>,
    hits: AtomicU64,
}

/// Random keys per process: nobody outside can aim bytes at another's hash. Only the length
/// and both ends are hashed (a hit is confirmed by comparing every byte), so that a lookup
/// of a 100 MB module costs a memcmp at most, not a pass of SipHash over it.
fn hash_of(bytes: &[u8]) -> u64 {
    const END: usize = 64 * 1024;
    static STATE: OnceLock<RandomState> = OnceLock::new();
    let (head, tail) = (&bytes[..bytes.len().min(END)], &bytes[bytes.len().saturating_sub(END)..]);
    STATE.get_or_init(RandomState::new).hash_one((bytes.len(), head, tail))
}

impl<S: PartialEq, V: Clone> ContentCache<S, V> {
    /// A cache holding at most `max_bytes`, counted as each insert says.
    pub(crate) const fn new(max_bytes: u64) -> Self {
        ContentCache { max_bytes, entries: Mutex::new(Vec::new()), hits: AtomicU64::new(0) }
    }

    /// The value stored for these bytes and settings.
    pub(crate) fn get(&self, key: &[u8], settings: &S) -> Option<V> {
        let hash = hash_of(key);
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let hit = entries.iter().find(|e| {
            e.hash == hash
                && e.settings == *settings
                && e.key.len() == key.len()
                && (std::ptr::eq(e.key.as_ptr(), key.as_ptr()) || e.key[..] == key[..])
        })?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(hit.value.clone())
    }

    /// Stores `value` for these bytes and settings; `cost` is what it holds in bytes. An
    /// entry larger than the whole cache is not kept.
    pub(crate) fn insert(&self, key: SharedBytes, settings: S, value: V, cost: u64) {
        if cost > self.max_bytes {
            return;
        }
        let hash = hash_of(&key);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.push(Entry { hash, key, settings, value, cost });
        while entries.iter().map(|e| e.cost).sum::<u64>() > self.max_bytes {
            entries.remove(0);
        }
    }

    /// Lookups answered since the process started.
    pub(crate) fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str) -> SharedBytes {
        text.as_bytes().into()
    }

    #[test]
    fn equal_bytes_in_another_allocation_hit() {
        let cache = ContentCache::<u8, u32>::new(100);
        cache.insert(bytes("module"), 1, 7, 10);
        assert_eq!(cache.get(&bytes("module"), &1), Some(7));
        assert_eq!(cache.hits(), 1);
    }

    #[test]
    fn other_bytes_of_the_same_length_or_other_settings_miss() {
        let cache = ContentCache::<u8, u32>::new(100);
        cache.insert(bytes("module"), 1, 7, 10);
        assert_eq!(cache.get(&bytes("modulE"), &1), None);
        assert_eq!(cache.get(&bytes("module"), &2), None);
        assert_eq!(cache.hits(), 0);
    }

    #[test]
    fn the_oldest_entries_go_first_past_the_bound() {
        let cache = ContentCache::<u8, u32>::new(25);
        cache.insert(bytes("a"), 0, 1, 10);
        cache.insert(bytes("b"), 0, 2, 10);
        cache.insert(bytes("c"), 0, 3, 10);
        assert_eq!(cache.get(&bytes("a"), &0), None);
        assert_eq!(cache.get(&bytes("b"), &0), Some(2));
        assert_eq!(cache.get(&bytes("c"), &0), Some(3));
        cache.insert(bytes("huge"), 0, 4, 26);
        assert_eq!(cache.get(&bytes("huge"), &0), None, "an entry larger than the cache is not kept");
    }
}
