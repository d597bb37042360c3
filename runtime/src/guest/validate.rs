//! The validator: one pass over the module that validates it with the features V8 ships,
//! counts what it declares (`ModuleFacts`, for the budgets) and, when asked, has the meter
//! rewrite each function body as it is validated, so the code is parsed once for both.

use std::sync::atomic::{AtomicU64, Ordering};

use wasmparser::{BinaryReaderError, Parser, Payload, Validator, WasmFeatures};

use super::cancel::{Cancel, CHECK_EVERY_OPS};
use super::meter::{BodyRewriter, RewrittenBodies};
use super::ops::{Checked, OpKind, Refused};
use super::parallel::in_chunks;
use crate::limits::guest::{MAX_BR_TABLE_OPERAND_CHECKS, V8_MAX_BR_TABLE_TARGETS, V8_MAX_FUNCTION_BODY_BYTES};
use crate::report::{ImportKind, ImportRef, ModuleFacts, RunnerError, SharedMemory};

/// Why a body was not accepted.
pub(crate) enum BodyError {
    Invalid(BinaryReaderError),
    /// Over one of V8's limits (see `limits::guest`): `(limit, requested, allowed)`.
    OverLimit(&'static str, u64, u64),
    /// The checks were cancelled (the deadline passed).
    Cancelled,
}

impl From<BinaryReaderError> for BodyError {
    fn from(e: BinaryReaderError) -> Self {
        BodyError::Invalid(e)
    }
}

impl From<BodyError> for RunnerError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::Invalid(e) => RunnerError::InvalidModule { reason: e.message().to_string(), offset: e.offset() },
            BodyError::OverLimit(limit, requested, allowed) => {
                RunnerError::GuestLimitRejected { limit: limit.to_string(), requested, allowed }
            }
            BodyError::Cancelled => RunnerError::Internal { message: "the guest checks were cancelled".into() },
        }
    }
}

/// The proposals V8 15.2 ships enabled, so wasmparser accepts what V8 will compile:
/// Wasm 3.0 plus the legacy exception-handling encoding that toolchains still emit.
pub fn wasm_features() -> WasmFeatures {
    WasmFeatures::WASM3 | WasmFeatures::LEGACY_EXCEPTIONS
}

/// Whether a tag payload type can hold a heap object a guest can chain.
fn chains_heap(ty: &wasmparser::ValType) -> bool {
    match ty {
        wasmparser::ValType::Ref(r) => {
            !matches!(r.heap_type(), wasmparser::HeapType::Abstract { ty: wasmparser::AbstractHeapType::Func, .. })
        }
        _ => false,
    }
}

/// Whether a value of this type is an exception reference.
fn holds_exception(ty: &wasmparser::RefType) -> bool {
    matches!(ty.heap_type(), wasmparser::HeapType::Abstract { ty: wasmparser::AbstractHeapType::Exn, .. })
}

/// The 8-byte slots V8 encodes one exception payload value in.
fn payload_slots(ty: &wasmparser::ValType) -> u32 {
    match ty {
        wasmparser::ValType::I32 | wasmparser::ValType::F32 => 2,
        wasmparser::ValType::I64 | wasmparser::ValType::F64 => 4,
        wasmparser::ValType::V128 => 8,
        wasmparser::ValType::Ref(_) => 1,
    }
}

/// Validates `bytes` (with `wasm_features`) and counts what the module declares.
pub fn inspect(bytes: &[u8]) -> Result<ModuleFacts, RunnerError> {
    inspect_with(bytes, None, &Cancel::default()).map(|(facts, _)| facts)
}

/// `inspect`, rewriting each function body for the instrumentation while it is validated:
/// one parse of the code for both (`instrument::instrument_rewritten` takes the bodies).
/// Stops early, as `Cancelled`, once `cancel` is set.
pub(crate) fn inspect_and_rewrite(
    bytes: &[u8],
    instrumented_budget: u64,
    cancel: &Cancel,
) -> Result<(ModuleFacts, Vec<RewrittenBodies>), RunnerError> {
    inspect_with(bytes, Some(instrumented_budget), cancel)
}

pub(crate) fn inspect_cancellable(bytes: &[u8], cancel: &Cancel) -> Result<ModuleFacts, RunnerError> {
    inspect_with(bytes, None, cancel).map(|(facts, _)| facts)
}

