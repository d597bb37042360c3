//! Compiled modules kept for the life of the process, and on disk across processes when the
//! disk cache is on (`crate::cache::disk`): Cranelift takes over a minute on a 100 MB
//! module, and a module should pay for it once per machine, not once per process.
//!
//! What is cached is the serialized artifact, keyed by the engine's compatibility hash: an
//! engine of the same configuration loads it in milliseconds, whichever engine made it.

use std::sync::Mutex;

use wasmtime::{Engine, Module};

use crate::cache::{disk, ContentCache, SharedBytes};

/// Bytes the artifact cache may hold (module bytes and artifacts); the oldest go first.
pub const REFERENCE_CACHE_MAX_BYTES: u64 = 1 << 30;
/// Modules smaller than this compile faster than they are worth keeping.
const CACHE_FROM_BYTES: usize = 1 << 20;

/// Settings: the engine's compatibility hash (artifacts load only into a like engine).
static CACHE: ContentCache<u64, SharedBytes> = ContentCache::new(REFERENCE_CACHE_MAX_BYTES);

/// The disk cache's folder for compiled artifacts.
const DISK_KIND: &str = "wasmtime";

/// Everything an artifact on disk must match: the engine's compatibility hash (its
/// configuration and wasmtime's version) and the module's bytes.
fn disk_key(engine: &Engine, bytes: &[u8]) -> disk::Key {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    disk::key_of(&[&h.finish().to_le_bytes(), bytes])
}

/// What an artifact must match to load into `engine`.
fn settings(engine: &Engine) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    h.finish()
}

/// `bytes` compiled for `engine`, from the process cache when an engine of the same
/// configuration compiled them before.
pub(super) fn compile(engine: &Engine, bytes: &SharedBytes) -> wasmtime::Result<Module> {
    if bytes.len() < CACHE_FROM_BYTES {
        return Module::new(engine, &bytes[..]);
    }
    // One large compile at a time: each already uses every core, and a second run of the
    // same bytes waits for the first one's artifact instead of compiling it again.
    static COMPILING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = COMPILING.lock().unwrap_or_else(|e| e.into_inner());
    let settings = settings(engine);
    if let Some(artifact) = CACHE.get(bytes, &settings) {
        // SAFETY: the artifact was produced by `Module::serialize` in this process, for an
        // engine with the same compatibility hash, and has not left this process's memory.
        if let Ok(module) = unsafe { Module::deserialize(engine, &artifact[..]) } {
            return Ok(module);
        }
    }
    let key = disk::enabled().then(|| disk_key(engine, bytes));
    if let Some(artifact) = key.as_ref().and_then(|key| disk::get(DISK_KIND, key)).map(|entry| entry.bulk) {
        // SAFETY: the entry was written by `Module::serialize` of wasmtime, for an engine
        // with the same compatibility hash and version (both in its key), and its header's
        // key, lengths and CRC-32 matched on reading: what loads is what was written.
        // wasmtime checks the artifact's own header too, and refuses one made for another
        // engine.
        if let Ok(module) = unsafe { Module::deserialize(engine, &artifact[..]) } {
            let cost = (bytes.len() + artifact.len()) as u64;
            CACHE.insert(bytes.clone(), settings, artifact, cost);
            return Ok(module);
        }
    }
    let module = Module::new(engine, &bytes[..])?;
    if let Ok(artifact) = module.serialize() {
        if let Some(key) = &key {
            disk::put(DISK_KIND, key, &[], &artifact);
        }
        let cost = (bytes.len() + artifact.len()) as u64;
        CACHE.insert(bytes.clone(), settings, SharedBytes::from(artifact), cost);
    }
    Ok(module)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid module of at least `bytes` bytes: one function with a long body.
    fn large_module(bytes: usize) -> SharedBytes {
        let body = "(drop (i32.const 1))".repeat(bytes / 3);
        wat::parse_str(format!("(module (func (export \"f\") {body}))")).unwrap().into()
    }

    fn engine() -> Engine {
        Engine::new(&wasmtime::Config::new()).unwrap()
    }

    #[test]
    fn a_large_module_compiles_once_per_process() {
        let module = large_module(CACHE_FROM_BYTES + 1024);
        compile(&engine(), &module).unwrap();
        assert!(CACHE.get(&module, &settings(&engine())).is_some(), "the artifact was not kept");
        let again = compile(&engine(), &module).unwrap();
        assert!(again.get_export("f").is_some(), "the cached artifact loads as the same module");
    }

    #[test]
    fn a_small_module_is_never_cached() {
        let small = large_module(100);
        compile(&engine(), &small).unwrap();
        assert!(CACHE.get(&small, &settings(&engine())).is_none());
    }
}
