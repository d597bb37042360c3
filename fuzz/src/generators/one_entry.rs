//! A module whose only exported function is the one an oracle calls. wasm-smith's callable
//! modules export every function so that there is something to call, but an oracle calls one,
//! and each other exported function costs both engines for nothing: wasmtime compiles a
//! trampoline for every exported function (a sixth of the reference's compile of
//! `differential`'s modules), and V8 makes each a wrapper. Exported globals, memories,
//! tables and tags stay: the comparisons read globals.

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::ExternalKind;

struct OnlyEntry<'a> {
    entry: &'a str,
}

impl Reencode for OnlyEntry<'_> {
    type Error = std::convert::Infallible;

    fn parse_export(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        export: wasmparser::Export<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        if export.kind == ExternalKind::Func && export.name != self.entry {
            return Ok(());
        }
        RoundtripReencoder.parse_export(exports, export)
    }

    /// Custom sections go through as bytes: a `name` section the fuzzer filled with garbage
    /// (`with_custom_sections`) is still a valid module's, and parsing it would refuse it.
    fn parse_custom_section(
        &mut self,
        module: &mut wasm_encoder::Module,
        section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        module.section(&self.custom_section(section)?);
        Ok(())
    }
}

/// `module` (valid) with `entry` its only exported function.
pub fn only_entry_exported(module: &[u8], entry: &str) -> Vec<u8> {
    let mut out = wasm_encoder::Module::new();
    let reencoded = OnlyEntry { entry }.parse_core_module(&mut out, wasmparser::Parser::new(0), module);
    if let Err(e) = reencoded {
        panic!("a valid module did not reencode: {e}");
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exports(module: &[u8]) -> Vec<(String, ExternalKind)> {
        wasmparser::Parser::new(0)
            .parse_all(module)
            .filter_map(|p| match p.ok()? {
                wasmparser::Payload::ExportSection(r) => {
                    Some(r.into_iter().map(|e| e.map(|e| (e.name.to_string(), e.kind)).unwrap()).collect::<Vec<_>>())
                }
                _ => None,
            })
            .flatten()
            .collect()
    }

    #[test]
    fn only_the_entry_stays_exported_of_the_functions_and_every_other_kind_stays() {
        let module = wasm_runner_testkit::fixtures::wasm(
            r#"(module (memory (export "m") 1) (global (export "g") i32 (i32.const 1))
                 (func (export "a")) (func (export "b") (call 0)) (func (export "c")))"#,
        );
        let only = only_entry_exported(&module, "b");
        assert_eq!(
            exports(&only),
            [("m".into(), ExternalKind::Memory), ("g".into(), ExternalKind::Global), ("b".into(), ExternalKind::Func)]
        );
        wasmparser::Validator::new_with_features(wasm_runner::internals::wasm_features()).validate_all(&only).unwrap();
    }

    #[test]
    fn custom_sections_go_through_as_they_are_even_a_name_section_that_does_not_parse() {
        let mut module = wasm_runner_testkit::fixtures::wasm(r#"(module (func (export "f")) (func (export "g")))"#);
        // A custom section (id 0, 8 bytes): the name `name`, then three bytes no name
        // section starts with.
        module.extend([0, 8, 4, b'n', b'a', b'm', b'e', 9, 9, 9]);
        let only = only_entry_exported(&module, "f");
        assert!(only.ends_with(&[4, b'n', b'a', b'm', b'e', 9, 9, 9]), "the section is copied byte for byte");
        assert_eq!(exports(&only), [("f".into(), ExternalKind::Func)]);
    }
}
