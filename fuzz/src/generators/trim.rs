//! A module cut down to what an oracle's one call can use: that export alone among the
//! exported functions, and only the functions it can reach (`reachable`). wasm-smith's
//! callable modules export every function so that there is something to call, but an
//! oracle calls one, and the rest costs both engines for nothing: wasmtime compiles a
//! trampoline for every exported function and tens of microseconds of Cranelift work for
//! every defined one even when its code is in the function cache; V8 makes a wrapper for
//! each export and compiles each function. In a corpus `differential` grew, a fifth of the
//! defined functions were reachable from the first export. Exported globals, memories,
//! tables and tags stay: the comparisons read globals.

use wasm_encoder::reencode::{utils, Error, Reencode};
use wasmparser::ExternalKind;

use super::reachable::reachable_from;

struct Trim<'a> {
    entry: &'a str,
    imported: u32,
    /// Each function's index in the output, `None` for a function left out.
    new_index: Vec<Option<u32>>,
}

impl Trim<'_> {
    fn kept(&self, defined: usize) -> bool {
        self.new_index[self.imported as usize + defined].is_some()
    }
}

impl Reencode for Trim<'_> {
    type Error = std::convert::Infallible;

    /// Whatever the output keeps refers only to reachable functions: a reference is what
    /// makes a function reachable.
    fn function_index(&mut self, func: u32) -> Result<u32, Error<Self::Error>> {
        Ok(self.new_index[func as usize].expect("a kept part of the module refers only to kept functions"))
    }

    fn parse_export(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        export: wasmparser::Export<'_>,
    ) -> Result<(), Error<Self::Error>> {
        if export.kind == ExternalKind::Func && export.name != self.entry {
            return Ok(());
        }
        utils::parse_export(self, exports, export)
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        for (defined, ty) in section.into_iter().enumerate() {
            let ty = ty?;
            if self.kept(defined) {
                functions.function(self.type_index(ty)?);
            }
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        for (defined, body) in section.into_iter().enumerate() {
            let body = body?;
            if self.kept(defined) {
                self.parse_function_body(code, body)?;
            }
        }
        Ok(())
    }

    /// Custom sections go through as bytes: a `name` section the fuzzer filled with garbage
    /// (`with_custom_sections`) is still a valid module's, and parsing it would refuse it.
    /// (A `name` section's function indices are then those of the module before: names
    /// are debugging information, and both engines are given the same bytes.)
    fn parse_custom_section(
        &mut self,
        module: &mut wasm_encoder::Module,
        section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        module.section(&self.custom_section(section)?);
        Ok(())
    }
}

/// `module` (valid) with `entry` its only exported function and only the functions a call
/// of `entry` can reach (imported functions all stay).
pub fn trimmed_to_entry(module: &[u8], entry: &str) -> Vec<u8> {
    let found = reachable_from(module, entry).expect("a valid module parses and names only its own functions");
    let mut next = 0..;
    let new_index = (found.reachable.iter().enumerate())
        .map(|(index, &reachable)| (reachable || index < found.imported as usize).then(|| next.next().unwrap()))
        .collect();
    let mut out = wasm_encoder::Module::new();
    let mut trim = Trim { entry, imported: found.imported, new_index };
    if let Err(e) = trim.parse_core_module(&mut out, wasmparser::Parser::new(0), module) {
        panic!("a valid module did not reencode: {e}");
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::Payload;

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
        let only = trimmed_to_entry(&module, "b");
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
        let only = trimmed_to_entry(&module, "f");
        assert!(only.ends_with(&[4, b'n', b'a', b'm', b'e', 9, 9, 9]), "the section is copied byte for byte");
        assert_eq!(exports(&only), [("f".into(), ExternalKind::Func)]);
    }

    /// Each defined function's body, as wasmparser prints its operators.
    fn bodies(module: &[u8]) -> Vec<Vec<String>> {
        wasmparser::Parser::new(0)
            .parse_all(module)
            .filter_map(|p| match p.unwrap() {
                Payload::CodeSectionEntry(body) => Some(
                    body.get_operators_reader().unwrap().into_iter().map(|op| format!("{:?}", op.unwrap())).collect(),
                ),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn functions_the_entry_cannot_reach_are_left_out_and_its_calls_renumbered() {
        let module = wasm_runner_testkit::fixtures::wasm(
            r#"(module (func (result i32) (i32.const 1)) (func (export "e") (result i32) (call 3))
                 (func) (func (result i32) (i32.const 7)))"#,
        );
        let trimmed = trimmed_to_entry(&module, "e");
        assert_eq!(
            bodies(&trimmed),
            [
                vec!["Call { function_index: 1 }".to_string(), "End".into()],
                vec!["I32Const { value: 7 }".to_string(), "End".into()]
            ]
        );
        wasmparser::Validator::new_with_features(wasm_runner::internals::wasm_features())
            .validate_all(&trimmed)
            .unwrap();
    }

    #[test]
    fn segments_the_start_and_the_export_name_the_functions_by_their_new_indices() {
        let module = wasm_runner_testkit::fixtures::wasm(
            r#"(module (table 1 funcref) (elem (i32.const 0) func 1) (start 2)
                 (func) (func) (func (nop)) (func (export "e") (call_indirect (i32.const 0))))"#,
        );
        let trimmed = trimmed_to_entry(&module, "e");
        let (mut element, mut start, mut export) = (None, None, None);
        for payload in wasmparser::Parser::new(0).parse_all(&trimmed) {
            match payload.unwrap() {
                Payload::ElementSection(r) => match r.into_iter().next().unwrap().unwrap().items {
                    wasmparser::ElementItems::Functions(f) => element = Some(f.into_iter().next().unwrap().unwrap()),
                    wasmparser::ElementItems::Expressions(..) => panic!("the segment was written as expressions"),
                },
                Payload::StartSection { func, .. } => start = Some(func),
                Payload::ExportSection(r) => export = Some(r.into_iter().next().unwrap().unwrap().index),
                _ => {}
            }
        }
        assert_eq!((element, start, export), (Some(0), Some(1), Some(2)));
        assert_eq!(bodies(&trimmed)[1], ["Nop", "End"]);
    }

    #[test]
    fn an_entry_that_is_not_an_exported_function_keeps_every_function() {
        let module = wasm_runner_testkit::fixtures::wasm(r#"(module (func (export "f")) (func))"#);
        let trimmed = trimmed_to_entry(&module, "g");
        assert_eq!(bodies(&trimmed).len(), 2);
        assert!(exports(&trimmed).is_empty());
    }
}
