//! One V8 platform per process. Flags must be set before `V8::initialize`, and
//! initialisation must happen exactly once however many threads and tests race to it.

use std::sync::OnceLock;

/// Flags the runner always sets.
///
/// `--no-turboshaft-loop-unrolling`: on V8 15.2 an optimised JS loop whose body holds a small
/// unrolled inner loop loses its only interrupt check, so `TerminateExecution` never lands
/// and the near-heap-limit guard cannot stop a heap bomb (see README, "Termination").
///
/// `--no-js-shipping`: the JS features V8 ships behind flags (explicit resource management,
/// `Float16Array`, base64 on `Uint8Array`, `Map` upsert...) are never in a snapshot: V8
/// installs them into every new context, about a fifth of making a context from the
/// snapshot, and a context is made for every job. Neither the runner's JS nor the WASI
/// runtime's uses them, and a guest reaches no JS; wasm features are flags of their own.
pub const DEFAULT_V8_FLAGS: &str = "--no-turboshaft-loop-unrolling --no-js-shipping";

/// Extra V8 flags appended after the defaults (operators, tests, benchmarks of tiers).
pub const V8_FLAGS_ENV: &str = "WASM_RUNNER_V8_FLAGS";

/// Set after the operator's flags, so none can take them away.
///
/// `--expose-gc`: runner isolates are collected between jobs through V8's full-collection
/// call, which V8 allows only with it. It also defines a `gc` function in runner contexts,
/// which only the runner's own JS could reach.
///
/// `--no-extensible-ro-snapshot`: the runner makes two startup snapshots (its JS alone, and
/// with the WASI runtime's: `runner::js::Scripts`), and every isolate of a process shares
/// one read-only space. A snapshot that extends it with objects of its own scripts cannot
/// stand beside another that extended it differently: V8 aborts on the second one's
/// read-only pages. Left unextended, both carry the read-only space V8 itself ships.
pub const REQUIRED_V8_FLAGS: &str = "--expose-gc --no-extensible-ro-snapshot";

static FLAGS: OnceLock<String> = OnceLock::new();

/// Initialises V8 once for the whole process; later calls return at once.
pub fn ensure_initialized() {
    FLAGS.get_or_init(|| {
        let extra = std::env::var(V8_FLAGS_ENV).unwrap_or_default();
        let flags = if extra.trim().is_empty() {
            DEFAULT_V8_FLAGS.to_string()
        } else {
            format!("{DEFAULT_V8_FLAGS} {}", extra.trim())
        };
        v8::V8::set_flags_from_string(&flags);
        // On its own: V8 ignores every flag after one it does not know.
        v8::V8::set_flags_from_string(REQUIRED_V8_FLAGS);
        let flags = format!("{flags} {REQUIRED_V8_FLAGS}");
        let platform = v8::new_default_platform(0, false).make_shared();
        v8::V8::initialize_platform(platform);
        v8::V8::initialize();
        tracing::debug!(flags = %flags, version = v8::V8::get_version(), "V8 initialised");
        flags
    });
}

/// The flags V8 was initialised with (initialising it if needed).
pub fn engine_flags() -> &'static str {
    ensure_initialized();
    FLAGS.get().map(String::as_str).unwrap_or(DEFAULT_V8_FLAGS)
}

pub fn v8_version() -> &'static str {
    v8::V8::get_version()
}
