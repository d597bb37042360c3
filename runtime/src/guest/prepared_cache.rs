//! Prepared modules kept for the life of the process. A runner warms the same guest up
//! again and again, each time in a fresh isolate; the guest checks and the instrumentation
//! give the same answer every time, and on a 100 MB module they are most of the warmup.
//!
//! A hit needs the same bytes (a keyed hash, then a full comparison, so no crafted module
//! can pass for a checked one), the same guest limits, imports and instrumentation. Failures
//! are not cached.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use super::{prepare_with, Instrumentation, PreparedModule, ProvidedImports};
use crate::error::RunnerError;
use crate::limits::GuestLimits;

/// Bytes the cache may hold, originals and instrumented copies together; the oldest
/// entries go first.
pub const PREPARED_CACHE_MAX_BYTES: u64 = 1 << 30;
/// Modules smaller than this are checked every time (checking them is cheaper than
/// hashing and comparing).
pub const PREPARED_CACHE_FROM_BYTES: usize = 1 << 20;

struct Entry {
    hash: u64,
    original: Arc<[u8]>,
    limits: GuestLimits,
    provided: ProvidedImports,
    instrumentation: Instrumentation,
    prepared: PreparedModule,
}

impl Entry {
    fn bytes(&self) -> u64 {
        (self.original.len() + self.prepared.bytes.len()) as u64
    }
}

static HITS: AtomicU64 = AtomicU64::new(0);

fn cache() -> &'static Mutex<Vec<Entry>> {
    static CACHE: OnceLock<Mutex<Vec<Entry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Vec::new()))
}

/// Random keys per process: nobody outside can aim a module at another's hash.
fn hasher() -> &'static RandomState {
    static STATE: OnceLock<RandomState> = OnceLock::new();
    STATE.get_or_init(RandomState::new)
}

/// Prepared modules served from the cache since the process started.
pub fn prepared_cache_hits() -> u64 {
    HITS.load(Ordering::Relaxed)
}

/// `prepare_with`, answered from the process cache when these bytes were prepared under the
/// same limits, imports and instrumentation before.
pub fn prepare_cached(
    module: &Arc<[u8]>,
    limits: &GuestLimits,
    provided: &ProvidedImports,
    instrumentation: Instrumentation,
) -> Result<PreparedModule, RunnerError> {
    if module.len() < PREPARED_CACHE_FROM_BYTES {
        return prepare_with(module, limits, provided, instrumentation);
    }
    let hash = hasher().hash_one(&module[..]);
    let same = |e: &Entry| {
        e.hash == hash
            && e.instrumentation == instrumentation
            && e.limits == *limits
            && e.provided == *provided
            && e.original.len() == module.len()
            && (Arc::ptr_eq(&e.original, module) || e.original[..] == module[..])
    };
    if let Some(hit) = cache().lock().ok().and_then(|c| c.iter().find(|e| same(e)).map(|e| e.prepared.clone())) {
        HITS.fetch_add(1, Ordering::Relaxed);
        return Ok(hit);
    }
    let prepared = prepare_with(module, limits, provided, instrumentation)?;
    let entry = Entry {
        hash,
        original: Arc::clone(module),
        limits: limits.clone(),
        provided: provided.clone(),
        instrumentation,
        prepared: prepared.clone(),
    };
    if entry.bytes() <= PREPARED_CACHE_MAX_BYTES {
        if let Ok(mut c) = cache().lock() {
            c.push(entry);
            while c.iter().map(Entry::bytes).sum::<u64>() > PREPARED_CACHE_MAX_BYTES {
                c.remove(0);
            }
        }
    }
    Ok(prepared)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid module of at least `size` bytes, whose last function returns `answer`.
    fn module(size: usize, answer: i32) -> Arc<[u8]> {
        let body = "(drop (i32.const 1))".repeat(size / 3);
        wat::parse_str(format!("(module (func {body}) (func (export \"f\") (result i32) (i32.const {answer})))"))
            .unwrap()
            .into()
    }

    #[test]
    fn a_repeated_module_is_checked_once_and_only_the_same_one_hits() {
        let limits = GuestLimits::default();
        let provided = ProvidedImports::wasi_preview1();
        let a = module(PREPARED_CACHE_FROM_BYTES + 4096, 1);
        let first = prepare_cached(&a, &limits, &provided, Instrumentation::On).unwrap();
        let hits = prepared_cache_hits();
        // The same bytes in another allocation: a hit, with the same prepared bytes.
        let again: Arc<[u8]> = a.to_vec().into();
        let second = prepare_cached(&again, &limits, &provided, Instrumentation::On).unwrap();
        assert_eq!(prepared_cache_hits(), hits + 1);
        assert!(Arc::ptr_eq(&first.bytes, &second.bytes));
        // One byte different (same length): a miss.
        let other = module(PREPARED_CACHE_FROM_BYTES + 4096, 2);
        assert_eq!(other.len(), a.len());
        let hits = prepared_cache_hits();
        prepare_cached(&other, &limits, &provided, Instrumentation::On).unwrap();
        assert_eq!(prepared_cache_hits(), hits);
        // Other limits or instrumentation: a miss.
        let tighter = GuestLimits { max_fuel: 1000, ..GuestLimits::default() };
        let p = prepare_cached(&a, &tighter, &provided, Instrumentation::On).unwrap();
        assert_eq!(p.fuel_limit, 1000);
        prepare_cached(&a, &limits, &provided, Instrumentation::Off).unwrap();
        assert_eq!(prepared_cache_hits(), hits);
        // A refusal is not cached: it is refused again.
        let small = GuestLimits { max_module_bytes: 1024, ..GuestLimits::default() };
        assert!(prepare_cached(&a, &small, &provided, Instrumentation::On).is_err());
        assert!(prepare_cached(&a, &small, &provided, Instrumentation::On).is_err());
    }
}
