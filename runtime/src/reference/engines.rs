//! One wasmtime `Engine` per configuration for the life of the process, each with the
//! linker every run starts from (WASI preview1 and the shims). A fuzzer's run is small, and
//! building both again for each run cost about a tenth of it; what differs from run to run
//! (the store, its limits and deadline, the stubbed imports) stays per run.
//!
//! Engines for small modules (those compiled on the calling thread) share Cranelift's
//! function cache (`function_cache`).
//!
//! An engine has one epoch counter for all its stores, so a shared engine's tick does not
//! mean that a given run's time is up: each store asks its own watch (`watchdog`).

use std::sync::{Arc, Mutex};

use wasmtime::{Engine, Linker};

use super::config;
use super::function_cache::FunctionCache;
use super::run::State;
use super::shims::{self, HasShims};
use crate::limits::GuestLimits;

/// Configurations kept at once; past it the oldest goes (runs holding it keep theirs).
/// Callers use one or two; a caller drawing stack limits at random would otherwise grow
/// the list without end.
const KEPT: usize = 8;

/// What makes two runs' engines differ: the guest's stack, Cranelift's optimizations and
/// whether compilation fans out to threads.
type Key = (u64, bool, bool);

/// An engine and the linker its runs start from.
pub(super) struct Shared {
    pub engine: Engine,
    pub linker: Linker<State>,
}

static KEPT_ENGINES: Mutex<Vec<(Key, Arc<Shared>)>> = Mutex::new(Vec::new());

/// The engine (and linker) for runs under `guest` whose compile fans out or not (`parallel`).
pub(super) fn shared(guest: &GuestLimits, optimized: bool, parallel: bool) -> wasmtime::Result<Arc<Shared>> {
    let key = (guest.stack_bytes(), optimized, parallel);
    let mut kept = KEPT_ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, shared)) = kept.iter().find(|(k, _)| *k == key) {
        return Ok(Arc::clone(shared));
    }
    let mut config = config(guest, optimized);
    config.parallel_compilation(parallel);
    if !parallel {
        config.enable_incremental_compilation(FunctionCache::shared())?;
    }
    let engine = Engine::new(&config)?;
    let mut linker: Linker<State> = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut State| s.wasi())?;
    shims::install(&mut linker)?;
    let shared = Arc::new(Shared { engine, linker });
    if kept.len() >= KEPT {
        kept.remove(0);
    }
    kept.push((key, Arc::clone(&shared)));
    Ok(shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_under_the_same_limits_share_one_engine() {
        let guest = GuestLimits::default();
        let (a, b) = (shared(&guest, false, false).unwrap(), shared(&guest, false, false).unwrap());
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn another_stack_or_optimization_gets_another_engine() {
        let guest = GuestLimits::default();
        let base = shared(&guest, true, false).unwrap();
        let deeper = GuestLimits { max_stack_bytes: guest.max_stack_bytes * 2, ..guest.clone() };
        assert!(!Arc::ptr_eq(&base, &shared(&deeper, true, false).unwrap()));
        assert!(!Arc::ptr_eq(&base, &shared(&guest, false, false).unwrap()));
        assert!(!Arc::ptr_eq(&base, &shared(&guest, true, true).unwrap()));
    }

    #[test]
    fn the_kept_engines_stay_within_their_number() {
        let guest = GuestLimits::default();
        for i in 1..=(KEPT as u64 + 3) {
            let limits = GuestLimits { max_stack_bytes: guest.max_stack_bytes + i * 65536, ..guest.clone() };
            shared(&limits, true, false).unwrap();
        }
        assert!(KEPT_ENGINES.lock().unwrap().len() <= KEPT);
    }
}
