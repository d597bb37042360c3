//! The deterministic mode (`RunRequest::deterministic`): what a guest reads of time and
//! randomness, and of file timestamps, when a run must give the same output and the same
//! fuel in both engines and in every run. Both engines take these values from here; how
//! each hands them to the guest (a native in V8, a wrapper over wasmtime-wasi) is theirs.
//!
//! - Clocks: one virtual elapsed time, advanced by `CLOCK_STEP_NS` by each successful
//!   `clock_time_get` (of either clock; one of a CPU-time clock is EBADF and reads nothing)
//!   and by nothing else; the realtime clock reads
//!   `REALTIME_START_NS` plus it, the monotonic clock `MONOTONIC_START_NS` plus it. Other
//!   readers (`poll_oneoff` measuring a timeout) see the current value without advancing
//!   it, so how often an engine reads its clocks inside a call does not matter. Sleeps
//!   still take real time and do not advance it.
//! - Random bytes: one stream from `RandomStream::new(seed)`, consumed in call order.
//! - File timestamps: every `filestat` of a file or directory reports `REALTIME_START_NS`
//!   for access, modification and status change (wasmtime-wasi's come from the host's file
//!   system, which a run cannot fix); stdio keeps its zeros.
//! - Inode numbers and link counts: each engine's own inode number (a node's in V8, a hash
//!   of host metadata in wasmtime-wasi) is reported as the order in which the run first
//!   reported it (`InodeNumbers`), in `filestat` records and directory entries alike; every
//!   file and directory has one link, and a directory's size is 0.
//! - Directory order: `.`, `..`, then names by UTF-16 code units (the V8 runner's order).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// 2020-01-01T00:00:00Z, in nanoseconds since the Unix epoch.
pub const REALTIME_START_NS: u64 = 1_577_836_800_000_000_000;
/// Where the monotonic clock starts: one second, so that a guest subtracting a small
/// interval from its first reading never goes below zero.
pub const MONOTONIC_START_NS: u64 = 1_000_000_000;
/// How far one `clock_time_get` advances the virtual time: 1 ms.
pub const CLOCK_STEP_NS: u64 = 1_000_000;
/// What `clock_res_get` answers for both clocks.
pub const CLOCK_RESOLUTION_NS: u64 = 1_000;

/// The deterministic mode's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deterministic {
    /// Seeds the random bytes the guest reads.
    pub seed: u64,
}

/// The fixed sources of one run: its virtual clocks, its random stream, its inode numbers.
#[derive(Debug)]
pub struct FixedSources {
    pub clocks: VirtualClocks,
    pub random: RandomStream,
    pub inodes: InodeNumbers,
}

impl FixedSources {
    pub fn new(mode: Deterministic) -> Self {
        FixedSources {
            clocks: VirtualClocks::new(),
            random: RandomStream::new(mode.seed),
            inodes: InodeNumbers::default(),
        }
    }
}

/// The link count every file and directory reports.
pub const LINKS: u64 = 1;

/// Inode numbers in the order a run first reports them: 1, 2, 3, ... Each engine numbers
/// its own keys, and both report the same nodes in the same order.
#[derive(Debug, Default)]
pub struct InodeNumbers {
    seen: std::collections::HashMap<u64, u64>,
}

impl InodeNumbers {
    /// The number reported for the engine's inode `key`.
    pub fn number(&mut self, key: u64) -> u64 {
        let next = self.seen.len() as u64 + 1;
        *self.seen.entry(key).or_insert(next)
    }
}

/// WASI's clock ids that the virtual clocks answer (the CPU-time clocks are not offered in
/// either engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    Realtime,
    Monotonic,
}

/// The virtual clocks of one run; clones share the time.
#[derive(Debug, Clone, Default)]
pub struct VirtualClocks {
    elapsed_ns: Arc<AtomicU64>,
}

impl VirtualClocks {
    pub fn new() -> Self {
        Self::default()
    }

    /// The clock's current reading, without advancing it.
    pub fn read(&self, clock: Clock) -> u64 {
        Self::at(clock, self.elapsed_ns.load(Ordering::Relaxed))
    }

    /// What a successful `clock_time_get` answers: the time advances by one step, then is
    /// read. A call that fails calls nothing here.
    pub fn tick(&self, clock: Clock) -> u64 {
        let elapsed = self.elapsed_ns.fetch_add(CLOCK_STEP_NS, Ordering::Relaxed) + CLOCK_STEP_NS;
        Self::at(clock, elapsed)
    }

    fn at(clock: Clock, elapsed: u64) -> u64 {
        match clock {
            Clock::Realtime => REALTIME_START_NS.saturating_add(elapsed),
            Clock::Monotonic => MONOTONIC_START_NS.saturating_add(elapsed),
        }
    }
}

/// The random bytes of one run: SplitMix64's output, little-endian, consumed byte by byte
/// across calls (a call for 3 bytes and one for 5 read what one call for 8 would).
#[derive(Debug, Clone)]
pub struct RandomStream {
    state: u64,
    word: [u8; 8],
    used: usize,
}

impl RandomStream {
    pub fn new(seed: u64) -> Self {
        RandomStream { state: seed, word: [0; 8], used: 8 }
    }

    pub fn fill(&mut self, dest: &mut [u8]) {
        for byte in dest {
            if self.used == 8 {
                self.word = self.next_word().to_le_bytes();
                self.used = 0;
            }
            *byte = self.word[self.used];
            self.used += 1;
        }
    }

    fn next_word(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_bytes_do_not_depend_on_how_the_calls_split_them() {
        let (mut whole, mut split) = (RandomStream::new(7), RandomStream::new(7));
        let mut one = [0u8; 13];
        whole.fill(&mut one);
        let (mut a, mut b) = ([0u8; 3], [0u8; 10]);
        split.fill(&mut a);
        split.fill(&mut b);
        assert_eq!(one[..3], a);
        assert_eq!(one[3..], b);
    }

    #[test]
    fn different_seeds_give_different_bytes() {
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        RandomStream::new(1).fill(&mut a);
        RandomStream::new(2).fill(&mut b);
        assert_ne!(a, b);
    }

    #[test]
    fn inodes_are_numbered_in_the_order_they_are_first_reported() {
        let mut inodes = InodeNumbers::default();
        assert_eq!([inodes.number(900), inodes.number(7), inodes.number(900), inodes.number(8)], [1, 2, 1, 3]);
    }

    #[test]
    fn only_a_tick_advances_the_virtual_time_and_both_clocks_share_it() {
        let clocks = VirtualClocks::new();
        assert_eq!(clocks.read(Clock::Realtime), REALTIME_START_NS);
        assert_eq!(clocks.read(Clock::Realtime), REALTIME_START_NS);
        assert_eq!(clocks.tick(Clock::Monotonic), MONOTONIC_START_NS + CLOCK_STEP_NS);
        assert_eq!(clocks.read(Clock::Realtime), REALTIME_START_NS + CLOCK_STEP_NS);
        assert_eq!(clocks.clone().tick(Clock::Realtime), REALTIME_START_NS + 2 * CLOCK_STEP_NS);
        assert_eq!(clocks.read(Clock::Monotonic), MONOTONIC_START_NS + 2 * CLOCK_STEP_NS);
    }
}
