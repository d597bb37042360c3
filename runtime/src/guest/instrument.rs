//! One reencoding pass that makes the guest's limits part of the module itself:
//!
//! - every memory's and table's maximum is clamped so that the totals stay within budget
//!   (`memory.grow` and `table.grow` then return -1 instead of growing);
//! - every function body is metered for fuel (see `meter`), and where the module has tail
//!   calls, an interrupt check guards each one: a one-page shared memory the runner's
//!   watchdog writes at the deadline, read atomically before every `return_call*`. V8's
//!   optimizing tier compiles an endless tail-call cycle without any point where
//!   TerminateExecution lands (docs/v8-findings.md #5); the check gives it one, like
//!   wasmtime's epoch check at function entry;
//! - the counters, every memory and the start function are exported under the names in
//!   `abi`; the start section is dropped, so the runner calls the start function once the
//!   instance exists (with its memory attached to the WASI runtime and the interrupt flag in
//!   place), as both engines do (`policy::calls`).
//!
//! - each `memory.atomic.wait` on a shared memory becomes a call to a helper appended after
//!   the guest's functions, which waits in slices so that the deadline can stop it (`wait`).
//!
//! The pass changes no index a function body refers to (its globals, memory, types and
//! functions are appended after the guest's), so the sections it does not touch are copied
//! as they are.

use std::sync::Arc;

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::Encode;
use wasm_encoder::{ConstExpr, ExportKind, GlobalType, SectionId, ValType};

use super::abi::{memory_export, FUEL_EXHAUSTED_EXPORT, FUEL_EXPORT, INTERRUPT_EXPORT, START_EXPORT};
use super::meter::{BodyRewriter, RewrittenBodies};
use crate::limits::guest::{
    ADDED_FUNCTIONS_PER_SHARED_MEMORY, ADDED_GLOBALS, ADDED_MEMORIES, ADDED_TYPES, V8_MAX_TABLE_ELEMENTS,
};
use crate::limits::GuestLimits;
use crate::report::{ModuleFacts, RunnerError};

const PAGE: u64 = 65536;

/// What the instrumentation adds to one module, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Additions {
    pub memories: u64,
    pub globals: u64,
    pub exports: u64,
    pub functions: u64,
    pub types: u64,
}

/// What `instrument` adds to the module `facts` describes: each at most its `ADDED_*`
/// constant (per shared memory, or per memory for exports).
pub fn additions(facts: &ModuleFacts) -> Additions {
    let shared = facts.shared_memories.len() as u64;
    let interrupt = u64::from(facts.tail_calls > 0);
    Additions {
        memories: interrupt * ADDED_MEMORIES,
        globals: ADDED_GLOBALS,
        // Fuel and its flag, every memory, the start function and the interrupt flag.
        exports: 2 + u64::from(facts.memories) + u64::from(facts.start_function.is_some()) + interrupt,
        functions: shared * ADDED_FUNCTIONS_PER_SHARED_MEMORY,
        types: if shared > 0 { ADDED_TYPES } else { 0 },
    }
}

/// Rewrites `bytes` (already validated and within budget) for `limits`.
pub fn instrument(bytes: &[u8], facts: &ModuleFacts, limits: &GuestLimits) -> Result<Arc<[u8]>, RunnerError> {
    instrument_module(bytes, facts, limits, None)
}

/// `instrument` with the function bodies already rewritten by the meter (during
/// validation, see `validate::inspect_and_rewrite`), so the code is not parsed a second time.
pub(crate) fn instrument_rewritten(
    bytes: &[u8],
    facts: &ModuleFacts,
    limits: &GuestLimits,
    code: Vec<RewrittenBodies>,
) -> Result<Arc<[u8]>, RunnerError> {
    instrument_module(bytes, facts, limits, Some(code))
}

/// What of the original module the reencoding reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// All of it.
    Whole,
    /// The sections before the code (all of it when there is no code): the code is written
    /// from the rewritten bodies and what follows it (data and custom sections) is copied,
    /// so the reencoding is spared a walk over every body's header (a dependent load each:
    /// 14 ms of python.wasm's 89 thousand on one core).
    BeforeCode,
}

fn instrument_module(
    bytes: &[u8],
    facts: &ModuleFacts,
    limits: &GuestLimits,
    code: Option<Vec<RewrittenBodies>>,
) -> Result<Arc<[u8]>, RunnerError> {
    // Wait helpers join the function and code sections, which the reencoding writes then.
    let reading = if facts.shared_memories.is_empty() { Reading::BeforeCode } else { Reading::Whole };
    instrument_reading(bytes, facts, limits, code, reading)
}

