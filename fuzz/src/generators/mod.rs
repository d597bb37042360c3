//! What to run: wasm-smith modules under configs chosen by the fuzz input.

mod endless;
mod limits;
mod modules;

pub use endless::make_endless;
pub use limits::small_guest_limits;
pub use modules::{endless_module, first_export, large_module, terminating_module, Generated};
