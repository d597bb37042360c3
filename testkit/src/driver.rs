//! Gives a library-style WASI reactor a runnable entry point.
//!
//! Some real modules (graphviz.wasm, for one) export a C API — `render(const char *dot,
//! const char *format, ..., uint32_t *out_len) -> uint8_t *` — and no `main`. A runner can
//! only call exports with zeros, so a test appends one exported function, `drive`, that
//! allocates the arguments with the module's own `malloc`, calls the export, and writes the
//! result to stdout with the module's own `fd_write` import. Nothing else in the module
//! changes: the new type, function and export go after the existing ones, so no index moves.

use wasm_encoder::{
    CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction, MemArg, MemArgTarget, TypeSection,
    ValType,
};

/// One argument of the driven export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriverArg {
    /// A NUL-terminated copy of these bytes, allocated with `malloc`; passes its address.
    CString(Vec<u8>),
    /// A zeroed `malloc`ed buffer of this many bytes; passes its address.
    OutBuffer(u32),
    /// An i32 as it is.
    I32(i32),
}

/// What the driver writes to stdout (fd 1) after the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverOutput {
    /// The export returns a pointer to bytes whose length it stored (as a u32) in the
    /// `OutBuffer` argument at this index. A null result traps (`unreachable`).
    PointerWithLengthIn(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Driver {
    /// The export to call; it must take one i32 per argument and return one i32.
    pub export: String,
    pub args: Vec<DriverArg>,
    pub output: DriverOutput,
    /// The name the new entry point is exported under.
    pub entry: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverError(pub String);

impl std::fmt::Display for DriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot add a driver: {}", self.0)
    }
}

impl std::error::Error for DriverError {}

fn err<T>(message: impl Into<String>) -> Result<T, DriverError> {
    Err(DriverError(message.into()))
}

/// What the driver needs to know about the module.
#[derive(Default)]
struct Layout {
    types: u32,
    imported_functions: u32,
    defined_functions: u32,
    fd_write: Option<u32>,
    malloc: Option<u32>,
    target: Option<u32>,
    target_type: Option<u32>,
    function_types: Vec<u32>,
    func_sigs: Vec<Option<(usize, usize, bool)>>, // per type: (params, results, all i32)
}

fn layout(module: &[u8], driver: &Driver) -> Result<Layout, DriverError> {
    use wasmparser::{Parser, Payload, TypeRef};
    let mut l = Layout::default();
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| DriverError(format!("invalid module: {e}")))?;
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader {
                    let group = group.map_err(|e| DriverError(e.to_string()))?;
                    for ty in group.types() {
                        l.types += 1;
                        l.func_sigs.push(match &ty.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => Some((
                                f.params().len(),
                                f.results().len(),
                                f.params().iter().chain(f.results()).all(|t| *t == wasmparser::ValType::I32),
                            )),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| DriverError(e.to_string()))?;
                    if let TypeRef::Func(ty) = import.ty {
                        if import.module == "wasi_snapshot_preview1" && import.name == "fd_write" {
                            l.fd_write = Some(l.imported_functions);
                        }
                        l.function_types.push(ty);
                        l.imported_functions += 1;
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    l.function_types.push(ty.map_err(|e| DriverError(e.to_string()))?);
                    l.defined_functions += 1;
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| DriverError(e.to_string()))?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        exports.push((export.name.to_string(), export.index));
                    }
                    if export.name == driver.entry {
                        return err(format!("the module already exports {:?}", driver.entry));
                    }
                }
            }
            _ => {}
        }
    }
    let find = |name: &str| exports.iter().find(|(n, _)| n == name).map(|(_, i)| *i);
    l.malloc = find("malloc");
    l.target = find(&driver.export);
    l.target_type = l.target.and_then(|f| l.function_types.get(f as usize).copied());
    Ok(l)
}

/// `module` with `driver.entry` appended: a `() -> ()` function that runs the call.
pub fn add_driver(module: &[u8], driver: &Driver) -> Result<Vec<u8>, DriverError> {
    let l = layout(module, driver)?;
    let Some(fd_write) = l.fd_write else { return err("the module does not import wasi_snapshot_preview1.fd_write") };
    let Some(malloc) = l.malloc else { return err("the module does not export malloc") };
    let Some(target) = l.target else { return err(format!("the module does not export {:?}", driver.export)) };
    let sig = l.target_type.and_then(|t| l.func_sigs.get(t as usize).copied().flatten());
    if sig != Some((driver.args.len(), 1, true)) {
        return err(format!("{:?} must take {} i32 argument(s) and return one i32", driver.export, driver.args.len()));
    }
    let DriverOutput::PointerWithLengthIn(len_arg) = driver.output;
    if !matches!(driver.args.get(len_arg), Some(DriverArg::OutBuffer(n)) if *n >= 4) {
        return err("the output length must come from an OutBuffer argument of at least 4 bytes");
    }
    let body = body(driver, malloc, target, fd_write);
    let new_type = l.types;
    let new_function = l.imported_functions + l.defined_functions;

    let mut types = TypeSection::new();
    types.ty().function([], []);
    let mut functions = FunctionSection::new();
    functions.function(new_type);
    let mut exports = ExportSection::new();
    exports.export(&driver.entry, ExportKind::Func, new_function);
    let mut code = CodeSection::new();
    code.function(&body);
    append_items(module, &[(1, items(&types)), (3, items(&functions)), (7, items(&exports)), (10, items(&code))])
}

