//! The near-heap-limit guard.
//!
//! V8 calls the near-heap-limit callback when the heap is about to reach its limit. If the
//! callback returns a limit that is not higher, V8 gives up and aborts the whole process
//! (the production bug's "uncatchable, message-less exception" is the milder embedder variant of
//! this). So the guard always raises the limit a bounded number of times, requests
//! termination on every call, and records what happened so that the runner can report a
//! typed `HeapLimitExhausted` instead of `Error: null`.

use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

const MIB: usize = 1024 * 1024;

/// How much one raise adds. V8 calls the guard once per failing allocation and aborts if
/// the raised limit still cannot hold that allocation, so one raise must fit the largest
/// single object V8 allocates: a maximal FixedArray or two-byte string, about 1 GiB on
/// 64-bit without pointer compression (a 10M-slot wasm dispatch table is about 240 MB).
/// It is reserved address space, committed only if the isolate really grows into it.
pub const HEAP_GUARD_RAISE_BYTES: usize = 1024 * MIB;
/// How many times the guard raises the limit before it stops raising. V8 then aborts the
/// process, which is why runs that can get there belong in child processes.
pub const HEAP_GUARD_MAX_RAISES: u32 = 4;

/// How the guard raises the limit. Pure, so it is tested without V8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardPolicy {
    pub raise_bytes: usize,
    pub max_raises: u32,
}

impl Default for GuardPolicy {
    fn default() -> Self {
        GuardPolicy { raise_bytes: HEAP_GUARD_RAISE_BYTES, max_raises: HEAP_GUARD_MAX_RAISES }
    }
}

impl GuardPolicy {
    /// The limit to hand back on call number `call` (0-based); `None` once raises run out.
    pub fn next_limit(&self, call: u32, current_limit: usize) -> Option<usize> {
        (call < self.max_raises).then(|| current_limit.saturating_add(self.raise_bytes))
    }

    /// The most the heap may grow past its initial limit under this policy.
    pub fn worst_case_overshoot(&self) -> usize {
        self.raise_bytes.saturating_mul(self.max_raises as usize)
    }
}

/// What the guard saw the first time it fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardReport {
    pub phase: &'static str,
    /// Used V8 heap when the guard first fired.
    pub observed_bytes: usize,
    /// The heap limit V8 was enforcing when the guard first fired.
    pub capacity_bytes: usize,
    /// How many times V8 called the guard.
    pub calls: u32,
}

/// The isolate pointer the guard reads statistics through.
struct IsolatePtr(v8::UnsafeRawIsolatePtr);

// SAFETY: the pointer is only dereferenced inside the near-heap-limit callback, which V8
// runs on the isolate's own thread while the isolate is alive. Other threads only touch
// the guard's atomics and the thread-safe `IsolateHandle`.
unsafe impl Send for IsolatePtr {}
unsafe impl Sync for IsolatePtr {}

/// Guard state, shared with the watchdog; V8 holds its address as callback data.
pub(crate) struct HeapGuard {
    isolate: IsolatePtr,
    policy: GuardPolicy,
    phase: Mutex<&'static str>,
    calls: AtomicU32,
    first: OnceLock<(Instant, GuardReport)>,
}

impl HeapGuard {
    /// Installs a guard on `isolate`. The guard must outlive every V8 call on the isolate;
    /// `uninstall` must run before the isolate is disposed. It is an `Arc` from the start
    /// because V8 keeps its address: it must never move.
    pub(crate) fn install(isolate: &mut v8::OwnedIsolate) -> Arc<HeapGuard> {
        let guard = Arc::new(HeapGuard {
            // SAFETY: only used inside the callback, which V8 runs on the isolate's thread
            // while the isolate is alive.
            isolate: IsolatePtr(unsafe { isolate.as_raw_isolate_ptr() }),
            policy: GuardPolicy::default(),
            phase: Mutex::new("bootstrap"),
            calls: AtomicU32::new(0),
            first: OnceLock::new(),
        });
        let data = Arc::as_ptr(&guard) as *mut c_void;
        isolate.add_near_heap_limit_callback(near_heap_limit, data);
        guard
    }

