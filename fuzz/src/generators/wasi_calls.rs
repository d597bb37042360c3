//! Guests that call WASI preview1 with what a hostile guest would pass: pointers in, at the
//! end of and past linear memory, misaligned; lengths and counts from zero to 2^32 - 1;
//! descriptors open, closed and never opened; paths that are long, escaping, invalid UTF-8;
//! iovec and subscription arrays built in memory; every call repeated up to a thousand
//! times, so that what one call leaves behind on the runner heap adds up.
//!
//! The module's `run` export makes the calls in order, `repeat` times, and returns a hash
//! of every errno they answered, so two engines that answer alike return the same number.

use arbitrary::{Result, Unstructured};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataSection, Encode, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, ImportSection, Instruction as I, MemorySection, MemoryType, Module, TypeSection, ValType,
};

use super::modules::Generated;
use crate::corpus::stored_input;
use wasm_runner::internals::WASI_PREVIEW1_MODULE;

/// What one parameter is, for choosing its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg {
    Fd,
    Ptr,
    Len,
    /// A path: (pointer, length), usually one of the known strings.
    Path,
    /// An iovec array: (pointer, count).
    Iovecs,
    /// A subscription array, with an events pointer and count: (in, out, count).
    Subscriptions,
    Flags,
    Clock,
    Whence,
    U64,
}

use Arg::*;

/// The preview1 functions the guests call, with their parameters. `path_link` and
/// `path_symlink` are left out: the V8 runner has no links (docs/wasi.md).
const CALLS: &[(&str, &[Arg])] = &[
    ("args_get", &[Ptr, Ptr]),
    ("args_sizes_get", &[Ptr, Ptr]),
    ("environ_get", &[Ptr, Ptr]),
    ("environ_sizes_get", &[Ptr, Ptr]),
    ("clock_res_get", &[Clock, Ptr]),
    ("clock_time_get", &[Clock, U64, Ptr]),
    ("fd_advise", &[Fd, U64, U64, Whence]),
    ("fd_close", &[Fd]),
    ("fd_datasync", &[Fd]),
    ("fd_fdstat_get", &[Fd, Ptr]),
    ("fd_fdstat_set_flags", &[Fd, Flags]),
    ("fd_filestat_get", &[Fd, Ptr]),
    ("fd_filestat_set_size", &[Fd, U64]),
    ("fd_pread", &[Fd, Iovecs, U64, Ptr]),
    ("fd_prestat_get", &[Fd, Ptr]),
    ("fd_prestat_dir_name", &[Fd, Ptr, Len]),
    ("fd_pwrite", &[Fd, Iovecs, U64, Ptr]),
    ("fd_read", &[Fd, Iovecs, Ptr]),
    ("fd_readdir", &[Fd, Ptr, Len, U64, Ptr]),
    ("fd_renumber", &[Fd, Fd]),
    ("fd_seek", &[Fd, U64, Whence, Ptr]),
    ("fd_sync", &[Fd]),
    ("fd_tell", &[Fd, Ptr]),
    ("fd_write", &[Fd, Iovecs, Ptr]),
    ("path_create_directory", &[Fd, Path]),
    ("path_filestat_get", &[Fd, Flags, Path, Ptr]),
    ("path_open", &[Fd, Flags, Path, Flags, U64, U64, Flags, Ptr]),
    ("path_readlink", &[Fd, Path, Ptr, Len, Ptr]),
    ("path_remove_directory", &[Fd, Path]),
    ("path_rename", &[Fd, Path, Fd, Path]),
    ("path_unlink_file", &[Fd, Path]),
    ("poll_oneoff", &[Subscriptions, Ptr]),
    ("random_get", &[Ptr, Len]),
    ("sched_yield", &[]),
];

