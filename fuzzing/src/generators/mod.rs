//! What to run: wasm-smith modules under configs chosen by the fuzz input.

mod limits;
mod modules;

pub use limits::small_guest_limits;
pub use modules::{first_export, large_module, terminating_module, Generated};
