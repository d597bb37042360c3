//! Heap-directed mutation, the second half of the heap-guided feedback.
//!
//! The extra counters (`feedback`) decide which inputs libFuzzer keeps, but not which ones it
//! mutates: it draws from a corpus of thousands kept for coverage, where the few that
//! reached a high heap are rarely picked. The heights a guest's heap reaches are set by a few
//! size fields that one mutation changes in one step, so the inputs that reached the highest
//! heaps are the best places to start a mutation from (PerfFuzz's idea, for one resource).
//! Each process keeps the inputs with the highest peaks and the highest peak/bound ratios it
//! has run, and one mutation in `ELITE_SHARE` starts from one of them instead of libFuzzer's
//! pick, with one byte of its size fields changed, for as long as such executions have taken
//! at most `ELITE_TIME_SHARE` of the time. `WASM_RUNNER_FUZZ_HEAP_FEEDBACK=0` turns this off
//! with the counters. The same mutator holds the slow inputs the feedback keeps to their
//! share of the time (`slow_bases`), with the feedback on or off.

use std::cell::Cell;
use std::sync::Mutex;

use wasm_runner_testkit::heap::HeapCheck;

use crate::slow_bases::SlowBases;

/// Inputs kept per dimension (peak, ratio).
pub const KEEP: usize = 8;

/// One mutation in this many may start from an elite...
pub const ELITE_SHARE: u32 = 4;

/// ...while executions started from elites have taken at most this share of the time:
/// the highest-heap inputs are the slowest. Unbudgeted, they left `warmup` a fifth of its
/// executions; a quarter of the time, a third to a half (the corpus fills with heavier
/// modules too); a tenth, 93% (reports/baselines/2026-11-26-heap-feedback.md).
pub const ELITE_TIME_SHARE: f64 = 0.1;

/// The bytes at an input's front, where the generators draw their sizes (`Unstructured`
/// reads the configuration first): an elite is mutated there.
pub const SIZE_FIELD_BYTES: usize = 64;

thread_local! {
    /// The heap check of the execution running on this thread, set by `feedback::observe`
    /// and taken by `offer` once the oracle is done.
    static LAST: Cell<Option<HeapCheck>> = const { Cell::new(None) };
    /// Where the input libFuzzer runs next was started from.
    static STARTED: Cell<Started> = const { Cell::new(Started::Pick) };
}

/// Where a mutation started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    /// libFuzzer's pick, or a base of the usual speed in place of a slow one (`slow_bases`).
    Pick,
    /// libFuzzer's pick, which ran slow.
    SlowBase,
    /// An elite.
    Elite,
}

/// What the custom mutator does with an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// `data[..len]` is an elite with one size byte changed: run as it is.
    Elite(usize),
    /// `data[..len]` is the base for libFuzzer to mutate.
    Mutate(usize),
}

static STEERING: Mutex<Steering> = Mutex::new(Steering::new());

/// The elites, the slow bases (which also time every execution), and the time executions
/// started from an elite took.
#[derive(Debug, Default)]
pub struct Steering {
    elites: Elites,
    slow_bases: SlowBases,
    elite_ms: f64,
}

impl Steering {
    pub const fn new() -> Self {
        Steering { elites: Elites::new(), slow_bases: SlowBases::new(), elite_ms: 0.0 }
    }

    /// One execution of `input` that took `ms`, its heap check if its oracle made one (and
    /// the heap feedback is on).
    pub fn record(&mut self, input: &[u8], found: Option<&HeapCheck>, ms: f64, started: Started) {
        self.slow_bases.record(input, ms, started == Started::SlowBase);
        if started == Started::Elite {
            self.elite_ms += ms;
        }
        if let Some(found) = found {
            self.elites.offer(input, found);
        }
    }

