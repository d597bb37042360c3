//! The whole Rust-side gate: size, validation, budgets, imports, then instrumentation.

use std::sync::Arc;

use super::{check_budgets, check_imports, check_module_size, inspect, instrument, ModuleFacts, ProvidedImports};
use crate::error::RunnerError;
use crate::limits::GuestLimits;

/// A module that passed every guest check, rewritten to enforce the guest limits.
#[derive(Debug, Clone)]
pub struct PreparedModule {
    pub facts: ModuleFacts,
    /// The instrumented bytes engines run.
    pub bytes: Arc<[u8]>,
    pub fuel_limit: u64,
}

pub fn prepare(bytes: &[u8], limits: &GuestLimits, provided: &ProvidedImports) -> Result<PreparedModule, RunnerError> {
    check_module_size(bytes.len(), limits)?;
    let facts = inspect(bytes)?;
    check_budgets(&facts, limits)?;
    check_imports(&facts.imports, provided)?;
    let instrumented = instrument(bytes, &facts, limits)?;
    Ok(PreparedModule { facts, bytes: instrumented.into(), fuel_limit: limits.fuel() })
}
