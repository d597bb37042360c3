//! Prepared modules kept for the life of the process. A runner warms the same guest up
//! again and again, each time in a fresh isolate; the guest checks and the instrumentation
//! give the same answer every time, and on a 100 MB module they are most of the warmup.
//! A hit needs the same bytes, guest limits, imports and instrumentation (see
//! `crate::cache`). Failures are not cached.

use std::sync::Arc;

use super::cancel::Cancel;
use super::prepare::prepare_cancellable;
use super::{Instrumentation, PreparedModule, ProvidedImports};
use crate::cache::ContentCache;
use crate::limits::GuestLimits;
use crate::report::RunnerError;

/// Bytes the cache may hold, originals and instrumented copies together; the oldest
/// entries go first.
pub const PREPARED_CACHE_MAX_BYTES: u64 = 1 << 30;
/// Modules smaller than this are checked every time (checking them is cheaper than
/// hashing and comparing).
pub const PREPARED_CACHE_FROM_BYTES: usize = 1 << 20;

type Settings = (GuestLimits, ProvidedImports, Instrumentation);

static CACHE: ContentCache<Settings, PreparedModule> = ContentCache::new(PREPARED_CACHE_MAX_BYTES);

/// Prepared modules served from the cache since the process started.
pub fn prepared_cache_hits() -> u64 {
    CACHE.hits()
}

/// `prepare`, answered from the process cache when these bytes were prepared under the
/// same limits, imports and instrumentation before.
pub(crate) fn prepare_cached(
    module: &Arc<[u8]>,
    limits: &GuestLimits,
    provided: &ProvidedImports,
    instrumentation: Instrumentation,
    cancel: &Cancel,
) -> Result<PreparedModule, RunnerError> {
    if module.len() < PREPARED_CACHE_FROM_BYTES {
        return prepare_cancellable(module, limits, provided, instrumentation, cancel);
    }
    let settings = (limits.clone(), provided.clone(), instrumentation);
    if let Some(hit) = CACHE.get(module, &settings) {
        return Ok(hit);
    }
    let prepared = prepare_cancellable(module, limits, provided, instrumentation, cancel)?;
    let cost = (module.len() + prepared.bytes.len()) as u64;
    CACHE.insert(Arc::clone(module), settings, prepared.clone(), cost);
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

    fn wasi() -> ProvidedImports {
        crate::wasi::preview1::provided()
    }

    #[test]
    fn a_repeated_module_is_prepared_once() {
        let limits = GuestLimits::default();
        let a = module(PREPARED_CACHE_FROM_BYTES + 4096, 1);
        let first = prepare_cached(&a, &limits, &wasi(), Instrumentation::On, &Cancel::default()).unwrap();
        let hits = prepared_cache_hits();
        let again: Arc<[u8]> = a.to_vec().into();
        let second = prepare_cached(&again, &limits, &wasi(), Instrumentation::On, &Cancel::default()).unwrap();
        assert!(prepared_cache_hits() > hits);
        assert!(Arc::ptr_eq(&first.bytes, &second.bytes), "the same prepared bytes are served");
    }

    #[test]
    fn other_limits_are_prepared_anew() {
        let a = module(PREPARED_CACHE_FROM_BYTES + 4096, 3);
        prepare_cached(&a, &GuestLimits::default(), &wasi(), Instrumentation::On, &Cancel::default()).unwrap();
        let tighter = GuestLimits { max_fuel: 1000, ..GuestLimits::default() };
        let p = prepare_cached(&a, &tighter, &wasi(), Instrumentation::On, &Cancel::default()).unwrap();
        assert_eq!(p.fuel_limit, 1000);
    }

    #[test]
    fn a_refusal_is_not_cached() {
        let a = module(PREPARED_CACHE_FROM_BYTES + 4096, 4);
        let small = GuestLimits { max_module_bytes: 1024, ..GuestLimits::default() };
        assert!(prepare_cached(&a, &small, &wasi(), Instrumentation::On, &Cancel::default()).is_err());
        assert!(prepare_cached(&a, &small, &wasi(), Instrumentation::On, &Cancel::default()).is_err());
    }
}
