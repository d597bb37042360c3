//! The whole Rust-side gate: size, validation, budgets, imports, then instrumentation.

use std::sync::Arc;

use super::budgets::{check_budgets, check_module_size, check_v8_counts};
use super::cancel::Cancel;
use super::imports::{check_imports, ProvidedImports};
use super::instrument::{additions, instrument_rewritten};
use super::validate::{inspect_and_rewrite, inspect_cancellable};
use crate::cache::SharedBytes;
use crate::limits::guest::V8_MAX_MODULE_BYTES;
use crate::limits::GuestLimits;
use crate::policy::stubbed_imports;
use crate::report::{ImportRef, ModuleFacts, RunnerError};

/// A module that passed every guest check, rewritten to enforce the guest limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedModule {
    pub facts: ModuleFacts,
    /// The instrumented bytes engines run.
    pub bytes: SharedBytes,
    /// The fuel compiled into the bytes (0 without instrumentation).
    pub fuel_limit: u64,
    /// Function imports nobody provides, accepted as stubs (see `ProvidedImports`).
    pub stubbed: Vec<ImportRef>,
}

/// Whether the guest limits are compiled into the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Instrumentation {
    #[default]
    On,
    /// Checks only: fuel and growth caps are not enforced. For testing the instrumentation
    /// itself (an instrumented module must behave like the original while no limit is hit).
    Off,
}

/// Every guest check on `bytes`, then the instrumentation: what both engines run.
pub fn prepare(
    bytes: &[u8],
    limits: &GuestLimits,
    provided: &ProvidedImports,
    instrumentation: Instrumentation,
) -> Result<PreparedModule, RunnerError> {
    prepare_cancellable(bytes, limits, provided, instrumentation, &Cancel::default())
}

/// `prepare`, stopping (with an internal "cancelled" error the run policy reads as the
/// deadline) once `cancel` is set.
pub(crate) fn prepare_cancellable(
    bytes: &[u8],
    limits: &GuestLimits,
    provided: &ProvidedImports,
    instrumentation: Instrumentation,
    cancel: &Cancel,
) -> Result<PreparedModule, RunnerError> {
    check_module_size(bytes.len(), limits)?;
    let started = std::time::Instant::now();
    // Bodies are rewritten while they are validated (one parse of the code); a module the
    // later checks refuse wasted that work, bounded by the module size limit.
    let (facts, rewritten) = match instrumentation {
        Instrumentation::On => {
            let (facts, rewritten) = inspect_and_rewrite(bytes, limits.max_instrumented_bytes, cancel)?;
            (facts, Some(rewritten))
        }
        Instrumentation::Off => (inspect_cancellable(bytes, cancel)?, None),
    };
    let validated = started.elapsed();
    check_budgets(&facts, limits)?;
    check_imports(&facts.imports, provided)?;
    let bytes: Arc<[u8]> = match rewritten {
        Some(code) => {
            check_v8_counts(&facts, &additions(&facts))?;
            instrument_rewritten(bytes, &facts, limits, code)?
        }
        None => bytes.into(),
    };
    check_instrumented_size(bytes.len() as u64, limits.max_instrumented_bytes)?;
    tracing::debug!(
        validate_and_rewrite_ms = validated.as_secs_f64() * 1e3,
        budgets_imports_and_assembly_ms = (started.elapsed() - validated).as_secs_f64() * 1e3,
        "guest checks"
    );
    let fuel_limit = if instrumentation == Instrumentation::On { limits.fuel() } else { 0 };
    let stubbed = stubbed_imports(&facts.imports, provided);
    Ok(PreparedModule { facts, bytes: bytes.into(), fuel_limit, stubbed })
}

/// The instrumented module is what the engines hold (V8 a copy, compiled code beside it):
/// its size is the measured driver of process memory, so it has a budget of its own, at most
/// what V8 compiles (the instrumentation adds charges to every body, so a module under the
/// module limit can grow past either).
fn check_instrumented_size(bytes: u64, budget: u64) -> Result<(), RunnerError> {
    let allowed = budget.min(V8_MAX_MODULE_BYTES);
    if bytes > allowed {
        let limit = if budget <= V8_MAX_MODULE_BYTES { "max_instrumented_bytes" } else { "v8_max_module_bytes" };
        return Err(RunnerError::GuestLimitRejected { limit: limit.into(), requested: bytes, allowed });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instrumented_module_over_v8s_size_limit_is_refused() {
        let unbounded = u64::MAX;
        assert!(check_instrumented_size(V8_MAX_MODULE_BYTES, unbounded).is_ok());
        assert!(matches!(
            check_instrumented_size(V8_MAX_MODULE_BYTES + 1, unbounded),
            Err(RunnerError::GuestLimitRejected { limit, .. }) if limit == "v8_max_module_bytes"
        ));
    }

    #[test]
    fn an_instrumented_module_over_its_budget_is_refused() {
        assert!(check_instrumented_size(1000, 1000).is_ok());
        assert!(matches!(
            check_instrumented_size(1001, 1000),
            Err(RunnerError::GuestLimitRejected { limit, requested: 1001, allowed: 1000 }) if limit == "max_instrumented_bytes"
        ));
    }
}
