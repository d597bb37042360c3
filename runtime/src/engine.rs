//! What both engines are to the harness: something that runs a module for a request under
//! its guest limits and reports it the same way. The V8 runner is what the project ships;
//! the wasmtime reference is what it is compared with.

use std::sync::Arc;

use crate::report::RunReport;
use crate::request::RunRequest;

/// `Send + Sync` so that a differential oracle can run engines side by side on one module.
pub trait Engine: Send + Sync {
    /// `v8` or `wasmtime`, as reports name it.
    fn name(&self) -> &'static str;

    /// Checks, instruments, compiles and instantiates `module`, then calls the request's
    /// entry point under the engine's guest limits.
    fn run(&self, module: Arc<[u8]>, request: &RunRequest) -> RunReport;
}