    /// Where a mutation of `data[..size]` (libFuzzer's pick) starts, and from what: an
    /// elite when `seed` draws one and the heap feedback is on (`start_from_elite`); otherwise the
    /// pick, or a base of the usual speed in its place when the pick ran slow and slow
    /// bases have had their share (`slow_bases`).
    pub fn choose(
        &mut self,
        data: &mut [u8],
        size: usize,
        max_size: usize,
        seed: u32,
        feedback: bool,
    ) -> (Start, Started) {
        if feedback {
            if let Some(len) = self.start_from_elite(data, max_size, seed) {
                return (Start::Elite(len), Started::Elite);
            }
        }
        let (len, slow) = self.slow_bases.base(data, size, max_size, seed);
        (Start::Mutate(len), if slow { Started::SlowBase } else { Started::Pick })
    }

    /// When `seed` draws an elite and elites are within their share of the time: writes
    /// that elite into `data`, one byte of its first `SIZE_FIELD_BYTES` set to a value
    /// drawn from `seed`, and returns its length.
    pub fn start_from_elite(&self, data: &mut [u8], max_size: usize, seed: u32) -> Option<usize> {
        if self.elite_ms > ELITE_TIME_SHARE * self.slow_bases.all_ms() {
            return None;
        }
        let elite = self.elites.pick(seed, max_size.min(data.len()))?;
        data[..elite.len()].copy_from_slice(elite);
        // The pick used the seed's low bits; the byte and its value come from a mix of all.
        let mut draw = u64::from(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        draw ^= draw >> 29;
        let field = (draw % SIZE_FIELD_BYTES.min(elite.len()).max(1) as u64) as usize;
        if let Some(byte) = data[..elite.len()].get_mut(field) {
            *byte = (draw >> 32) as u8;
        }
        Some(elite.len())
    }
}

/// The best inputs seen, highest first, by peak bytes and by ratio (in millionths).
#[derive(Debug, Default)]
pub struct Elites {
    by_peak: Vec<(u64, Vec<u8>)>,
    by_ratio: Vec<(u64, Vec<u8>)>,
}

impl Elites {
    pub const fn new() -> Self {
        Elites { by_peak: Vec::new(), by_ratio: Vec::new() }
    }

    /// Keeps `input` where its check is among the `KEEP` best of a dimension.
    pub fn offer(&mut self, input: &[u8], found: &HeapCheck) {
        keep_best(&mut self.by_peak, found.peak_bytes, input);
        keep_best(&mut self.by_ratio, (found.ratio() * 1e6) as u64, input);
    }

