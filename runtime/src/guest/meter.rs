//! The body meter: fuel charges (and interrupt checks before tail calls) placed into a
//! function body as its operators stream past. Two drivers feed it: the validating pass of
//! the guest checks (`validate`), so each body is parsed once for both, and `rewrite_all`,
//! which reads bodies on its own for `instrument` alone.
//!
//! Each straight-line segment is charged its instruction count before it runs, from an i64
//! global holding the remaining fuel; running out sets a flag global and traps, so
//! exhaustion is told apart from a guest `unreachable`.

use std::ops::Range;

use wasm_encoder::{Encode, Instruction};

use super::ops::{Classify, OpKind, WaitSite};
use super::parallel::in_chunks;
use super::validate::wasm_features;
use super::wait::WaitHelpers;
use crate::report::ModuleFacts;

/// The per-body half of the instrumentation, for one module's global, memory and function
/// indices.
#[derive(Debug, Clone)]
pub(crate) struct BodyRewriter {
    /// Index of the fuel global (after the guest's); the exhausted flag follows it.
    pub(crate) fuel_global: u32,
    /// Index the interrupt flag's memory gets (after the guest's) if the module has tail
    /// calls; a body refers to it only at a tail call, so no body without one depends on it.
    interrupt_memory: u32,
    /// The helpers that waits on shared memories call instead (`wait`).
    pub(crate) waits: WaitHelpers,
    /// The charge's instructions around its two cost constants, encoded once: a module has a
    /// charge per straight-line segment, and encoding twelve instructions for each was a
    /// fifth of the guest checks.
    charge_parts: [Vec<u8>; 3],
    /// The whole charge for each cost up to `SMALL_COSTS`, one after another, all of one
    /// length: most segments are short, and one copy of a ready charge costs a fifth of
    /// assembling it from its parts (python.wasm has four million).
    small_charges: Vec<u8>,
}

/// Costs whose `i64.const` is one byte (signed LEB128), so whose charges are all as long.
const SMALL_COSTS: u64 = 63;

/// The charge placed before a segment of `cost` instructions, split at its two
/// `i64.const cost`: trap (setting the exhausted flag) when the fuel is below the cost, else
/// subtract it.
fn charge_parts(fuel: u32) -> [Vec<u8>; 3] {
    let encode = |instructions: &[Instruction]| {
        let mut sink = Vec::new();
        for instruction in instructions {
            instruction.encode(&mut sink);
        }
        sink
    };
    [
        encode(&[Instruction::GlobalGet(fuel)]),
        encode(&[
            Instruction::I64LtU,
            Instruction::If(wasm_encoder::BlockType::Empty),
            Instruction::I32Const(1),
            Instruction::GlobalSet(fuel + 1),
            Instruction::Unreachable,
            Instruction::End,
            Instruction::GlobalGet(fuel),
        ]),
        encode(&[Instruction::I64Sub, Instruction::GlobalSet(fuel)]),
    ]
}

