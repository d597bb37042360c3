//! What wasmtime reported, as a typed error or a signal for the run policy.

use wasmparser::{Validator, WasmFeatures};
use wasmtime::Trap;

use crate::limits::GuestLimits;
use crate::policy::UnknownImportCall;
use crate::report::RunnerError;

/// A stubbed import was called (the V8 runner's `__host.unknownImport`).
#[derive(Debug, thiserror::Error)]
#[error("the guest called {module}.{name}, an import the runner only stubbed")]
pub(super) struct StubCalled {
    pub module: String,
    pub name: String,
}

/// What V8 ships, and so the guest checks accept, but wasmtime does not implement.
const LACKING: &[(WasmFeatures, &str)] = &[(WasmFeatures::LEGACY_EXCEPTIONS, "legacy exception handling")];

/// Why wasmtime refused a module the guest checks accepted: a proposal it lacks and the
/// module uses, or its own compile error. Asked only once a compile has failed, so a module
/// that compiles is validated once, by the guest checks.
pub(super) fn compile_failure(e: &wasmtime::Error, bytes: &[u8]) -> RunnerError {
    for (feature, name) in LACKING {
        let without = crate::guest::wasm_features().difference(*feature);
        if Validator::new_with_features(without).validate_all(bytes).is_err() {
            return RunnerError::UnsupportedFeature { engine: "wasmtime".into(), feature: (*name).into() };
        }
    }
    RunnerError::CompileError { message: format!("{e:#}") }
}

/// What one wasmtime error means.
pub(super) enum Stopped {
    /// `proc_exit`.
    Exit(i32),
    /// A stub ended the run.
    Stub(UnknownImportCall),
    Error(RunnerError),
}

pub(super) fn classify(e: wasmtime::Error, phase: &str, guest: &GuestLimits) -> Stopped {
    if let Some(exit) = e.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return Stopped::Exit(exit.0);
    }
    if let Some(call) = e.downcast_ref::<StubCalled>() {
        return Stopped::Stub(UnknownImportCall { module: call.module.clone(), name: call.name.clone() });
    }
    Stopped::Error(match e.downcast_ref::<Trap>() {
        Some(Trap::StackOverflow) => {
            RunnerError::StackExhausted { phase: phase.to_string(), limit_bytes: guest.stack_bytes() }
        }
        Some(Trap::Interrupt) => {
            RunnerError::Timeout { phase: phase.to_string(), limit_ms: guest.max_wall_time.as_millis() as u64 }
        }
        Some(trap) => RunnerError::Trap { phase: phase.to_string(), message: trap.to_string() },
        None if phase == "instantiate" && e.to_string().contains("unknown import") => {
            RunnerError::LinkError { message: format!("{e:#}") }
        }
        None => RunnerError::Trap { phase: phase.to_string(), message: format!("{e:#}") },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_module_using_legacy_exception_handling_names_the_proposal() {
        let module = wat::parse_str(r#"(module (func try catch_all end))"#).unwrap();
        let error = compile_failure(&wasmtime::Error::msg("refused"), &module);
        assert_eq!(error.kind(), "unsupported_feature", "{error}");
    }

    #[test]
    fn a_refused_module_using_only_what_wasmtime_implements_is_its_compile_error() {
        let module = wat::parse_str(r#"(module (func (result i32) i32.const 1))"#).unwrap();
        let error = compile_failure(&wasmtime::Error::msg("refused"), &module);
        assert_eq!(error, RunnerError::CompileError { message: "refused".into() });
    }
}
