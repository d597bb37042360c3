//! The guest interrupt flag: an i32 in a one-page shared wasm memory that the
//! instrumentation adds to modules with tail calls and reads before each one. The watchdog
//! raises it from its own thread when it terminates a run, so a guest stuck in a tail-call
//! cycle, where V8's optimizing tier never acts on TerminateExecution
//! (docs/v8-findings.md #5), traps at its next tail call instead.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
pub struct InterruptFlag {
    /// Address of the flag in the shared memory's backing store, while the isolate that
    /// owns it is alive.
    address: Mutex<Option<usize>>,
    raised: AtomicBool,
}

impl InterruptFlag {
    pub fn new() -> Arc<Self> {
        Arc::new(InterruptFlag::default())
    }

    /// Points the flag at the guest's interrupt memory (on the runner thread). A flag raised
    /// before the memory existed is written at once.
    pub(crate) fn attach(&self, address: usize) {
        let mut slot = self.address.lock().unwrap_or_else(|p| p.into_inner());
        *slot = Some(address);
        if self.raised.load(Ordering::SeqCst) {
            // SAFETY: as in `raise`.
            unsafe { (*(address as *const AtomicI32)).store(1, Ordering::SeqCst) };
        }
    }

    /// Forgets the address. Called before the isolate (and so the memory) is disposed.
    pub(crate) fn detach(&self) {
        *self.address.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Stops the guest at its next tail call. Safe to call from any thread, any number of
    /// times.
    pub fn raise(&self) {
        self.raised.store(true, Ordering::SeqCst);
        let slot = self.address.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(address) = *slot {
            // SAFETY: the address is the start of a live shared wasm memory of at least one
            // page (the lock keeps `detach`, and so the isolate's disposal, from racing this
            // write); 4-byte aligned since backing stores are page-aligned; shared memory is
            // meant to be written by other threads, and this write is atomic, like the
            // guest's `i32.atomic.load` of it.
            unsafe { (*(address as *const AtomicI32)).store(1, Ordering::SeqCst) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_writes_the_attached_flag_and_detaching_stops_writes() {
        let memory = Box::new(AtomicI32::new(0));
        let flag = InterruptFlag::new();
        flag.attach(&*memory as *const AtomicI32 as usize);
        assert_eq!(memory.load(Ordering::SeqCst), 0);
        flag.raise();
        assert_eq!(memory.load(Ordering::SeqCst), 1);
        memory.store(0, Ordering::SeqCst);
        flag.detach();
        flag.raise();
        assert_eq!(memory.load(Ordering::SeqCst), 0, "a detached flag must not be written");
    }

    #[test]
    fn a_flag_raised_before_attaching_is_written_on_attach() {
        let memory = Box::new(AtomicI32::new(0));
        let flag = InterruptFlag::new();
        flag.raise();
        flag.attach(&*memory as *const AtomicI32 as usize);
        assert_eq!(memory.load(Ordering::SeqCst), 1);
    }
}