fn instrument_reading(
    bytes: &[u8],
    facts: &ModuleFacts,
    limits: &GuestLimits,
    code: Option<Vec<RewrittenBodies>>,
    reading: Reading,
) -> Result<Arc<[u8]>, RunnerError> {
    let failed = |e: &dyn std::fmt::Display| RunnerError::Internal {
        message: format!("instrumentation failed on a validated module: {e}"),
    };
    let limit_pages = limits.max_memory_bytes / PAGE;
    let memory_share = limit_pages.saturating_sub(facts.memory_initial_pages) / u64::from(facts.memories.max(1));
    let table_share =
        limits.max_table_elements.saturating_sub(facts.table_initial_elements) / u64::from(facts.tables.max(1));
    let mut pass = Instrumenter {
        module: bytes,
        memories: facts.memories,
        fuel: limits.fuel(),
        bodies: BodyRewriter::for_module(facts),
        rewritten: code,
        memory_share,
        table_share,
        interrupt_memory: (facts.tail_calls > 0).then_some(facts.memories),
        start_function: facts.start_function,
        splices: Vec::new(),
        globals_done: false,
        exports_done: false,
        memories_done: false,
        types_done: false,
        functions_done: false,
        code_done: false,
        code_at_end: false,
        data_count: None,
    };
    let layout = match reading {
        Reading::BeforeCode => Layout::of(bytes).map_err(|e| failed(&e))?,
        Reading::Whole => None,
    };
    let (reencoded, after_code): (std::borrow::Cow<[u8]>, &[u8]) = match &layout {
        Some(layout) => {
            let contents = &bytes[layout.code_contents.clone()];
            let reader = wasmparser::BinaryReader::new(contents, layout.code_contents.start as u64);
            wasmparser::CodeSectionReader::new(reader)
                .and_then(|section| pass.rewrite_unless_given(section))
                .map_err(|e| failed(&e))?;
            pass.code_at_end = true;
            pass.data_count = layout.data_count;
            (layout.before_code(bytes).into(), &bytes[layout.code.end..])
        }
        None => (bytes.into(), &[]),
    };
    let mut module = wasm_encoder::Module::new();
    pass.parse_core_module(&mut module, wasmparser::Parser::new(0), &reencoded).map_err(|e| failed(&e))?;
    let encoded = module.as_slice();
    let code = pass.rewritten.as_deref().map(|chunks| CodeSectionParts::new(chunks, &pass.bodies));
    let mut pieces: Vec<&[u8]> = Vec::new();
    let mut from = 0;
    for splice in &pass.splices {
        pieces.push(&encoded[from..splice.at]);
        from = splice.at + splice.replaces;
        match &splice.with {
            Replacement::Nothing => {}
            Replacement::Code => {
                if let Some(code) = &code {
                    code.pieces(&mut pieces);
                }
            }
            Replacement::Original { header, contents } => pieces.extend([&header[..], &bytes[contents.clone()]]),
        }
    }
    pieces.push(&encoded[from..]);
    pieces.push(after_code);
    Ok(super::assemble::concatenate(&pieces))
}

/// Where the sections `Reading::BeforeCode` needs lie in a valid module with a code section.
struct Layout {
    /// The whole code section, and its contents after the id and size.
    code: std::ops::Range<usize>,
    code_contents: std::ops::Range<usize>,
    /// The counts the parser checks against a code or data section, which the bytes before
    /// the code lack: the function section's and the data count's (each as encoded).
    counts: Vec<std::ops::Range<usize>>,
    /// The data count, read before it is zeroed.
    data_count: Option<u32>,
}

impl Layout {
    /// From the sections' ids and sizes alone; None without a code section.
    fn of(module: &[u8]) -> Result<Option<Layout>, wasmparser::BinaryReaderError> {
        let mut reader = wasmparser::BinaryReader::new(module, 0);
        reader.read_bytes(8)?;
        let (mut counts, mut data_count) = (Vec::new(), None);
        while !reader.eof() {
            let start = reader.original_position() as usize;
            let id = reader.read_u8()?;
            let size = reader.read_var_u32()? as usize;
            let contents = reader.original_position() as usize;
            let mut inside = wasmparser::BinaryReader::new(reader.read_bytes(size)?, contents as u64);
            if id == SectionId::Code as u8 {
                return Ok(Some(Layout {
                    code: start..contents + size,
                    code_contents: contents..contents + size,
                    counts,
                    data_count,
                }));
            }
            if id == SectionId::Function as u8 || id == SectionId::DataCount as u8 {
                let count = inside.read_var_u32()?;
                counts.push(contents..inside.original_position() as usize);
                if id == SectionId::DataCount as u8 {
                    data_count = Some(count);
                }
            }
        }
        Ok(None)
    }