/// `rewrite`: the bodies are rewritten, within this many bytes of instrumented code.
fn inspect_with(
    bytes: &[u8],
    rewrite: Option<u64>,
    cancel: &Cancel,
) -> Result<(ModuleFacts, Vec<RewrittenBodies>), RunnerError> {
    if bytes.is_empty() {
        return Err(RunnerError::InvalidModule { reason: "the module is empty (0 bytes)".into(), offset: 0 });
    }
    if bytes.len() < 8 && b"\0asm\x01\0\0\0".starts_with(bytes) {
        return Err(RunnerError::InvalidModule {
            reason: format!("truncated: {} bytes, shorter than the 8-byte WebAssembly header", bytes.len()),
            offset: bytes.len() as u64,
        });
    }
    if bytes.len() < 8 || &bytes[0..4] != b"\0asm" {
        return Err(RunnerError::InvalidModule {
            reason: "not a WebAssembly binary: it does not start with the magic bytes \\0asm and a version".into(),
            offset: 0,
        });
    }
    let mut facts = ModuleFacts { bytes: bytes.len(), ..Default::default() };
    let mut validator = Validator::new_with_features(wasm_features());
    let mut bodies = Vec::new();
    // Parameter lists of function types by type index (None for non-function types).
    let mut func_params: Vec<Option<Vec<wasmparser::ValType>>> = Vec::new();
    let count_tag = |facts: &mut ModuleFacts, func_params: &[Option<Vec<wasmparser::ValType>>], type_idx: u32| {
        facts.tags += 1;
        let params = func_params.get(type_idx as usize).and_then(|p| p.as_ref());
        if params.is_some_and(|p| p.iter().any(chains_heap)) {
            facts.tags_with_ref_payload += 1;
        }
        let slots = params.map_or(0, |p| p.iter().map(payload_slots).sum());
        facts.max_tag_payload_slots = facts.max_tag_payload_slots.max(slots);
    };
    let invalid = |e: wasmparser::BinaryReaderError| RunnerError::InvalidModule {
        reason: e.message().to_string(),
        offset: e.offset(),
    };
    // The sections' readers decode with the features validated, as wasmparser's own
    // `validate_all` has them: a reader with every feature reads further into an encoding
    // the validator then refuses, and the module is refused for another reason.
    let mut parser = Parser::new(0);
    parser.set_features(wasm_features());
    for payload in parser.parse_all(bytes) {
        let payload = payload.map_err(invalid)?;
        if let Payload::Version { encoding: wasmparser::Encoding::Component, .. } = payload {
            return Err(RunnerError::InvalidModule {
                reason: "this is a WebAssembly component, not a core module".into(),
                offset: 4,
            });
        }
        // The validator sees each section first, so that a module is refused for what
        // wasmparser finds first (the counting below reads entries it would refuse later,
        // such as a section's entries beyond its count limit).
        let valid = validator.payload(&payload).map_err(invalid)?;
        match &payload {
            Payload::TypeSection(reader) => {
                for group in reader.clone() {
                    let group = group.map_err(invalid)?;
                    for sub in group.into_types() {
                        match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => func_params.push(Some(f.params().to_vec())),
                            wasmparser::CompositeInnerType::Array(_) | wasmparser::CompositeInnerType::Struct(_) => {
                                facts.gc_types += 1;
                                func_params.push(None);
                            }
                            wasmparser::CompositeInnerType::Cont(_) => func_params.push(None),
                        }
                    }
                }
            }
            Payload::TagSection(reader) => {
                for tag in reader.clone() {
                    let tag = tag.map_err(invalid)?;
                    count_tag(&mut facts, &func_params, tag.func_type_idx);
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    let import = import.map_err(invalid)?;
                    match import.ty {
                        wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_) => {
                            facts.imported_functions += 1
                        }
                        wasmparser::TypeRef::Tag(t) => count_tag(&mut facts, &func_params, t.func_type_idx),
                        wasmparser::TypeRef::Table(t) => count_table(&mut facts, &t),
                        wasmparser::TypeRef::Memory(m) => {
                            if m.shared {
                                facts
                                    .shared_memories
                                    .push(SharedMemory { index: facts.memories, memory64: m.memory64 });
                            }
                            facts.memories += 1;
                            facts.memory_initial_pages = facts.memory_initial_pages.saturating_add(m.initial);
                        }
                        wasmparser::TypeRef::Global(g) => count_global(&mut facts, &g),
                    }
                    facts.imports.push(ImportRef {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        kind: ImportKind::from(&import.ty),
                    });
                }
            }
            Payload::FunctionSection(reader) => facts.defined_functions = reader.count(),
            Payload::TableSection(reader) => {
                for table in reader.clone() {
                    count_table(&mut facts, &table.map_err(invalid)?.ty);
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader.clone() {
                    let memory = memory.map_err(invalid)?;
                    if memory.shared {
                        facts.shared_memories.push(SharedMemory { index: facts.memories, memory64: memory.memory64 });
                    }
                    facts.memories += 1;
                    facts.memory_initial_pages = facts.memory_initial_pages.saturating_add(memory.initial);
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader.clone() {
                    count_global(&mut facts, &global.map_err(invalid)?.ty);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader.clone() {
                    let export = export.map_err(invalid)?;
                    facts.exports += 1;
                    if export.kind == wasmparser::ExternalKind::Func {
                        facts.exported_functions += 1;
                    }
                    if export.name.starts_with(super::abi::RESERVED_PREFIX) {
                        facts.reserved_exports += 1;
                    }
                }
            }
            Payload::ElementSection(reader) => {
                for element in reader.clone() {
                    let element = element.map_err(invalid)?;
                    facts.element_segments += 1;
                    let items = match element.items {
                        wasmparser::ElementItems::Functions(f) => f.count(),
                        wasmparser::ElementItems::Expressions(_, e) => e.count(),
                    };
                    facts.element_items = facts.element_items.saturating_add(u64::from(items));
                }
            }
            Payload::DataSection(reader) => {
                for data in reader.clone() {
                    let data = data.map_err(invalid)?;
                    facts.data_segments += 1;
                    facts.data_bytes = facts.data_bytes.saturating_add(data.data.len() as u64);
                }
            }
            Payload::CodeSectionStart { size, .. } => facts.code_bytes = u64::from(*size),
            Payload::StartSection { func, .. } => facts.start_function = Some(*func),
            _ => {}
        }
        match valid {
            wasmparser::ValidPayload::Func(func, body) => bodies.push((func, body)),
            wasmparser::ValidPayload::End(_) => break,
            _ => {}
        }
    }
    facts.types = func_params.len() as u32;
    // Every section a body can refer to precedes the code, so the counts are final here.
    let rewriter = rewrite.map(|budget| (BodyRewriter::for_module(&facts), CodeBudget::new(budget)));
    let (counts, rewritten) = validate_bodies(bodies, rewriter.as_ref().map(|(r, budget)| (r, bytes, budget)), cancel)?;
    facts.tail_calls = counts.tail_calls;
    facts.atomic_waits = counts.atomic_waits;
    facts.table_grows = counts.table_grows;
    Ok((facts, rewritten))
}

fn count_table(facts: &mut ModuleFacts, table: &wasmparser::TableType) {
    facts.tables += 1;
    facts.table_initial_elements = facts.table_initial_elements.saturating_add(table.initial);
    if holds_exception(&table.element_type) {
        facts.exn_tables += 1;
        facts.exn_table_elements = facts.exn_table_elements.saturating_add(table.initial);
    }
}

fn count_global(facts: &mut ModuleFacts, global: &wasmparser::GlobalType) {
    facts.globals = facts.globals.saturating_add(1);
    if let wasmparser::ValType::Ref(r) = global.content_type {
        if holds_exception(&r) {
            facts.exn_globals += 1;
        }
    }
}

type Body<'a> = (wasmparser::FuncToValidate<wasmparser::ValidatorResources>, wasmparser::FunctionBody<'a>);

