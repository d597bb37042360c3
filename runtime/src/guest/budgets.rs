//! Budgets on everything a module declares that lands on the runner heap or in process
//! memory at warmup. Each rejection names the limit, what was asked and what is allowed.

use super::instrument::Additions;
use crate::limits::guest::{V8_MAX_EXPORTS, V8_MAX_FUNCTIONS, V8_MAX_GLOBALS, V8_MAX_MEMORIES, V8_MAX_TYPES};
use crate::limits::{heap_bound, GuestLimits};
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
    // Names the instrumentation exports its own counters and memories under.
    over("reserved_export_names", u64::from(facts.reserved_exports), 0)?;
    // Guest-allocated heap objects with no budget: refused outright.
    over("gc_types", u64::from(facts.gc_types), 0)?;
    over("tags_with_ref_payload", u64::from(facts.tags_with_ref_payload), 0)?;
    // Everything above at its cost on the runner heap, and what the code can grow.
    over("max_heap_bound_bytes", heap_bound(facts, limits).run_bytes, limits.max_heap_bound_bytes)?;
    Ok(())
}

/// The instrumented module's counts stay within V8's limits: guaranteed for every count
/// with a guest limit (their ranges leave room for the additions), checked here for the
/// types, which have none, and for all of them as a backstop.
pub fn check_v8_counts(facts: &ModuleFacts, added: &Additions) -> Result<(), RunnerError> {
    let functions = u64::from(facts.imported_functions) + u64::from(facts.defined_functions);
    over("v8_max_memories", u64::from(facts.memories) + added.memories, V8_MAX_MEMORIES)?;
    over("v8_max_globals", u64::from(facts.globals) + added.globals, V8_MAX_GLOBALS)?;
    over("v8_max_exports", u64::from(facts.exports) + added.exports, V8_MAX_EXPORTS)?;
    over("v8_max_functions", functions + added.functions, V8_MAX_FUNCTIONS)?;
    over("v8_max_types", u64::from(facts.types) + added.types, V8_MAX_TYPES)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::guest::{MAX_GUEST_EXPORTS, MAX_GUEST_FUNCTIONS, MAX_GUEST_GLOBALS, MAX_GUEST_MEMORIES};
    use crate::report::SharedMemory;

    /// The worst module the largest count settings allow: every count at its largest, every
    /// memory shared, exported, with tail calls and a start function.
    fn largest() -> ModuleFacts {
        ModuleFacts {
            memories: MAX_GUEST_MEMORIES as u32,
            globals: MAX_GUEST_GLOBALS as u32,
            exports: MAX_GUEST_EXPORTS as u32,
            defined_functions: MAX_GUEST_FUNCTIONS as u32,
            shared_memories: (0..MAX_GUEST_MEMORIES as u32)
                .map(|index| SharedMemory { index, memory64: false })
                .collect(),
            tail_calls: 1,
            start_function: Some(0),
            ..Default::default()
        }
    }

    #[test]
    fn the_largest_count_settings_leave_room_for_the_instrumentation() {
        let facts = largest();
        assert_eq!(check_v8_counts(&facts, &super::super::instrument::additions(&facts)), Ok(()));
    }

    #[test]
    fn types_past_v8s_limit_with_the_wait_helpers_are_refused() {
        let facts = ModuleFacts { types: V8_MAX_TYPES as u32 - 3, ..largest() };
        let refused = check_v8_counts(&facts, &super::super::instrument::additions(&facts));
        assert!(matches!(refused, Err(RunnerError::GuestLimitRejected { limit, .. }) if limit == "v8_max_types"));
    }
}
