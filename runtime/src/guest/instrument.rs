//! One reencoding pass that makes the guest's limits part of the module itself:
//!
//! - every memory's and table's maximum is clamped so that the totals stay within budget
//!   (`memory.grow` and `table.grow` then return -1 instead of growing);
//! - fuel metering: each straight-line segment of code is charged its instruction count
//!   before it runs, from an i64 global holding the remaining fuel; running out sets a flag
//!   global and traps, so exhaustion is told apart from a guest `unreachable`.
//!
//! - where the module has tail calls, an interrupt check before each one: a one-page shared
//!   memory the runner's watchdog writes at the deadline, read atomically before every
//!   `return_call*`; a set flag traps. V8's optimizing tier compiles an endless tail-call
//!   cycle without any point where TerminateExecution lands (docs/v8-findings.md #5); the
//!   check gives it one, like wasmtime's epoch check at function entry.
//!
//! Function bodies are rewritten by `BodyRewriter` as their operators stream past: in the
//! guest checks, while each body is validated (`facts::inspect_and_rewrite`), so the code
//! is parsed once; `instrument` alone drives it with a plain reader.
//!
//! The two globals are exported under names no guest can spell by accident, so both the
//! V8 runner and the wasmtime reference read the same counters from the same bytes.

use std::ops::Range;

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{ConstExpr, Encode, ExportKind, GlobalType, Instruction, SectionId, ValType};
use wasmparser::Operator;

use super::facts::ModuleFacts;
use crate::error::RunnerError;
use crate::limits::GuestLimits;

/// Export name of the remaining-fuel counter (i64, mutable).
pub const FUEL_EXPORT: &str = "\u{1}wasm-runner:fuel";
/// Export name of the out-of-fuel flag (i32, mutable; 1 once fuel ran out).
pub const FUEL_EXHAUSTED_EXPORT: &str = "\u{1}wasm-runner:fuel-exhausted";
/// Export name prefix of every memory, by index, so hosts can size (and hash) all of them.
pub const MEMORY_EXPORT_PREFIX: &str = "\u{1}wasm-runner:memory";
/// Export name of the start function, when the module has tail calls: it is then called by
/// the runner after the interrupt flag is in place rather than by instantiation, so a
/// tail-call cycle in it can be stopped too.
pub const START_EXPORT: &str = "\u{1}wasm-runner:start";
/// Export name of the interrupt flag's shared memory (an i32 at address 0; nonzero stops
/// the guest at its next tail call). Present only when the module has tail calls.
pub const INTERRUPT_EXPORT: &str = "\u{1}wasm-runner:interrupt";

const PAGE: u64 = 65536;

/// Rewrites `bytes` (already validated and within budget) for `limits`.
pub fn instrument(bytes: &[u8], facts: &ModuleFacts, limits: &GuestLimits) -> Result<Vec<u8>, RunnerError> {
    instrument_module(bytes, facts, limits, None)
}

/// `instrument` with the function bodies already rewritten by `BodyRewriter` (during
/// validation, see `facts::inspect_and_rewrite`), so the code is not parsed a second time.
pub(crate) fn instrument_rewritten(
    bytes: &[u8],
    facts: &ModuleFacts,
    limits: &GuestLimits,
    code: Vec<RewrittenBodies>,
) -> Result<Vec<u8>, RunnerError> {
    instrument_module(bytes, facts, limits, Some(code))
}

fn instrument_module(
    bytes: &[u8],
    facts: &ModuleFacts,
    limits: &GuestLimits,
    code: Option<Vec<RewrittenBodies>>,
) -> Result<Vec<u8>, RunnerError> {
    let limit_pages = limits.max_memory_bytes / PAGE;
    let memory_share = limit_pages.saturating_sub(facts.memory_initial_pages) / u64::from(facts.memories.max(1));
    let table_share =
        limits.max_table_elements.saturating_sub(facts.table_initial_elements) / u64::from(facts.tables.max(1));
    let mut pass = Instrumenter {
        module: bytes,
        memories: facts.memories,
        fuel: limits.fuel(),
        bodies: BodyRewriter::for_module(facts.globals, facts.memories),
        rewritten: code,
        memory_share,
        table_share,
        interrupt_memory: (facts.tail_calls > 0).then_some(facts.memories),
        start_function: facts.start_function.filter(|_| facts.tail_calls > 0),
        globals_done: false,
        exports_done: false,
        memories_done: false,
    };
    let mut module = wasm_encoder::Module::new();
    pass.parse_core_module(&mut module, wasmparser::Parser::new(0), bytes)
        .map_err(|e| RunnerError::Internal { message: format!("instrumentation failed on a validated module: {e}") })?;
    let out = module.finish();
    Ok(if pass.start_function.is_some() { without_start_section(out) } else { out })
}

