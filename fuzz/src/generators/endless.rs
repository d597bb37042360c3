//! Guests that never end on their own: every loop whose label takes no parameters gets a
//! `br` back to its start right before its `end`, so once entered it never exits.

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::Instruction;
use wasmparser::{BlockType, Operator};

struct Endless;

impl Reencode for Endless {
    type Error = std::convert::Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        let mut f = self.new_function_with_parsed_locals(&func)?;
        let mut reader = func.get_operators_reader()?;
        // For each open block: is it a loop whose label takes no values?
        let mut open: Vec<bool> = Vec::new();
        while !reader.eof() {
            let op = reader.read()?;
            match &op {
                Operator::Loop { blockty } => open.push(matches!(blockty, BlockType::Empty | BlockType::Type(_))),
                Operator::Block { .. } | Operator::If { .. } | Operator::Try { .. } | Operator::TryTable { .. } => {
                    open.push(false)
                }
                Operator::End if open.pop() == Some(true) => {
                    f.instruction(&Instruction::Br(0));
                }
                Operator::Delegate { .. } => {
                    open.pop();
                }
                _ => {}
            }
            f.instruction(&RoundtripReencoder.instruction(op)?);
        }
        code.function(&f);
        Ok(())
    }
}

/// `module` with every parameterless loop made endless; `None` when the result does not
/// validate (a loop whose label needs values it cannot be given).
pub fn make_endless(module: &[u8]) -> Option<Vec<u8>> {
    let mut out = wasm_encoder::Module::new();
    Endless.parse_core_module(&mut out, wasmparser::Parser::new(0), module).ok()?;
    let bytes = out.finish();
    wasmparser::Validator::new_with_features(wasm_runner::internals::wasm_features()).validate_all(&bytes).ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(func (export "f") (local i32) (loop ... (br_if 0 (i32.lt_u (local.tee 0 ...) 10))))`
    fn counting_loop() -> Vec<u8> {
        let mut m = wasm_encoder::Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut funcs = wasm_encoder::FunctionSection::new();
        funcs.function(0);
        m.section(&funcs);
        let mut exports = wasm_encoder::ExportSection::new();
        exports.export("f", wasm_encoder::ExportKind::Func, 0);
        m.section(&exports);
        let mut code = wasm_encoder::CodeSection::new();
        let mut f = wasm_encoder::Function::new([(1, wasm_encoder::ValType::I32)]);
        for inst in [
            Instruction::Loop(wasm_encoder::BlockType::Empty),
            Instruction::LocalGet(0),
            Instruction::I32Const(1),
            Instruction::I32Add,
            Instruction::LocalTee(0),
            Instruction::I32Const(10),
            Instruction::I32LtU,
            Instruction::BrIf(0),
            Instruction::End,
            Instruction::End,
        ] {
            f.instruction(&inst);
        }
        code.function(&f);
        m.section(&code);
        m.finish()
    }

    #[test]
    fn a_counting_loop_becomes_endless() {
        let bytes = counting_loop();
        let endless = make_endless(&bytes).expect("still valid");
        // One `br 0` (2 bytes) before the loop's end.
        assert_eq!(endless.len(), bytes.len() + 2);
    }
}
