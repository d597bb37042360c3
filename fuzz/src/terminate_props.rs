//! The terminability property (see `oracles::terminate`) as a property test on small
//! modules, so CI checks it without cargo-fuzz.

use proptest::prelude::*;
use wasm_runner_testkit::property::check_counted;

use crate::oracles::terminate;
use crate::Verdict;

#[test]
fn endless_guests_always_end() {
    // Almost every input gives a module with an exported function; if many do not, the
    // generator has stopped exercising the property.
    check_counted("endless_guests_always_end", 32, 28, proptest::collection::vec(any::<u8>(), 256..2048), |data| {
        Ok(terminate(&data) == Verdict::Checked)
    });
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
        let data = wasm_runner_testkit::rng::bytes(seed, 1024);
        let Ok(generated) = crate::generators::endless_module(&data) else { continue };
        let Some(entry) = crate::generators::first_export(&generated.module) else { continue };
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
