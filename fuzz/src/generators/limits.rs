use std::time::Duration;

use arbitrary::{Result, Unstructured};
use wasm_runner::limits::GuestLimits;

/// Small guest limits, so that fuzzing hits every one of them often.
pub fn small_guest_limits(u: &mut Unstructured<'_>) -> Result<GuestLimits> {
    Ok(GuestLimits {
        max_memory_bytes: u.int_in_range(0..=32)? * 65536 + u.int_in_range(0..=65535)?,
        max_memories: u.int_in_range(0..=4)?,
        max_table_elements: u.int_in_range(0..=5_000)?,
        max_tables: u.int_in_range(0..=8)?,
        max_element_items: u.int_in_range(0..=5_000)?,
        max_globals: u.int_in_range(0..=500)?,
        max_exports: u.int_in_range(0..=500)?,
        max_functions: u.int_in_range(0..=500)?,
        max_fuel: u.int_in_range(0..=2_000_000)?,
        max_stack_bytes: u.int_in_range(64 * 1024..=1024 * 1024)?,
        max_output_bytes: u.int_in_range(0..=4096)?,
        max_wall_time: Duration::from_secs(2),
        ..GuestLimits::default()
    })
}
