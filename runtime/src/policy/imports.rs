//! Which imports become stubs: with `trap_unknown_imports`, every function import the
//! runner does not provide gets a stub that ends the run as `unknown_import_called` when
//! called. Both engines stub exactly this list.

use crate::guest::ProvidedImports;
use crate::report::{ImportKind, ImportRef};
use crate::request::RunRequest;

/// The imports a request lets a module ask for, given the engine's.
pub(crate) fn provided_for(request: &RunRequest, engine: &ProvidedImports) -> ProvidedImports {
    if request.trap_unknown_imports {
        engine.clone().stubbing_unknown_functions()
    } else {
        engine.clone()
    }
}

/// The imports of a module (as the guest checks listed them) that are stubbed under
/// `provided`.
pub(crate) fn stubbed_imports(imports: &[ImportRef], provided: &ProvidedImports) -> Vec<ImportRef> {
    if !provided.stubs_unknown_functions() {
        return Vec::new();
    }
    imports.iter().filter(|i| i.kind == ImportKind::Function && !provided.defines(i)).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(module: &str, name: &str) -> ImportRef {
        ImportRef { module: module.into(), name: name.into(), kind: ImportKind::Function }
    }

    #[test]
    fn only_functions_nobody_defines_are_stubbed_and_only_when_asked() {
        let imports = [import("wasi_snapshot_preview1", "fd_write"), import("host", "call")];
        let wasi = crate::wasi::preview1::provided();
        assert!(stubbed_imports(&imports, &wasi).is_empty());
        assert_eq!(stubbed_imports(&imports, &wasi.stubbing_unknown_functions()), [import("host", "call")]);
    }
}
