//! The reference's wall time: one thread for the process watches every run's deadline and,
//! when one passes, marks that run timed out and ticks its engine's epoch. A thread of its
//! own for each run cost a fuzzer's small run more than its instantiation.
//!
//! Engines are shared (`engines`), so a tick reaches every store of the engine: a store
//! interrupts its guest only when its own watch says its time is up (`Watch::on_tick`), and
//! goes on otherwise.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use wasmtime::{Engine, UpdateDeadline};

/// One run's deadline.
struct Entry {
    deadline: Instant,
    engine: Engine,
    timed_out: AtomicBool,
}

/// The runs being watched, and the watchdog's wake-up when an earlier deadline arrives.
struct Watched {
    entries: Mutex<Vec<Arc<Entry>>>,
    earlier: Condvar,
}

static WATCHED: Watched = Watched { entries: Mutex::new(Vec::new()), earlier: Condvar::new() };
/// Whether the watchdog thread started (once a process), or why not.
static STARTED: OnceLock<Result<(), String>> = OnceLock::new();

fn entries() -> MutexGuard<'static, Vec<Arc<Entry>>> {
    WATCHED.entries.lock().unwrap_or_else(|e| e.into_inner())
}

/// A run's watch, from `watch` until `finish` (or drop).
pub(super) struct Watch {
    entry: Arc<Entry>,
}

/// Watches a run on `engine` whose wall time ends at `deadline`.
pub(super) fn watch(engine: &Engine, deadline: Instant) -> Result<Watch, String> {
    STARTED
        .get_or_init(|| {
            std::thread::Builder::new()
                .name("wasmtime-watchdog".into())
                .spawn(watch_deadlines)
                .map(drop)
                .map_err(|e| format!("could not start the wasmtime watchdog thread: {e}"))
        })
        .clone()?;
    let entry = Arc::new(Entry { deadline, engine: engine.clone(), timed_out: AtomicBool::new(false) });
    let mut entries = entries();
    let earliest = entries.iter().all(|e| e.deadline > entry.deadline);
    entries.push(Arc::clone(&entry));
    drop(entries);
    if earliest {
        WATCHED.earlier.notify_one();
    }
    Ok(Watch { entry })
}

impl Watch {
    /// What a store does on its engine's epoch tick: interrupt the guest when this run's
    /// time is up, go on for another tick otherwise (another run's deadline ticked).
    pub(super) fn on_tick(&self) -> impl FnMut() -> UpdateDeadline + Send + Sync + 'static {
        let entry = Arc::clone(&self.entry);
        move || {
            if entry.timed_out.load(Ordering::SeqCst) {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Continue(1)
            }
        }
    }

    /// Stops watching; whether the deadline had passed. Once this returns the answer is
    /// final: the watchdog marks runs only while it holds the list this removes the run from.
    pub(super) fn finish(self) -> bool {
        let entry = Arc::clone(&self.entry);
        drop(self);
        entry.timed_out.load(Ordering::SeqCst)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        entries().retain(|e| !Arc::ptr_eq(e, &self.entry));
    }
}

/// The watchdog thread: marks and ticks each run whose deadline passed, then sleeps until
/// the next deadline or an earlier one arrives.
fn watch_deadlines() {
    let mut entries = entries();
    loop {
        let now = Instant::now();
        entries.retain(|e| {
            if e.deadline > now {
                return true;
            }
            e.timed_out.store(true, Ordering::SeqCst);
            e.engine.increment_epoch();
            false
        });
        entries = match entries.iter().map(|e| e.deadline).min() {
            Some(next) => WATCHED.earlier.wait_timeout(entries, next - now).unwrap_or_else(|e| e.into_inner()).0,
            None => WATCHED.earlier.wait(entries).unwrap_or_else(|e| e.into_inner()),
        };
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn engine() -> Engine {
        Engine::new(wasmtime::Config::new().epoch_interruption(true)).unwrap()
    }

    #[test]
    fn a_run_past_its_deadline_is_marked_timed_out() {
        let watch = watch(&engine(), Instant::now() + Duration::from_millis(1)).unwrap();
        while !watch.entry.timed_out.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(watch.finish());
    }

    #[test]
    fn a_run_that_finishes_before_its_deadline_is_not_timed_out_and_leaves_the_list() {
        let watch = watch(&engine(), Instant::now() + Duration::from_secs(3600)).unwrap();
        let entry = Arc::clone(&watch.entry);
        assert!(!watch.finish());
        assert!(!entries().iter().any(|e| Arc::ptr_eq(e, &entry)), "a finished run is still watched");
    }

    #[test]
    fn a_tick_interrupts_only_the_run_whose_time_is_up() {
        let engine = engine();
        let late = watch(&engine, Instant::now() + Duration::from_secs(3600)).unwrap();
        let due = watch(&engine, Instant::now() + Duration::from_millis(1)).unwrap();
        while !due.entry.timed_out.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(matches!((due.on_tick())(), UpdateDeadline::Interrupt));
        assert!(matches!((late.on_tick())(), UpdateDeadline::Continue(1)));
        assert!(!late.finish());
    }

    #[test]
    fn an_earlier_deadline_wakes_the_watchdog_from_a_later_one() {
        let later = watch(&engine(), Instant::now() + Duration::from_secs(3600)).unwrap();
        let earlier = watch(&engine(), Instant::now() + Duration::from_millis(5)).unwrap();
        let started = Instant::now();
        while !earlier.entry.timed_out.load(Ordering::SeqCst) {
            assert!(started.elapsed() < Duration::from_secs(600), "the earlier deadline was never marked");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(earlier.finish());
        assert!(!later.finish());
    }
}