/// The instrumentation's body rewriter, the module's bytes and the budget of instrumented
/// code, when bodies are rewritten.
type Rewrite<'a> = Option<(&'a BodyRewriter, &'a [u8], &'a CodeBudget)>;

/// The budget of rewritten code, shared by every chunk: bodies are kept while all kept so
/// far fit in it. Past it the module is refused, so each body after is rewritten only to
/// measure it and dropped: the checks hold about the budget (one body per core beyond it)
/// however far a module outgrows it, an invalid body is still reported before the budget,
/// as a sequential pass would, and the refusal gives the exact size, whichever chunks ran
/// first.
struct CodeBudget {
    allowed: u64,
    /// Bytes of the bodies offered so far, up to the first that did not fit.
    offered: AtomicU64,
}

impl CodeBudget {
    fn new(allowed: u64) -> Self {
        CodeBudget { allowed, offered: AtomicU64::new(0) }
    }

    /// Whether a rewritten body of `size` bytes may be kept.
    fn keep(&self, size: u64) -> bool {
        if self.is_over() {
            return false;
        }
        self.offered.fetch_add(size, Ordering::Relaxed).saturating_add(size) <= self.allowed
    }

    /// Whether a body did not fit: the module is over its budget.
    fn is_over(&self) -> bool {
        self.offered.load(Ordering::Relaxed) > self.allowed
    }
}

