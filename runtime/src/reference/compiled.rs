//! Compiled modules kept for the life of the process: Cranelift takes over a minute on a
//! 100 MB module, and tests and the stress job run the same bytes more than once.
//!
//! Each run still gets its own `Engine` (epoch interruption is per engine, and a shared
//! engine would let one run's watchdog interrupt another), so what is cached is the
//! serialized artifact, which a fresh engine with the same configuration loads in
//! milliseconds.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use wasmtime::{Engine, Module};

/// Serialized artifacts kept at most; the oldest goes first.
const CACHED_ARTIFACTS: usize = 4;
/// Modules smaller than this compile faster than they are worth keeping.
const CACHE_FROM_BYTES: usize = 1 << 20;

type Cache = Mutex<Vec<(u64, Arc<[u8]>)>>;

/// Compiles served from the cache, for tests and reports.
static HITS: AtomicU64 = AtomicU64::new(0);

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Vec::new()))
}

fn key(bytes: &[u8], engine: &Engine) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    engine.precompile_compatibility_hash().hash(&mut h);
    h.finish()
}

/// `bytes` compiled for `engine`, from the process cache when an engine of the same
/// configuration compiled them before.
pub(super) fn compile(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Module> {
    if bytes.len() < CACHE_FROM_BYTES {
        return Module::new(engine, bytes);
    }
    // One large compile at a time: each already uses every core, and a second run of the
    // same bytes waits for the first one's artifact instead of compiling it again.
    static COMPILING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = COMPILING.lock().unwrap_or_else(|e| e.into_inner());
    let key = key(bytes, engine);
    let hit = cache().lock().ok().and_then(|c| c.iter().find(|(k, _)| *k == key).map(|(_, a)| a.clone()));
    if let Some(artifact) = hit {
        // SAFETY: the artifact was produced by `Module::serialize` in this process, for an
        // engine with the same compatibility hash, and has not left this process's memory.
        if let Ok(module) = unsafe { Module::deserialize(engine, &artifact[..]) } {
            HITS.fetch_add(1, Ordering::Relaxed);
            return Ok(module);
        }
    }
    let module = Module::new(engine, bytes)?;
    if let (Ok(artifact), Ok(mut c)) = (module.serialize(), cache().lock()) {
        if c.len() >= CACHED_ARTIFACTS {
            c.remove(0);
        }
        c.push((key, Arc::from(artifact)));
    }
    Ok(module)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid module of at least `bytes` bytes: one function with a long body.
    fn large_module(bytes: usize) -> Vec<u8> {
        let body = "(drop (i32.const 1))".repeat(bytes / 3);
        wat::parse_str(format!("(module (func (export \"f\") {body}))")).unwrap()
    }

    #[test]
    fn a_large_module_compiles_once_per_process() {
        let module = large_module(CACHE_FROM_BYTES + 1024);
        assert!(module.len() >= CACHE_FROM_BYTES);
        let engine = || Engine::new(&wasmtime::Config::new()).unwrap();
        let before = HITS.load(Ordering::Relaxed);
        compile(&engine(), &module).unwrap();
        let module2 = compile(&engine(), &module).unwrap();
        assert!(HITS.load(Ordering::Relaxed) > before, "the second compile was not served from the cache");
        assert!(module2.get_export("f").is_some());
        // Small modules are never cached.
        let small = large_module(100);
        let hits = HITS.load(Ordering::Relaxed);
        compile(&engine(), &small).unwrap();
        compile(&engine(), &small).unwrap();
        assert_eq!(HITS.load(Ordering::Relaxed), hits);
    }
}
