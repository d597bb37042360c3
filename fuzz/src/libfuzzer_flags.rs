//! libFuzzer flags every target runs with unless its command line names them, so that
//! `cargo +nightly fuzz run <target>` runs as fast as the campaign does with nothing to
//! remember (fuzz/README.md, "Where an execution's time goes").
//!
//! libFuzzer reads flags only from its command line, and parses them after calling
//! `LLVMFuzzerInitialize`; libfuzzer-sys owns that function and passes the target no argv.
//! So a target whose command line lacks a default re-executes itself once, with the flag
//! appended, before libFuzzer has read anything. Children libFuzzer starts (`-fork`,
//! `-merge`) inherit the flags and the marker, and never re-execute.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// `(flag, value, why)`: each default with the measurement that chose it.
pub const DEFAULT_FLAGS: &[(&str, &str, &str)] = &[(
    "entropic",
    "0",
    "the entropic power schedule updates per-input feature frequencies for every feature an input \
     touches; with wasmtime and Cranelift instrumented that was 62% of `differential`'s time \
     (15 exec/s with it, 132 without, and more coverage in the same 30 s)",
)];

/// Set in the environment of the re-executed process: the defaults have been considered.
pub const APPLIED_ENV: &str = "WASM_RUNNER_FUZZ_FLAGS_APPLIED";

/// The flags of `DEFAULT_FLAGS` that `args` (a libFuzzer command line without argv[0]) does
/// not name, as libFuzzer spells them (`-name=value`).
pub fn missing_defaults(args: &[OsString]) -> Vec<String> {
    DEFAULT_FLAGS
        .iter()
        .filter(|(name, _, _)| !args.iter().any(|arg| names_flag(arg, name)))
        .map(|(name, value, _)| format!("-{name}={value}"))
        .collect()
}

fn names_flag(arg: &OsString, name: &str) -> bool {
    arg.to_str()
        .and_then(|a| a.strip_prefix('-'))
        .and_then(|a| a.strip_prefix(name))
        .is_some_and(|rest| rest.starts_with('='))
}

/// Called from each target's `LLVMFuzzerInitialize` (the `init:` of `fuzz_target!`): when a
/// default is missing, replaces this process with itself plus the missing flags. Returns
/// when nothing is missing, or when the re-execution failed (said on stderr; libFuzzer then
/// runs with its own defaults).
pub fn apply_defaults() {
    if std::env::var_os(APPLIED_ENV).is_some() {
        return;
    }
    let mut args = std::env::args_os();
    let Some(arg0) = args.next() else { return };
    let rest: Vec<OsString> = args.collect();
    let missing = missing_defaults(&rest);
    if missing.is_empty() {
        return;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return eprintln!("wasm-runner-fuzz: running without {missing:?}: cannot find this binary: {e}"),
    };
    let error = Command::new(exe).arg0(arg0).args(&rest).args(&missing).env(APPLIED_ENV, "1").exec();
    eprintln!("wasm-runner-fuzz: running without {missing:?}: cannot re-execute: {error}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn a_command_line_without_the_flag_gets_the_default() {
        assert_eq!(missing_defaults(&args(&["corpus/warmup", "-max_total_time=60"])), vec!["-entropic=0"]);
    }

    #[test]
    fn a_flag_the_user_gives_is_never_overridden() {
        assert!(missing_defaults(&args(&["-entropic=1", "corpus/warmup"])).is_empty());
    }

    #[test]
    fn a_flag_that_only_shares_the_prefix_does_not_count_as_given() {
        let given = args(&["-entropic_number_of_rarest_features=10"]);
        assert_eq!(missing_defaults(&given), vec!["-entropic=0"]);
    }
}