const PAGE: u32 = 65536;
const PAGES: u32 = 2;
/// Known path strings, each at `PATHS_AT + 256 * i`.
const PATHS_AT: u32 = 0;
const IOVECS_AT: u32 = 0x8000;
const BUFFERS_AT: u32 = 0x9000;
const SUBSCRIPTIONS_AT: u32 = 0xA000;
const OUTPUT_AT: u32 = 0xC000;
const IOVECS: u32 = 16;
const SUBSCRIPTIONS: u32 = 32;

fn paths() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> =
        ["f", "d", "d/g", "new", "new/x", "d/", "f/", ".", "..", "../x", "/abs", "d/../f", "a//b", "", "d/./g"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
    out.push(vec![b'n'; 255]);
    out.push(vec![b'n'; 256]);
    out.push(vec![0xff, 0xfe]);
    out
}

/// The guest for fuzz input `data`. A corpus entry is made again from the input it carries
/// (the generator is deterministic), never run as it is: a mutated entry that is still a
/// valid module would import or export other names, and test the import check instead of
/// the calls.
pub fn wasi_program(data: &[u8]) -> Result<Generated> {
    let input = stored_input(data).unwrap_or(data);
    Ok(Generated { module: generate(input)? })
}

/// The function's WASI types: every Arg is an i32 but U64, and Path, Iovecs and
/// Subscriptions stand for two or three i32s.
fn params(args: &[Arg]) -> Vec<ValType> {
    args.iter()
        .flat_map(|a| match a {
            U64 => vec![ValType::I64],
            Path | Iovecs => vec![ValType::I32; 2],
            Subscriptions => vec![ValType::I32; 3],
            _ => vec![ValType::I32],
        })
        .collect()
}

fn generate(data: &[u8]) -> Result<Vec<u8>> {
    generate_calls(data, usize::MAX, None)
}

/// The guest for `data` with only its first `keep` calls, each repeated `repeat` times
/// when given: for narrowing a failing input down to the call where the engines part.
pub fn wasi_program_prefix(data: &[u8], keep: usize, repeat: Option<u32>) -> Result<(Vec<u8>, Vec<String>)> {
    let module = generate_calls(data, keep, repeat)?;
    let mut u = Unstructured::new(data);
    let count = u.int_in_range(1..=32usize)?;
    let names = (0..count.min(keep))
        .map(|_| u.choose_index(CALLS.len()).map(|c| CALLS[c].0.to_string()))
        .collect::<Result<_>>()?;
    Ok((module, names))
}

