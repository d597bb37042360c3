//! Limits of the runner itself: its own V8 heap and how long it waits for V8.

use std::time::Duration;

use super::env::read_positive;

const MIB: u64 = 1024 * 1024;

/// The runner heap cap when nothing overrides it. Warmup compiles the WASI runtime and the
/// guest inside this heap, so it is sized for the runner, not for a guest.
pub const DEFAULT_RUNNER_HEAP_LIMIT_MB: u64 = 2048;

/// The per-guest isolate budget the production bug gave the runner by accident. It is a separate
/// constant so that no code path can hand it to the runner without naming it.
pub const GUEST_ISOLATE_HEAP_BUDGET_MB: u64 = 128;

/// Largest runner heap cap accepted from the environment or the CLI (1 TiB): beyond it the
/// byte count stops being a meaningful V8 heap size, so it counts as overflow.
pub const MAX_RUNNER_HEAP_LIMIT_MB: u64 = 1024 * 1024;

/// Environment override for the runner heap cap, in MiB.
pub const RUNNER_HEAP_LIMIT_ENV: &str = "WASM_RUNNER_HEAP_LIMIT_MB";

/// How long one warmup may take before the watchdog terminates it.
pub const DEFAULT_WARMUP_TIMEOUT_MS: u64 = 120_000;
/// Environment override for the warmup deadline, in milliseconds.
pub const WARMUP_TIMEOUT_ENV: &str = "WASM_RUNNER_WARMUP_TIMEOUT_MS";

/// How long a requested termination may take to land before the run is reported as
/// `termination_lost` and its thread abandoned.
pub const DEFAULT_TERMINATION_GRACE_MS: u64 = 5_000;
/// Environment override for the termination grace, in milliseconds.
pub const TERMINATION_GRACE_ENV: &str = "WASM_RUNNER_TERMINATION_GRACE_MS";

/// Stack of every thread that runs guest code (the V8 runner's and the wasmtime
/// reference's). Known and fixed, so stack limits can be reasoned about.
pub const RUNNER_THREAD_STACK_BYTES: usize = 8 * 1024 * 1024;

/// Upper bound for the millisecond settings above (one day).
pub const MAX_TIMEOUT_MS: u64 = 86_400_000;

/// Where the heap cap in force came from, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HeapLimitSource {
    Default,
    Environment,
    Explicit,
}

/// The runner's own limits. Guest limits are separate and never derived from these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerLimits {
    pub heap_limit_bytes: usize,
    pub heap_limit_source: HeapLimitSource,
    pub warmup_timeout: Duration,
    pub termination_grace: Duration,
}

impl Default for RunnerLimits {
    fn default() -> Self {
        RunnerLimits {
            heap_limit_bytes: mib_to_bytes(DEFAULT_RUNNER_HEAP_LIMIT_MB),
            heap_limit_source: HeapLimitSource::Default,
            warmup_timeout: Duration::from_millis(DEFAULT_WARMUP_TIMEOUT_MS),
            termination_grace: Duration::from_millis(DEFAULT_TERMINATION_GRACE_MS),
        }
    }
}

impl RunnerLimits {
    /// Defaults overridden by the `WASM_RUNNER_*` environment variables.
    pub fn from_env() -> Self {
        let (heap_mb, from_env) =
            read_positive(RUNNER_HEAP_LIMIT_ENV, DEFAULT_RUNNER_HEAP_LIMIT_MB, MAX_RUNNER_HEAP_LIMIT_MB);
        let (warmup_ms, _) = read_positive(WARMUP_TIMEOUT_ENV, DEFAULT_WARMUP_TIMEOUT_MS, MAX_TIMEOUT_MS);
        let (grace_ms, _) = read_positive(TERMINATION_GRACE_ENV, DEFAULT_TERMINATION_GRACE_MS, MAX_TIMEOUT_MS);
        RunnerLimits {
            heap_limit_bytes: mib_to_bytes(heap_mb),
            heap_limit_source: if from_env { HeapLimitSource::Environment } else { HeapLimitSource::Default },
            warmup_timeout: Duration::from_millis(warmup_ms),
            termination_grace: Duration::from_millis(grace_ms),
        }
    }

    /// The same limits with an explicit heap cap (CLI flag, tests, stress scenarios).
    pub fn with_heap_limit_mb(mut self, mb: u64) -> Self {
        let mb = mb.clamp(1, MAX_RUNNER_HEAP_LIMIT_MB);
        self.heap_limit_bytes = mib_to_bytes(mb);
        self.heap_limit_source = HeapLimitSource::Explicit;
        self
    }

    pub fn with_heap_limit_bytes(mut self, bytes: usize) -> Self {
        self.heap_limit_bytes = bytes.max(1);
        self.heap_limit_source = HeapLimitSource::Explicit;
        self
    }

    pub fn with_warmup_timeout(mut self, timeout: Duration) -> Self {
        self.warmup_timeout = timeout;
        self
    }

    pub fn with_termination_grace(mut self, grace: Duration) -> Self {
        self.termination_grace = grace;
        self
    }

    pub fn heap_limit_mb(&self) -> u64 {
        self.heap_limit_bytes as u64 / MIB
    }
}

/// Resolves the heap cap from a raw environment value, with the documented fallbacks.
pub fn resolve_heap_limit_mb(raw: Option<&str>) -> u64 {
    super::env::resolve_positive(RUNNER_HEAP_LIMIT_ENV, raw, DEFAULT_RUNNER_HEAP_LIMIT_MB, MAX_RUNNER_HEAP_LIMIT_MB).0
}

pub fn mib_to_bytes(mb: u64) -> usize {
    usize::try_from(mb.saturating_mul(MIB)).unwrap_or(usize::MAX)
}
