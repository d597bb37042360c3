//! Cooperative cancellation of the guest checks: the watchdog cannot terminate Rust code, so
//! the checks look at this flag between function bodies and every few thousand operators,
//! and stop with `Cancelled` once the deadline has passed. No check thread outlives it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Operators validated between two looks at the flag: a few milliseconds of work at most.
pub(crate) const CHECK_EVERY_OPS: u32 = 1 << 14;

#[derive(Debug, Clone, Default)]
pub(crate) struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub(crate) fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub(crate) fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