    /// The module's bytes before its code section, with the counts zeroed in as many bytes
    /// as they took, so that every section keeps its offset: the reencoding copies the
    /// sections it does not change from the original by their offsets.
    fn before_code(&self, module: &[u8]) -> Vec<u8> {
        let mut before = module[..self.code.start].to_vec();
        for count in &self.counts {
            let zero = &mut before[count.clone()];
            let last = zero.len() - 1;
            zero.fill(0x80);
            zero[last] = 0;
        }
        before
    }
}

/// Where the reencoded module gets something else: at `at` in it, in place of `replaces`
/// bytes (a section the reencoding wrote, or none).
struct Splice {
    at: usize,
    replaces: usize,
    with: Replacement,
}

enum Replacement {
    /// The start section is left out: the runner calls the start function once the
    /// instance exists.
    Nothing,
    /// The code section, from the rewritten bodies: they go straight into the output
    /// instead of through a code section and the module's own buffer, each a copy of the
    /// whole code (and most of the instrumented module).
    Code,
    /// A section the instrumentation does not change, copied from the original: decoding
    /// and encoding it again (a name section is tens of megabytes in a large program)
    /// would give the same bytes, or fail on contents nothing validates.
    Original { header: Vec<u8>, contents: std::ops::Range<usize> },
}

impl Replacement {
    fn original(id: SectionId, contents: std::ops::Range<u64>) -> Self {
        let contents = contents.start as usize..contents.end as usize;
        let mut header = vec![id as u8];
        contents.len().encode(&mut header);
        Replacement::Original { header, contents }
    }
}

/// The bytes one section takes in a module.
fn section_len(section: &impl wasm_encoder::Section) -> usize {
    let mut alone = wasm_encoder::Module::new();
    alone.section(section);
    alone.len() - wasm_encoder::Module::new().len()
}

/// A code section written from the rewritten bodies and the wait helpers.
struct CodeSectionParts<'a> {
    chunks: &'a [RewrittenBodies],
    /// Each body's size, encoded, one after the other, and how many bytes each took.
    sizes: Vec<u8>,
    size_lens: Vec<u8>,
    /// The wait helpers, each encoded with its size.
    helpers: Vec<u8>,
    /// The section's id, size and body count.
    header: Vec<u8>,
}

impl<'a> CodeSectionParts<'a> {
    fn new(chunks: &'a [RewrittenBodies], rewriter: &BodyRewriter) -> Self {
        let mut helpers = Vec::new();
        let mut count = 0u32;
        for helper in rewriter.waits.bodies() {
            helper.encode(&mut helpers);
            count += 1;
        }
        let mut contents_len = helpers.len();
        let (mut sizes, mut size_lens) = (Vec::new(), Vec::new());
        for body in chunks.iter().flat_map(RewrittenBodies::iter) {
            let before = sizes.len();
            body.len().encode(&mut sizes);
            size_lens.push((sizes.len() - before) as u8);
            count += 1;
        }
        contents_len += sizes.len() + chunks.iter().map(|c| c.len() as usize).sum::<usize>();
        let mut count_encoded = Vec::new();
        count.encode(&mut count_encoded);
        let mut header = vec![SectionId::Code as u8];
        (count_encoded.len() + contents_len).encode(&mut header);
        header.extend_from_slice(&count_encoded);
        CodeSectionParts { chunks, sizes, size_lens, helpers, header }
    }

