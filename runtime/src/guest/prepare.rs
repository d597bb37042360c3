//! The whole Rust-side gate: size, validation, budgets, imports, then instrumentation.

use std::sync::Arc;

use super::facts::{inspect, inspect_and_rewrite};
use super::instrument::instrument_rewritten;
use super::{check_budgets, check_imports, check_module_size, ModuleFacts, ProvidedImports};
use crate::error::RunnerError;
use crate::limits::GuestLimits;

/// A module that passed every guest check, rewritten to enforce the guest limits.
#[derive(Debug, Clone)]
pub struct PreparedModule {
    pub facts: ModuleFacts,
    /// The instrumented bytes engines run.
    pub bytes: Arc<[u8]>,
    pub fuel_limit: u64,
    /// Imports beyond what the runner provides were accepted as stubs (see `ProvidedImports`).
    pub stubs_unknown_imports: bool,
}

pub fn prepare(bytes: &[u8], limits: &GuestLimits, provided: &ProvidedImports) -> Result<PreparedModule, RunnerError> {
    prepare_with(bytes, limits, provided, Instrumentation::On)
}

/// Whether the guest limits are compiled into the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instrumentation {
    On,
    /// Checks only: fuel and growth caps are not enforced. For testing the instrumentation
    /// itself (an instrumented module must behave like the original while no limit is hit).
    Off,
}

pub fn prepare_with(
    bytes: &[u8],
    limits: &GuestLimits,
    provided: &ProvidedImports,
    instrumentation: Instrumentation,
) -> Result<PreparedModule, RunnerError> {
    check_module_size(bytes.len(), limits)?;
    // Bodies are rewritten while they are validated (one parse of the code); a module the
    // later checks refuse wasted that work, bounded by the module size limit.
    let (facts, rewritten) = match instrumentation {
        Instrumentation::On => {
            let (facts, rewritten) = inspect_and_rewrite(bytes)?;
            (facts, Some(rewritten))
        }
        Instrumentation::Off => (inspect(bytes)?, None),
    };
    check_budgets(&facts, limits)?;
    check_imports(&facts.imports, provided)?;
    let bytes: Arc<[u8]> = match rewritten {
        Some(code) => instrument_rewritten(bytes, &facts, limits, code)?.into(),
        None => bytes.into(),
    };
    let fuel_limit = if instrumentation == Instrumentation::On { limits.fuel() } else { 0 };
    Ok(PreparedModule { facts, bytes, fuel_limit, stubs_unknown_imports: provided.stubs_unknown_functions() })
}