    /// The elite a mutation drawn as `draw` starts from, if it does (one draw in
    /// `ELITE_SHARE`, and only an elite of at most `max_size` bytes). Half of those draws
    /// take a dimension's best, the rest any of its elites.
    pub fn pick(&self, draw: u32, max_size: usize) -> Option<&[u8]> {
        if !draw.is_multiple_of(ELITE_SHARE) {
            return None;
        }
        let draw = draw / ELITE_SHARE;
        let pool = if draw.is_multiple_of(2) { &self.by_peak } else { &self.by_ratio };
        let draw = draw / 2;
        let index = if draw.is_multiple_of(2) || pool.is_empty() { 0 } else { (draw / 2) as usize % pool.len() };
        pool.get(index).map(|(_, input)| input.as_slice()).filter(|input| input.len() <= max_size)
    }
}

/// Inserts `(score, input)` into `pool` (highest first, at most `KEEP`); an input already
/// there for the same score is replaced only by a shorter one, so the pool spreads over
/// heights instead of filling with variants of one.
fn keep_best(pool: &mut Vec<(u64, Vec<u8>)>, score: u64, input: &[u8]) {
    if let Some(same) = pool.iter_mut().find(|(s, _)| *s == score) {
        if input.len() < same.1.len() {
            same.1 = input.to_vec();
        }
        return;
    }
    if pool.len() == KEEP && pool.last().is_some_and(|(lowest, _)| *lowest >= score) {
        return;
    }
    let at = pool.partition_point(|(s, _)| *s > score);
    pool.insert(at, (score, input.to_vec()));
    pool.truncate(KEEP);
}

/// Records this thread's execution's heap check, for `offer`.
pub(crate) fn observed(found: &HeapCheck) {
    LAST.with(|last| last.set(Some(*found)));
}

/// The heap check this thread's last execution made, if any since the last take.
pub(crate) fn take_observed() -> Option<HeapCheck> {
    LAST.with(Cell::take)
}

/// Called by a target after its oracle, with the time the execution took: keeps `input` if
/// it reached one of the highest heaps (nothing when the oracle checked no heap, or with
/// the feedback off), and counts the time against the share of where it started from.
pub fn offer(input: &[u8], took: std::time::Duration) {
    let started = STARTED.with(|s| s.replace(Started::Pick));
    let found = take_observed().filter(|_| crate::feedback::enabled());
    lock().record(input, found.as_ref(), took.as_secs_f64() * 1e3, started);
}

/// The custom mutator's first step (`Steering::choose`), for `data[..size]`, libFuzzer's
/// pick.
pub fn start(data: &mut [u8], size: usize, max_size: usize, seed: u32) -> Start {
    let (start, started) = lock().choose(data, size, max_size, seed, crate::feedback::enabled());
    STARTED.with(|s| s.set(started));
    start
}

fn lock() -> std::sync::MutexGuard<'static, Steering> {
    STEERING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Defines a target's custom mutator: a mutation starts from one of the inputs that reached
/// the highest heaps when `start` says so, and is otherwise libFuzzer's own, of its pick or
/// of a base `slow_bases` puts in place of a slow pick.
/// `Target::fuzz` offers each input of a heap-checked target after its oracle.
#[macro_export]
macro_rules! heap_guided_mutator {
    () => {
        $crate::libfuzzer_sys::fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
            match $crate::elites::start(data, size, max_size, seed) {
                $crate::elites::Start::Elite(size) => size,
                $crate::elites::Start::Mutate(size) => $crate::libfuzzer_sys::fuzzer_mutate(data, size, max_size),
            }
        });
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(peak_bytes: u64, bound_bytes: u64) -> HeapCheck {
        HeapCheck { peak_bytes, bound_bytes }
    }

    #[test]
    fn the_pool_keeps_the_highest_peaks_highest_first() {
        let mut elites = Elites::new();
        for peak in 1..=20u64 {
            elites.offer(&[peak as u8], &check(peak, 1000));
        }
        let peaks: Vec<u64> = elites.by_peak.iter().map(|(p, _)| *p).collect();
        assert_eq!(peaks, (13..=20).rev().collect::<Vec<_>>());
    }

    #[test]
    fn the_ratio_pool_ranks_by_ratio_not_by_peak() {
        let mut elites = Elites::new();
        elites.offer(b"big", &check(1000, 100_000));
        elites.offer(b"near", &check(90, 100));
        assert_eq!(elites.by_peak[0].1, b"big");
        assert_eq!(elites.by_ratio[0].1, b"near");
    }

    #[test]
    fn an_equal_score_keeps_the_shorter_input_once() {
        let mut elites = Elites::new();
        elites.offer(b"longer", &check(50, 100));
        elites.offer(b"short", &check(50, 100));
        elites.offer(b"longest!", &check(50, 100));
        assert_eq!(elites.by_peak, vec![(50, b"short".to_vec())]);
    }

    #[test]
    fn one_draw_in_elite_share_starts_from_an_elite() {
        let mut elites = Elites::new();
        elites.offer(b"top", &check(100, 100));
        let picked = (0..4000).filter(|&draw| elites.pick(draw, 100).is_some()).count();
        assert_eq!(picked, 4000 / ELITE_SHARE as usize);
        assert!(Elites::new().pick(0, 100).is_none(), "an empty pool starts nothing");
    }

