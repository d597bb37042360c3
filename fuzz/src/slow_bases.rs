//! The counterweight to the heap feedback: a share of the time, not of the mutations, for
//! the slow inputs it pulls into the corpus.
//!
//! The heap feedback keeps inputs that reach heap levels not seen before, and the highest
//! heaps take the longest to build: five million table slots cost V8 50-100 ms, most modules
//! half a millisecond. libFuzzer mutates every corpus input alike whatever its speed, and the
//! mutants of a slow input are slow too: in `warmup`'s first minute from its seeds,
//! mutations of inputs that had run slow took 40% of the time, and 98% of that went on
//! mutants as slow as their base (reports/baselines/2026-11-27-fuzz-throughput.md). So a
//! mutation may start from an input that ran more than `SLOW_FACTOR` times the process's
//! mean only while such mutations have taken at most `SLOW_BASE_TIME_SHARE` of the time;
//! past that, it starts from one of the last bases that ran at the usual speed. The slow
//! inputs stay in the corpus and keep that share, as the elites keep theirs.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hasher};

/// An execution is slow when it took more than this many times the mean of the process's
/// executions so far. The slow ones are in the mean, so at most about a quarter of the
/// executions can count as slow: a mean of the others would not rise with them, but once
/// the usual speed had grown past this factor everything would be slow and stay so.
pub const SLOW_FACTOR: f64 = 4.0;

/// Executions started from slow bases may take this share of the time.
pub const SLOW_BASE_TIME_SHARE: f64 = 0.1;

/// Before this many executions the mean says too little: nothing is slow yet.
pub const FIRST_EXECUTIONS: u64 = 256;

/// Slow inputs remembered, by a 64-bit digest; past it the record starts over (a collision
/// or a forgotten input only moves one mutation's start).
const REMEMBERED_SLOW: usize = 1 << 16;

/// Recent bases of the usual speed kept to start from instead of a slow one.
const USUAL_BASES: usize = 64;

#[derive(Debug, Default)]
pub struct SlowBases {
    executions: u64,
    all_ms: f64,
    slow_base_ms: f64,
    slow: BTreeSet<u64>,
    usual: Vec<Vec<u8>>,
    next_usual: usize,
}

impl SlowBases {
    pub const fn new() -> Self {
        SlowBases {
            executions: 0,
            all_ms: 0.0,
            slow_base_ms: 0.0,
            slow: BTreeSet::new(),
            usual: Vec::new(),
            next_usual: 0,
        }
    }

    /// Time of every execution recorded.
    pub fn all_ms(&self) -> f64 {
        self.all_ms
    }

    /// One execution of `input` that took `ms`, started from a slow base or not.
    pub fn record(&mut self, input: &[u8], ms: f64, from_slow_base: bool) {
        self.executions += 1;
        self.all_ms += ms;
        if from_slow_base {
            self.slow_base_ms += ms;
        }
        let mean = self.all_ms / self.executions as f64;
        if self.executions >= FIRST_EXECUTIONS && ms > SLOW_FACTOR * mean {
            if self.slow.len() >= REMEMBERED_SLOW {
                self.slow.clear();
            }
            self.slow.insert(digest(input));
        }
    }