/// What one chunk of bodies gave.
struct ChunkOut {
    counts: OpCounts,
    bodies: RewrittenBodies,
    /// Bytes of all its bodies rewritten, kept or not.
    rewritten_bytes: u64,
}

/// Validates every function body, on as many threads as there are cores, counts tail
/// calls, and with `rewrite` rewrites each body in the same pass (chunks in body order).
/// On failure, the error is the first failing body's, as a sequential pass would report it.
fn validate_bodies(
    bodies: Vec<Body<'_>>,
    rewrite: Rewrite<'_>,
    cancel: &Cancel,
) -> Result<(OpCounts, Vec<RewrittenBodies>), BodyError> {
    let chunks = in_chunks(bodies, |(_, body)| body.as_bytes().len(), |chunk| validate_chunk(chunk, rewrite, cancel))?;
    let mut counts = OpCounts::default();
    for chunk in &chunks {
        counts.tail_calls += chunk.counts.tail_calls;
        counts.atomic_waits += chunk.counts.atomic_waits;
        counts.table_grows += chunk.counts.table_grows;
    }
    if let Some((_, _, budget)) = rewrite {
        if budget.is_over() {
            let rewritten = chunks.iter().map(|c| c.rewritten_bytes).sum();
            return Err(BodyError::OverLimit("max_instrumented_bytes", rewritten, budget.allowed));
        }
    }
    Ok((counts, chunks.into_iter().map(|chunk| chunk.bodies).collect()))
}

/// Instructions the later checks and the instrumentation count.
#[derive(Debug, Default)]
struct OpCounts {
    tail_calls: u64,
    atomic_waits: u64,
    table_grows: u64,
}

/// The operands a label of `frame` carries (what each branch to it checks).
fn label_arity(func: &wasmparser::FuncValidator<wasmparser::ValidatorResources>, frame: &wasmparser::Frame) -> u64 {
    use wasmparser::{BlockType, FrameKind, WasmModuleResources};
    match frame.block_type {
        BlockType::Empty => 0,
        BlockType::Type(_) => u64::from(frame.kind != FrameKind::Loop),
        BlockType::FuncType(index) => match func.resources().sub_type_at(index).map(|t| &t.composite_type.inner) {
            Some(wasmparser::CompositeInnerType::Func(f)) if frame.kind == FrameKind::Loop => f.params().len() as u64,
            Some(wasmparser::CompositeInnerType::Func(f)) => f.results().len() as u64,
            _ => 0,
        },
    }
}

/// V8's br_table limit, and the validation work one br_table may cost: `labels` targets
/// besides the `default` depth, checked before the validator walks them.
pub(crate) fn check_br_table(
    func: &wasmparser::FuncValidator<wasmparser::ValidatorResources>,
    labels: u32,
    default: u32,
) -> Result<(), BodyError> {
    let targets = u64::from(labels);
    if targets > V8_MAX_BR_TABLE_TARGETS {
        return Err(BodyError::OverLimit("v8_max_br_table_targets", targets, V8_MAX_BR_TABLE_TARGETS));
    }
    // An invalid default depth is the validator's to report.
    let Some(frame) = func.get_control_frame(default as usize) else { return Ok(()) };
    let checks = (targets + 1).saturating_mul(label_arity(func, frame));
    if checks > MAX_BR_TABLE_OPERAND_CHECKS {
        return Err(BodyError::OverLimit("max_br_table_operand_checks", checks, MAX_BR_TABLE_OPERAND_CHECKS));
    }
    Ok(())
}

