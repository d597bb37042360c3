//! Budgets on everything a module declares that lands on the runner heap or in process
//! memory at warmup. Each rejection names the limit, what was asked and what is allowed.

use crate::limits::GuestLimits;
use crate::report::{ModuleFacts, RunnerError};

const PAGE: u64 = 65536;

fn over(limit: &str, requested: u64, allowed: u64) -> Result<(), RunnerError> {
    if requested > allowed {
        Err(RunnerError::GuestLimitRejected { limit: limit.to_string(), requested, allowed })
    } else {
        Ok(())
    }
}

/// Module size, checked before anything is parsed.
pub fn check_module_size(bytes: usize, limits: &GuestLimits) -> Result<(), RunnerError> {
    over("max_module_bytes", bytes as u64, limits.max_module_bytes)
}

/// Every declared-size budget.
pub fn check_budgets(facts: &ModuleFacts, limits: &GuestLimits) -> Result<(), RunnerError> {
    check_module_size(facts.bytes, limits)?;
    over("max_memories", u64::from(facts.memories), limits.max_memories)?;
    over("max_memory_bytes", facts.memory_initial_pages.saturating_mul(PAGE), limits.max_memory_bytes)?;
    over("max_tables", u64::from(facts.tables), limits.max_tables)?;
    over("max_table_elements", facts.table_initial_elements, limits.max_table_elements)?;
    over("max_element_items", facts.element_items, limits.max_element_items)?;
    over("max_globals", u64::from(facts.globals), limits.max_globals)?;
    over("max_exports", u64::from(facts.exports), limits.max_exports)?;
    over(
        "max_functions",
        u64::from(facts.defined_functions).saturating_add(u64::from(facts.imported_functions)),
        limits.max_functions,
    )?;
    // Guest-allocated heap objects with no budget: refused outright.
    over("gc_types", u64::from(facts.gc_types), 0)?;
    over("tags_with_ref_payload", u64::from(facts.tags_with_ref_payload), 0)?;
    // A guest with no threads can only wake from a wait by its timeout, and the reference
    // engine cannot stop a wait at the deadline: refused in both.
    over("atomic_waits", facts.atomic_waits, 0)?;
    Ok(())
}
