//! The entry point a run calls: it must exist and be callable through the JS API, whose
//! boundary cannot carry every wasm type. Both engines check it the same way, so the
//! wasmtime reference does not run what the V8 runner cannot call.

use wasmparser::{ExternalKind, Parser, Payload, TypeRef, ValType};

use crate::report::RunnerError;

fn js_compatible(ty: &ValType) -> bool {
    match ty {
        ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 => true,
        ValType::V128 => false,
        ValType::Ref(r) => !matches!(
            r.heap_type(),
            wasmparser::HeapType::Abstract {
                ty: wasmparser::AbstractHeapType::Exn | wasmparser::AbstractHeapType::NoExn,
                ..
            }
        ),
    }
}

/// Checks that `module` (already validated) exports a function `entry` the JS API can call,
/// and returns its parameter kinds (`i32`, `i64`, `f32`, `f64`, `ref`): runs pass zeros.
pub fn check_entry(module: &[u8], entry: &str) -> Result<Vec<&'static str>, RunnerError> {
    let mut func_types: Vec<Option<(Vec<ValType>, Vec<ValType>)>> = Vec::new();
    let mut functions: Vec<u32> = Vec::new();
    let mut target = None;
    for payload in Parser::new(0).parse_all(module) {
        let Ok(payload) = payload else { break };
        match payload {
            Payload::TypeSection(r) => {
                for group in r.into_iter().flatten() {
                    for sub in group.into_types() {
                        func_types.push(match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => {
                                Some((f.params().to_vec(), f.results().to_vec()))
                            }
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports().flatten() {
                    if let TypeRef::Func(t) | TypeRef::FuncExact(t) = import.ty {
                        functions.push(t);
                    }
                }
            }
            Payload::FunctionSection(r) => functions.extend(r.into_iter().flatten()),
            Payload::ExportSection(r) => {
                target =
                    r.into_iter().flatten().find(|e| e.name == entry && e.kind == ExternalKind::Func).map(|e| e.index);
            }
            Payload::CodeSectionStart { .. } => break,
            _ => {}
        }
    }
    let Some(index) = target else { return Err(RunnerError::NoEntry { name: entry.to_string() }) };
    let signature = functions.get(index as usize).and_then(|t| func_types.get(*t as usize)).and_then(|t| t.as_ref());
    let Some((params, results)) = signature else { return Ok(Vec::new()) };
    if let Some(bad) = params.iter().chain(results).find(|t| !js_compatible(t)) {
        return Err(RunnerError::UnsupportedEntry {
            name: entry.to_string(),
            reason: format!("its signature uses {bad}, which the JS API cannot pass"),
        });
    }
    Ok(params
        .iter()
        .map(|t| match t {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            _ => "ref",
        })
        .collect())
}
