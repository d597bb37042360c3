//! Heap high-water per phase. Sampling only at phase boundaries misses the peak that a
//! garbage collection inside the phase clears away, so a GC prologue callback samples the
//! used heap right before every collection too.

use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};

/// V8 heap use over one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PhaseHeap {
    /// Highest used heap seen during the phase (boundaries and every GC).
    pub peak_used_heap_bytes: usize,
    /// Used heap when the phase ended.
    pub used_heap_after_bytes: usize,
}

/// Boxed so its address stays fixed while V8 holds it as callback data.
pub(crate) struct HeapTracker {
    peak: AtomicUsize,
}

impl HeapTracker {
    pub(crate) fn install(isolate: &mut v8::OwnedIsolate) -> Box<HeapTracker> {
        let tracker = Box::new(HeapTracker { peak: AtomicUsize::new(0) });
        let data = &*tracker as *const HeapTracker as *mut c_void;
        isolate.add_gc_prologue_callback(gc_prologue, data, v8::GCType::kGCTypeAll);
        tracker
    }

    pub(crate) fn uninstall(&self, isolate: &mut v8::OwnedIsolate) {
        let data = self as *const HeapTracker as *mut c_void;
        isolate.remove_gc_prologue_callback(gc_prologue, data);
    }

    /// Starts a phase: the peak restarts from the heap in use now.
    pub(crate) fn begin(&self, isolate: &mut v8::OwnedIsolate) {
        let used = isolate.get_heap_statistics().used_heap_size();
        self.peak.store(used, Ordering::SeqCst);
    }

    /// Ends a phase and returns its figures.
    pub(crate) fn end(&self, isolate: &mut v8::OwnedIsolate) -> PhaseHeap {
        let used = isolate.get_heap_statistics().used_heap_size();
        let peak = self.peak.fetch_max(used, Ordering::SeqCst).max(used);
        PhaseHeap { peak_used_heap_bytes: peak, used_heap_after_bytes: used }
    }

    fn sample(&self, used: usize) {
        self.peak.fetch_max(used, Ordering::SeqCst);
    }
}

/// Runs before every garbage collection.
///
/// # Safety
/// `data` is the `HeapTracker` registered in `HeapTracker::install`, alive until
/// `uninstall`. V8 runs this on the isolate's thread; reading statistics does not allocate
/// on the JS heap, which is all a GC callback may not do.
unsafe extern "C" fn gc_prologue(
    mut isolate: v8::UnsafeRawIsolatePtr,
    _gc_type: v8::GCType,
    _flags: v8::GCCallbackFlags,
    data: *mut c_void,
) {
    // SAFETY: see the function's contract.
    let tracker = unsafe { &*(data as *const HeapTracker) };
    // SAFETY: V8 hands us the live isolate that is collecting.
    let isolate = unsafe { v8::Isolate::ref_from_raw_isolate_ptr_mut(&mut isolate) };
    tracker.sample(isolate.get_heap_statistics().used_heap_size());
}
