//! The run policy both engines follow: what an exit, a termination, an output overflow, a
//! fuel trap or an unknown import mean, which wins when several happen, which exports are
//! called in which order, and how results are printed and observed.
//!
//! Each rule is written here once. The V8 runner and the wasmtime reference keep their
//! own mechanisms (how they notice a deadline, how they capture output, how they call an
//! export) and ask this module what it means, so a difference between them in a
//! differential test is a difference of mechanism, never of two copies of a rule.

mod calls;
pub(crate) mod determinism;
mod entry;
mod fuel;
mod imports;
mod observe;
mod outcome;
mod output;
mod request;
mod values;
mod zero_pages;

pub(crate) use calls::{before_entry, AFTER_INSTANTIATE};
pub use entry::check_entry;
pub(crate) use fuel::fuel_used;
pub(crate) use imports::{provided_for, stubbed_imports};
pub(crate) use observe::{is_observed_export, memory_hash, observed};
pub(crate) use outcome::{decide, StopSignals, UnknownImportCall};
pub(crate) use output::{OutputCapture, Stream};
pub(crate) use request::check_request;
pub(crate) use values::js_number;
