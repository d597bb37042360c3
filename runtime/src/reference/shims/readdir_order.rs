//! `fd_readdir` in the deterministic mode: wasmtime-wasi lists a directory in the host's
//! order (hash order on ext4, newest first on tmpfs), which a guest sorting the names pays
//! for in fuel; the V8 runner lists `.`, `..`, then the names sorted by UTF-16 code units
//! (JavaScript's sort). The wrapper lets wasmtime-wasi answer first (its checks, errnos and
//! traps stay), then reads the whole listing back through a borrowed stretch of guest
//! memory, puts the names in the V8 runner's order, and writes the window the guest asked
//! for as wasmtime-wasi lays it out (each entry's header, then its name, cut at the
//! buffer's end), with the run's inode numbers (`policy::determinism::InodeNumbers`).

use wasmtime::Caller;

use super::call::wasi;
use super::guest::write_bytes;
use super::{HasShims, SUCCESS};

const DIRENT_SIZE: usize = 24;
/// Guest memory lent to each listing call: at least one entry with the longest name.
const SCRATCH_LEN: usize = 64 * 1024;
const SHORTEST_SCRATCH: usize = DIRENT_SIZE + 255 + 8;

/// One listed entry, as wasmtime-wasi wrote it (its cookie aside).
struct Entry {
    ino: u64,
    kind: u8,
    name: Vec<u8>,
}

/// Rewrites the answer of a successful `fd_readdir(fd, buf, len, cookie, used)` in the
/// V8 runner's order. Returns without a change where the listing cannot be read back (a
/// shared or too small memory).
pub(super) fn reorder<T: HasShims + 'static>(
    caller: &mut Caller<'_, T>,
    fd: i32,
    buf: i32,
    len: i32,
    cookie: i64,
    used: i32,
) -> wasmtime::Result<()> {
    let Some(mut entries) = listing(caller, fd)? else { return Ok(()) };
    if entries.len() > 2 {
        entries[2..].sort_by(|a, b| {
            let (a, b) = (String::from_utf8_lossy(&a.name), String::from_utf8_lossy(&b.name));
            a.encode_utf16().cmp(b.encode_utf16())
        });
    }
    let cap = len as u32 as usize;
    let mut out = Vec::with_capacity(cap.min(SCRATCH_LEN));
    for (index, entry) in entries.iter().enumerate().skip(usize::try_from(cookie as u64).unwrap_or(usize::MAX)) {
        let mut header = [0u8; DIRENT_SIZE];
        header[0..8].copy_from_slice(&(index as u64 + 1).to_le_bytes());
        let ino = caller.data_mut().shims().fixed.as_mut().map_or(entry.ino, |f| f.inodes.number(entry.ino));
        header[8..16].copy_from_slice(&ino.to_le_bytes());
        header[16..20].copy_from_slice(&(entry.name.len() as u32).to_le_bytes());
        header[20] = entry.kind;
        for piece in [&header[..], &entry.name[..]] {
            let room = cap - out.len();
            out.extend_from_slice(&piece[..piece.len().min(room)]);
        }
        if out.len() == cap {
            break;
        }
    }
    write_bytes(caller, buf as u32, &out);
    write_bytes(caller, used as u32, &(out.len() as u32).to_le_bytes());
    Ok(())
}

/// The whole listing in wasmtime-wasi's order, read through the start of guest memory
/// (saved first and put back after).
fn listing<T: HasShims + 'static>(caller: &mut Caller<'_, T>, fd: i32) -> wasmtime::Result<Option<Vec<Entry>>> {
    let Some(memory) = super::guest::memory(caller) else { return Ok(None) };
    let scratch = memory.size(&*caller).min(SCRATCH_LEN);
    if scratch < SHORTEST_SCRATCH {
        return Ok(None);
    }
    let saved = memory.bytes(&*caller)[..scratch].to_vec();
    let (window, used_at) = (scratch - 8, scratch - 8);
    let mut entries = Vec::new();
    let mut cookie = 0u64;
    let read = loop {
        let errno = wasi!(caller, fd_readdir(fd, 0, window as i32, cookie as i64, used_at as i32))?;
        if errno != SUCCESS {
            break None;
        }
        let bytes = memory.bytes(&*caller);
        let used = u32::from_le_bytes(bytes[used_at..used_at + 4].try_into().unwrap_or_default()) as usize;
        let mut at = 0;
        while at + DIRENT_SIZE <= used {
            let word = |from: usize| u64::from_le_bytes(bytes[at + from..at + from + 8].try_into().unwrap_or_default());
            let namlen = u32::from_le_bytes(bytes[at + 16..at + 20].try_into().unwrap_or_default()) as usize;
            if at + DIRENT_SIZE + namlen > used {
                break;
            }
            let name = bytes[at + DIRENT_SIZE..at + DIRENT_SIZE + namlen].to_vec();
            entries.push(Entry { ino: word(8), kind: bytes[at + 20], name });
            cookie = word(0);
            at += DIRENT_SIZE + namlen;
        }
        // A window not filled to its end holds the rest of the listing.
        if used < window {
            break Some(entries);
        }
        if at == 0 {
            break None;
        }
    };
    let _ = memory.write(&mut *caller, 0, &saved);
    Ok(read)
}
