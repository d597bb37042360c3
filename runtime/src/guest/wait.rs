//! Atomic waits that end at the deadline in both engines.
//!
//! A guest has one thread in both engines, so a `memory.atomic.wait` on a shared memory
//! either answers "not-equal" at once or sleeps out its timeout (forever, for a negative
//! one). wasmtime cannot stop such a sleep at the wall-time deadline: epoch interruption
//! lands only in guest code. So the instrumentation replaces each wait on a shared memory
//! with a call to a helper function it appends to the module, which waits in slices of at
//! most `WAIT_SLICE_NS` and loops until the whole timeout has passed: the loop's back edge
//! is where either engine's interruption lands, within one slice of the deadline. The
//! guest sees the same results ("not-equal" 1, "timed-out" 2, the same traps).
//!
//! Waits on unshared memories are left alone: they trap at once in both engines.

use wasm_encoder::{BlockType, Function, Instruction, MemArg, ValType};

use crate::report::SharedMemory;

/// The longest one wait of a helper sleeps before it checks the rest of its timeout.
pub const WAIT_SLICE_NS: i64 = 10_000_000;

/// The helpers a module gets: two per shared memory (`wait32`, `wait64`), appended after
/// every function and type the guest has.
#[derive(Debug, Clone, Default)]
pub(crate) struct WaitHelpers {
    /// Index of the first helper function.
    first_function: u32,
    /// Index of the first of the four helper types.
    first_type: u32,
    /// The shared memories, in helper order.
    memories: Vec<SharedMemory>,
}

/// The helper types, in order: (address type, value type) of each.
const TYPES: [(ValType, ValType); 4] = [
    (ValType::I32, ValType::I32),
    (ValType::I32, ValType::I64),
    (ValType::I64, ValType::I32),
    (ValType::I64, ValType::I64),
];

impl WaitHelpers {
    /// For a module with `functions` (imported and defined) and `types`.
    pub(crate) fn new(functions: u32, types: u32, memories: &[SharedMemory]) -> Self {
        WaitHelpers { first_function: functions, first_type: types, memories: memories.to_vec() }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.memories.is_empty()
    }

    /// The helper replacing a wait on `memory` (`wide`: `wait64`), when that memory is shared.
    pub(crate) fn helper(&self, memory: u32, wide: bool) -> Option<u32> {
        let at = self.memories.iter().position(|m| m.index == memory)? as u32;
        Some(self.first_function + 2 * at + u32::from(wide))
    }

    fn type_of(&self, memory: &SharedMemory, wide: bool) -> u32 {
        self.first_type + 2 * u32::from(memory.memory64) + u32::from(wide)
    }

    /// The four helper types: (address, expected, timeout i64, offset i64) -> i32.
    pub(crate) fn push_types(&self, types: &mut wasm_encoder::TypeSection) {
        if self.is_empty() {
            return;
        }
        for (address, value) in TYPES {
            types.ty().function([address, value, ValType::I64, ValType::I64], [ValType::I32]);
        }
    }

    pub(crate) fn push_functions(&self, functions: &mut wasm_encoder::FunctionSection) {
        for memory in &self.memories {
            for wide in [false, true] {
                functions.function(self.type_of(memory, wide));
            }
        }
    }

    pub(crate) fn push_bodies(&self, code: &mut wasm_encoder::CodeSection) {
        for helper in self.bodies() {
            code.function(&helper);
        }
    }

    /// The helpers' bodies, in function order.
    pub(crate) fn bodies(&self) -> impl Iterator<Item = Function> + '_ {
        self.memories.iter().flat_map(|memory| [false, true].map(|wide| body(memory, wide)))
    }
}

/// One helper: params (address, expected, timeout, offset), locals (effective address i64,
/// result i32).
fn body(memory: &SharedMemory, wide: bool) -> Function {
    use Instruction as I;
    const ADDRESS: u32 = 0;
    const EXPECTED: u32 = 1;
    const REMAINING: u32 = 2;
    const OFFSET: u32 = 3;
    const EFFECTIVE: u32 = 4;
    const RESULT: u32 = 5;
    let arg = MemArg {
        offset: 0,
        align: if wide { 3 } else { 2 },
        target: wasm_encoder::MemArgTarget::Memory(memory.index),
        ordering: None,
    };
    let mut f = Function::new([(1, ValType::I64), (1, ValType::I32)]);
    // The effective address, trapping where the original would have (past the address
    // space) instead of wrapping.
    f.instruction(&I::LocalGet(ADDRESS));
    if !memory.memory64 {
        f.instruction(&I::I64ExtendI32U);
    }
    f.instruction(&I::LocalGet(OFFSET));
    f.instruction(&I::I64Add);
    f.instruction(&I::LocalTee(EFFECTIVE));
    if memory.memory64 {
        // Unsigned overflow of address + offset.
        f.instruction(&I::LocalGet(OFFSET));
        f.instruction(&I::I64LtU);
    } else {
        f.instruction(&I::I64Const(u32::MAX as i64));
        f.instruction(&I::I64GtU);
    }
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::Unreachable);
    f.instruction(&I::End);

    f.instruction(&I::Loop(BlockType::Empty));
    f.instruction(&I::LocalGet(EFFECTIVE));
    if !memory.memory64 {
        f.instruction(&I::I32WrapI64);
    }
    f.instruction(&I::LocalGet(EXPECTED));
    // This slice: the timeout when it is shorter, else one slice (a negative timeout,
    // unsigned, is never shorter).
    f.instruction(&I::LocalGet(REMAINING));
    f.instruction(&I::I64Const(WAIT_SLICE_NS));
    f.instruction(&I::LocalGet(REMAINING));
    f.instruction(&I::I64Const(WAIT_SLICE_NS));
    f.instruction(&I::I64LtU);
    f.instruction(&I::Select);
    f.instruction(&if wide { I::MemoryAtomicWait64(arg) } else { I::MemoryAtomicWait32(arg) });
    f.instruction(&I::LocalTee(RESULT));
    f.instruction(&I::I32Const(2));
    f.instruction(&I::I32Ne);
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::LocalGet(RESULT));
    f.instruction(&I::Return);
    f.instruction(&I::End);
    // Timed out after the slice: wait on forever, or for what is left.
    f.instruction(&I::LocalGet(REMAINING));
    f.instruction(&I::I64Const(0));
    f.instruction(&I::I64LtS);
    f.instruction(&I::BrIf(0));
    f.instruction(&I::LocalGet(REMAINING));
    f.instruction(&I::I64Const(WAIT_SLICE_NS));
    f.instruction(&I::I64Sub);
    f.instruction(&I::LocalTee(REMAINING));
    f.instruction(&I::I64Const(0));
    f.instruction(&I::I64GtS);
    f.instruction(&I::BrIf(0));
    f.instruction(&I::End);
    f.instruction(&I::I32Const(2));
    f.instruction(&I::End);
    f
}
