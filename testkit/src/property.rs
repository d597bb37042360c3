//! Property tests that count the cases which actually reached their property, and fail when
//! too few did (wasmtime's `test_n_times` idea): a generator that stops producing
//! meaningful inputs must not let a property pass by never being checked.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Runs `property` on `cases` inputs from `strategy` (proptest's runner: its environment
/// settings, shrinking and failure persistence apply). `property` returns whether the input
/// reached the property; fewer than `min_reached` such inputs fail the test. Returns how
/// many reached it.
pub fn check_counted<S, F>(name: &str, cases: u32, min_reached: u32, strategy: S, property: F) -> u32
where
    S: Strategy,
    F: Fn(S::Value) -> Result<bool, TestCaseError>,
{
    let mut runner = TestRunner::new(Config { cases, ..Config::default() });
    let reached = std::cell::Cell::new(0u32);
    let result = runner.run(&strategy, |value| {
        if property(value)? {
            reached.set(reached.get() + 1);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    let reached = reached.get();
    eprintln!("{name}: {reached} of {cases} cases reached the property");
    assert!(
        reached >= min_reached,
        "{name}: only {reached} of {cases} cases reached the property (at least {min_reached} must)"
    );
    reached
}
