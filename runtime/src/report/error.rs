//! The runner's typed errors. Every failure has a kind (snake_case, stable, used in JSON)
//! and a message; nothing ends as a bare `Error: null`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunnerError {
    #[error("invalid module (at byte {offset}): {reason}")]
    InvalidModule { reason: String, offset: u64 },

    #[error(
        "unresolved import {module}.{name} ({import_kind}): the runner does not provide it \
         ({unresolved_total} unresolved import(s) in all: {})", unresolved.join(", ")
    )]
    UnresolvedImport {
        module: String,
        name: String,
        import_kind: String,
        unresolved_total: usize,
        /// Every unresolved import (up to `guest::imports::MAX_LISTED_UNRESOLVED`), as `module.name (kind)`.
        /// (Boxed: it keeps every `Result<_, RunnerError>` small.)
        #[serde(default)]
        unresolved: Box<Vec<String>>,
    },

    #[error("guest limit {limit} rejected the module: it asks for {requested}, the limit allows {allowed}")]
    GuestLimitRejected { limit: String, requested: u64, allowed: u64 },

    #[error("the guest ran out of fuel: used {used} of {limit}")]
    FuelExhausted { used: u64, limit: u64 },

    #[error("the guest exhausted its stack ({limit_bytes} bytes) during {phase}")]
    StackExhausted { phase: String, limit_bytes: u64 },

    #[error("the guest wrote more than {limit_bytes} bytes of output")]
    OutputLimitExceeded { limit_bytes: u64 },

    #[error(
        "runner V8 heap exhausted during {phase}: {observed_bytes} bytes in use at a limit of \
         {capacity_bytes} bytes (runner heap cap {heap_limit_bytes} bytes)"
    )]
    HeapLimitExhausted { phase: String, observed_bytes: usize, capacity_bytes: usize, heap_limit_bytes: usize },

    #[error("{phase} did not finish within {limit_ms} ms and was terminated")]
    Timeout { phase: String, limit_ms: u64 },

    #[error(
        "termination requested during {phase} ({cause}) did not land within {grace_ms} ms; \
         the runner thread was abandoned"
    )]
    TerminationLost { phase: String, cause: String, grace_ms: u64 },

    #[error("the module did not compile: {message}")]
    CompileError { message: String },

    /// The engine lacks a proposal the module uses: the guest checks accept what V8 ships,
    /// and the wasmtime reference does not implement all of it.
    #[error("{engine} does not support {feature}, which the module uses")]
    UnsupportedFeature { engine: String, feature: String },

    #[error("instantiation failed: {message}")]
    LinkError { message: String },

    #[error("the module exports no function {name:?} to run")]
    NoEntry { name: String },

    #[error("the export {name:?} cannot be run: {reason}")]
    UnsupportedEntry { name: String, reason: String },

    #[error("the guest trapped during {phase}: {message}")]
    Trap { phase: String, message: String },

    #[error("JavaScript error during {phase}: {name}: {message}")]
    #[serde(rename = "js_error")]
    Js { phase: String, name: String, message: String },

    #[error("the guest called proc_exit({code}) during {phase}, before any entry point ran")]
    GuestExited { phase: String, code: i32 },

    #[error("the guest called {module}.{name}, an import the runner only stubbed (trap_unknown_imports)")]
    UnknownImportCalled { module: String, name: String },

    #[error("cannot offer host directory {path} to the guest: {message}")]
    HostDir { path: String, message: String },

    #[error("runner failure: {message}")]
    Internal { message: String },
}

impl RunnerError {
    /// The stable snake_case name of this error, as JSON reports print it in `outcome`.
    pub fn kind(&self) -> &'static str {
        match self {
            RunnerError::InvalidModule { .. } => "invalid_module",
            RunnerError::GuestLimitRejected { .. } => "guest_limit_rejected",
            RunnerError::FuelExhausted { .. } => "fuel_exhausted",
            RunnerError::StackExhausted { .. } => "stack_exhausted",
            RunnerError::OutputLimitExceeded { .. } => "output_limit_exceeded",
            RunnerError::UnresolvedImport { .. } => "unresolved_import",
            RunnerError::HeapLimitExhausted { .. } => "heap_limit_exhausted",
            RunnerError::Timeout { .. } => "timeout",
            RunnerError::TerminationLost { .. } => "termination_lost",
            RunnerError::CompileError { .. } => "compile_error",
            RunnerError::UnsupportedFeature { .. } => "unsupported_feature",
            RunnerError::LinkError { .. } => "link_error",
            RunnerError::NoEntry { .. } => "no_entry",
            RunnerError::UnsupportedEntry { .. } => "unsupported_entry",
            RunnerError::Trap { .. } => "trap",
            RunnerError::Js { .. } => "js_error",
            RunnerError::GuestExited { .. } => "guest_exited",
            RunnerError::UnknownImportCalled { .. } => "unknown_import_called",
            RunnerError::HostDir { .. } => "host_dir",
            RunnerError::Internal { .. } => "internal",
        }
    }
}
