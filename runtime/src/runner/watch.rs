//! What a runner thread shares with its watchdog: the phase in progress, the deadline of
//! the current stretch of work, whether it passed, and the isolate's handles once they
//! exist.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::guest::Cancel;
use crate::isolate::{HeapGuard, InterruptFlag};

pub(crate) struct Watch {
    phase: Mutex<&'static str>,
    /// When the current stretch of work must be done, and its length in ms for reports.
    deadline: Mutex<(Instant, u64)>,
    timed_out: AtomicBool,
    /// Highest process RSS seen in the current phase.
    peak_rss: AtomicU64,
    /// Stops the guest checks, which no termination reaches.
    cancel: Cancel,
    isolate: OnceLock<(v8::IsolateHandle, Arc<HeapGuard>, Arc<InterruptFlag>)>,
}

impl Watch {
    pub(crate) fn new(limit: Duration) -> Self {
        let watch = Watch {
            phase: Mutex::new("bootstrap"),
            deadline: Mutex::new((Instant::now(), 0)),
            timed_out: AtomicBool::new(false),
            peak_rss: AtomicU64::new(0),
            cancel: Cancel::default(),
            isolate: OnceLock::new(),
        };
        watch.set_deadline(limit);
        watch
    }

    /// Starts a phase; its RSS peak starts from now.
    pub(crate) fn set_phase(&self, phase: &'static str) {
        *self.phase.lock().unwrap_or_else(|p| p.into_inner()) = phase;
        self.peak_rss.store(0, Ordering::SeqCst);
        self.sample_rss();
    }

    /// Records the process's RSS now (the watchdog calls this every tick).
    pub(crate) fn sample_rss(&self) {
        if let Some(rss) = crate::process::rss_bytes() {
            self.peak_rss.fetch_max(rss, Ordering::Relaxed);
        }
    }

    /// The highest RSS of the phase so far, the phase's end included.
    pub(crate) fn phase_peak_rss(&self) -> u64 {
        self.sample_rss();
        self.peak_rss.load(Ordering::SeqCst)
    }

    pub(crate) fn phase(&self) -> &'static str {
        *self.phase.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a new deadline `limit` from now (the run phase has its own wall-time limit).
    pub(crate) fn set_deadline(&self, limit: Duration) {
        let at = Instant::now().checked_add(limit).unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400));
        *self.deadline.lock().unwrap_or_else(|p| p.into_inner()) = (at, limit.as_millis() as u64);
    }

    pub(crate) fn deadline(&self) -> Instant {
        self.deadline.lock().unwrap_or_else(|p| p.into_inner()).0
    }

    pub(crate) fn deadline_ms(&self) -> u64 {
        self.deadline.lock().unwrap_or_else(|p| p.into_inner()).1
    }

    /// The watchdog saw the deadline pass: the guest checks stop too.
    pub(crate) fn mark_timed_out(&self) {
        self.timed_out.store(true, Ordering::SeqCst);
        self.cancel.set();
    }

    pub(crate) fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    pub(crate) fn timed_out(&self) -> bool {
        self.timed_out.load(Ordering::SeqCst)
    }

    /// The isolate's handles, for the watchdog (set once, by the runner thread).
    pub(crate) fn set_isolate(&self, handle: v8::IsolateHandle, guard: Arc<HeapGuard>, interrupt: Arc<InterruptFlag>) {
        let _ = self.isolate.set((handle, guard, interrupt));
    }

    pub(crate) fn isolate(&self) -> Option<&(v8::IsolateHandle, Arc<HeapGuard>, Arc<InterruptFlag>)> {
        self.isolate.get()
    }
}