fn generate_calls(data: &[u8], keep: usize, repeat_override: Option<u32>) -> Result<Vec<u8>> {
    let mut u = Unstructured::new(data);
    let count = u.int_in_range(1..=32usize)?;
    let mut calls = Vec::with_capacity(count);
    for _ in 0..count {
        calls.push(u.choose_index(CALLS.len())?);
    }
    let repeat: u32 = *u.choose(&[1, 1, 2, 10, 100, 1000])?;
    let repeat = repeat_override.unwrap_or(repeat);

    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    for (i, (name, args)) in CALLS.iter().enumerate() {
        types.ty().function(params(args), [ValType::I32]);
        imports.import(WASI_PREVIEW1_MODULE, name, EntityType::Function(i as u32));
    }
    let run_type = CALLS.len() as u32;
    types.ty().function([], [ValType::I32]);

    // The run: $i counts the repeats, $acc folds the errnos.
    const I: u32 = 0;
    const ACC: u32 = 1;
    let mut body = Function::new([(2, ValType::I32)]);
    // Every call's arguments are drawn before any is left out, so a prefix keeps them.
    let mut argument_code = Vec::with_capacity(calls.len());
    for &call in &calls {
        let mut code = Vec::new();
        for arg in CALLS[call].1.iter() {
            push_arg(&mut u, &mut code, *arg)?;
        }
        argument_code.push(code);
    }
    body.instruction(&I::Loop(BlockType::Empty));
    for (&call, code) in calls.iter().zip(&argument_code).take(keep) {
        body.raw(code.iter().copied());
        body.instruction(&I::Call(call as u32));
        body.instruction(&I::LocalGet(ACC));
        body.instruction(&I::I32Const(31));
        body.instruction(&I::I32Mul);
        body.instruction(&I::I32Add);
        body.instruction(&I::LocalSet(ACC));
    }
    body.instruction(&I::LocalGet(I));
    body.instruction(&I::I32Const(1));
    body.instruction(&I::I32Add);
    body.instruction(&I::LocalTee(I));
    body.instruction(&I::I32Const(repeat as i32));
    body.instruction(&I::I32LtU);
    body.instruction(&I::BrIf(0));
    body.instruction(&I::End);
    body.instruction(&I::LocalGet(ACC));
    body.instruction(&I::End);

    let mut functions = FunctionSection::new();
    functions.function(run_type);
    let mut exports = ExportSection::new();
    exports.export("run", ExportKind::Func, CALLS.len() as u32);
    exports.export("memory", ExportKind::Memory, 0);
    let mut code = CodeSection::new();
    code.function(&body);
    let mut data_section = DataSection::new();
    for (i, path) in paths().iter().enumerate() {
        data_section.active(0, &ConstExpr::i32_const((PATHS_AT + 256 * i as u32) as i32), path.iter().copied());
    }
    data_section.active(0, &ConstExpr::i32_const(IOVECS_AT as i32), iovecs(&mut u)?);
    let buffers: Vec<u8> = (0..1024).map(|_| u.arbitrary::<u8>()).collect::<Result<_>>()?;
    data_section.active(0, &ConstExpr::i32_const(BUFFERS_AT as i32), buffers);
    data_section.active(0, &ConstExpr::i32_const(SUBSCRIPTIONS_AT as i32), subscriptions(&mut u)?);
    // Drawn last, so that the inputs before it keep their programs. A quarter of the guests
    // share their memory, as wasi-threads programs do: an engine that reaches a shared
    // memory differently from an unshared one (wasmtime hands it out as another kind of
    // export) shows as a difference.
    let shared = u.ratio(1u8, 4u8)?;
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: PAGES.into(),
        maximum: Some(PAGES.into()),
        memory64: false,
        shared,
        page_size_log2: None,
    });

    let mut module = Module::new();
    module.section(&types);
    module.section(&imports);
    module.section(&functions);
    module.section(&memories);
    module.section(&exports);
    module.section(&code);
    module.section(&data_section);
    Ok(module.finish())
}

/// Iovecs over the buffers: lengths mostly short, some zero.
fn iovecs(u: &mut Unstructured) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for _ in 0..IOVECS {
        let at = BUFFERS_AT + u.int_in_range(0..=1023u32)?;
        let len = *u.choose(&[0u32, 0, 1, 7, 64, 256, 1024])?;
        out.extend_from_slice(&at.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
    }
    Ok(out)
}

/// Subscriptions: clocks with short timeouts (none or 2 ms), reads and writes on
/// arbitrary descriptors, and unknown tags.
fn subscriptions(u: &mut Unstructured) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0..SUBSCRIPTIONS {
        let mut sub = [0u8; 48];
        sub[0..8].copy_from_slice(&u64::from(i).to_le_bytes());
        let tag = *u.choose(&[0u8, 0, 1, 2, 3])?;
        sub[8] = tag;
        if tag == 0 {
            let clock = *u.choose(&[0u32, 1, 2, 9])?;
            sub[16..20].copy_from_slice(&clock.to_le_bytes());
            // Zero, or 2 ms: clocks that are ready are ready in both engines, and those that
            // wait end together (timeouts a hair apart would race the engines' wake-ups).
            let timeout = *u.choose(&[0u64, 0, 0, 2_000_000])?;
            sub[24..32].copy_from_slice(&timeout.to_le_bytes());
            let flags = *u.choose(&[0u16, 0, 1])?;
            sub[40..42].copy_from_slice(&flags.to_le_bytes());
        } else {
            let fd = *u.choose(&[0u32, 1, 2, 3, 4, 9])?;
            sub[16..20].copy_from_slice(&fd.to_le_bytes());
        }
        out.extend_from_slice(&sub);
    }
    Ok(out)
}

