//! What each instruction is to the meter and the checks (`OpKind`), told while the reader
//! decodes it. Two visitors give it: `Checked` validates the instruction as it goes (the
//! guest checks' one pass over the code), `Classify` only reads (the rewrite of a module
//! already validated). Visitors rather than wasmparser's `Operator`: building that enum for
//! every instruction, matching on it here and dispatching on it again in the validator cost
//! as much as the validation itself.
//!
//! An instruction's kind is one byte, returned in a register: the few operands anything
//! here needs (a wait's memory and offset) are kept aside in the visitor (`WaitSite`).
//! With those operands inside the kind, every instruction's result went through memory,
//! written a byte at a time by the reader and read back a word at a time by the caller, and
//! the stalled loads that made cost as much as wasmparser's whole validation.

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
    /// `return_call*`: a branch, and the interrupt flag is checked before it.
    TailCall,
    /// `memory.atomic.wait32` or `.wait64`: where it waits is the visitor's `WaitSite`.
    Wait,
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
        matches!(self, OpKind::Structure | OpKind::Branch | OpKind::TailCall)
    }
}

/// Where the last `memory.atomic.wait*` read waits: on linear memory `memory` (None when
/// it names something else, an array) at a static `offset`; `wide` for `.wait64`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WaitSite {
    pub(crate) memory: Option<u32>,
    pub(crate) offset: u64,
    pub(crate) wide: bool,
}

impl WaitSite {
    fn new(memarg: &wasmparser::MemArg, wide: bool) -> Self {
        let memory = match memarg.target {
            wasmparser::MemArgTarget::Memory(memory) => Some(memory),
            wasmparser::MemArgTarget::Array(_) => None,
        };
        WaitSite { memory, offset: memarg.offset, wide }
    }
}

/// The site of a wait instruction, from its operands; None for every other instruction.
macro_rules! wait_site {
    (MemoryAtomicWait32 $memarg:ident) => {
        Some(WaitSite::new(&$memarg, false))
    };
    (MemoryAtomicWait64 $memarg:ident) => {
        Some(WaitSite::new(&$memarg, true))
    };
    ($op:ident $($operands:tt)*) => {
        None::<WaitSite>
    };
}

/// A br_table's labels besides its default, and its default; None for every other
/// instruction.
macro_rules! br_table_targets {
    (BrTable $targets:ident) => {
        Some(($targets.len(), $targets.default()))
    };
    ($op:ident $($operands:tt)*) => {
        None::<(u32, u32)>
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
    (MemoryAtomicWait32) => {
        OpKind::Wait
    };
    (MemoryAtomicWait64) => {
        OpKind::Wait
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

/// Validates the instructions of one body as the reader decodes them and tells each one's
/// kind; refuses a `br_table` over V8's limits before the validator walks its labels.
///
/// Kept small on the hot path: each instruction's result is a one-byte `OpKind` (see the
/// module's doc), a refusal is kept aside (`take_refusal`) rather than carried in every
/// result, and the innermost frame's kind, which the reader asks before every instruction,
/// is remembered and read again only after the instructions that can change it
/// (wasmparser's accessor is a call it does not inline into this crate).
pub(crate) struct Checked<'f> {
    func: &'f mut FuncValidator<ValidatorResources>,
    offset: u64,
    frame: Option<FrameKind>,
    refusal: Option<BodyError>,
    /// The last wait's site.
    pub(crate) wait: WaitSite,
}

/// This instruction was refused; `Checked::take_refusal` tells why.
pub(crate) struct Refused;

impl<'f> Checked<'f> {
    /// For a body whose locals `func` has read.
    pub(crate) fn new(func: &'f mut FuncValidator<ValidatorResources>) -> Self {
        let frame = Self::innermost(func);
        Checked { func, offset: 0, frame, refusal: None, wait: WaitSite::default() }
    }

    /// The next instruction starts at `offset` (what errors report).
    pub(crate) fn at(&mut self, offset: u64) -> &mut Self {
        self.offset = offset;
        self
    }

    /// Why the last instruction was refused.
    pub(crate) fn take_refusal(&mut self) -> BodyError {
        self.refusal.take().unwrap_or(BodyError::Cancelled)
    }

    fn innermost(func: &FuncValidator<ValidatorResources>) -> Option<FrameKind> {
        func.get_control_frame(0).map(|frame| frame.kind)
    }

    #[cold]
    fn refuse(&mut self, error: BodyError) -> Refused {
        self.refusal = Some(error);
        Refused
    }

    /// After an instruction of `kind` was validated: every instruction that opens, switches
    /// or closes a frame (block, loop, if, else, end, try, catch, delegate, try_table) is a
    /// structure or branch, so the frame is read again only after those.
    #[inline(always)]
    fn validated(&mut self, kind: OpKind) -> Result<OpKind, Refused> {
        if kind.ends_segment() {
            self.frame = Self::innermost(self.func);
        }
        Ok(kind)
    }
}

macro_rules! checked_visit {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                if let Some((labels, default)) = br_table_targets!($op $($($arg)*)?) {
                    if let Err(error) = check_br_table(self.func, labels, default) {
                        return Err(self.refuse(error));
                    }
                }
                if let Some(site) = wait_site!($op $($($arg)*)?) {
                    self.wait = site;
                }
                let validated = self.func.visitor(self.offset).$visit($($($arg),*)?);
                if let Err(error) = validated {
                    return Err(self.refuse(error.into()));
                }
                self.validated(kind_by_name!($op))
            }
        )*
    };
}

macro_rules! checked_visit_simd {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                let validated = self.func.simd_visitor(self.offset).$visit($($($arg),*)?);
                if let Err(error) = validated {
                    return Err(self.refuse(error.into()));
                }
                Ok(OpKind::Plain)
            }
        )*
    };
}

impl<'a> VisitOperator<'a> for Checked<'_> {
    type Output = Result<OpKind, Refused>;

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
        self.frame
    }
}

/// Tells each instruction's kind without validating (the module already was).
#[derive(Default)]
pub(crate) struct Classify {
    /// The last wait's site.
    pub(crate) wait: WaitSite,
}

macro_rules! classify_visit {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            #[allow(unused_variables)]
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                if let Some(site) = wait_site!($op $($($arg)*)?) {
                    self.wait = site;
                }
                kind_by_name!($op)
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
