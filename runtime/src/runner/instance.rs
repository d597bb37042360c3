//! The guest instance in the runner's JS: how it is instantiated, and what is read back
//! from it after it ran.

use serde::Deserialize;

use super::session::Session;
use crate::guest::PreparedModule;
use crate::policy::{fuel_used, observed, AFTER_INSTANTIATE};
use crate::report::Observed;

/// The options of `__wasmRunner.instantiate`: the WASI runtime's configuration, the imports
/// to stub and the exports to call once the instance exists.
pub(crate) fn instantiate_options(prepared: &PreparedModule, wasi: serde_json::Value) -> String {
    let stubs: Vec<[&str; 2]> = prepared.stubbed.iter().map(|i| [i.module.as_str(), i.name.as_str()]).collect();
    serde_json::json!({ "wasi": wasi, "stubs": stubs, "afterInstantiate": AFTER_INSTANTIATE }).to_string()
}

#[derive(Deserialize)]
struct StateJson {
    fuel_remaining: Option<String>,
    fuel_exhausted: bool,
    memory_bytes: u64,
}

/// What the guest left behind.
#[derive(Debug, Default)]
pub(crate) struct GuestState {
    pub fuel_used: u64,
    /// `(used, limit)` when the meter ran out.
    pub fuel_exhausted: Option<(u64, u64)>,
    pub memory_bytes: u64,
}

/// Reads the instrumentation's counters and the memory size from the instance (nothing was
/// used when there is no instance).
pub(crate) fn read_state(session: &mut Session, fuel_limit: u64) -> GuestState {
    session.isolate().clear_termination();
    let Some(state) =
        session.isolate().call_runner("state", "{}").ok().and_then(|s| serde_json::from_str::<StateJson>(&s).ok())
    else {
        return GuestState::default();
    };
    let used = fuel_used(fuel_limit, state.fuel_remaining.and_then(|f| f.parse::<u64>().ok()));
    GuestState {
        fuel_used: used,
        fuel_exhausted: state.fuel_exhausted.then_some((used, fuel_limit)),
        memory_bytes: state.memory_bytes,
    }
}

#[derive(Deserialize)]
struct ObservedJson {
    memory_hash: String,
    globals: Vec<(String, String)>,
}

/// The observation of a differential comparison, when there is an instance.
pub(crate) fn observe(session: &mut Session) -> Option<Observed> {
    let json = session.isolate().call_runner("observe", "{}").ok()?;
    let seen = serde_json::from_str::<ObservedJson>(&json).ok()?;
    Some(observed(seen.memory_hash, seen.globals))
}