    #[test]
    fn every_elite_can_be_drawn_and_the_best_most_often() {
        let mut elites = Elites::new();
        for peak in 1..=KEEP as u64 {
            elites.offer(&[peak as u8], &check(peak, 1 << 20));
        }
        let mut drawn = std::collections::HashMap::<u8, usize>::new();
        for draw in 0..100_000 {
            if let Some(input) = elites.pick(draw, 100) {
                *drawn.entry(input[0]).or_default() += 1;
            }
        }
        assert_eq!(drawn.len(), KEEP, "drawn: {drawn:?}");
        let best = drawn[&(KEEP as u8)];
        assert!(drawn.values().all(|&n| n <= best), "drawn: {drawn:?}");
    }

    /// A draw that picks an elite (`ELITE_SHARE` divides it), for `Steering::start_from_elite`.
    fn drawing(seed: u32) -> u32 {
        seed * ELITE_SHARE * 4
    }

    #[test]
    fn a_start_from_an_elite_changes_at_most_one_of_its_size_field_bytes() {
        let elite: Vec<u8> = (0..200).map(|i| i as u8).collect();
        let mut steering = Steering::new();
        steering.record(&elite, Some(&check(100, 100)), 1.0, Started::Pick);
        let mut changed_fields = std::collections::HashSet::new();
        for seed in 0..500 {
            let mut data = vec![0xAA; 400];
            let size = steering.start_from_elite(&mut data, 400, drawing(seed)).expect("the draw picks the elite");
            assert_eq!(size, elite.len());
            let changed: Vec<usize> = (0..size).filter(|&i| data[i] != elite[i]).collect();
            assert!(changed.len() <= 1, "seed {seed} changed {changed:?}");
            assert!(changed.iter().all(|&i| i < SIZE_FIELD_BYTES), "seed {seed} changed {changed:?}");
            changed_fields.extend(changed);
        }
        assert!(changed_fields.len() > SIZE_FIELD_BYTES / 2, "bytes changed: {changed_fields:?}");
    }

    #[test]
    fn elites_are_not_started_from_once_they_have_taken_more_than_their_share_of_the_time() {
        let mut steering = Steering::new();
        steering.record(b"heavy", Some(&check(100, 100)), 10.0, Started::Pick);
        let mut data = vec![0; 16];
        assert!(steering.start_from_elite(&mut data, 16, drawing(1)).is_some());
        steering.record(b"heavy", Some(&check(100, 100)), 90.0, Started::Elite);
        assert!(steering.start_from_elite(&mut data, 16, drawing(1)).is_none(), "elites took 90% of the time");
        steering.record(b"light", None, 1000.0, Started::Pick);
        assert!(steering.start_from_elite(&mut data, 16, drawing(1)).is_some(), "elites took 9% of the time");
    }

    #[test]
    fn with_the_feedback_off_no_mutation_starts_from_an_elite_but_slow_picks_still_give_way() {
        let mut steering = Steering::new();
        steering.record(b"elite", Some(&check(100, 100)), 1.0, Started::Pick);
        for i in 0..crate::slow_bases::FIRST_EXECUTIONS {
            steering.record(&i.to_le_bytes(), None, 1.0, Started::Pick);
        }
        steering.record(b"slow", None, 500.0, Started::SlowBase);
        let mut data = vec![0; 16];
        data[..5].copy_from_slice(b"usual");
        assert_eq!(steering.choose(&mut data, 5, 16, drawing(1), false), (Start::Mutate(5), Started::Pick));
        data[..4].copy_from_slice(b"slow");
        assert_eq!(steering.choose(&mut data, 4, 16, drawing(1), false), (Start::Mutate(5), Started::Pick));
        assert_eq!(&data[..5], b"usual", "slow bases took 500 of 757 ms");
        assert_eq!(steering.choose(&mut data, 4, 16, drawing(1), true).1, Started::Elite);
    }

    #[test]
    fn an_elite_longer_than_the_mutation_allows_is_not_started_from() {
        let mut elites = Elites::new();
        elites.offer(&[7; 64], &check(100, 100));
        assert!(elites.pick(0, 63).is_none());
        assert_eq!(elites.pick(0, 64), Some(&[7u8; 64][..]));
    }
}
