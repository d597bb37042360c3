//! What AddressSanitizer's leak check must not report, compiled into every target so that
//! `cargo +nightly fuzz run <target>` works as typed, with no `ASAN_OPTIONS` to remember.
//!
//! The `v8` crate leaks one 64-byte `IsolateLiveness` record per isolate on purpose (globals
//! may be dropped after their isolate; docs/v8-findings.md #4): only allocations of that
//! type (the symbolized frame `Box::new<v8::isolate::IsolateLiveness>`) are suppressed, so
//! any other leak still fails the run.

/// LeakSanitizer's suppression list: one `leak:` rule per line.
pub const LSAN_SUPPRESSIONS: &std::ffi::CStr = c"leak:new<v8::isolate::IsolateLiveness>\n";

/// Defines `__lsan_default_suppressions` in the target binary (the sanitizer runtime looks
/// for it by name, and a definition inside a library could be left out by the linker).
#[macro_export]
macro_rules! sanitizer_defaults {
    () => {
        /// Read by LeakSanitizer at startup (see `wasm_runner_fuzz::sanitizer`).
        #[no_mangle]
        pub extern "C" fn __lsan_default_suppressions() -> *const ::std::ffi::c_char {
            $crate::sanitizer::LSAN_SUPPRESSIONS.as_ptr()
        }
    };
}