    pub(crate) fn uninstall(&self, isolate: &mut v8::OwnedIsolate) {
        isolate.remove_near_heap_limit_callback(near_heap_limit, 0);
    }

    pub(crate) fn set_phase(&self, phase: &'static str) {
        *self.phase.lock().unwrap_or_else(|p| p.into_inner()) = phase;
    }

    /// When the guard first fired, and what it saw.
    pub fn fired(&self) -> Option<(Instant, GuardReport)> {
        self.first.get().map(|(at, report)| {
            let mut report = report.clone();
            report.calls = self.calls.load(Ordering::SeqCst);
            (*at, report)
        })
    }

    fn on_near_limit(&self, current_limit: usize) -> usize {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let mut ptr = self.isolate.0;
        // SAFETY: V8 calls this on the isolate's own thread, during an allocation, while the
        // isolate is alive.
        let isolate = unsafe { v8::Isolate::ref_from_raw_isolate_ptr_mut(&mut ptr) };
        // Termination is requested on every call, since a request can be lost (see README).
        // Through the isolate itself, not the shared `IsolateHandle`: the handle's mutex may
        // be held by the watchdog, and waiting on it here deadlocks inside a GC.
        isolate.terminate_execution();
        if call == 0 {
            // Reading statistics does not allocate on the JS heap.
            let used = isolate.get_heap_statistics().used_heap_size();
            let phase = *self.phase.lock().unwrap_or_else(|p| p.into_inner());
            let report = GuardReport { phase, observed_bytes: used, capacity_bytes: current_limit, calls: 1 };
            let fill_percent = used.saturating_mul(100).checked_div(current_limit).unwrap_or(100);
            tracing::warn!(
                limit = "v8_heap_bytes",
                observed = used,
                capacity = current_limit,
                fill_percent,
                phase,
                "bounded limit exhausted"
            );
            let _ = self.first.set((Instant::now(), report));
        }
        match self.policy.next_limit(call, current_limit) {
            Some(raised) => raised,
            None => {
                // The process is about to die: say why on stderr whatever logging is set up.
                eprintln!(
                    "wasm-runner: heap guard: termination has not landed after {} bounded raises \
                     (limit {current_limit} bytes); V8 will abort this process",
                    self.policy.max_raises
                );
                current_limit
            }
        }
    }
}

/// The callback V8 invokes near the heap limit.
///
/// # Safety
/// `data` is the `HeapGuard` registered in `HeapGuard::install`, alive until `uninstall`.
/// Nothing in here may unwind across the FFI boundary: no panicking calls.
unsafe extern "C" fn near_heap_limit(data: *mut c_void, current_heap_limit: usize, _initial: usize) -> usize {
    // SAFETY: see the function's contract.
    let guard = unsafe { &*(data as *const HeapGuard) };
    guard.on_near_limit(current_heap_limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_raises_a_bounded_number_of_times() {
        let policy = GuardPolicy::default();
        let mut limit = 125 * MIB;
        for call in 0..policy.max_raises {
            let next = policy.next_limit(call, limit).expect("raises while under the bound");
            assert!(next > limit, "a raise must increase the limit or V8 aborts");
            limit = next;
        }
        assert_eq!(policy.next_limit(policy.max_raises, limit), None);
        assert_eq!(limit, 125 * MIB + policy.worst_case_overshoot());
    }

    #[test]
    fn one_raise_fits_the_largest_single_v8_object() {
        // FixedArray::kMaxLength on 64-bit is (1 << 30) - header words, 8 bytes each with
        // no pointer compression: the largest object one allocation can ask for.
        let largest_fixed_array = (1usize << 30) - 16;
        assert!(GuardPolicy::default().raise_bytes >= largest_fixed_array);
        assert_eq!(GuardPolicy::default().next_limit(0, usize::MAX), Some(usize::MAX));
    }
}
