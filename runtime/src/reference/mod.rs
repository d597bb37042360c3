//! The reference engine: wasmtime (with wasmtime-wasi preview1) running the same checked
//! and instrumented bytes under the same `GuestLimits`, filling the same `RunReport`.
//!
//! Its mechanisms are its own: the stack by `max_wasm_stack`, wall time by epoch
//! interruption, memory and tables also held by `StoreLimits` (beside the clamps in the
//! bytes), output through a capped stream. What they mean is the run policy's (`policy`),
//! shared with the V8 runner, and fuel is the instrumentation's counter in both, so fuel
//! use agrees exactly.

mod classify;
mod compiled;
mod engines;
mod function_cache;
mod memory;
mod output;
mod run;
mod scratch;
mod shims;
mod watchdog;
mod workers;

use std::sync::Arc;

use crate::engine::Engine;
use crate::guest::{Instrumentation, ProvidedImports};
use crate::limits::GuestLimits;
use crate::report::RunReport;
use crate::request::RunRequest;

/// The wasmtime reference with fixed guest limits.
#[derive(Debug, Clone)]
pub struct Reference {
    guest: GuestLimits,
    provided: ProvidedImports,
    instrumentation: Instrumentation,
    optimized: bool,
}

impl Default for Reference {
    fn default() -> Self {
        Reference {
            guest: GuestLimits::default(),
            provided: crate::wasi::preview1::provided(),
            instrumentation: Instrumentation::On,
            optimized: true,
        }
    }
}

impl Reference {
    /// Default guest limits and WASI preview1 imports.
    pub fn new() -> Self {
        Reference::default()
    }

    /// Guest limits from the `WASM_GUEST_*` environment.
    pub fn from_env() -> Self {
        Reference::new().with_guest_limits(GuestLimits::from_env())
    }

    pub fn with_guest_limits(mut self, guest: GuestLimits) -> Self {
        self.guest = guest;
        self
    }

    /// Which imports modules may ask for (WASI preview1 by default).
    pub fn with_provided_imports(mut self, provided: ProvidedImports) -> Self {
        self.provided = provided;
        self
    }

    /// Turns the instrumentation off (see `Instrumentation::Off`): for equivalence tests.
    pub fn with_instrumentation(mut self, instrumentation: Instrumentation) -> Self {
        self.instrumentation = instrumentation;
        self
    }

    /// Compiles with Cranelift's optimizations off. What a run does is the same; what
    /// changes is the compile time (a fuzzer's small modules compile in about two thirds of
    /// the time), the speed of the code, and so how deep the guest's stack of frames gets
    /// within `max_stack_bytes` and how much runs before a deadline.
    pub fn unoptimized(mut self) -> Self {
        self.optimized = false;
        self
    }

    pub fn guest_limits(&self) -> &GuestLimits {
        &self.guest
    }

    /// Runs `module` the way `Runner::run` does in V8.
    pub fn run(&self, module: impl Into<Arc<[u8]>>, request: &RunRequest) -> RunReport {
        run::run(self, &module.into(), request)
    }
}

impl Engine for Reference {
    fn name(&self) -> &'static str {
        "wasmtime"
    }

    fn run(&self, module: Arc<[u8]>, request: &RunRequest) -> RunReport {
        Reference::run(self, module, request)
    }
}

/// The reference engine's configuration: the features V8 ships, the guest's stack, epoch
/// interruption, shared memory (the instrumentation's interrupt flag); Cranelift optimizes
/// unless told not to (`Reference::unoptimized`).
pub(crate) fn config(guest: &GuestLimits, optimized: bool) -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    if !optimized {
        config.cranelift_opt_level(wasmtime::OptLevel::None);
    }
    config
        .max_wasm_stack(guest.stack_bytes() as usize)
        .epoch_interruption(true)
        .wasm_multi_memory(true)
        .wasm_memory64(true)
        .wasm_tail_call(true)
        .wasm_relaxed_simd(true)
        .wasm_function_references(true)
        .wasm_exceptions(true)
        .wasm_extended_const(true)
        .wasm_threads(true)
        // The instrumentation's interrupt flag is a shared memory.
        .shared_memory(true)
        .wasm_gc(true)
        // Data segments are copied into private anonymous memory rather than mapped from a
        // memory image, so a page the kernel has no entry for reads as zeros, which the
        // memory hash relies on to skip it (`policy::zero_pages`; an image's page swapped
        // out would look the same and hold data).
        .memory_init_cow(false);
    config
}
