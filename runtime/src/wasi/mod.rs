//! The bundled WASI preview1 runtime: its JS (compiled at bootstrap) and the host side of
//! its in-memory file system, seeded from host directories.

mod preopen;
mod seed;

pub use preopen::Preopen;
pub use seed::load_seed;

/// The WASI preview1 runtime, compiled at bootstrap after the runner script.
pub const WASI_JS: &str = include_str!("js/wasi.js");
