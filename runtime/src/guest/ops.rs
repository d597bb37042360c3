//! What each instruction is to the meter and the checks (`OpKind`), told while the reader
//! decodes it. Two visitors give it: `Checked` validates the instruction as it goes (the
//! guest checks' one pass over the code), `Classify` only reads (the rewrite of a module
//! already validated). Visitors rather than wasmparser's `Operator`: building that enum for
//! every instruction, matching on it here and dispatching on it again in the validator cost
//! as much as the validation itself.

use wasmparser::{FrameKind, FrameStack, FuncValidator, ValidatorResources, VisitOperator, VisitSimdOperator};

use super::validate::{check_br_table, BodyError};

/// One instruction, as far as fuel, segments and the budgets care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpKind {
    /// Costs one; straight-line flow goes on after it.
    Plain,
    /// `nop`: costs nothing.
    Nop,
    /// `block`, `loop`, `else`, `end`: not executed, so free, and control may arrive right
    /// after it: a new segment starts there.
    Structure,
    /// Costs one, and control may leave (or arrive) right after it: a new segment starts.
    Branch,
    /// `br_table` with `labels` targets besides `default`: a branch.
    BrTable { labels: u32, default: u32 },
    /// `return_call*`: a branch, and the interrupt flag is checked before it.
    TailCall,
    /// `memory.atomic.wait32` (`wide` false) or `.wait64` at a static `offset`, on linear
    /// memory `memory` (None when it names something else).
    Wait { memory: Option<u32>, offset: u64, wide: bool },
    /// `table.grow`: costs one, counted for its budget.
    TableGrow,
}

impl OpKind {
    /// Whether it is charged one unit of fuel.
    pub(crate) fn costs(self) -> bool {
        !matches!(self, OpKind::Nop | OpKind::Structure)
    }

    /// Whether the next instruction starts a new straight-line segment.
    pub(crate) fn ends_segment(self) -> bool {
        matches!(self, OpKind::Structure | OpKind::Branch | OpKind::BrTable { .. } | OpKind::TailCall)
    }

    fn wait(memarg: &wasmparser::MemArg, wide: bool) -> Self {
        let memory = match memarg.target {
            wasmparser::MemArgTarget::Memory(memory) => Some(memory),
            wasmparser::MemArgTarget::Array(_) => None,
        };
        OpKind::Wait { memory, offset: memarg.offset, wide }
    }
}

/// What an instruction is from its operands: the wait's memory and offset, the br_table's
/// labels; every other instruction is told by its name alone (`kind_by_name`).
macro_rules! op_kind {
    (BrTable $targets:ident) => {
        OpKind::BrTable { labels: $targets.len(), default: $targets.default() }
    };
    (MemoryAtomicWait32 $memarg:ident) => {
        OpKind::wait(&$memarg, false)
    };
    (MemoryAtomicWait64 $memarg:ident) => {
        OpKind::wait(&$memarg, true)
    };
    ($op:ident $($operands:tt)*) => {
        kind_by_name!($op)
    };
}

/// The one list of which instructions are free, which end a straight-line segment and
/// which the budgets count, by the names of wasmparser's `for_each_visit_operator!`; what
/// is not named is `Plain`.
macro_rules! kind_by_name {
    (Nop) => {
        OpKind::Nop
    };
    (Block) => {
        OpKind::Structure
    };
    (Loop) => {
        OpKind::Structure
    };
    (Else) => {
        OpKind::Structure
    };
    (End) => {
        OpKind::Structure
    };
    (If) => {
        OpKind::Branch
    };
    (Try) => {
        OpKind::Branch
    };
    (TryTable) => {
        OpKind::Branch
    };
    (Catch) => {
        OpKind::Branch
    };
    (CatchAll) => {
        OpKind::Branch
    };
    (Delegate) => {
        OpKind::Branch
    };
    (Br) => {
        OpKind::Branch
    };
    (BrIf) => {
        OpKind::Branch
    };
    (BrTable) => {
        OpKind::Branch
    };
    (BrOnNull) => {
        OpKind::Branch
    };
    (BrOnNonNull) => {
        OpKind::Branch
    };
    (BrOnCast) => {
        OpKind::Branch
    };
    (BrOnCastFail) => {
        OpKind::Branch
    };
    (BrOnCastDescEq) => {
        OpKind::Branch
    };
    (BrOnCastDescEqFail) => {
        OpKind::Branch
    };
    (Resume) => {
        OpKind::Branch
    };
    (ResumeThrow) => {
        OpKind::Branch
    };
    (ResumeThrowRef) => {
        OpKind::Branch
    };
    (Suspend) => {
        OpKind::Branch
    };
    (Switch) => {
        OpKind::Branch
    };
    (Return) => {
        OpKind::Branch
    };
    (Throw) => {
        OpKind::Branch
    };
    (Rethrow) => {
        OpKind::Branch
    };
    (ThrowRef) => {
        OpKind::Branch
    };
    (Unreachable) => {
        OpKind::Branch
    };
    (ReturnCall) => {
        OpKind::TailCall
    };
    (ReturnCallIndirect) => {
        OpKind::TailCall
    };
    (ReturnCallRef) => {
        OpKind::TailCall
    };
    (TableGrow) => {
        OpKind::TableGrow
    };
    ($other:ident) => {
        OpKind::Plain
    };
}

