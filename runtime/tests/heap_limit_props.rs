//! Property tests of heap cap resolution: any string gives a positive cap, never a panic.

use proptest::prelude::*;
use wasm_runner::limits::runner::{resolve_heap_limit_mb, DEFAULT_RUNNER_HEAP_LIMIT_MB, MAX_RUNNER_HEAP_LIMIT_MB};

proptest! {
    #[test]
    fn any_heap_limit_string_resolves_to_a_positive_cap(raw in any::<String>()) {
        let mb = resolve_heap_limit_mb(Some(&raw));
        prop_assert!(mb > 0);
        prop_assert!(mb <= MAX_RUNNER_HEAP_LIMIT_MB);
        let honoured = raw.trim().trim_start_matches('+').parse::<u64>().ok().filter(|v| (1..=MAX_RUNNER_HEAP_LIMIT_MB).contains(v));
        if let Some(v) = honoured {
            prop_assert_eq!(mb, v);
        } else {
            prop_assert_eq!(mb, DEFAULT_RUNNER_HEAP_LIMIT_MB);
        }
    }

    #[test]
    fn numeric_heap_limits_round_trip(mb in 1u64..=MAX_RUNNER_HEAP_LIMIT_MB) {
        prop_assert_eq!(resolve_heap_limit_mb(Some(&mb.to_string())), mb);
    }
}