/// A one-item section's encoding without its count: the bytes of that item.
fn items(section: &impl wasm_encoder::Section) -> Vec<u8> {
    let mut bytes = Vec::new();
    section.append_to(&mut bytes);
    // id, size, count (1): the count of a one-item section is one byte.
    let (_, size_len) = read_leb(&bytes[1..]);
    bytes[1 + size_len + 1..].to_vec()
}

fn read_leb(bytes: &[u8]) -> (u32, usize) {
    let (mut value, mut shift) = (0u32, 0);
    for (i, b) in bytes.iter().enumerate() {
        value |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return (value, i + 1);
        }
        shift += 7;
    }
    (value, bytes.len())
}

fn leb(mut value: u32, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Rewrites the sections named in `extra` (by id) with one more item at their end.
fn append_items(module: &[u8], extra: &[(u8, Vec<u8>)]) -> Result<Vec<u8>, DriverError> {
    let mut out = module[..8].to_vec();
    let mut at = 8;
    let mut done = Vec::new();
    while at < module.len() {
        let id = module[at];
        let (size, size_len) = read_leb(&module[at + 1..]);
        let start = at + 1 + size_len;
        let end = start + size as usize;
        if end > module.len() {
            return err("a section runs past the end of the module");
        }
        match extra.iter().find(|(i, _)| *i == id) {
            Some((_, item)) => {
                let (count, count_len) = read_leb(&module[start..]);
                let mut content = Vec::new();
                leb(count + 1, &mut content);
                content.extend_from_slice(&module[start + count_len..end]);
                content.extend_from_slice(item);
                out.push(id);
                leb(content.len() as u32, &mut out);
                out.extend_from_slice(&content);
                done.push(id);
            }
            None => out.extend_from_slice(&module[at..end]),
        }
        at = end;
    }
    if let Some((id, _)) = extra.iter().find(|(id, _)| !done.contains(id)) {
        return err(format!("the module has no section {id} to extend"));
    }
    Ok(out)
}

fn body(driver: &Driver, malloc: u32, target: u32, fd_write: u32) -> Function {
    let arg_count = driver.args.len() as u32;
    // Locals: one per argument, then the result and the iovec.
    let mut f = Function::new([(arg_count + 2, ValType::I32)]);
    let result = arg_count;
    let iov = arg_count + 1;
    let mem8 = |offset: u64| MemArg { offset, align: 0, target: MemArgTarget::Memory(0), ordering: None };
    let mem32 = |offset: u64| MemArg { offset, align: 2, target: MemArgTarget::Memory(0), ordering: None };
    for (i, arg) in driver.args.iter().enumerate() {
        let local = i as u32;
        match arg {
            DriverArg::I32(v) => {
                f.instruction(&Instruction::I32Const(*v)).instruction(&Instruction::LocalSet(local));
            }
            DriverArg::CString(text) => {
                f.instruction(&Instruction::I32Const(text.len() as i32 + 1))
                    .instruction(&Instruction::Call(malloc))
                    .instruction(&Instruction::LocalSet(local));
                for (k, b) in text.iter().chain(std::iter::once(&0u8)).enumerate() {
                    f.instruction(&Instruction::LocalGet(local))
                        .instruction(&Instruction::I32Const(i32::from(*b)))
                        .instruction(&Instruction::I32Store8(mem8(k as u64)));
                }
            }
            DriverArg::OutBuffer(n) => {
                f.instruction(&Instruction::I32Const(*n as i32))
                    .instruction(&Instruction::Call(malloc))
                    .instruction(&Instruction::LocalSet(local));
                for k in 0..*n {
                    f.instruction(&Instruction::LocalGet(local))
                        .instruction(&Instruction::I32Const(0))
                        .instruction(&Instruction::I32Store8(mem8(u64::from(k))));
                }
            }
        }
    }
    for i in 0..arg_count {
        f.instruction(&Instruction::LocalGet(i));
    }
    f.instruction(&Instruction::Call(target)).instruction(&Instruction::LocalTee(result));
    // A null result is a failure the run must show: trap.
    f.instruction(&Instruction::I32Eqz)
        .instruction(&Instruction::If(wasm_encoder::BlockType::Empty))
        .instruction(&Instruction::Unreachable)
        .instruction(&Instruction::End);
    let DriverOutput::PointerWithLengthIn(len_arg) = driver.output;
    // iovec { buf, len } and nwritten, 12 bytes from malloc.
    f.instruction(&Instruction::I32Const(12))
        .instruction(&Instruction::Call(malloc))
        .instruction(&Instruction::LocalSet(iov));
    f.instruction(&Instruction::LocalGet(iov))
        .instruction(&Instruction::LocalGet(result))
        .instruction(&Instruction::I32Store(mem32(0)));
    f.instruction(&Instruction::LocalGet(iov))
        .instruction(&Instruction::LocalGet(len_arg as u32))
        .instruction(&Instruction::I32Load(mem32(0)))
        .instruction(&Instruction::I32Store(mem32(4)));
    f.instruction(&Instruction::I32Const(1))
        .instruction(&Instruction::LocalGet(iov))
        .instruction(&Instruction::I32Const(1))
        .instruction(&Instruction::LocalGet(iov))
        .instruction(&Instruction::I32Const(8))
        .instruction(&Instruction::I32Add)
        .instruction(&Instruction::Call(fd_write))
        .instruction(&Instruction::Drop)
        .instruction(&Instruction::End);
    f
}
