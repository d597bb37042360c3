//! Modules a fuzzing process has already checked. libFuzzer's mutations often leave the
//! bytes a generator reads unchanged (wasm-smith stops reading long before the end of most
//! inputs, and many choices map several byte values to one), so the same module comes back
//! again and again: from `differential`'s seeds, 13618 executions in 30 s generated 3619
//! distinct modules. An oracle whose verdict is a function of the module alone runs a repeat
//! as it ran the first one; `first_time` lets it skip the repeat instead and spend the time
//! on a module it has not seen (reports/baselines/2026-11-27-fuzz-throughput.md has the
//! measurements).
//!
//! Off unless a fuzzing target turns it on for its thread (`Target::fuzz` calls
//! `skip_repeats_on_this_thread` when the target `skips_repeats`):
//! tests, replays and `exec_time` run every input they are given.

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::BuildHasher;

/// Why an oracle skipped an input whose module it has checked.
pub const CHECKED_BEFORE: &str = "this process has checked the module";

/// Modules one thread remembers; past it the record starts over (a module checked before
/// then is checked once more). 16 bytes each: about 24 MiB with the set's own overhead.
pub const REMEMBERED: usize = 1 << 20;

/// Which modules were checked, by a 128-bit digest (two SipHash keys drawn per process: a
/// collision would skip one unseen module, at odds far below any other failure).
struct Seen {
    keys: (RandomState, RandomState),
    digests: HashSet<u128>,
    capacity: usize,
}

impl Seen {
    fn new(capacity: usize) -> Seen {
        Seen { keys: (RandomState::new(), RandomState::new()), digests: HashSet::new(), capacity }
    }

    /// Records `module`; true when it was not recorded before.
    fn first_time(&mut self, module: &[u8]) -> bool {
        let digest = (u128::from(self.keys.0.hash_one(module)) << 64) | u128::from(self.keys.1.hash_one(module));
        if self.digests.contains(&digest) {
            return false;
        }
        if self.digests.len() >= self.capacity {
            self.digests.clear();
        }
        self.digests.insert(digest);
        true
    }
}

thread_local! {
    static SEEN: RefCell<Option<Seen>> = const { RefCell::new(None) };
}

/// From now on, oracles on this thread skip a module they have checked before.
/// `Target::fuzz` calls it with each input of a target that skips repeats (libFuzzer runs
/// them all on one thread; after the first call it costs a thread-local lookup).
pub(crate) fn skip_repeats_on_this_thread() {
    SEEN.with_borrow_mut(|seen| {
        seen.get_or_insert_with(|| Seen::new(REMEMBERED));
    });
}

/// Whether an oracle should check `module`: always, unless this thread skips repeats and
/// has been given the same bytes before. Records it.
pub(crate) fn first_time(module: &[u8]) -> bool {
    SEEN.with_borrow_mut(|seen| seen.as_mut().is_none_or(|seen| seen.first_time(module)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_is_new_once_and_a_changed_byte_makes_another() {
        let mut seen = Seen::new(16);
        assert!(seen.first_time(b"\0asm module"));
        assert!(!seen.first_time(b"\0asm module"));
        assert!(seen.first_time(b"\0asm modulf"));
    }

    #[test]
    fn a_full_record_starts_over_and_stays_within_its_capacity() {
        let mut seen = Seen::new(4);
        for i in 0..4u8 {
            assert!(seen.first_time(&[i]));
        }
        assert!(seen.first_time(&[4]), "a fifth module is new");
        assert!(seen.digests.len() <= 4);
        assert!(seen.first_time(&[0]), "what came before the restart is checked again");
    }

    #[test]
    fn a_thread_that_does_not_skip_repeats_checks_every_module() {
        std::thread::spawn(|| {
            assert!(first_time(b"module"));
            assert!(first_time(b"module"));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_thread_that_skips_repeats_checks_a_module_once() {
        std::thread::spawn(|| {
            skip_repeats_on_this_thread();
            assert!(first_time(b"module"));
            assert!(!first_time(b"module"));
        })
        .join()
        .unwrap();
    }
}
