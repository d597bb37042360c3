//! The guest's memory as the wrappers use it: the words a call reads or stores, and what
//! wasmtime-wasi says of a descriptor or a path, asked through a few bytes of guest memory
//! borrowed and given back (one thread: the guest cannot see them in between).

use wasmtime::Caller;

use super::super::memory::GuestMemory;
use super::call::wasi;
use super::{HasShims, SUCCESS};

const FILESTAT_SIZE: usize = 64;
const FILETYPE_AT: usize = 16;
const INO_AT: usize = 8;
const SIZE_AT: usize = 32;
const FDSTAT_FLAGS_AT: usize = 2;
const REGULAR_FILE: u8 = 4;
const APPEND: u16 = 1;

pub(super) fn read_u32<T>(caller: &mut Caller<'_, T>, at: i32) -> Option<u32> {
    let mut word = [0u8; 4];
    read(caller, at as u32 as usize, &mut word)?;
    Some(u32::from_le_bytes(word))
}

pub(super) fn write_u32<T: 'static>(caller: &mut Caller<'_, T>, at: i32, value: u32) {
    write_bytes(caller, at as u32, &value.to_le_bytes());
}

/// Writes `bytes` at `at` in the guest's memory (a wrapper writes only where wasmtime-wasi
/// has just written successfully, so the range is in bounds).
pub(super) fn write_bytes<T: 'static>(caller: &mut Caller<'_, T>, at: u32, bytes: &[u8]) {
    if let Some(memory) = memory(caller) {
        let _ = memory.write(&mut *caller, at as usize, bytes);
    }
}

/// The guest's `memory` export, shared or not.
pub(super) fn memory<T>(caller: &mut Caller<'_, T>) -> Option<GuestMemory> {
    GuestMemory::of(caller.get_export("memory"))
}

fn read<T: 'static>(caller: &mut Caller<'_, T>, at: usize, out: &mut [u8]) -> Option<()> {
    memory(caller)?.read(&*caller, at, out)
}

/// Runs `ask` with the first `FILESTAT_SIZE` of guest memory lent to it, and gives them
/// back; what `ask` left there comes back as the second value. `None` for a memory too
/// small, or a question that trapped (the wrappers then only pass the call
/// through).
fn with_scratch<T: HasShims>(
    caller: &mut Caller<'_, T>,
    ask: impl FnOnce(&mut Caller<'_, T>) -> wasmtime::Result<i32>,
) -> wasmtime::Result<Option<(i32, [u8; FILESTAT_SIZE])>> {
    let Some(memory) = memory(caller) else { return Ok(None) };
    let mut saved = [0u8; FILESTAT_SIZE];
    if memory.read(&*caller, 0, &mut saved).is_none() {
        return Ok(None);
    }
    // A question that traps (a path pointer past memory, say) has no answer: the wrapped
    // call then meets the bad argument itself, in its own order, as the guest would.
    let errno = ask(caller);
    let mut answer = [0u8; FILESTAT_SIZE];
    let _ = memory.read(&*caller, 0, &mut answer);
    let _ = memory.write(&mut *caller, 0, &saved);
    Ok(errno.ok().map(|errno| (errno, answer)))
}

/// What a stat says of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stat {
    pub regular: bool,
    pub size: u64,
    pub ino: u64,
}

fn stat_from(answer: &[u8; FILESTAT_SIZE]) -> Stat {
    let word = |at: usize| u64::from_le_bytes(answer[at..at + 8].try_into().unwrap_or_default());
    Stat { regular: answer[FILETYPE_AT] == REGULAR_FILE, size: word(SIZE_AT), ino: word(INO_AT) }
}

/// `fd_filestat_get`, when it succeeds.
pub(super) fn stat_fd<T: HasShims + 'static>(caller: &mut Caller<'_, T>, fd: i32) -> wasmtime::Result<Option<Stat>> {
    let answer = with_scratch(caller, |c| wasi!(c, fd_filestat_get(fd, 0)))?;
    Ok(answer.and_then(|(errno, bytes)| (errno == SUCCESS).then(|| stat_from(&bytes))))
}

/// `path_filestat_get`, when it succeeds.
pub(super) fn stat_path<T: HasShims + 'static>(
    caller: &mut Caller<'_, T>,
    fd: i32,
    flags: i32,
    path: i32,
    len: i32,
) -> wasmtime::Result<Option<Stat>> {
    let answer = with_scratch(caller, |c| wasi!(c, path_filestat_get(fd, flags, path, len, 0)))?;
    Ok(answer.and_then(|(errno, bytes)| (errno == SUCCESS).then(|| stat_from(&bytes))))
}

/// Whether `fd` appends (`fd_fdstat_get`), when it can be asked.
pub(super) fn appends<T: HasShims + 'static>(caller: &mut Caller<'_, T>, fd: i32) -> wasmtime::Result<Option<bool>> {
    let answer = with_scratch(caller, |c| wasi!(c, fd_fdstat_get(fd, 0)))?;
    Ok(answer.and_then(|(errno, bytes)| {
        (errno == SUCCESS)
            .then(|| u16::from_le_bytes([bytes[FDSTAT_FLAGS_AT], bytes[FDSTAT_FLAGS_AT + 1]]) & APPEND != 0)
    }))
}

/// `fd_tell`, when it succeeds.
pub(super) fn tell<T: HasShims + 'static>(caller: &mut Caller<'_, T>, fd: i32) -> wasmtime::Result<Option<u64>> {
    let answer = with_scratch(caller, |c| wasi!(c, sync fd_tell(fd, 0)))?;
    Ok(answer.and_then(|(errno, bytes)| {
        (errno == SUCCESS).then(|| u64::from_le_bytes(bytes[0..8].try_into().unwrap_or_default()))
    }))
}

/// The first non-empty buffer of an iovec array as wasmtime-wasi picks it: (pointer,
/// length), or `None` when the array cannot be read (wasmtime-wasi then answers the call).
pub(super) fn first_buffer<T>(caller: &mut Caller<'_, T>, iovs: i32, count: i32) -> Option<(u32, u32)> {
    for i in 0..count as u32 as usize {
        let at = (iovs as u32 as usize).checked_add(i.checked_mul(8)?)?;
        let mut iov = [0u8; 8];
        read(caller, at, &mut iov)?;
        let len = u32::from_le_bytes(iov[4..8].try_into().ok()?);
        if len > 0 {
            return Some((u32::from_le_bytes(iov[0..4].try_into().ok()?), len));
        }
    }
    Some((0, 0))
}

/// Whether `len` bytes at `ptr` are in the guest's memory.
pub(super) fn in_bounds<T>(caller: &mut Caller<'_, T>, ptr: u32, len: u32) -> bool {
    let Some(memory) = memory(caller) else { return false };
    u64::from(ptr) + u64::from(len) <= memory.size(&*caller) as u64
}
