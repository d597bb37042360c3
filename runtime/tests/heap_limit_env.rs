//! The runner heap cap from the environment: honoured when positive, else the default
//! with one warning naming the bad value. The only test binary that sets env vars, so
//! nothing else in it may read the environment (proptest does: its tests live apart).

use std::io::Write;
use std::sync::{Arc, Mutex};

use wasm_runner::limits::env::resolve_positive;
use wasm_runner::limits::runner::{
    resolve_heap_limit_mb, DEFAULT_RUNNER_HEAP_LIMIT_MB, DEFAULT_WARMUP_TIMEOUT_MS, GUEST_ISOLATE_HEAP_BUDGET_MB,
    MAX_RUNNER_HEAP_LIMIT_MB, MAX_TIMEOUT_MS, RUNNER_HEAP_LIMIT_ENV,
};
use wasm_runner::limits::HeapLimitSource;
use wasm_runner::RunnerLimits;

/// Tests here set env vars: one at a time.
static ENV_LOCK: Mutex<()> = Mutex::new(());

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `f` with a subscriber that records warnings; returns f's value and the log lines.
fn with_captured_warnings<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let value = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    (value, text.lines().map(str::to_string).collect())
}

#[test]
fn heap_limit_env_fallbacks() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    assert_eq!(resolve_heap_limit_mb(None), DEFAULT_RUNNER_HEAP_LIMIT_MB);
    assert_eq!(DEFAULT_RUNNER_HEAP_LIMIT_MB, 2048);
    assert_ne!(DEFAULT_RUNNER_HEAP_LIMIT_MB, GUEST_ISOLATE_HEAP_BUDGET_MB);

    let (value, warnings) = with_captured_warnings(|| resolve_heap_limit_mb(Some("4096")));
    assert_eq!(value, 4096);
    assert!(warnings.is_empty(), "a valid override warns nothing: {warnings:?}");

    let too_big = (MAX_RUNNER_HEAP_LIMIT_MB + 1).to_string();
    for bad in ["0", "", "  ", "-5", "-0", "abc", "12MB", "1.5", "99999999999999999999999999", too_big.as_str()] {
        let (value, warnings) = with_captured_warnings(|| resolve_heap_limit_mb(Some(bad)));
        assert_eq!(value, DEFAULT_RUNNER_HEAP_LIMIT_MB, "{bad:?} falls back to the default");
        assert_eq!(warnings.len(), 1, "{bad:?} gives exactly one warning: {warnings:?}");
        assert!(warnings[0].contains(RUNNER_HEAP_LIMIT_ENV), "the warning names the variable: {}", warnings[0]);
        assert!(warnings[0].contains(&format!("value=\"{bad}\"")), "the warning names the bad value: {}", warnings[0]);
    }

    // Through the real environment (this binary's only test that touches it).
    std::env::set_var(RUNNER_HEAP_LIMIT_ENV, "96");
    let limits = RunnerLimits::from_env();
    assert_eq!(limits.heap_limit_bytes, 96 * 1024 * 1024);
    assert_eq!(limits.heap_limit_source, HeapLimitSource::Environment);
    std::env::set_var(RUNNER_HEAP_LIMIT_ENV, "zero");
    let (limits, warnings) = with_captured_warnings(RunnerLimits::from_env);
    assert_eq!(limits.heap_limit_mb(), DEFAULT_RUNNER_HEAP_LIMIT_MB);
    assert_eq!(limits.heap_limit_source, HeapLimitSource::Default);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    std::env::remove_var(RUNNER_HEAP_LIMIT_ENV);
    assert_eq!(RunnerLimits::from_env(), RunnerLimits::default());
}

#[test]
fn timeout_env_fallbacks() {
    let var = "WASM_RUNNER_WARMUP_TIMEOUT_MS";
    assert_eq!(resolve_positive(var, Some("250"), DEFAULT_WARMUP_TIMEOUT_MS, MAX_TIMEOUT_MS), (250, true));
    for bad in ["0", "-1", "soon", &(MAX_TIMEOUT_MS + 1).to_string()] {
        let ((value, honoured), warnings) =
            with_captured_warnings(|| resolve_positive(var, Some(bad), DEFAULT_WARMUP_TIMEOUT_MS, MAX_TIMEOUT_MS));
        assert_eq!((value, honoured), (DEFAULT_WARMUP_TIMEOUT_MS, false), "{bad:?}");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }
}

#[test]
fn guest_limits_env_fallbacks() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    use wasm_runner::limits::guest::{
        GuestLimits, GUEST_MAX_FUEL_ENV, GUEST_MAX_MODULE_BYTES_ENV, GUEST_MAX_STACK_BYTES_ENV, MAX_GUEST_MEMORY_BYTES,
        MAX_GUEST_STACK_BYTES, MIN_GUEST_STACK_BYTES,
    };
    // Env vars are process-wide: this binary's other test only touches its own variable.
    std::env::set_var(GUEST_MAX_FUEL_ENV, "12345");
    std::env::set_var(GUEST_MAX_MODULE_BYTES_ENV, "-1");
    std::env::set_var(GUEST_MAX_STACK_BYTES_ENV, "100");
    let (limits, warnings) = with_captured_warnings(GuestLimits::from_env);
    assert_eq!(limits.max_fuel, 12345);
    assert_eq!(limits.max_module_bytes, GuestLimits::default().max_module_bytes);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(limits.max_stack_bytes, MIN_GUEST_STACK_BYTES, "a tiny stack is raised to the minimum");
    std::env::set_var(GUEST_MAX_STACK_BYTES_ENV, (MAX_GUEST_STACK_BYTES + 1).to_string());
    let (limits, warnings) = with_captured_warnings(GuestLimits::from_env);
    assert_eq!(limits.max_stack_bytes, GuestLimits::default().max_stack_bytes);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(GuestLimits::default().max_memory_bytes <= MAX_GUEST_MEMORY_BYTES);
    for var in [GUEST_MAX_FUEL_ENV, GUEST_MAX_MODULE_BYTES_ENV, GUEST_MAX_STACK_BYTES_ENV] {
        std::env::remove_var(var);
    }
}
