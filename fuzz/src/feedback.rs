//! Heap-guided feedback: libFuzzer's extra counters, set from what each execution made the
//! runner heap do, so that libFuzzer keeps inputs reaching heap levels it has not seen
//! (Rust coverage alone cannot tell a 2 MiB warmup from a 400 MiB one).
//!
//! libFuzzer clears the counters in the `__libfuzzer_extra_counters` section before each
//! execution and counts every (counter, value bucket) pair it has not seen as a new
//! feature. One counter is set per dimension: the peak heap in quarter-octave buckets, the
//! peak/bound ratio in 1/64 steps, and the time per module byte in half-octave buckets.
//! `elites` then steers which inputs are mutated. `WASM_RUNNER_FUZZ_HEAP_FEEDBACK=0` turns
//! both off (to compare runs with and without).

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use wasm_runner_testkit::heap::HeapCheck;

pub const FEEDBACK_ENV: &str = "WASM_RUNNER_FUZZ_HEAP_FEEDBACK";

const PEAK_BUCKETS: usize = 96;
const RATIO_BUCKETS: usize = 65;
const TIME_BUCKETS: usize = 48;
const COUNTERS: usize = PEAK_BUCKETS + RATIO_BUCKETS + TIME_BUCKETS;

#[used]
#[link_section = "__libfuzzer_extra_counters"]
static EXTRA_COUNTERS: [AtomicU8; COUNTERS] = [const { AtomicU8::new(0) }; COUNTERS];

pub(crate) fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var(FEEDBACK_ENV).map_or(true, |v| v.trim() != "0"))
}

/// The buckets one execution lands in: (peak, ratio, time per byte).
pub fn buckets(found: &HeapCheck, total_ms: f64, module_bytes: usize) -> (usize, usize, usize) {
    // 64 KiB and below share bucket 0; four buckets per doubling above.
    let peak = (4.0 * (found.peak_bytes.max(1) as f64 / 65536.0).log2()).max(0.0) as usize;
    let ratio = (found.ratio() * 64.0) as usize;
    let ns_per_byte = total_ms * 1e6 / module_bytes.max(1) as f64;
    let time = (2.0 * ns_per_byte.max(1.0).log2()) as usize;
    (peak.min(PEAK_BUCKETS - 1), ratio.min(RATIO_BUCKETS - 1), time.min(TIME_BUCKETS - 1))
}

/// Sets this execution's counters (no effect outside libFuzzer, which never reads them).
pub fn observe(found: &HeapCheck, total_ms: f64, module_bytes: usize) {
    crate::elites::observed(found);
    if !enabled() {
        return;
    }
    let (peak, ratio, time) = buckets(found, total_ms, module_bytes);
    for index in [peak, PEAK_BUCKETS + ratio, PEAK_BUCKETS + RATIO_BUCKETS + time] {
        EXTRA_COUNTERS[index].store(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(peak_bytes: u64, bound_bytes: u64) -> HeapCheck {
        HeapCheck { peak_bytes, bound_bytes }
    }

    #[test]
    fn a_doubled_peak_lands_four_buckets_higher() {
        let (low, _, _) = buckets(&check(4 << 20, 1 << 30), 1.0, 1000);
        let (high, _, _) = buckets(&check(8 << 20, 1 << 30), 1.0, 1000);
        assert_eq!(high, low + 4);
    }

    #[test]
    fn the_ratio_bucket_reaches_its_last_bucket_at_the_bound() {
        let (_, at, _) = buckets(&check(100, 100), 1.0, 1000);
        let (_, half, _) = buckets(&check(50, 100), 1.0, 1000);
        assert_eq!(at, RATIO_BUCKETS - 1);
        assert_eq!(half, 32);
    }

    #[test]
    fn buckets_stay_within_their_counters_for_extreme_inputs() {
        let (peak, ratio, time) = buckets(&check(u64::MAX, 1), f64::MAX, 0);
        assert!(peak < PEAK_BUCKETS && ratio < RATIO_BUCKETS && time < TIME_BUCKETS);
        let (peak, ratio, time) = buckets(&check(0, 0), 0.0, usize::MAX);
        assert_eq!((peak, ratio, time), (0, 0, 0));
    }
}
