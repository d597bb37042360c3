//! Names the instrumentation exports from every module it rewrites, so hosts read the same
//! counters from the same bytes. They start with `\u{1}`, which no toolchain emits in an
//! export name; a guest that exports such a name on purpose is refused by the guest checks
//! (`reserved_export_names`), since its export would collide with one of these. Defined here
//! once; the runner's JS gets them injected (see `runner::js`).

/// What every name below starts with; guest exports may not (the guest checks refuse them).
pub const RESERVED_PREFIX: &str = "\u{1}";

/// The remaining-fuel counter (i64, mutable).
pub const FUEL_EXPORT: &str = "\u{1}wasm-runner:fuel";
/// The out-of-fuel flag (i32, mutable; 1 once fuel ran out).
pub const FUEL_EXHAUSTED_EXPORT: &str = "\u{1}wasm-runner:fuel-exhausted";
/// Prefix of every memory's export, by index (`...memory0`, `...memory1`), so hosts can
/// size and hash all of them.
pub const MEMORY_EXPORT_PREFIX: &str = "\u{1}wasm-runner:memory";
/// The start function: the runner calls it once the instance exists instead of
/// instantiation calling it, so it runs with its memory attached to the WASI runtime (it may
/// call WASI), its fuel readable and, with tail calls, the interrupt flag in place.
pub const START_EXPORT: &str = "\u{1}wasm-runner:start";
/// The interrupt flag's shared memory (an i32 at address 0; nonzero stops the guest at its
/// next tail call). Present only when the module has tail calls.
pub const INTERRUPT_EXPORT: &str = "\u{1}wasm-runner:interrupt";

/// The export of memory `index`.
pub fn memory_export(index: u32) -> String {
    format!("{MEMORY_EXPORT_PREFIX}{index}")
}

/// The names as one JSON object, for the runner's JS.
pub(crate) fn names_json() -> serde_json::Value {
    serde_json::json!({
        "fuel": FUEL_EXPORT,
        "fuelExhausted": FUEL_EXHAUSTED_EXPORT,
        "memoryPrefix": MEMORY_EXPORT_PREFIX,
        "start": START_EXPORT,
        "interrupt": INTERRUPT_EXPORT,
        "reservedPrefix": RESERVED_PREFIX,
    })
}
