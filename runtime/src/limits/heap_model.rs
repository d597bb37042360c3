//! The heap model: an upper bound of the runner's V8 heap for one module under the guest
//! limits, from what the module declares (`ModuleFacts`) and the costs per item in
//! `costs`. It is what makes "no guest reaches the heap guard" checkable: the guest checks
//! refuse a module whose bound is over `max_heap_bound_bytes` (a quarter of the default
//! runner cap), and every oracle asserts that a measured peak stays within the bound, so a
//! peak past it is an allocation the model does not know: a finding.
//!
//! What a guest can make V8 hold beyond its declarations is counted at its limit: tables
//! at the table budget when the module can grow them, an exception kept alive by every
//! exception reference that can hold one (exception tables, globals, and the stack), and
//! the WASI runtime's budgets (`costs::run_phase_heap_bound`).

use serde::Serialize;

use super::costs::*;
use super::guest::V8_MAX_TABLE_ELEMENTS;
use super::GuestLimits;
use crate::report::ModuleFacts;

/// The bound at warmup (start function included) and over a whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HeapBound {
    pub warmup_bytes: u64,
    pub run_bytes: u64,
}

/// The heap model's bound for a module with `facts` under `guest`.
pub fn heap_bound(facts: &ModuleFacts, guest: &GuestLimits) -> HeapBound {
    let module = module_heap_bound(facts, guest);
    let run = module.saturating_add(run_phase_heap_bound(guest));
    // A start function runs at warmup with the WASI runtime, so it can do what a run can.
    let warmup = if facts.start_function.is_some() { run } else { module.saturating_add(YOUNG_GARBAGE_BYTES) };
    HeapBound { warmup_bytes: warmup, run_bytes: run }
}

/// What V8 may hold for the module itself: its declarations, and what its code can grow
/// (tables, held exceptions).
fn module_heap_bound(facts: &ModuleFacts, guest: &GuestLimits) -> u64 {
    let functions = u64::from(facts.defined_functions) + u64::from(facts.imported_functions);
    let table_slots = grown_slots(facts, facts.tables, facts.table_initial_elements, guest);
    let items = [
        (functions, FUNCTION_HEAP_BOUND_BYTES),
        (facts.imports.len() as u64, IMPORT_HEAP_BOUND_BYTES),
        (u64::from(facts.types), TYPE_HEAP_BOUND_BYTES),
        (u64::from(facts.tags), TAG_HEAP_BOUND_BYTES),
        // The instrumentation may add the interrupt flag's memory.
        (u64::from(facts.memories) + 1, MEMORY_HEAP_BOUND_BYTES),
        (table_slots, TABLE_SLOT_HEAP_BOUND_BYTES),
        (facts.element_items, ELEMENT_ITEM_HEAP_BOUND_BYTES),
        (u64::from(facts.element_segments), ELEMENT_SEGMENT_HEAP_BOUND_BYTES),
        (u64::from(facts.data_segments), DATA_SEGMENT_HEAP_BOUND_BYTES),
        (u64::from(facts.exports), EXPORT_HEAP_BOUND_BYTES),
        (u64::from(facts.globals), GLOBAL_HEAP_BOUND_BYTES),
        (exception_holders(facts, guest), exception_bound_bytes(facts)),
    ];
    items.iter().fold(BASE_HEAP_BOUND_BYTES, |sum, (count, cost)| sum.saturating_add(count.saturating_mul(*cost)))
}

/// The most slots `tables` tables holding `initial` slots can reach: their initial sizes
/// without `table.grow`; with it, what the instrumentation lets them grow to (the table
/// budget over all tables, and V8's own limit for each).
fn grown_slots(facts: &ModuleFacts, tables: u32, initial: u64, guest: &GuestLimits) -> u64 {
    if facts.table_grows == 0 || tables == 0 {
        return initial;
    }
    let reachable = guest.max_table_elements.min(u64::from(tables).saturating_mul(V8_MAX_TABLE_ELEMENTS));
    initial.max(reachable)
}

/// Exception references that can each keep a distinct exception alive at once: every slot
/// of an exception table (at the table budget when tables can grow), every exception
/// global, and every reference the guest's stack can hold. None without a tag: nothing
/// else throws a catchable exception into the guest.
fn exception_holders(facts: &ModuleFacts, guest: &GuestLimits) -> u64 {
    if facts.tags == 0 {
        return 0;
    }
    grown_slots(facts, facts.exn_tables, facts.exn_table_elements, guest)
        + u64::from(facts.exn_globals)
        + guest.stack_bytes() / STACK_BYTES_PER_REFERENCE
}

/// The largest exception the module's tags can make.
fn exception_bound_bytes(facts: &ModuleFacts) -> u64 {
    EXCEPTION_HEAP_BOUND_BYTES + u64::from(facts.max_tag_payload_slots) * EXCEPTION_SLOT_HEAP_BOUND_BYTES
}
