//! The terminability property (see `oracles::terminate`) as a proptest on small modules,
//! so CI checks it without cargo-fuzz: endless guests always end, as `timeout` when they
//! spin, within the stated bound after the deadline.

use proptest::prelude::*;
use wasm_runner_fuzzing::generators::endless_module;
use wasm_runner_fuzzing::oracles::terminate;

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn endless_guests_always_end(data in proptest::collection::vec(any::<u8>(), 256..2048)) {
        terminate(&data);
    }
}

#[test]
fn the_generator_makes_spinning_guests() {
    // Not every input enters a loop, but across a few inputs some must spin until the
    // deadline: otherwise the property above would hold vacuously.
    use std::time::Duration;
    use wasm_runner::limits::GuestLimits;
    use wasm_runner::{RunRequest, Runner, RunnerLimits};
    let mut timeouts = 0;
    for seed in 0u64..40 {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let data: Vec<u8> = (0..1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let Ok(generated) = endless_module(&data) else { continue };
        let Some(entry) = wasm_runner_fuzzing::generators::first_export(&generated.module) else { continue };
        let guest =
            GuestLimits { max_fuel: u64::MAX, max_wall_time: Duration::from_millis(100), ..GuestLimits::default() };
        let request = RunRequest { invoke: Some(entry), ..Default::default() };
        let report = Runner::new(RunnerLimits::default()).with_guest_limits(guest).run(generated.module, &request);
        if report.outcome.kind() == "timeout" {
            timeouts += 1;
        }
    }
    assert!(timeouts > 0, "no generated guest spun until its deadline");
    eprintln!("{timeouts} of 40 generated guests spun until the deadline");
}
