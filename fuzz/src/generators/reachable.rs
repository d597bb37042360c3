//! Which functions of a module a call of one export can reach: the export itself, the start
//! function, every function a table, an element segment or a global can hold (a
//! `call_indirect` or `call_ref` may reach any of them), and whatever those call or take a
//! reference to, transitively. wasm-smith's modules call few of their functions: in a
//! corpus `differential` grew, a fifth of the defined functions were reachable from the
//! first export.

use wasmparser::{ConstExpr, ElementItems, ExternalKind, Operator, OperatorsReader, Payload, TableInit, TypeRef};

/// The functions of a module by index (imported first), each reachable or not.
pub struct Reachable {
    pub imported: u32,
    pub reachable: Vec<bool>,
}

/// The functions of `module` that calling its export `entry` can reach: all of them when
/// `entry` is not an exported function (nothing can be ruled out); `None` when `module`
/// does not parse or refers to a function it does not have (it is not valid).
pub fn reachable_from(module: &[u8], entry: &str) -> Option<Reachable> {
    let mut imported = 0u32;
    let mut roots = Vec::new();
    let mut entry_index = None;
    // What each defined function calls or takes a reference to, in order.
    let mut edges: Vec<Vec<u32>> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.ok()? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import.ok()?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    if let TableInit::Expr(init) = table.ok()?.init {
                        roots.extend(referenced_in(init.get_operators_reader())?);
                    }
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    roots.extend(referenced_in(global.ok()?.init_expr.get_operators_reader())?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.ok()?;
                    if export.kind == ExternalKind::Func && export.name == entry {
                        entry_index = Some(export.index);
                    }
                }
            }
            Payload::StartSection { func, .. } => roots.push(func),
            Payload::ElementSection(reader) => {
                for element in reader {
                    match element.ok()?.items {
                        ElementItems::Functions(functions) => {
                            for function in functions {
                                roots.push(function.ok()?);
                            }
                        }
                        ElementItems::Expressions(_, expressions) => {
                            for expression in expressions {
                                let expression: ConstExpr = expression.ok()?;
                                roots.extend(referenced_in(expression.get_operators_reader())?);
                            }
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => edges.push(referenced_in(body.get_operators_reader().ok()?)?),
            _ => {}
        }
    }
    let functions = imported as usize + edges.len();
    let Some(entry_index) = entry_index else { return Some(Reachable { imported, reachable: vec![true; functions] }) };
    roots.push(entry_index);
    let mut reachable = vec![false; functions];
    while let Some(function) = roots.pop() {
        let seen = reachable.get_mut(function as usize)?;
        if std::mem::replace(seen, true) {
            continue;
        }
        if let Some(defined) = function.checked_sub(imported) {
            roots.extend(&edges[defined as usize]);
        }
    }
    Some(Reachable { imported, reachable })
}

/// The functions that `operators` call directly or take a reference to.
fn referenced_in(operators: OperatorsReader<'_>) -> Option<Vec<u32>> {
    let mut functions = Vec::new();
    for operator in operators {
        match operator.ok()? {
            Operator::Call { function_index }
            | Operator::ReturnCall { function_index }
            | Operator::RefFunc { function_index } => functions.push(function_index),
            _ => {}
        }
    }
    Some(functions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reachable(wat: &str, entry: &str) -> Vec<bool> {
        reachable_from(&wasm_runner_testkit::fixtures::wasm(wat), entry).unwrap().reachable
    }

    #[test]
    fn a_function_is_reachable_through_calls_and_tail_calls_from_the_entry() {
        let wat = r#"(module (func (export "e") (call 1)) (func (return_call 2)) (func) (func (call 0)))"#;
        assert_eq!(reachable(wat, "e"), [true, true, true, false]);
    }

    #[test]
    fn every_function_a_table_or_segment_holds_is_reachable_since_an_indirect_call_may_pick_it() {
        let wat = r#"(module (table 2 funcref) (elem (i32.const 0) func 1) (elem declare func 2)
                       (func (export "e")) (func) (func) (func))"#;
        assert_eq!(reachable(wat, "e"), [true, true, true, false]);
    }

    #[test]
    fn functions_named_by_globals_and_the_start_function_are_reachable() {
        let wat = r#"(module (global funcref (ref.func 1)) (start 2) (func (export "e")) (func) (func) (func))"#;
        assert_eq!(reachable(wat, "e"), [true, true, true, false]);
    }

    #[test]
    fn imported_functions_are_counted_first_and_kept_when_called() {
        let wat = r#"(module (import "m" "f" (func)) (import "m" "g" (func)) (func (export "e") (call 1)))"#;
        let found = reachable_from(&wasm_runner_testkit::fixtures::wasm(wat), "e").unwrap();
        assert_eq!((found.imported, found.reachable), (2, vec![false, true, true]));
    }

    #[test]
    fn when_the_entry_is_not_an_exported_function_no_function_is_ruled_out() {
        assert_eq!(reachable(r#"(module (func (export "e")) (func))"#, "f"), [true, true]);
    }
}
