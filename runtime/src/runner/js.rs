//! The runner's own JS, the names Rust injects into it, and the startup snapshots that hold
//! it, alone or with the WASI runtime's JS.

use std::sync::OnceLock;

use crate::guest::{abi, ProvidedImports};
use crate::report::RunnerError;

/// The runner's scripts, in order: name and source.
fn scripts() -> Vec<(&'static str, String)> {
    vec![
        (
            "wasm-runner:runner/abi.js",
            format!("'use strict';\nconst RUNNER_ABI = Object.freeze({});\n", abi::names_json()),
        ),
        ("wasm-runner:runner/bootstrap.js", include_str!("js/bootstrap.js").to_string()),
    ]
}

/// Which JS an isolate's snapshot holds. The WASI runtime is most of it (about 60 of 67 KB
/// of source): its objects are deserialized into every job's fresh context and marked by the
/// full collection of every reset, which together cost more than a small module's whole job
/// (0.9 of 1.5 ms a job on a 2-core machine). A module that imports nothing the WASI runtime
/// provides never reaches it, so its jobs run on isolates made without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scripts {
    /// The runner's own JS: instantiate, run, observe. Imports other than stubs are refused
    /// (`unresolved_import`), as they would be with no provider registered.
    Runner,
    /// The runner's JS, then the WASI runtime's, registered as the provider of its module.
    RunnerAndWasi,
}

impl Scripts {
    /// What a job running `module` needs: the WASI runtime when the module imports a
    /// function `provided` defines (the WASI runtime is the only provider of defined
    /// functions; stubs are natives). Bytes whose import section cannot be read get both:
    /// the guest checks refuse them with the reason, as they would otherwise.
    pub(crate) fn for_module(module: &[u8], provided: &ProvidedImports) -> Scripts {
        match imports_a_defined_function(module, provided) {
            Some(false) => Scripts::Runner,
            Some(true) | None => Scripts::RunnerAndWasi,
        }
    }

    fn sources(self) -> Vec<(&'static str, String)> {
        let mut all = scripts();
        if self == Scripts::RunnerAndWasi {
            all.extend(crate::wasi::js::scripts());
        }
        all
    }

    /// What the `bootstrap` phase evaluates: `true` when the context holds the entry points
    /// these scripts define.
    pub(crate) fn bootstrap_check(self) -> &'static str {
        match self {
            Scripts::Runner => RUNNER_CHECK,
            Scripts::RunnerAndWasi => RUNNER_AND_WASI_CHECK,
        }
    }
}

/// Whether `module` imports a function `provided` defines; `None` when the sections up to
/// the imports cannot be read. Stops at the first section after the imports, so a large
/// module costs no more than a small one.
fn imports_a_defined_function(module: &[u8], provided: &ProvidedImports) -> Option<bool> {
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.ok()? {
            wasmparser::Payload::Version { .. }
            | wasmparser::Payload::TypeSection(_)
            | wasmparser::Payload::CustomSection(_) => {}
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.ok()?;
                    let function =
                        matches!(import.ty, wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_));
                    if function && provided.defines_function(import.module, import.name) {
                        return Some(true);
                    }
                }
                return Some(false);
            }
            _ => return Some(false),
        }
    }
    Some(false)
}

macro_rules! runner_check {
    () => {
        "typeof __wasmRunner.instantiate === 'function' && typeof __wasmRunner.run === 'function'"
    };
}
const RUNNER_CHECK: &str = runner_check!();
const RUNNER_AND_WASI_CHECK: &str = concat!(runner_check!(), " && typeof WASI_PREVIEW1 === 'object'");

/// The snapshot an isolate holding `scripts` starts from, made once per process.
pub(crate) fn snapshot(scripts: Scripts) -> Result<&'static [u8], RunnerError> {
    static RUNNER: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    static RUNNER_AND_WASI: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    let cell = match scripts {
        Scripts::Runner => &RUNNER,
        Scripts::RunnerAndWasi => &RUNNER_AND_WASI,
    };
    match cell.get_or_init(|| crate::isolate::snapshot::create(&scripts.sources())) {
        Ok(blob) => Ok(blob.as_slice()),
        Err(message) => Err(RunnerError::Internal { message: message.clone() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripts_for(text: &str, provided: &ProvidedImports) -> Scripts {
        Scripts::for_module(&wat::parse_str(text).expect("valid text"), provided)
    }

    fn wasi() -> ProvidedImports {
        crate::wasi::preview1::provided()
    }

    #[test]
    fn a_module_that_imports_nothing_gets_the_runner_alone() {
        assert_eq!(scripts_for("(module (func (export \"f\")))", &wasi()), Scripts::Runner);
    }

    #[test]
    fn a_module_that_imports_a_wasi_function_gets_the_wasi_runtime() {
        let module = r#"(module (import "wasi_snapshot_preview1" "fd_write"
                          (func (param i32 i32 i32 i32) (result i32))) (memory 1))"#;
        assert_eq!(scripts_for(module, &wasi()), Scripts::RunnerAndWasi);
    }

    #[test]
    fn a_wasi_import_the_runner_is_not_given_does_not_bring_the_wasi_runtime() {
        let module = r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))"#;
        assert_eq!(scripts_for(module, &ProvidedImports::none().stubbing_unknown_functions()), Scripts::Runner);
    }

    #[test]
    fn stubbed_and_non_function_imports_get_the_runner_alone() {
        let module = r#"(module (import "env" "f" (func)) (import "env" "m" (memory 1))
                          (import "wasi_snapshot_preview1" "g" (global i32)))"#;
        assert_eq!(scripts_for(module, &wasi().stubbing_unknown_functions()), Scripts::Runner);
    }

    #[test]
    fn bytes_whose_imports_cannot_be_read_get_the_wasi_runtime_too() {
        let mut module = wat::parse_str(r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))"#)
            .expect("valid text");
        module.truncate(module.len() - 3);
        assert_eq!(Scripts::for_module(&module, &wasi()), Scripts::RunnerAndWasi);
        assert_eq!(Scripts::for_module(b"not wasm", &wasi()), Scripts::RunnerAndWasi);
    }

    #[test]
    fn each_snapshot_passes_its_own_bootstrap_check_only() {
        let check = |made: Scripts, checked: Scripts| {
            let snapshot = snapshot(made).expect("the snapshot is made");
            let mut isolate = crate::isolate::RunnerIsolate::new(64 << 20, None, snapshot);
            isolate.run_script("check.js", checked.bootstrap_check()).expect("the check runs")
        };
        assert_eq!(check(Scripts::Runner, Scripts::Runner), "true");
        assert_eq!(check(Scripts::RunnerAndWasi, Scripts::RunnerAndWasi), "true");
        assert_eq!(check(Scripts::Runner, Scripts::RunnerAndWasi), "false", "the runner alone lacks the WASI runtime");
    }
}