    /// The base a mutation of `data[..size]` (libFuzzer's pick) starts from, written into
    /// `data`: its length, and whether it is a slow input. A slow pick stays while slow bases
    /// are within their share of the time; past it, a recent base of the usual speed (drawn
    /// with `draw`) takes its place, when one fits in `max_size`.
    pub fn base(&mut self, data: &mut [u8], size: usize, max_size: usize, draw: u32) -> (usize, bool) {
        let Some(picked) = data.get(..size) else { return (size, false) };
        if !self.slow.contains(&digest(picked)) {
            self.remember_usual(picked);
            return (size, false);
        }
        if self.slow_base_ms <= SLOW_BASE_TIME_SHARE * self.all_ms || self.usual.is_empty() {
            return (size, true);
        }
        // The elites took the draws `ELITE_SHARE` divides: mixed, the rest reach every slot.
        let mixed = (u64::from(draw).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize;
        let usual = &self.usual[mixed % self.usual.len()];
        if usual.len() > max_size.min(data.len()) {
            return (size, true);
        }
        data[..usual.len()].copy_from_slice(usual);
        (usual.len(), false)
    }

    fn remember_usual(&mut self, base: &[u8]) {
        if self.usual.len() < USUAL_BASES {
            self.usual.push(base.to_vec());
        } else {
            let slot = &mut self.usual[self.next_usual];
            slot.clear();
            slot.extend_from_slice(base);
        }
        self.next_usual = (self.next_usual + 1) % USUAL_BASES;
    }
}

fn digest(input: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(input);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `FIRST_EXECUTIONS` executions of 1 ms each, from bases of the usual speed.
    fn warmed_up() -> SlowBases {
        let mut bases = SlowBases::new();
        for i in 0..FIRST_EXECUTIONS {
            bases.record(&i.to_le_bytes(), 1.0, false);
        }
        bases
    }

    fn pick(bases: &mut SlowBases, input: &[u8]) -> (Vec<u8>, bool) {
        let mut data = vec![0; 64];
        data[..input.len()].copy_from_slice(input);
        let (size, slow) = bases.base(&mut data, input.len(), 64, 0);
        (data[..size].to_vec(), slow)
    }

    #[test]
    fn an_input_far_slower_than_the_mean_is_a_slow_base() {
        let mut bases = warmed_up();
        bases.record(b"slow", 50.0, false);
        bases.record(b"usual", 1.0, false);
        assert_eq!(pick(&mut bases, b"slow"), (b"slow".to_vec(), true));
        assert_eq!(pick(&mut bases, b"usual"), (b"usual".to_vec(), false));
    }

    #[test]
    fn nothing_is_slow_before_the_mean_is_known() {
        let mut bases = SlowBases::new();
        bases.record(b"fast", 0.1, false);
        bases.record(b"slow", 1000.0, false);
        assert_eq!(pick(&mut bases, b"slow"), (b"slow".to_vec(), false));
    }

    #[test]
    fn a_slow_base_gives_way_to_a_usual_one_once_slow_bases_took_more_than_their_share() {
        let mut bases = warmed_up();
        bases.record(b"slow", 50.0, false);
        pick(&mut bases, b"usual");
        // 306 ms so far; slow bases may take a tenth.
        bases.record(b"slow", 30.0, true);
        assert_eq!(pick(&mut bases, b"slow"), (b"slow".to_vec(), true), "30 of 336 ms");
        bases.record(b"slow", 10.0, true);
        assert_eq!(pick(&mut bases, b"slow"), (b"usual".to_vec(), false), "40 of 346 ms");
    }

    #[test]
    fn a_slow_base_stays_when_no_usual_base_fits() {
        let mut bases = warmed_up();
        bases.record(b"slow", 500.0, true);
        assert_eq!(pick(&mut bases, b"slow"), (b"slow".to_vec(), true), "no usual base seen yet");
        let long = [7u8; 64];
        pick(&mut bases, &long);
        let mut data = vec![0; 64];
        data[..4].copy_from_slice(b"slow");
        assert_eq!(bases.base(&mut data, 4, 32, 0), (4, true), "the only usual base is longer than 32");
    }

    #[test]
    fn every_usual_base_can_take_a_slow_ones_place_from_draws_the_elites_left() {
        let mut bases = warmed_up();
        for i in 0..USUAL_BASES as u32 {
            pick(&mut bases, &i.to_le_bytes());
        }
        bases.record(b"slow", 500.0, true);
        let mut taken = BTreeSet::new();
        for draw in (0..4000u32).filter(|d| !d.is_multiple_of(crate::elites::ELITE_SHARE)) {
            let mut data = vec![0; 64];
            data[..4].copy_from_slice(b"slow");
            let (size, slow) = bases.base(&mut data, 4, 64, draw);
            assert!(!slow && size == 4);
            taken.insert(u32::from_le_bytes(data[..4].try_into().unwrap()));
        }
        assert_eq!(taken.len(), USUAL_BASES);
    }

    #[test]
    fn the_usual_bases_are_the_latest_ones_picked() {
        let mut bases = warmed_up();
        for i in 0..(USUAL_BASES as u32 + 10) {
            pick(&mut bases, &i.to_le_bytes());
        }
        let kept: BTreeSet<u32> = bases.usual.iter().map(|b| u32::from_le_bytes(b[..4].try_into().unwrap())).collect();
        assert_eq!(kept, (10..USUAL_BASES as u32 + 10).collect());
    }
}
