use wasm_encoder::{
    CodeSection, ConstExpr, DataSection, ElementSection, Elements, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, Instruction, MemorySection, MemoryType, Module, RefType, TableSection,
    TableType, TypeSection, ValType,
};

use super::SynthSpec;

const PAGE: u64 = 65536;

/// Builds the module `spec` describes.
pub fn build(spec: &SynthSpec) -> Vec<u8> {
    let mut module = Module::new();
    let functions = spec.functions.max(u32::from(needs_function(spec)));

    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    module.section(&types);

    if functions > 0 {
        let mut funcs = FunctionSection::new();
        for _ in 0..functions {
            funcs.function(0);
        }
        module.section(&funcs);
    }

    if spec.table_elements > 0 || spec.element_items > 0 {
        let size = u64::from(spec.table_elements.max(spec.element_items));
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            minimum: size,
            maximum: Some(size),
            table64: false,
            shared: false,
        });
        module.section(&tables);
    }

    if spec.data_bytes > 0 {
        let pages = spec.data_bytes.div_ceil(PAGE);
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: pages,
            maximum: Some(pages),
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        module.section(&memories);
    }

    if spec.globals > 0 {
        let mut globals = GlobalSection::new();
        for i in 0..spec.globals {
            globals.global(
                GlobalType { val_type: ValType::I32, mutable: true, shared: false },
                &ConstExpr::i32_const(i as i32),
            );
        }
        module.section(&globals);
    }

    let exported_globals = spec.exported_globals.min(spec.globals);
    if spec.exported_functions > 0 || exported_globals > 0 {
        let mut exports = ExportSection::new();
        for i in 0..spec.exported_functions {
            exports.export(&format!("f{i}"), ExportKind::Func, i % functions);
        }
        for i in 0..exported_globals {
            exports.export(&format!("g{i}"), ExportKind::Global, i);
        }
        module.section(&exports);
    }

    if spec.element_items > 0 {
        let segment = spec.element_segment_size.max(1).min(spec.element_items);
        let mut elements = ElementSection::new();
        let mut placed = 0u32;
        while placed < spec.element_items {
            let count = segment.min(spec.element_items - placed);
            let indices: Vec<u32> = (placed..placed + count).map(|i| i % functions).collect();
            elements.active(None, &ConstExpr::i32_const(placed as i32), Elements::Functions(indices.into()));
            placed += count;
        }
        module.section(&elements);
    }

    if functions > 0 {
        let mut code = CodeSection::new();
        let body = body(spec.body_bytes);
        for _ in 0..functions {
            code.function(&body);
        }
        module.section(&code);
    }

    if spec.data_bytes > 0 {
        let mut data = DataSection::new();
        // A repeating pattern rather than zeros, so nothing can elide it.
        let bytes: Vec<u8> = (0..spec.data_bytes).map(|i| (i % 251) as u8).collect();
        data.active(0, &ConstExpr::i32_const(0), bytes);
        module.section(&data);
    }

    module.finish()
}

fn needs_function(spec: &SynthSpec) -> bool {
    spec.exported_functions > 0 || spec.element_items > 0
}

/// A body of straight-line arithmetic on the parameter, about `bytes` long.
fn body(bytes: u32) -> Function {
    let mut f = Function::new([]);
    // Each step `local.get 0; i32.const 7; i32.add; local.set 0` encodes in 7 bytes.
    let steps = bytes.saturating_sub(4) / 7;
    for _ in 0..steps {
        f.instruction(&Instruction::LocalGet(0));
        f.instruction(&Instruction::I32Const(7));
        f.instruction(&Instruction::I32Add);
        f.instruction(&Instruction::LocalSet(0));
    }
    f.instruction(&Instruction::LocalGet(0));
    f.instruction(&Instruction::End);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(bytes: &[u8]) {
        wasmparser::Validator::new().validate_all(bytes).expect("generated module validates");
    }

    #[test]
    fn every_knob_produces_a_valid_module() {
        let spec = SynthSpec {
            functions: 10,
            body_bytes: 100,
            exported_functions: 25,
            table_elements: 50,
            element_items: 40,
            element_segment_size: 7,
            globals: 5,
            exported_globals: 3,
            data_bytes: 70_000,
        };
        let bytes = build(&spec);
        validate(&bytes);
        let exports = wasmparser::Parser::new(0)
            .parse_all(&bytes)
            .filter_map(|p| match p.unwrap() {
                wasmparser::Payload::ExportSection(r) => Some(r.count()),
                _ => None,
            })
            .sum::<u32>();
        assert_eq!(exports, 28);
    }

    #[test]
    fn code_heavy_reaches_its_size() {
        let bytes = build(&SynthSpec::code_heavy(1_000_000, 1000));
        validate(&bytes);
        assert!((950_000..1_100_000).contains(&bytes.len()), "{}", bytes.len());
    }

    #[test]
    fn empty_spec_is_an_empty_module() {
        let bytes = build(&SynthSpec::default());
        validate(&bytes);
        assert!(bytes.len() < 20);
    }
}
