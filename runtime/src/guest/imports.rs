//! Which imports the runner can satisfy. A module asking for anything else is refused
//! before V8 compiles it, with every missing import named (up to a bound).

use crate::report::{ImportKind, ImportRef, RunnerError};

/// The set of imports a runner provides, as (module, name, kind).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvidedImports {
    functions: Vec<(&'static str, &'static str)>,
    /// Function imports nobody provides get a stub that ends the run when called
    /// (`unknown_import_called`), like wasmtime's `--trap-unknown-imports`.
    stub_unknown_functions: bool,
}

impl ProvidedImports {
    /// A runner that provides nothing: only self-contained modules instantiate.
    pub fn none() -> Self {
        ProvidedImports::default()
    }

    pub fn with_functions(functions: &[(&'static str, &'static str)]) -> Self {
        ProvidedImports { functions: functions.to_vec(), stub_unknown_functions: false }
    }

    /// The same set, with every other function import stubbed to end the run when called.
    pub fn stubbing_unknown_functions(mut self) -> Self {
        self.stub_unknown_functions = true;
        self
    }

    pub fn stubs_unknown_functions(&self) -> bool {
        self.stub_unknown_functions
    }

    /// Whether a module asking for `import` can be instantiated: a function the runner
    /// defines, or any function when unknown ones are stubbed.
    pub fn provides(&self, import: &ImportRef) -> bool {
        import.kind == ImportKind::Function && (self.stub_unknown_functions || self.defines(import))
    }

    /// Whether the runner defines `import` itself (not as a stub).
    pub fn defines(&self, import: &ImportRef) -> bool {
        import.kind == ImportKind::Function && self.defines_function(&import.module, &import.name)
    }

    /// Whether the runner defines the function `module.name` itself (not as a stub).
    pub fn defines_function(&self, module: &str, name: &str) -> bool {
        self.functions.iter().any(|(m, n)| *m == module && *n == name)
    }
}

/// How many unresolved imports an error lists by name (the total is always given).
pub const MAX_LISTED_UNRESOLVED: usize = 32;

/// Fails on the first import `provided` cannot satisfy.
pub fn check_imports(imports: &[ImportRef], provided: &ProvidedImports) -> Result<(), RunnerError> {
    match imports.iter().find(|i| !provided.provides(i)) {
        None => Ok(()),
        Some(missing) => {
            let unresolved: Vec<&ImportRef> = imports.iter().filter(|i| !provided.provides(i)).collect();
            Err(RunnerError::UnresolvedImport {
                module: missing.module.clone(),
                name: missing.name.clone(),
                import_kind: missing.kind.as_str().to_string(),
                unresolved_total: unresolved.len(),
                unresolved: Box::new(unresolved.iter().take(MAX_LISTED_UNRESOLVED).map(ToString::to_string).collect()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn functions(n: usize) -> Vec<ImportRef> {
        (0..n).map(|i| ImportRef { module: "env".into(), name: format!("f{i}"), kind: ImportKind::Function }).collect()
    }

    #[test]
    fn the_unresolved_list_is_capped_but_the_total_is_not() {
        let imports = functions(MAX_LISTED_UNRESOLVED + 5);
        match check_imports(&imports, &crate::wasi::preview1::provided()) {
            Err(RunnerError::UnresolvedImport { unresolved_total, unresolved, name, .. }) => {
                assert_eq!(unresolved_total, MAX_LISTED_UNRESOLVED + 5);
                assert_eq!(unresolved.len(), MAX_LISTED_UNRESOLVED);
                assert_eq!(name, "f0");
                assert_eq!(unresolved[1], "env.f1 (function)");
            }
            other => panic!("expected unresolved_import, got {other:?}"),
        }
    }

    #[test]
    fn stubbing_satisfies_function_imports_only() {
        let stubbed = crate::wasi::preview1::provided().stubbing_unknown_functions();
        assert!(check_imports(&functions(3), &stubbed).is_ok());
        let memory = ImportRef { module: "env".into(), name: "mem".into(), kind: ImportKind::Memory };
        assert!(check_imports(&[memory], &stubbed).is_err());
    }
}