    /// The section's pieces, in order: its header, each body's size and bytes, the helpers.
    fn pieces<'p>(&'p self, out: &mut Vec<&'p [u8]>) {
        out.push(&self.header);
        let mut sizes = &self.sizes[..];
        for (body, len) in self.chunks.iter().flat_map(RewrittenBodies::iter).zip(&self.size_lens) {
            let (size, rest) = sizes.split_at(usize::from(*len));
            out.push(size);
            out.push(body);
            sizes = rest;
        }
        out.push(&self.helpers);
    }
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
    /// The start function, exported (and its start section dropped).
    start_function: Option<u32>,
    /// What goes into the reencoded module where, in output order.
    splices: Vec<Splice>,
    globals_done: bool,
    exports_done: bool,
    memories_done: bool,
    types_done: bool,
    functions_done: bool,
    code_done: bool,
    /// The code section is not in what the reencoding reads (`Reading::BeforeCode`): it goes
    /// at the end of what it writes.
    code_at_end: bool,
    /// The data count of the original, when what the reencoding reads has it zeroed.
    data_count: Option<u32>,
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
    /// Whether section `id` goes out as the original has it: data and elements always (no
    /// index they refer to changes), functions when no wait helper joins them.
    fn copies_original(&self, id: SectionId) -> bool {
        match id {
            SectionId::Data | SectionId::Element => true,
            SectionId::Function => self.bodies.waits.is_empty(),
            _ => false,
        }
    }

    /// Rewrites the bodies of `section`, unless the guest checks rewrote them as they
    /// validated them.
    fn rewrite_unless_given(
        &mut self,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), wasmparser::BinaryReaderError> {
        if self.rewritten.is_none() {
            let bodies = section.into_iter().collect::<Result<Vec<_>, _>>()?;
            self.rewritten = Some(self.bodies.rewrite_all(self.module, bodies)?);
        }
        Ok(())
    }

    /// The original section `id` at `contents` goes where the empty one the reencoding
    /// writes next is, in the splice the section hook made for it just before.
    fn replace_last_splice(&mut self, id: SectionId, contents: std::ops::Range<u64>) {
        if let Some(splice) = self.splices.last_mut() {
            splice.with = Replacement::original(id, contents);
        }
    }

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
            exports.export(&memory_export(i), ExportKind::Memory, i);
        }
    }
}