/// The charge for `cost` from its `parts`.
fn charge_from_parts(parts: &[Vec<u8>; 3], sink: &mut Vec<u8>, cost: u64) {
    let [before, between, after] = parts;
    sink.extend_from_slice(before);
    // Encoded once, copied for the second use.
    let encoded = sink.len();
    Instruction::I64Const(cost as i64).encode(sink);
    let encoded = encoded..sink.len();
    sink.extend_from_slice(between);
    sink.extend_from_within(encoded);
    sink.extend_from_slice(after);
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

    /// Bytes of rewritten bodies held.
    pub(crate) fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> {
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
    /// For a module as its facts describe it.
    pub(crate) fn for_module(facts: &ModuleFacts) -> Self {
        let functions = facts.imported_functions.saturating_add(facts.defined_functions);
        let charge_parts = charge_parts(facts.globals);
        let mut small_charges = Vec::new();
        for cost in 1..=SMALL_COSTS {
            charge_from_parts(&charge_parts, &mut small_charges, cost);
        }
        BodyRewriter {
            fuel_global: facts.globals,
            interrupt_memory: facts.memories,
            waits: WaitHelpers::new(functions, facts.types, &facts.shared_memories),
            charge_parts,
            small_charges,
        }
    }

    /// Starts a body whose local declarations are `module[locals]`; they are copied as
    /// they are (the pass adds no locals).
    pub(crate) fn begin(&self, module: &[u8], locals: Range<u64>, out: &mut RewrittenBodies) -> BodyInProgress {
        out.bytes.extend_from_slice(&module[locals.start as usize..locals.end as usize]);
        BodyInProgress { segment_start: locals.end, cost: 0 }
    }

    /// `count` plain instructions were read since the last call (a caller that sees each
    /// instruction's kind counts them in a register and reports them at the next other one,
    /// rather than calling `op` for each).
    #[inline(always)]
    pub(crate) fn plain(&self, body: &mut BodyInProgress, count: u64) {
        body.cost += count;
    }

    /// An instruction of `kind`, which spans `start..end` in `module`, has been read; a
    /// wait waits at `wait`.
    #[inline]
    pub(crate) fn op(
        &self,
        module: &[u8],
        body: &mut BodyInProgress,
        (kind, wait): (OpKind, &WaitSite),
        (start, end): (u64, u64),
        out: &mut RewrittenBodies,
    ) {
        if kind.costs() {
            body.cost += 1;
        }
        if kind == OpKind::Plain {
            return;
        }
        if let Some((helper, offset)) = self.wait_helper(kind, wait) {
            // The segment so far, the wait included, is charged; the wait becomes a call to
            // its helper with the static offset as the last argument.
            self.flush(module, body, start, out);
            Instruction::I64Const(offset as i64).encode(&mut out.bytes);
            Instruction::Call(helper).encode(&mut out.bytes);
            body.segment_start = end;
            return;
        }
        if kind.ends_segment() {
            if kind == OpKind::TailCall {
                self.interrupt_check(&mut out.bytes);
            }
            self.flush(module, body, end, out);
        }
    }

    /// The body ends at `end` in `module`.
    /// Returns the rewritten body's size, locals included.
    pub(crate) fn finish(&self, module: &[u8], mut body: BodyInProgress, end: u64, out: &mut RewrittenBodies) -> u64 {
        self.flush(module, &mut body, end, out);
        let start = out.ends.last().copied().unwrap_or(0);
        out.ends.push(out.bytes.len());
        (out.bytes.len() - start) as u64
    }

    /// The helper and static offset replacing an instruction of `kind`, when it is a wait
    /// on a shared memory.
    fn wait_helper(&self, kind: OpKind, wait: &WaitSite) -> Option<(u32, u64)> {
        if kind != OpKind::Wait {
            return None;
        }
        Some((self.waits.helper(wait.memory?, wait.wide)?, wait.offset))
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

    /// The charge placed before a segment of `cost` instructions (`charge_parts`).
    fn charge(&self, sink: &mut Vec<u8>, cost: u64) {
        if (1..=SMALL_COSTS).contains(&cost) {
            let len = self.small_charges.len() / SMALL_COSTS as usize;
            let at = (cost - 1) as usize * len;
            sink.extend_from_slice(&self.small_charges[at..at + len]);
        } else {
            charge_from_parts(&self.charge_parts, sink, cost);
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

    /// Every body, without validating (`module` is already valid), on as many threads as
    /// there are cores; chunks come back in body order.
    pub(crate) fn rewrite_all(
        &self,
        module: &[u8],
        bodies: Vec<wasmparser::FunctionBody<'_>>,
    ) -> Result<Vec<RewrittenBodies>, wasmparser::BinaryReaderError> {
        in_chunks(bodies, |body| body.as_bytes().len(), |chunk| self.rewrite_chunk(module, &chunk))
    }

    fn rewrite_chunk(
        &self,
        module: &[u8],
        bodies: &[wasmparser::FunctionBody<'_>],
    ) -> Result<RewrittenBodies, wasmparser::BinaryReaderError> {
        let mut out = RewrittenBodies::with_capacity_for(bodies.iter().map(|body| body.range()));
        for body in bodies {
            let mut reader = body.get_binary_reader_for_operators()?;
            reader.set_features(wasm_features());
            let locals = body.range().start..reader.original_position();
            let mut ops = wasmparser::OperatorsReader::new(reader);
            let mut state = self.begin(module, locals, &mut out);
            let mut classify = Classify::default();
            while !ops.eof() {
                let start = ops.original_position();
                let kind = ops.visit_operator(&mut classify)?;
                self.op(module, &mut state, (kind, &classify.wait), (start, ops.original_position()), &mut out);
            }
            // The validating pass refuses bodies over V8's size limit; this path only
            // rewrites modules that passed it.
            self.finish(module, state, ops.original_position(), &mut out);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The charge, one instruction at a time.
    fn charge_as_instructions(fuel: u32, cost: u64) -> Vec<u8> {
        let mut sink = Vec::new();
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
            instruction.encode(&mut sink);
        }
        sink
    }

    #[test]
    fn the_charge_from_its_encoded_parts_is_the_charge_instruction_by_instruction() {
        for fuel in [0, 127, 128, 70_000] {
            let facts = ModuleFacts { globals: fuel, ..Default::default() };
            let rewriter = BodyRewriter::for_module(&facts);
            for cost in [1, 2, 62, 63, 64, 127, 128, 1 << 20, (1 << 40) + 3] {
                let mut sink = Vec::new();
                rewriter.charge(&mut sink, cost);
                assert_eq!(sink, charge_as_instructions(fuel, cost), "fuel global {fuel}, cost {cost}");
            }
        }
    }
}