/// FuncValidator::validate, unrolled so the same pass sees each instruction's kind.
fn validate_chunk(bodies: Vec<Body<'_>>, rewrite: Rewrite<'_>, cancel: &Cancel) -> Result<ChunkOut, BodyError> {
    let mut rewritten_bytes = 0u64;
    let mut allocations = wasmparser::FuncValidatorAllocations::default();
    let mut counts = OpCounts::default();
    let mut out = match rewrite {
        Some(_) => RewrittenBodies::with_capacity_for(bodies.iter().map(|(_, body)| body.range())),
        None => RewrittenBodies::default(),
    };
    for (func, body) in bodies {
        if cancel.is_set() {
            return Err(BodyError::Cancelled);
        }
        let mut func = func.into_validator(allocations);
        let mut reader = body.get_binary_reader();
        let locals_start = reader.original_position();
        func.read_locals(&mut reader)?;
        reader.set_features(wasm_features());
        let mut state =
            rewrite.map(|(rw, module, _)| rw.begin(module, locals_start..reader.original_position(), &mut out));
        let mut until_check = CHECK_EVERY_OPS;
        let mut checked = Checked::new(&mut func);
        let mut plain = 0u64;
        while !reader.eof() {
            let offset = reader.original_position();
            let kind = match reader.visit_operator(checked.at(offset))? {
                Ok(kind) => kind,
                Err(Refused) => return Err(checked.take_refusal()),
            };
            until_check -= 1;
            if kind == OpKind::Plain {
                // Most instructions: counted here, in a register, and handed to the meter
                // with the next instruction of another kind.
                plain += 1;
            } else {
                match kind {
                    OpKind::TailCall => counts.tail_calls += 1,
                    OpKind::Wait => counts.atomic_waits += 1,
                    OpKind::TableGrow => counts.table_grows += 1,
                    _ => {}
                }
                if let (Some((rw, module, _)), Some(state)) = (rewrite, state.as_mut()) {
                    rw.plain(state, plain);
                    rw.op(module, state, (kind, &checked.wait), (offset, reader.original_position()), &mut out);
                }
                plain = 0;
            }
            if until_check == 0 {
                if cancel.is_set() {
                    return Err(BodyError::Cancelled);
                }
                until_check = CHECK_EVERY_OPS;
            }
        }
        reader.finish_expression(&checked)?;
        if let (Some((rw, module, budget)), Some(mut state)) = (rewrite, state) {
            rw.plain(&mut state, plain);
            let size = rw.finish(module, state, reader.original_position(), &mut out);
            if size > V8_MAX_FUNCTION_BODY_BYTES {
                return Err(BodyError::OverLimit("v8_max_function_body_bytes", size, V8_MAX_FUNCTION_BODY_BYTES));
            }
            rewritten_bytes += size;
            if !budget.keep(size) {
                // The module will be refused: nothing rewritten is needed any more.
                out = RewrittenBodies::default();
            }
        }
        allocations = func.into_allocations();
    }
    Ok(ChunkOut { counts, bodies: out, rewritten_bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` functions of about `PARALLEL_FROM_BYTES / 256` bytes each (so that 1024 of them are
    /// split across threads); the ones in `invalid` return nothing where an i32 is due.
    fn module(n: usize, invalid: &[usize]) -> Vec<u8> {
        let padding = "nop ".repeat(super::super::parallel::PARALLEL_FROM_BYTES / 256);
        let funcs: String = (0..n)
            .map(|i| {
                if invalid.contains(&i) {
                    format!("(func $f{i} (result i32) {padding})")
                } else {
                    format!("(func $f{i} (result i32) {padding} (return_call $f{}))", (i + 1) % n)
                }
            })
            .collect();
        wat::parse_str(format!("(module {funcs})")).unwrap()
    }

    /// A module of one `(func)` whose body is `code` (after its locals), encoded as is.
    fn one_body(code: &[u8]) -> Vec<u8> {
        use wasm_encoder::{CodeSection, FunctionSection, Module, TypeSection};
        let mut types = TypeSection::new();
        types.ty().function([], []);
        let mut functions = FunctionSection::new();
        functions.function(0);
        let mut body = wasm_encoder::Function::new([]);
        body.raw(code.iter().copied());
        let mut bodies = CodeSection::new();
        bodies.function(&body);
        let mut module = Module::new();
        module.section(&types).section(&functions).section(&bodies);
        module.finish()
    }

    /// The checks keep their own view of the innermost control frame (asked before every
    /// instruction, read again only after those that change it): for bodies whose structure
    /// is wrong in each way it matters, they refuse as wasmparser does, where it does.
    #[test]
    fn bodies_with_a_broken_structure_are_refused_as_wasmparser_refuses_them() {
        const BLOCK: u8 = 0x02;
        const IF: u8 = 0x04;
        const ELSE: u8 = 0x05;
        const TRY: u8 = 0x06;
        const CATCH_ALL: u8 = 0x19;
        const DELEGATE: u8 = 0x18;
        const END: u8 = 0x0b;
        const NOP: u8 = 0x01;
        const EMPTY: u8 = 0x40;
        let cases: &[&[u8]] = &[
            &[END, NOP],
            &[END, END],
            &[ELSE, END],
            &[BLOCK, EMPTY, ELSE, END, END],
            &[BLOCK, EMPTY, END],
            &[0x41, 0, IF, EMPTY, ELSE, ELSE, END, END],
            &[CATCH_ALL, END],
            &[DELEGATE, 0, END],
            &[BLOCK, EMPTY, END, END, BLOCK, EMPTY, END],
            &[TRY, EMPTY, CATCH_ALL, END, END, NOP],
            // Valid: the same instructions where they belong.
            &[0x41, 0, IF, EMPTY, NOP, ELSE, NOP, END, TRY, EMPTY, CATCH_ALL, END, BLOCK, EMPTY, END, END],
            &[TRY, EMPTY, NOP, DELEGATE, 0, END],
        ];
        for code in cases {
            let module = one_body(code);
            let ours = inspect(&module).map(|_| ());
            let theirs = Validator::new_with_features(wasm_features()).validate_all(&module).map(|_| ());
            match (&ours, &theirs) {
                (Ok(()), Ok(())) => {}
                (Err(RunnerError::InvalidModule { reason, offset }), Err(e)) => {
                    assert_eq!((reason.as_str(), *offset), (e.message(), e.offset()), "body {code:x?}");
                }
                _ => panic!("body {code:x?}: the checks say {ours:?}, wasmparser {theirs:?}"),
            }
        }
    }

    /// Bytes of all rewritten bodies of `module`, with no budget in the way.
    fn rewritten_bytes(module: &[u8]) -> u64 {
        let (_, chunks) = inspect_and_rewrite(module, u64::MAX, &Cancel::default()).unwrap();
        chunks.iter().map(RewrittenBodies::len).sum()
    }

    #[test]
    fn a_module_over_the_code_budget_is_refused_with_its_whole_rewritten_size_every_time() {
        let module = module(1024, &[]);
        let whole = rewritten_bytes(&module);
        let budget = whole / 10;
        for _ in 0..4 {
            let refused = inspect_and_rewrite(&module, budget, &Cancel::default()).map(|_| ()).unwrap_err();
            assert_eq!(
                refused,
                RunnerError::GuestLimitRejected {
                    limit: "max_instrumented_bytes".into(),
                    requested: whole,
                    allowed: budget
                }
            );
        }
        assert!(inspect_and_rewrite(&module, whole, &Cancel::default()).is_ok(), "exactly the budget fits");
    }

    #[test]
    fn an_invalid_body_is_reported_before_the_code_budget_wherever_it_lies() {
        let n = 1024;
        let module = module(n, &[n - 3]);
        let invalid = inspect(&module).unwrap_err();
        assert!(matches!(invalid, RunnerError::InvalidModule { .. }));
        let refused = inspect_and_rewrite(&module, 1, &Cancel::default()).map(|_| ()).unwrap_err();
        assert_eq!(refused, invalid);
    }

    #[test]
    fn bodies_are_kept_until_the_code_budget_is_crossed_and_never_after() {
        let budget = CodeBudget::new(100);
        assert!(budget.keep(60));
        assert!(budget.keep(40), "exactly the budget is kept");
        assert!(!budget.keep(1));
        assert!(!budget.keep(0), "nothing is kept once the module is over its budget");
    }

    #[test]
    fn parallel_validation_reports_the_first_invalid_body_and_counts_tail_calls() {
        let n = 1024;
        let facts = inspect(&module(n, &[])).unwrap();
        assert_eq!(facts.tail_calls, n as u64);
        // Two invalid bodies in different chunks: the earlier one is reported, as a
        // sequential pass would.
        let both = inspect(&module(n, &[n / 2 + 7, 300])).unwrap_err();
        let first = inspect(&module(n, &[300])).unwrap_err();
        assert_eq!(both, first);
        assert_ne!(inspect(&module(n, &[n / 2 + 7])).unwrap_err(), first);
    }
}
