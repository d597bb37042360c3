//! What to run: wasm-smith modules under configs chosen by the fuzz input.

mod endless;
mod limits;
mod modules;
mod reachable;
mod trim;
mod wasi_calls;

pub use endless::make_endless;
pub use limits::small_guest_limits;
pub use modules::{
    custom_sections, endless_module, first_export, large_module, terminating_module, with_custom_sections, Generated,
};
pub use trim::trimmed_to_entry;
pub use wasi_calls::{wasi_program, wasi_program_prefix};

/// Reproducible pseudo-random bytes for the generators' tests (xorshift64).
#[cfg(test)]
fn test_bytes(state: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            *state as u8
        })
        .collect()
}
