//! Prepared modules kept for the life of the process, and on disk across processes when the
//! disk cache is on (`crate::cache::disk`). A runner warms the same guest up again and
//! again, each time in a fresh isolate; the guest checks and the instrumentation give the
//! same answer every time, and on a 100 MB module they are most of the warmup. A hit needs
//! the same bytes, guest limits, imports and instrumentation (in memory: see
//! `crate::cache`; on disk: a BLAKE3 hash of all of them and of this runtime's version).
//! Failures are not cached.

use std::sync::Arc;

use super::cancel::Cancel;
use super::prepare::prepare_cancellable;
use super::{Instrumentation, PreparedModule, ProvidedImports};
use crate::cache::{disk, ContentCache};
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

/// Where a warmup's prepared module came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PreparedFrom {
    /// The guest checks and the instrumentation ran.
    Checked,
    /// This process prepared the same bytes under the same settings before.
    MemoryCache,
    /// An earlier process did (the disk cache).
    DiskCache,
}

/// `prepare`, answered from the process cache, else from the disk cache, when these bytes
/// were prepared under the same limits, imports and instrumentation before.
pub(crate) fn prepare_cached(
    module: &Arc<[u8]>,
    limits: &GuestLimits,
    provided: &ProvidedImports,
    instrumentation: Instrumentation,
    cancel: &Cancel,
) -> Result<(PreparedModule, PreparedFrom), RunnerError> {
    if module.len() < PREPARED_CACHE_FROM_BYTES {
        let prepared = prepare_cancellable(module, limits, provided, instrumentation, cancel)?;
        return Ok((prepared, PreparedFrom::Checked));
    }
    let settings = (limits.clone(), provided.clone(), instrumentation);
    if let Some(hit) = CACHE.get(module, &settings) {
        return Ok((hit, PreparedFrom::MemoryCache));
    }
    let key = disk::enabled().then(|| disk_key(module, &settings));
    let from_disk = key.as_ref().and_then(|key| disk::get(DISK_KIND, key)).and_then(decode);
    let (prepared, from) = match from_disk {
        Some(from_disk) => (from_disk, PreparedFrom::DiskCache),
        None => {
            let prepared = prepare_cancellable(module, limits, provided, instrumentation, cancel)?;
            if let Some(key) = &key {
                disk::put(DISK_KIND, key, &describe(&prepared), &prepared.bytes);
            }
            (prepared, PreparedFrom::Checked)
        }
    };
    let cost = (module.len() + prepared.bytes.len()) as u64;
    CACHE.insert(Arc::clone(module).into(), settings, prepared.clone(), cost);
    Ok((prepared, from))
}

/// The disk cache's folder for prepared modules.
const DISK_KIND: &str = "prepared";

/// Everything that shapes a prepared module: this runtime's version (the checks and the
/// instrumentation change with it), the settings, and the bytes.
fn disk_key(module: &[u8], settings: &Settings) -> disk::Key {
    let version = env!("CARGO_PKG_VERSION");
    let settings = format!("{settings:?}");
    disk::key_of(&[version.as_bytes(), settings.as_bytes(), module])
}

/// What is kept of a prepared module beside its instrumented bytes (the entry's bulk): its
/// facts, fuel and stubs, as JSON (the entry's meta).
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    facts: crate::report::ModuleFacts,
    fuel_limit: u64,
    stubbed: Vec<crate::report::ImportRef>,
}

fn describe(prepared: &PreparedModule) -> Vec<u8> {
    let stored =
        Stored { facts: prepared.facts.clone(), fuel_limit: prepared.fuel_limit, stubbed: prepared.stubbed.clone() };
    serde_json::to_vec(&stored).unwrap_or_default()
}

fn decode(entry: disk::Entry) -> Option<PreparedModule> {
    let stored: Stored = serde_json::from_slice(&entry.meta).ok()?;
    Some(PreparedModule {
        facts: stored.facts,
        bytes: entry.bulk,
        fuel_limit: stored.fuel_limit,
        stubbed: stored.stubbed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::SharedBytes;

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
        let (first, _) = prepare_cached(&a, &limits, &wasi(), Instrumentation::On, &Cancel::default()).unwrap();
        let hits = prepared_cache_hits();
        let again: Arc<[u8]> = a.to_vec().into();
        let (second, from) = prepare_cached(&again, &limits, &wasi(), Instrumentation::On, &Cancel::default()).unwrap();
        assert_eq!(from, PreparedFrom::MemoryCache);
        assert!(prepared_cache_hits() > hits);
        assert!(SharedBytes::ptr_eq(&first.bytes, &second.bytes), "the same prepared bytes are served");
    }

    #[test]
    fn other_limits_are_prepared_anew() {
        let a = module(PREPARED_CACHE_FROM_BYTES + 4096, 3);
        prepare_cached(&a, &GuestLimits::default(), &wasi(), Instrumentation::On, &Cancel::default()).unwrap();
        let tighter = GuestLimits { max_fuel: 1000, ..GuestLimits::default() };
        let (p, _) = prepare_cached(&a, &tighter, &wasi(), Instrumentation::On, &Cancel::default()).unwrap();
        assert_eq!(p.fuel_limit, 1000);
    }

    #[test]
    fn a_module_prepared_in_one_process_is_served_from_disk_in_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let a = module(PREPARED_CACHE_FROM_BYTES + 4096, 5);
        let limits = GuestLimits::default();
        let settings = (limits.clone(), wasi(), Instrumentation::On);
        disk::with_cache_at(dir.path(), 1 << 30, || {
            let (first, from) = prepare_cached(&a, &limits, &wasi(), Instrumentation::On, &Cancel::default()).unwrap();
            assert_eq!(from, PreparedFrom::Checked);
            // A new process: nothing in memory, the entry on disk.
            let hits = disk::disk_cache_hits();
            let entry = disk::get(DISK_KIND, &disk_key(&a, &settings)).expect("the entry was written");
            assert!(disk::disk_cache_hits() > hits);
            let second = decode(entry).expect("the entry decodes");
            assert_eq!(second, first);
        });
    }

    #[test]
    fn a_refusal_is_not_cached() {
        let a = module(PREPARED_CACHE_FROM_BYTES + 4096, 4);
        let small = GuestLimits { max_module_bytes: 1024, ..GuestLimits::default() };
        assert!(prepare_cached(&a, &small, &wasi(), Instrumentation::On, &Cancel::default()).is_err());
        assert!(prepare_cached(&a, &small, &wasi(), Instrumentation::On, &Cancel::default()).is_err());
    }
}
