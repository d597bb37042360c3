//! Which imports the runner can satisfy. A module asking for anything else is refused
//! before V8 compiles it, with the first missing import named.

use serde::Serialize;

use crate::error::RunnerError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Function,
    Table,
    Memory,
    Global,
    Tag,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Function => "function",
            ImportKind::Table => "table",
            ImportKind::Memory => "memory",
            ImportKind::Global => "global",
            ImportKind::Tag => "tag",
        }
    }
}

impl From<&wasmparser::TypeRef> for ImportKind {
    fn from(ty: &wasmparser::TypeRef) -> Self {
        match ty {
            wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_) => ImportKind::Function,
            wasmparser::TypeRef::Table(_) => ImportKind::Table,
            wasmparser::TypeRef::Memory(_) => ImportKind::Memory,
            wasmparser::TypeRef::Global(_) => ImportKind::Global,
            wasmparser::TypeRef::Tag(_) => ImportKind::Tag,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRef {
    pub module: String,
    pub name: String,
    pub kind: ImportKind,
}

/// WASI preview1's functions, as `runner/js/wasi.js` lists them.
pub const WASI_PREVIEW1_FUNCTIONS: &[&str] = &[
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

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

    /// Every WASI preview1 function: the bundled WASI runtime defines all of them (the
    /// unsupported ones answer ENOSYS).
    pub fn wasi_preview1() -> Self {
        ProvidedImports::with_functions(
            &WASI_PREVIEW1_FUNCTIONS.iter().map(|n| ("wasi_snapshot_preview1", *n)).collect::<Vec<_>>(),
        )
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

    pub fn provides(&self, import: &ImportRef) -> bool {
        import.kind == ImportKind::Function
            && (self.stub_unknown_functions
                || self.functions.iter().any(|(m, n)| *m == import.module && *n == import.name))
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
                unresolved: Box::new(
                    unresolved
                        .iter()
                        .take(MAX_LISTED_UNRESOLVED)
                        .map(|i| format!("{}.{} ({})", i.module, i.name, i.kind.as_str()))
                        .collect(),
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unresolved_list_is_capped_but_the_total_is_not() {
        let imports: Vec<ImportRef> = (0..MAX_LISTED_UNRESOLVED + 5)
            .map(|i| ImportRef { module: "env".into(), name: format!("f{i}"), kind: ImportKind::Function })
            .collect();
        match check_imports(&imports, &ProvidedImports::wasi_preview1()) {
            Err(RunnerError::UnresolvedImport { unresolved_total, unresolved, name, .. }) => {
                assert_eq!(unresolved_total, MAX_LISTED_UNRESOLVED + 5);
                assert_eq!(unresolved.len(), MAX_LISTED_UNRESOLVED);
                assert_eq!(name, "f0");
                assert_eq!(unresolved[1], "env.f1 (function)");
            }
            other => panic!("expected unresolved_import, got {other:?}"),
        }
        // Stubbing satisfies function imports only.
        let stubbed = ProvidedImports::wasi_preview1().stubbing_unknown_functions();
        assert!(check_imports(&imports, &stubbed).is_ok());
        let memory = ImportRef { module: "env".into(), name: "mem".into(), kind: ImportKind::Memory };
        assert!(check_imports(&[memory], &stubbed).is_err());
    }
}
