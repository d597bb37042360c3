//! Which exports a run calls, in which order, around its entry point.

use crate::guest::abi::START_EXPORT;
use crate::request::DEFAULT_ENTRY;

/// Called right after instantiation when the module exports it: the start function, which
/// the instrumentation moved out of the start section so that it runs with the instance
/// complete (see `guest::abi::START_EXPORT`).
pub(crate) const AFTER_INSTANTIATE: &[&str] = &[START_EXPORT];

/// Called before `entry` when the module exports them: a WASI reactor is initialised
/// before any export other than a command's `_start` is called.
pub(crate) fn before_entry(entry: &str) -> &'static [&'static str] {
    if entry == DEFAULT_ENTRY {
        &[]
    } else {
        &["_initialize"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reactor_export_is_preceded_by_initialize_and_a_command_is_not() {
        assert_eq!(before_entry("run"), ["_initialize"]);
        assert!(before_entry("_start").is_empty());
    }
}