/// The module without its start section (the runner calls the exported start instead).
fn without_start_section(module: Vec<u8>) -> Vec<u8> {
    let mut out = module[..8].to_vec();
    let mut at = 8;
    while at < module.len() {
        let id = module[at];
        let (mut size, mut shift, mut len) = (0usize, 0, 0);
        while let Some(b) = module.get(at + 1 + len) {
            size |= usize::from(b & 0x7f) << shift;
            shift += 7;
            len += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        let end = (at + 1 + len + size).min(module.len());
        if id != 8 {
            out.extend_from_slice(&module[at..end]);
        }
        at = end;
    }
    out
}

struct Instrumenter<'m> {
    /// The original bytes: segments are copied from them verbatim, since the pass changes
    /// no index a function body refers to (its globals are appended after the guest's).
    module: &'m [u8],
    memories: u32,
    fuel: u64,
    bodies: BodyRewriter,
    /// Bodies rewritten during validation, in order; None: rewrite them here.
    rewritten: Option<Vec<RewrittenBodies>>,
    memory_share: u64,
    table_share: u64,
    /// Index of the interrupt flag's memory (after the guest's), when there are tail calls.
    interrupt_memory: Option<u32>,
    /// The start function, exported (and its start section dropped) when guarded.
    start_function: Option<u32>,
    globals_done: bool,
    exports_done: bool,
    memories_done: bool,
}

/// Position of a section in the order the binary format requires.
fn rank(id: SectionId) -> Option<u8> {
    Some(match id {
        SectionId::Type => 1,
        SectionId::Import => 2,
        SectionId::Function => 3,
        SectionId::Table => 4,
        SectionId::Memory => 5,
        SectionId::Tag => 6,
        SectionId::Global => 7,
        SectionId::Export => 8,
        SectionId::Start => 9,
        SectionId::Element => 10,
        SectionId::DataCount => 11,
        SectionId::Code => 12,
        SectionId::Data => 13,
        _ => return None,
    })
}

impl Instrumenter<'_> {
    fn push_globals(&self, globals: &mut wasm_encoder::GlobalSection) {
        globals.global(
            GlobalType { val_type: ValType::I64, mutable: true, shared: false },
            &ConstExpr::i64_const(self.fuel as i64),
        );
        globals.global(GlobalType { val_type: ValType::I32, mutable: true, shared: false }, &ConstExpr::i32_const(0));
    }

    fn push_memories(&self, memories: &mut wasm_encoder::MemorySection) {
        if self.interrupt_memory.is_some() {
            memories.memory(wasm_encoder::MemoryType {
                minimum: 1,
                maximum: Some(1),
                memory64: false,
                shared: true,
                page_size_log2: None,
            });
        }
    }

    fn push_exports(&self, exports: &mut wasm_encoder::ExportSection) {
        if let Some(memory) = self.interrupt_memory {
            exports.export(INTERRUPT_EXPORT, ExportKind::Memory, memory);
        }
        if let Some(start) = self.start_function {
            exports.export(START_EXPORT, ExportKind::Func, start);
        }
        exports.export(FUEL_EXPORT, ExportKind::Global, self.bodies.fuel_global);
        exports.export(FUEL_EXHAUSTED_EXPORT, ExportKind::Global, self.bodies.fuel_global + 1);
        for i in 0..self.memories {
            exports.export(&format!("{MEMORY_EXPORT_PREFIX}{i}"), ExportKind::Memory, i);
        }
    }
}

/// Whether control may leave straight-line flow after `op`: the next instruction starts a
/// new segment.
fn ends_segment(op: &Operator) -> bool {
    matches!(
        op,
        Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Else
            | Operator::End
            | Operator::Try { .. }
            | Operator::TryTable { .. }
            | Operator::Catch { .. }
            | Operator::CatchAll
            | Operator::Delegate { .. }
            | Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::BrOnNull { .. }
            | Operator::BrOnNonNull { .. }
            | Operator::Return
            | Operator::Throw { .. }
            | Operator::Rethrow { .. }
            | Operator::ThrowRef
            | Operator::Unreachable
    ) || super::facts::is_tail_call(op)
}

/// Structural instructions engines do not execute: they cost no fuel.
fn is_free(op: &Operator) -> bool {
    matches!(op, Operator::Block { .. } | Operator::Loop { .. } | Operator::Else | Operator::End | Operator::Nop)
}

