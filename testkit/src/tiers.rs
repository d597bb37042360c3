//! V8's compilation tiers as the harness names them, set through V8 flags when V8 starts
//! (`WASM_RUNNER_V8_FLAGS`), so each tier runs in a process of its own.

/// One tier: its name in reports and the flags that select it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    pub name: &'static str,
    pub v8_flags: &'static str,
    /// Whether everything is compiled up front (warmup then pays for all code).
    pub eager: bool,
}

/// V8's default: lazy compilation, Liftoff first, the optimizing tier for hot code.
pub const LAZY: Tier = Tier { name: "lazy", v8_flags: "", eager: false };
/// Liftoff only, everything compiled up front (the same laziness as wasmtime's Winch).
pub const EAGER_LIFTOFF: Tier =
    Tier { name: "eager_liftoff", v8_flags: "--liftoff-only --no-wasm-lazy-compilation", eager: true };
/// The optimizing tier only, everything compiled up front.
pub const EAGER_OPTIMIZING: Tier =
    Tier { name: "eager_optimizing", v8_flags: "--no-liftoff --no-wasm-lazy-compilation", eager: true };

/// Every tier, default first.
pub const TIERS: &[Tier] = &[LAZY, EAGER_LIFTOFF, EAGER_OPTIMIZING];
