//! What counts as a bug. Each oracle takes the raw fuzz input, runs what the generators
//! make of it, and panics (with the evidence) when a property does not hold.

mod differential;
mod guest_checks;
mod guest_limits;
mod instrument;
mod terminate;
mod warmup;

pub use differential::differential;
pub use guest_checks::guest_checks;
pub use guest_limits::guest_limits;
pub use instrument::instrument;
pub use terminate::terminate;
pub use warmup::warmup;

/// The oracle behind each fuzz target, by target name (for replaying regressions).
pub fn by_target(name: &str) -> Option<fn(&[u8])> {
    Some(match name {
        "warmup" => warmup,
        "guest_limits" => guest_limits,
        "differential" => differential,
        "instrument" => instrument,
        "guest_checks" => guest_checks,
        "terminate" => terminate,
        _ => return None,
    })
}

/// Integer results agree; floats are compared only within one engine (each formats its
/// own), and NaNs are canonical in generated modules.
pub(crate) fn same_integers(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x.parse::<i128>(), y.parse::<i128>()) {
            (Ok(x), Ok(y)) => x == y,
            _ => true,
        })
}

pub(crate) fn returned(report: &wasm_runner::RunReport) -> Vec<String> {
    match &report.outcome {
        wasm_runner::RunOutcome::Ok { returned } => returned.clone(),
        _ => Vec::new(),
    }
}