impl Reencode for Instrumenter<'_> {
    type Error = std::convert::Infallible;

    fn memory_type(
        &mut self,
        ty: wasmparser::MemoryType,
    ) -> Result<wasm_encoder::MemoryType, wasm_encoder::reencode::Error<Self::Error>> {
        let cap = ty.initial.saturating_add(self.memory_share);
        let mut out = RoundtripReencoder.memory_type(ty)?;
        out.maximum = Some(ty.maximum.map_or(cap, |m| m.min(cap)));
        Ok(out)
    }

    fn table_type(
        &mut self,
        ty: wasmparser::TableType,
    ) -> Result<wasm_encoder::TableType, wasm_encoder::reencode::Error<Self::Error>> {
        let cap = ty.initial.saturating_add(self.table_share);
        let mut out = RoundtripReencoder.table_type(ty)?;
        out.maximum = Some(ty.maximum.map_or(cap, |m| m.min(cap)));
        Ok(out)
    }

    fn parse_memory_section(
        &mut self,
        memories: &mut wasm_encoder::MemorySection,
        section: wasmparser::MemorySectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_memory_section(self, memories, section)?;
        self.push_memories(memories);
        self.memories_done = true;
        Ok(())
    }

    fn parse_global_section(
        &mut self,
        globals: &mut wasm_encoder::GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_global_section(self, globals, section)?;
        self.push_globals(globals);
        self.globals_done = true;
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_export_section(self, exports, section)?;
        self.push_exports(exports);
        self.exports_done = true;
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        // Where the module has no global or export section, add ours at its place.
        let next = match before {
            None => u8::MAX,
            Some(id) => match rank(id) {
                Some(r) => r,
                None => return Ok(()),
            },
        };
        if !self.memories_done && self.interrupt_memory.is_some() && next > rank(SectionId::Memory).unwrap_or(0) {
            let mut memories = wasm_encoder::MemorySection::new();
            self.push_memories(&mut memories);
            module.section(&memories);
            self.memories_done = true;
        }
        if !self.globals_done && next > rank(SectionId::Global).unwrap_or(0) {
            let mut globals = wasm_encoder::GlobalSection::new();
            self.push_globals(&mut globals);
            module.section(&globals);
            self.globals_done = true;
        }
        if !self.exports_done && next > rank(SectionId::Export).unwrap_or(0) {
            let mut exports = wasm_encoder::ExportSection::new();
            self.push_exports(&mut exports);
            module.section(&exports);
            self.exports_done = true;
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        let chunks = match self.rewritten.take() {
            Some(chunks) => chunks,
            None => {
                let bodies = section.into_iter().collect::<Result<Vec<_>, _>>()?;
                self.bodies.rewrite_all(self.module, &bodies)?
            }
        };
        for body in chunks.iter().flat_map(RewrittenBodies::iter) {
            code.raw(body);
        }
        Ok(())
    }
}

/// Functions below this many in all are rewritten on the calling thread.
const PARALLEL_FROM_FUNCTIONS: usize = 256;

/// The per-body half of the pass: fuel charges (and interrupt checks) placed as a body's
/// operators stream past. Validation drives it (`facts::inspect_and_rewrite`), so each
/// body is parsed once for both; `instrument` alone drives it with a plain reader.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyRewriter {
    /// Index of the fuel global (after the guest's); the exhausted flag follows it.
    fuel_global: u32,
    /// Index the interrupt flag's memory gets (after the guest's) if the module has tail
    /// calls; a body refers to it only at a tail call, so no body without one depends on it.
    interrupt_memory: u32,
}

/// Rewritten function bodies of a run of functions, in order, without size prefixes.
#[derive(Debug, Default)]
pub(crate) struct RewrittenBodies {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl RewrittenBodies {
    /// Room for bodies spanning `ranges` of the original and their charges (a charge is
    /// at most ~30 bytes per segment; most segments are longer than their charge).
    pub(crate) fn with_capacity_for(ranges: impl Iterator<Item = Range<u64>>) -> Self {
        let (bytes, count) = ranges
            .fold((0usize, 0usize), |(bytes, count), r| (bytes.saturating_add((r.end - r.start) as usize), count + 1));
        RewrittenBodies { bytes: Vec::with_capacity(bytes.saturating_mul(2)), ends: Vec::with_capacity(count) }
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied()).map(|(start, end)| &self.bytes[start..end])
    }
}

/// Where a body being rewritten stands: its current straight-line segment.
pub(crate) struct BodyInProgress {
    segment_start: u64,
    cost: u64,
}

impl BodyRewriter {
    /// For a module with `globals` and `memories` (imported and defined).
    pub(crate) fn for_module(globals: u32, memories: u32) -> Self {
        BodyRewriter { fuel_global: globals, interrupt_memory: memories }
    }