impl Reencode for Instrumenter<'_> {
    type Error = std::convert::Infallible;

    fn data_count(&mut self, count: u32) -> Result<u32, wasm_encoder::reencode::Error<Self::Error>> {
        Ok(self.data_count.unwrap_or(count))
    }

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
        // V8 grows no table past its own limit: capping the maximum there makes wasmtime
        // answer -1 at the same size.
        let cap = ty.initial.saturating_add(self.table_share).min(V8_MAX_TABLE_ELEMENTS.max(ty.initial));
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

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_type_section(self, types, section)?;
        self.bodies.waits.push_types(types);
        self.types_done = true;
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        if self.copies_original(SectionId::Function) {
            // One entry per function (python.wasm has 89 thousand), none changed.
            self.replace_last_splice(SectionId::Function, section.range());
        } else {
            wasm_encoder::reencode::utils::parse_function_section(self, functions, section)?;
            self.bodies.waits.push_functions(functions);
        }
        self.functions_done = true;
        Ok(())
    }

    fn parse_element_section(
        &mut self,
        _elements: &mut wasm_encoder::ElementSection,
        section: wasmparser::ElementSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        self.replace_last_splice(SectionId::Element, section.range());
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
        // Where it has no type, function or code section and needs wait helpers, the same.
        let waits = !self.bodies.waits.is_empty();
        if waits && !self.types_done && next > rank(SectionId::Type).unwrap_or(0) {
            let mut types = wasm_encoder::TypeSection::new();
            self.bodies.waits.push_types(&mut types);
            module.section(&types);
            self.types_done = true;
        }
        if waits && !self.functions_done && next > rank(SectionId::Function).unwrap_or(0) {
            let mut functions = wasm_encoder::FunctionSection::new();
            self.bodies.waits.push_functions(&mut functions);
            module.section(&functions);
            self.functions_done = true;
        }
        if waits && !self.code_done && next > rank(SectionId::Code).unwrap_or(0) {
            let mut code = wasm_encoder::CodeSection::new();
            self.bodies.waits.push_bodies(&mut code);
            module.section(&code);
            self.code_done = true;
        }
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
        // Custom sections never come between this hook and the section it precedes.
        // The reencoding writes these sections next: each is replaced (see `Splice`).
        let at = module.len();
        match before {
            Some(SectionId::Start) => {
                let function_index = self.start_function.unwrap_or_default();
                let replaces = section_len(&wasm_encoder::StartSection { function_index });
                self.splices.push(Splice { at, replaces, with: Replacement::Nothing });
            }
            Some(SectionId::Code) => {
                let replaces = section_len(&wasm_encoder::CodeSection::new());
                self.splices.push(Splice { at, replaces, with: Replacement::Code });
            }
            Some(id) if self.copies_original(id) => {
                // The section's `parse_*` hook, called next, says which original replaces the
                // empty section written (an empty data, element or function section alike:
                // id, size, a zero count).
                let replaces = section_len(&wasm_encoder::DataSection::new());
                self.splices.push(Splice { at, replaces, with: Replacement::Nothing });
            }
            None if self.code_at_end && !self.code_done => {
                self.splices.push(Splice { at, replaces: 0, with: Replacement::Code });
                self.code_done = true;
            }
            _ => {}
        }
        Ok(())
    }

    fn parse_data_section(
        &mut self,
        _data: &mut wasm_encoder::DataSection,
        section: wasmparser::DataSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        // The section stays empty: the original takes its place.
        self.replace_last_splice(SectionId::Data, section.range());
        Ok(())
    }

    fn parse_custom_section(
        &mut self,
        module: &mut wasm_encoder::Module,
        section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        self.splices.push(Splice {
            at: module.len(),
            replaces: 0,
            with: Replacement::original(SectionId::Custom, section.range()),
        });
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        _code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        // The section stays empty: `instrument_module` writes the bodies and the wait
        // helpers in its place.
        self.rewrite_unless_given(section)?;
        self.code_done = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest::validate::inspect;

    /// Each section of `module` as (id, name of a custom section, contents).
    fn sections(module: &[u8]) -> Vec<(u8, String, Vec<u8>)> {
        let mut out = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(module) {
            let payload = payload.unwrap();
            if let wasmparser::Payload::CustomSection(c) = &payload {
                out.push((0, c.name().to_string(), c.data().to_vec()));
            } else if let Some((id, range)) = payload.as_section() {
                out.push((id, String::new(), module[range.start as usize..range.end as usize].to_vec()));
            }
        }
        out
    }

    /// `module` with a custom section before each of its sections and one at the end; the
    /// first is a malformed name section, which V8 ignores and the reencoding's
    /// name-section decoder refuses.
    fn with_custom_sections_everywhere(module: &[u8]) -> Vec<u8> {
        let custom = |name: &str, data: &[u8]| {
            let mut m = wasm_encoder::Module::new();
            m.section(&wasm_encoder::CustomSection { name: name.into(), data: data.into() });
            m.as_slice()[8..].to_vec()
        };
        let mut out = module[..8].to_vec();
        let mut first = true;
        for payload in wasmparser::Parser::new(0).parse_all(module) {
            if let Some((id, range)) = payload.unwrap().as_section() {
                out.extend(if first { custom("name", b"\x01\xff\xff") } else { custom(&format!("before-{id}"), b"x") });
                first = false;
                let mut section = vec![id];
                (range.end - range.start).encode(&mut section);
                out.extend(section);
                out.extend(&module[range.start as usize..range.end as usize]);
            }
        }
        out.extend(custom("last", b"tail"));
        out
    }

    #[test]
    fn custom_and_data_sections_come_out_as_they_went_in_and_in_their_places() {
        let module = wat::parse_str(
            r#"(module $named
                (memory 1)
                (func $start (drop (i32.load (i32.const 0))))
                (func $loop (param i32) (loop (br_if 0 (local.get 0))))
                (start $start)
                (data (i32.const 16) "hello")
                (data (i32.const 64) "world"))"#,
        )
        .unwrap();
        let module = with_custom_sections_everywhere(&module);
        let out = instrumented(&module);
        let (before, after) = (sections(&module), sections(&out));
        let kept = |s: &&(u8, String, Vec<u8>)| s.0 == 0 || s.0 == SectionId::Data as u8;
        let order = |all: &[(u8, String, Vec<u8>)]| -> Vec<(u8, String)> {
            let ids: Vec<u8> = before.iter().map(|s| s.0).filter(|id| *id != SectionId::Start as u8).collect();
            all.iter().filter(|s| ids.contains(&s.0)).map(|s| (s.0, s.1.clone())).collect()
        };
        let expected: Vec<_> = before.iter().filter(|s| s.0 != SectionId::Start as u8).cloned().collect();
        assert_eq!(order(&after), order(&expected), "the sections kept their order");
        assert_eq!(
            after.iter().filter(kept).collect::<Vec<_>>(),
            before.iter().filter(kept).collect::<Vec<_>>(),
            "custom and data sections are copied as they are"
        );
        assert!(!after.iter().any(|s| s.0 == SectionId::Start as u8), "the start section is left out");
    }

    fn assert_valid(module: &[u8]) {
        wasmparser::Validator::new_with_features(super::super::validate::wasm_features()).validate_all(module).unwrap();
    }

    /// `module` instrumented under the default limits, checked to be valid.
    fn instrumented(module: &[u8]) -> Arc<[u8]> {
        let out = instrument(module, &inspect(module).unwrap(), &GuestLimits::default()).unwrap();
        assert_valid(&out);
        out
    }

    /// The contents of the one section with `id` in `module`.
    fn section(module: &[u8], id: SectionId) -> Vec<u8> {
        let all = sections(module);
        let found: Vec<_> = all.iter().filter(|s| s.0 == id as u8).collect();
        assert_eq!(found.len(), 1, "one section {id:?}");
        found[0].2.clone()
    }

    /// The module instrumented from the sections before its code, and from all of it.
    fn both_readings(module: &[u8]) -> (Arc<[u8]>, Arc<[u8]>) {
        let facts = inspect(module).unwrap();
        let limits = GuestLimits::default();
        let before_code = instrument_reading(module, &facts, &limits, None, Reading::BeforeCode).unwrap();
        let whole = instrument_reading(module, &facts, &limits, None, Reading::Whole).unwrap();
        assert_valid(&before_code);
        (before_code, whole)
    }

    #[test]
    fn reading_the_sections_before_the_code_gives_the_module_reading_all_of_it_gives() {
        let modules = [
            // A data count, data after the code, a start function, elements, no globals
            // or exports of its own.
            r#"(module
                (memory 1)
                (table 2 funcref)
                (func $start (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1)))
                (func $f (param i32) (result i32) (local.get 0))
                (start $start)
                (elem (i32.const 0) func $f $start)
                (data "passive")
                (data (i32.const 8) "active"))"#,
            // Tail calls (an interrupt memory and its export join), an imported memory and
            // globals, exports of its own.
            r#"(module
                (import "env" "memory" (memory 1))
                (import "env" "g" (global i32))
                (global $mine (mut i64) (i64.const 7))
                (func $loop (export "loop") (param i32) (return_call $loop (local.get 0)))
                (export "mine" (global $mine)))"#,
            // Functions only.
            r#"(module (func) (func (result i32) (i32.const 1)))"#,
            // No code at all.
            r#"(module (memory 1) (data (i32.const 0) "x"))"#,
        ];
        for text in modules {
            let module = wat::parse_str(text).unwrap();
            for module in [with_custom_sections_everywhere(&module), module] {
                let (before_code, whole) = both_readings(&module);
                assert_eq!(before_code, whole, "{text}");
            }
        }
    }

    #[test]
    fn a_module_with_a_shared_memory_is_read_whole_for_its_wait_helpers() {
        let module = wat::parse_str(
            r#"(module
                (memory 1 1 shared)
                (func (param i32) (result i32)
                    (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const 0)))
                (data (i32.const 0) "x"))"#,
        )
        .unwrap();
        let out = instrumented(&module);
        let whole =
            instrument_reading(&module, &inspect(&module).unwrap(), &GuestLimits::default(), None, Reading::Whole);
        assert_eq!(out, whole.unwrap());
    }

    #[test]
    fn element_sections_and_function_sections_without_waits_are_copied_as_they_are() {
        let module = wat::parse_str(
            r#"(module
                (table 4 funcref)
                (func $a) (func $b (param i32))
                (elem (i32.const 1) func $a $b)
                (elem declare func $a))"#,
        )
        .unwrap();
        let out = instrumented(&module);
        assert_eq!(section(&out, SectionId::Element), section(&module, SectionId::Element));
        assert_eq!(section(&out, SectionId::Function), section(&module, SectionId::Function));
    }

    #[test]
    fn the_function_section_gets_the_wait_helpers_after_the_guests_functions() {
        let module = wat::parse_str(
            r#"(module
                (memory 1 1 shared)
                (func (param i32) (result i32)
                    (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const 0))))"#,
        )
        .unwrap();
        let out = instrumented(&module);
        let (before, after) = (section(&module, SectionId::Function), section(&out, SectionId::Function));
        assert!(after.len() > before.len(), "helpers were added");
        assert_eq!(after[1..before.len()], before[1..], "the guest's own functions come first, as they were");
    }
}
