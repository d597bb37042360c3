//! Comparing two engines' reports of the same run, the way wasmtime's differential oracle
//! does: where an ending depends on each engine's speed or frame sizes, only the kind of
//! ending is comparable; otherwise everything a deterministic run produces must agree.

use wasm_runner::RunReport;

/// Endings whose extent depends on the engine (speed: `timeout`; frame sizes:
/// `stack_exhausted`): how far the guest got differs.
pub const NONDETERMINISTIC: &[&str] = &["stack_exhausted", "timeout"];

/// Endings that say what an engine lacks, not what the module did: the other engine's run
/// has nothing to be compared with.
pub const ENGINE_SPECIFIC: &[&str] = &["unsupported_feature"];

/// Whether neither report ended in a way only one engine's speed, stack or support decides.
pub fn comparable(a: &RunReport, b: &RunReport) -> bool {
    [a, b].iter().all(|r| {
        let kind = r.outcome.kind();
        !NONDETERMINISTIC.contains(&kind) && !ENGINE_SPECIFIC.contains(&kind)
    })
}

/// Errors whose message is the engine's own words (a trap's text, V8's or wasmtime's link
/// and compile messages); every other error is written by the run policy and must match.
pub const ENGINE_WORDED: &[&str] = &["trap", "link_error", "compile_error", "js_error", "internal"];

/// How returned values and globals are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// As text, exactly (hand-written guests: both engines print values as JS does).
    Exact,
    /// Integers exactly; floats only within one engine (generated guests: NaN payloads and
    /// float printing are each engine's own).
    Integers,
}

/// Integer results agree and the counts match; non-integers are not compared.
pub fn same_integers(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x.parse::<i128>(), y.parse::<i128>()) {
            (Ok(x), Ok(y)) => x == y,
            _ => true,
        })
}

fn same_values(a: &[String], b: &[String], values: Values) -> bool {
    match values {
        Values::Exact => a == b,
        Values::Integers => same_integers(a, b),
    }
}

/// What differs between two comparable reports (see `comparable`), one line each.
pub fn differences(a: &RunReport, b: &RunReport, values: Values) -> Vec<String> {
    let mut out = Vec::new();
    let (ea, eb) = (a.engine, b.engine);
    if a.outcome.kind() != b.outcome.kind() {
        out.push(format!("outcome: {ea} {:?}, {eb} {:?}", a.outcome, b.outcome));
    } else if a.outcome.error() != b.outcome.error() && !ENGINE_WORDED.contains(&a.outcome.kind()) {
        out.push(format!("error: {ea} {:?}, {eb} {:?}", a.outcome, b.outcome));
    }
    if !same_values(a.outcome.returned(), b.outcome.returned(), values) {
        out.push(format!("returned: {ea} {:?}, {eb} {:?}", a.outcome.returned(), b.outcome.returned()));
    }
    if a.stdout != b.stdout {
        out.push(format!(
            "stdout: {ea} {:?}, {eb} {:?}",
            String::from_utf8_lossy(&a.stdout),
            String::from_utf8_lossy(&b.stdout)
        ));
    }
    if a.stderr != b.stderr {
        out.push(format!(
            "stderr: {ea} {:?}, {eb} {:?}",
            String::from_utf8_lossy(&a.stderr),
            String::from_utf8_lossy(&b.stderr)
        ));
    }
    if a.fuel_used != b.fuel_used {
        out.push(format!("fuel used: {ea} {}, {eb} {}", a.fuel_used, b.fuel_used));
    }
    if a.memory_bytes != b.memory_bytes {
        out.push(format!("memory bytes: {ea} {}, {eb} {}", a.memory_bytes, b.memory_bytes));
    }
    match (&a.observed, &b.observed) {
        (Some(x), Some(y)) => {
            if x.memory_hash != y.memory_hash {
                out.push(format!("memory hash: {ea} {}, {eb} {}", x.memory_hash, y.memory_hash));
            }
            let names = |o: &wasm_runner::Observed| o.globals.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            let texts = |o: &wasm_runner::Observed| o.globals.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>();
            if names(x) != names(y) || !same_values(&texts(x), &texts(y), values) {
                out.push(format!("exported globals: {ea} {:?}, {eb} {:?}", x.globals, y.globals));
            }
        }
        (None, None) => {}
        _ => out.push(format!("observation: {ea} {}, {eb} {}", a.observed.is_some(), b.observed.is_some())),
    }
    out
}