    /// Starts a body whose local declarations are `module[locals]`; they are copied as
    /// they are (the pass adds no locals).
    pub(crate) fn begin(&self, module: &[u8], locals: Range<u64>, out: &mut RewrittenBodies) -> BodyInProgress {
        out.bytes.extend_from_slice(&module[locals.start as usize..locals.end as usize]);
        BodyInProgress { segment_start: locals.end, cost: 0 }
    }

    /// `op`, which ends at `end` in `module`, has been read.
    pub(crate) fn op(
        &self,
        module: &[u8],
        body: &mut BodyInProgress,
        op: &Operator,
        end: u64,
        out: &mut RewrittenBodies,
    ) {
        if !is_free(op) {
            body.cost += 1;
        }
        if ends_segment(op) {
            if super::facts::is_tail_call(op) {
                self.interrupt_check(&mut out.bytes);
            }
            self.flush(module, body, end, out);
        }
    }

    /// The body ends at `end` in `module`.
    pub(crate) fn finish(&self, module: &[u8], mut body: BodyInProgress, end: u64, out: &mut RewrittenBodies) {
        self.flush(module, &mut body, end, out);
        out.ends.push(out.bytes.len());
    }

    /// The current segment, charged for, then copied.
    fn flush(&self, module: &[u8], body: &mut BodyInProgress, end: u64, out: &mut RewrittenBodies) {
        if body.cost > 0 {
            self.charge(&mut out.bytes, body.cost);
        }
        out.bytes.extend_from_slice(&module[body.segment_start as usize..end as usize]);
        body.segment_start = end;
        body.cost = 0;
    }

    /// The charge placed before a segment of `cost` instructions.
    fn charge(&self, sink: &mut Vec<u8>, cost: u64) {
        let fuel = self.fuel_global;
        for instruction in [
            Instruction::GlobalGet(fuel),
            Instruction::I64Const(cost as i64),
            Instruction::I64LtU,
            Instruction::If(wasm_encoder::BlockType::Empty),
            Instruction::I32Const(1),
            Instruction::GlobalSet(fuel + 1),
            Instruction::Unreachable,
            Instruction::End,
            Instruction::GlobalGet(fuel),
            Instruction::I64Const(cost as i64),
            Instruction::I64Sub,
            Instruction::GlobalSet(fuel),
        ] {
            instruction.encode(sink);
        }
    }

    /// Traps when the watchdog has raised the interrupt flag.
    fn interrupt_check(&self, sink: &mut Vec<u8>) {
        let flag = wasm_encoder::MemArg {
            offset: 0,
            align: 2,
            target: wasm_encoder::MemArgTarget::Memory(self.interrupt_memory),
            ordering: None,
        };
        for instruction in [
            Instruction::I32Const(0),
            Instruction::I32AtomicLoad(flag),
            Instruction::If(wasm_encoder::BlockType::Empty),
            Instruction::Unreachable,
            Instruction::End,
        ] {
            instruction.encode(sink);
        }
    }

    /// Every body, without validating (`bytes` is already valid), on as many threads as
    /// there are cores; chunks come back in body order.
    fn rewrite_all(
        &self,
        module: &[u8],
        bodies: &[wasmparser::FunctionBody<'_>],
    ) -> Result<Vec<RewrittenBodies>, wasmparser::BinaryReaderError> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        if threads == 1 || bodies.len() < PARALLEL_FROM_FUNCTIONS {
            return Ok(vec![self.rewrite_chunk(module, bodies)?]);
        }
        let per_thread = bodies.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> =
                bodies.chunks(per_thread).map(|chunk| scope.spawn(move || self.rewrite_chunk(module, chunk))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
        })
    }

    fn rewrite_chunk(
        &self,
        module: &[u8],
        bodies: &[wasmparser::FunctionBody<'_>],
    ) -> Result<RewrittenBodies, wasmparser::BinaryReaderError> {
        let mut out = RewrittenBodies::with_capacity_for(bodies.iter().map(|body| body.range()));
        for body in bodies {
            let mut reader = body.get_binary_reader_for_operators()?;
            reader.set_features(super::facts::wasm_features());
            let locals = body.range().start..reader.original_position();
            let mut ops = wasmparser::OperatorsReader::new(reader);
            let mut state = self.begin(module, locals, &mut out);
            while !ops.eof() {
                let op = ops.read()?;
                self.op(module, &mut state, &op, ops.original_position(), &mut out);
            }
            self.finish(module, state, ops.original_position(), &mut out);
        }
        Ok(out)
    }
}
