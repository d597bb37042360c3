//! What oracles, benches and audit tests need beyond the public API: the guest checks'
//! parts, the instrumentation's ABI, V8's settings, trusted-script fault injection. Not a
//! stable interface; named so that every use of it reads as one.

use crate::report::{Failure, PhaseReport};
use crate::Runner;

pub use crate::guest::abi;
pub use crate::guest::{
    additions, check_imports, inspect, instrument, prepared_cache_hits, wasm_features, Additions,
    MAX_LISTED_UNRESOLVED, PREPARED_CACHE_FROM_BYTES, PREPARED_CACHE_MAX_BYTES,
};
pub use crate::isolate::{
    engine_flags, isolates_made, GuardPolicy, GuardReport, DEFAULT_V8_FLAGS, REQUIRED_V8_FLAGS, V8_FLAGS_ENV,
};
pub use crate::process::{peak_rss_bytes, rss_bytes};
pub use crate::wasi::preview1::{FUNCTIONS as WASI_PREVIEW1_FUNCTIONS, MODULE as WASI_PREVIEW1_MODULE};

/// Writes one line to stdout; when stdout's reader has gone (`| head`) the process ends
/// quietly with status 141, as a Unix tool ended by SIGPIPE does, where `println!` would
/// panic. The runtime's CLI prints through it, and so does the stress job's.
pub fn write_stdout_line(line: std::fmt::Arguments) {
    crate::cli::output::write_stdout(line)
}

/// The wasmtime configuration the reference compiles with, for benches that compile the
/// same bytes with other wasmtime strategies.
#[cfg(feature = "reference")]
pub fn reference_config(guest: &crate::limits::GuestLimits) -> wasmtime::Config {
    crate::reference::config(guest, true)
}

/// Waits (up to `limit`) until every runner thread between jobs has reset or replaced its
/// isolate: afterwards `isolates_made` changes only when a job makes one.
pub fn wait_for_idle_workers(limit: std::time::Duration) -> bool {
    crate::runner::wait_for_idle_workers(limit)
}

/// Runs trusted JS (never guest input) in a runner isolate of `runner` after bootstrap,
/// under the same heap guard and watchdog as a warmup: fault injection for the guard and
/// the watchdog themselves. Returns what the script evaluated to and the phases.
pub fn run_trusted_script(runner: &Runner, name: &str, source: &str) -> Result<(String, Vec<PhaseReport>), Failure> {
    runner.run_trusted_script(name, source)
}

pub use crate::cache::disk::disk_cache_hits;
