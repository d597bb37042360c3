//! Cranelift's incremental compilation cache, kept in memory for the life of the process,
//! for the small modules a fuzzer compiles thousands of a minute.
//!
//! Much of what each of them holds was compiled before: the trampolines of the signatures
//! that recur, and the functions a mutation left alone. Cranelift keys each function by its
//! IR and the compiler's settings and keeps its calls and other references apart from the
//! code, so a hit is the machine code the compile would have produced, linked to this
//! module's functions. Measured over a grown `differential` corpus, the reference's compile
//! took two thirds of its time on a first pass and under half once the corpus was seen.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use wasmtime::CacheStore;

/// Bytes of keys and code the process's cache holds.
pub const FUNCTION_CACHE_MAX_BYTES: usize = 64 << 20;

#[derive(Debug, Default)]
struct Entries {
    code: HashMap<Vec<u8>, Vec<u8>>,
    bytes: usize,
}

/// Compiled functions by Cranelift's key, up to a number of bytes. Past it the cache starts
/// again empty: a fuzzer's working set refills it in seconds, and no entry is worth an
/// eviction order's upkeep on every lookup.
#[derive(Debug)]
pub(super) struct FunctionCache {
    max_bytes: usize,
    entries: Mutex<Entries>,
}

impl FunctionCache {
    fn with_max_bytes(max_bytes: usize) -> FunctionCache {
        FunctionCache { max_bytes, entries: Mutex::default() }
    }

    /// The process's one cache, shared by every reference engine that compiles on the
    /// calling thread.
    pub(super) fn shared() -> Arc<FunctionCache> {
        static SHARED: OnceLock<Arc<FunctionCache>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(FunctionCache::with_max_bytes(FUNCTION_CACHE_MAX_BYTES))).clone()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl CacheStore for FunctionCache {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        self.entries().code.get(key).map(|code| Cow::Owned(code.clone()))
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        let cost = key.len() + value.len();
        if cost > self.max_bytes {
            return false;
        }
        let mut entries = self.entries();
        if entries.bytes + cost > self.max_bytes {
            entries.code.clear();
            entries.bytes = 0;
        }
        if let Some(old) = entries.code.insert(key.to_vec(), value) {
            entries.bytes -= key.len() + old.len();
        }
        entries.bytes += cost;
        true
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use wasmtime::{Engine, Instance, Module, Store};

    use super::*;
    use crate::limits::GuestLimits;

    /// A cache that counts what Cranelift found in it and what it added.
    #[derive(Debug)]
    struct Counted {
        cache: FunctionCache,
        hits: AtomicUsize,
        inserts: AtomicUsize,
    }

    impl CacheStore for Counted {
        fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
            let found = self.cache.get(key);
            if found.is_some() {
                self.hits.fetch_add(1, Ordering::Relaxed);
            }
            found
        }

        fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
            self.inserts.fetch_add(1, Ordering::Relaxed);
            self.cache.insert(key, value)
        }
    }

    fn counted() -> Arc<Counted> {
        Arc::new(Counted {
            cache: FunctionCache::with_max_bytes(FUNCTION_CACHE_MAX_BYTES),
            hits: 0.into(),
            inserts: 0.into(),
        })
    }

    /// An engine configured as the reference's, compiling through `cache`.
    fn engine(cache: &Arc<Counted>) -> Engine {
        let mut config = crate::reference::config(&GuestLimits::default(), false);
        config.parallel_compilation(false);
        config.enable_incremental_compilation(cache.clone()).unwrap();
        Engine::new(&config).unwrap()
    }

    /// `f` calls the module's function 1, whose result is `answer`.
    fn caller_of(answer: i32) -> String {
        format!(
            "(module (func (export \"f\") (result i32) (call 1))
                     (func (result i32) (i32.const {answer})))"
        )
    }

    fn call_f(engine: &Engine, wat: &str) -> i32 {
        let module = Module::new(engine, wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(engine, ());
        // The reference's configuration interrupts by epochs; this store's never come.
        store.set_epoch_deadline(u64::MAX);
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        instance.get_typed_func::<(), i32>(&mut store, "f").unwrap().call(&mut store, ()).unwrap()
    }

    #[test]
    fn a_module_compiled_again_takes_every_function_from_the_cache() {
        let cache = counted();
        call_f(&engine(&cache), &caller_of(1));
        let compiled = cache.inserts.load(Ordering::Relaxed);
        assert!(compiled >= 2, "both functions were compiled and kept ({compiled})");
        assert_eq!(call_f(&engine(&cache), &caller_of(1)), 1);
        assert_eq!(cache.inserts.load(Ordering::Relaxed), compiled, "nothing was compiled again");
        assert!(cache.hits.load(Ordering::Relaxed) >= compiled);
    }

    #[test]
    fn a_cached_function_calls_the_function_of_the_module_it_is_linked_into() {
        let cache = counted();
        let engine = engine(&cache);
        assert_eq!(call_f(&engine, &caller_of(1)), 1);
        let hits = cache.hits.load(Ordering::Relaxed);
        // `f` is the same function in both modules and comes from the cache; its callee
        // is not, and the call must reach this module's.
        assert_eq!(call_f(&engine, &caller_of(2)), 2);
        assert!(cache.hits.load(Ordering::Relaxed) > hits, "f came from the cache");
    }

    #[test]
    fn a_full_cache_starts_again_within_its_bound() {
        let cache = FunctionCache::with_max_bytes(1000);
        for i in 0..100u32 {
            assert!(cache.insert(&i.to_le_bytes(), vec![0; 96]));
            assert!(cache.entries().bytes <= 1000);
        }
        assert!(cache.get(&99u32.to_le_bytes()).is_some(), "the newest entry stays");
        assert!(cache.get(&0u32.to_le_bytes()).is_none(), "the oldest went");
    }

    #[test]
    fn an_entry_larger_than_the_cache_is_refused() {
        let cache = FunctionCache::with_max_bytes(100);
        assert!(!cache.insert(b"key", vec![0; 100]));
        assert!(cache.get(b"key").is_none());
    }

    #[test]
    fn an_entry_stored_again_is_counted_once() {
        let cache = FunctionCache::with_max_bytes(1000);
        cache.insert(b"key", vec![0; 10]);
        cache.insert(b"key", vec![0; 20]);
        assert_eq!(cache.entries().bytes, 3 + 20);
    }
}