/// Validates one instruction of `func` at `offset` and tells its kind; refuses a
/// `br_table` over V8's limits before the validator walks its labels.
pub(crate) struct Checked<'f> {
    pub(crate) func: &'f mut FuncValidator<ValidatorResources>,
    pub(crate) offset: u64,
}

macro_rules! checked_visit {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                let kind = op_kind!($op $($($arg)*)?);
                if let OpKind::BrTable { labels, default } = kind {
                    check_br_table(self.func, labels, default)?;
                }
                self.func.visitor(self.offset).$visit($($($arg),*)?)?;
                Ok(kind)
            }
        )*
    };
}

macro_rules! checked_visit_simd {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                self.func.simd_visitor(self.offset).$visit($($($arg),*)?)?;
                Ok(OpKind::Plain)
            }
        )*
    };
}

impl<'a> VisitOperator<'a> for Checked<'_> {
    type Output = Result<OpKind, BodyError>;

    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(checked_visit);
}

impl<'a> VisitSimdOperator<'a> for Checked<'_> {
    wasmparser::for_each_visit_simd_operator!(checked_visit_simd);
}

impl FrameStack for Checked<'_> {
    fn current_frame(&self) -> Option<FrameKind> {
        self.func.get_control_frame(0).map(|frame| frame.kind)
    }
}

/// Tells each instruction's kind without validating (the module already was).
pub(crate) struct Classify;

macro_rules! classify_visit {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            #[allow(unused_variables)]
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                op_kind!($op $($($arg)*)?)
            }
        )*
    };
}

macro_rules! classify_visit_simd {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            #[allow(unused_variables)]
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                OpKind::Plain
            }
        )*
    };
}

impl<'a> VisitOperator<'a> for Classify {
    type Output = OpKind;

    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(classify_visit);
}

impl<'a> VisitSimdOperator<'a> for Classify {
    wasmparser::for_each_visit_simd_operator!(classify_visit_simd);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every instruction of wasmparser's table: its name, its operands' names, its kind.
    macro_rules! every_instruction {
        ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            vec![$((stringify!($op), stringify!($($($arg)*)?), kind_by_name!($op))),*]
        };
    }

    /// A new branching instruction (a wasmparser upgrade, a proposal turned on) is caught
    /// here, before it is charged for instructions it jumps over.
    #[test]
    fn every_instruction_with_a_label_operand_ends_a_segment() {
        let table: Vec<(&str, &str, OpKind)> = wasmparser::for_each_visit_operator!(every_instruction);
        let with_labels: Vec<_> = table
            .iter()
            .filter(|(_, operands, _)| {
                operands
                    .split_whitespace()
                    .any(|o| matches!(o, "relative_depth" | "targets" | "try_table" | "resume_table"))
            })
            .collect();
        assert!(with_labels.len() >= 10, "the table has br, br_if, br_table, br_on_*, try_table, ...");
        for (name, operands, kind) in with_labels {
            assert!(kind.ends_segment(), "{name} ({operands}) branches to a label but is {kind:?}");
        }
    }
}