fn i32_const(body: &mut Vec<u8>, value: u32) {
    I::I32Const(value as i32).encode(body);
}

fn push_arg(u: &mut Unstructured, body: &mut Vec<u8>, arg: Arg) -> Result<()> {
    let end = PAGES * PAGE;
    match arg {
        Fd => i32_const(body, *u.choose(&[0, 1, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8, 40, u32::MAX])?),
        Ptr => i32_const(body, pointer(u, end)?),
        Len => i32_const(body, *u.choose(&[0, 1, 8, 64, 255, 256, 4096, end, 1 << 30, u32::MAX])?),
        Flags => {
            let flags = if u.ratio(3, 4)? { u32::from(u.arbitrary::<u8>()? & 0x1f) } else { u.arbitrary()? };
            i32_const(body, flags)
        }
        Clock => i32_const(body, *u.choose(&[0, 1, 2, 3, 4, 1000])?),
        Whence => i32_const(body, *u.choose(&[0, 1, 2, 3, 7, 255])?),
        U64 => {
            let value = *u.choose(&[0i64, 1, 7, 4096, 1 << 32, -1, i64::MIN, i64::MAX])?;
            I::I64Const(value).encode(body);
        }
        Path => {
            let paths = paths();
            if u.ratio(7, 8)? {
                let i = u.choose_index(paths.len())?;
                i32_const(body, PATHS_AT + 256 * i as u32);
                i32_const(body, paths[i].len() as u32);
            } else {
                i32_const(body, pointer(u, end)?);
                i32_const(body, *u.choose(&[0, 1, 300, end, u32::MAX])?);
            }
        }
        Iovecs => {
            let at = if u.ratio(7, 8)? { IOVECS_AT + 8 * u.int_in_range(0..=IOVECS - 1)? } else { pointer(u, end)? };
            i32_const(body, at);
            i32_const(body, *u.choose(&[0, 1, 2, 4, 16, 1 << 20, 1 << 28, u32::MAX])?);
        }
        Subscriptions => {
            let at = if u.ratio(7, 8)? {
                SUBSCRIPTIONS_AT + 48 * u.int_in_range(0..=SUBSCRIPTIONS - 1)?
            } else {
                pointer(u, end)?
            };
            i32_const(body, at);
            i32_const(body, if u.ratio(7, 8)? { OUTPUT_AT } else { pointer(u, end)? });
            i32_const(body, *u.choose(&[0, 1, 2, 8, 32, 1 << 16, u32::MAX])?);
        }
    }
    Ok(())
}

/// A pointer: into the output area (any alignment), at the end of memory, or past it.
fn pointer(u: &mut Unstructured, end: u32) -> Result<u32> {
    Ok(match u.int_in_range(0..=9)? {
        0..=5 => OUTPUT_AT + u.int_in_range(0..=4096)?,
        6 => end - u.int_in_range(0..=16)?,
        7 => end + u.int_in_range(0..=16)?,
        8 => *u.choose(&[u32::MAX, u32::MAX - 3, 0x8000_0000])?,
        _ => u.arbitrary()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares_its_memory(module: &[u8]) -> bool {
        wasmparser::Parser::new(0).parse_all(module).any(|p| match p {
            Ok(wasmparser::Payload::MemorySection(r)) => r.into_iter().any(|m| m.is_ok_and(|m| m.shared)),
            _ => false,
        })
    }

    #[test]
    fn some_programs_share_their_memory_and_most_do_not() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let (mut shared, mut made) = (0, 0);
        for _ in 0..400 {
            let input = super::super::test_bytes(&mut state, 4096);
            if let Ok(generated) = wasi_program(&input) {
                made += 1;
                shared += usize::from(shares_its_memory(&generated.module));
            }
        }
        assert!(made > 300, "{made} of 400 inputs made a program");
        assert!(shared > made / 8 && shared < made / 2, "{shared} of {made} share their memory");
    }
}
