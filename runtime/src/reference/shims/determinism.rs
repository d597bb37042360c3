//! The deterministic mode (`policy::determinism`) over wasmtime-wasi: each wrapper calls
//! wasmtime-wasi's own function first, so its checks, errnos and traps stay as they are,
//! and only where that succeeded replaces what it wrote with the fixed value: the virtual
//! clock's tick, the seeded random bytes, the fixed file timestamps, inode numbers and link
//! counts, the V8 runner's order of directory entries (`readdir_order`). wasmtime-wasi's own
//! reads of its clocks (inside `poll_oneoff`) see the virtual time through the clocks given
//! to its context (`VirtualWallClock`, `VirtualMonotonicClock`).

use std::time::Duration;

use wasmtime::{Caller, Linker};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

use super::call::wasi;
use super::guest::write_bytes;
use super::readdir_order;
use super::{HasShims, MODULE, SUCCESS};
use crate::policy::determinism::{Clock, VirtualClocks, CLOCK_RESOLUTION_NS, LINKS, REALTIME_START_NS};

/// Where a `filestat` record keeps its access, modification and status-change times.
const FILESTAT_TIMES_AT: u32 = 40;

/// wasmtime-wasi's realtime clock in the deterministic mode.
pub(crate) struct VirtualWallClock(pub VirtualClocks);

impl HostWallClock for VirtualWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(CLOCK_RESOLUTION_NS)
    }
    fn now(&self) -> Duration {
        Duration::from_nanos(self.0.read(Clock::Realtime))
    }
}

/// wasmtime-wasi's monotonic clock in the deterministic mode.
pub(crate) struct VirtualMonotonicClock(pub VirtualClocks);

impl HostMonotonicClock for VirtualMonotonicClock {
    fn resolution(&self) -> u64 {
        CLOCK_RESOLUTION_NS
    }
    fn now(&self) -> u64 {
        self.0.read(Clock::Monotonic)
    }
}

/// Replaces `clock_time_get`, `random_get`, `fd_filestat_get`, `path_filestat_get` and
/// `fd_readdir`.
pub(super) fn install<T: HasShims + Send + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "clock_time_get",
        |mut caller: Caller<'_, T>, id: i32, precision: i64, out: i32| -> wasmtime::Result<i32> {
            let errno = wasi!(&mut caller, sync clock_time_get(id, precision, out))?;
            // Only a call that reads a clock advances the virtual time (a CPU-time clock is
            // EBADF and reads none), as in the V8 runner.
            if errno == SUCCESS {
                let clock = if id == 0 { Clock::Realtime } else { Clock::Monotonic };
                if let Some(nanos) = caller.data_mut().shims().fixed.as_ref().map(|f| f.clocks.tick(clock)) {
                    write_bytes(&mut caller, out as u32, &nanos.to_le_bytes());
                }
            }
            Ok(errno)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "random_get",
        |mut caller: Caller<'_, T>, buf: i32, len: i32| -> wasmtime::Result<i32> {
            let errno = wasi!(&mut caller, sync random_get(buf, len))?;
            if errno == SUCCESS {
                if let Some(fixed) = caller.data_mut().shims().fixed.as_mut() {
                    let mut bytes = vec![0u8; len as u32 as usize];
                    fixed.random.fill(&mut bytes);
                    write_bytes(&mut caller, buf as u32, &bytes);
                }
            }
            Ok(errno)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_filestat_get",
        |mut caller: Caller<'_, T>, fd: i32, out: i32| -> wasmtime::Result<i32> {
            let errno = wasi!(&mut caller, fd_filestat_get(fd, out))?;
            fix_filestat(&mut caller, errno, out);
            Ok(errno)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_filestat_get",
        |mut caller: Caller<'_, T>, fd: i32, flags: i32, path: i32, len: i32, out: i32| -> wasmtime::Result<i32> {
            let errno = wasi!(&mut caller, path_filestat_get(fd, flags, path, len, out))?;
            fix_filestat(&mut caller, errno, out);
            Ok(errno)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_readdir",
        |mut caller: Caller<'_, T>, fd: i32, buf: i32, len: i32, cookie: i64, used: i32| -> wasmtime::Result<i32> {
            let errno = wasi!(&mut caller, fd_readdir(fd, buf, len, cookie, used))?;
            if errno == SUCCESS && caller.data_mut().shims().fixed.is_some() {
                readdir_order::reorder(&mut caller, fd, buf, len, cookie, used)?;
            }
            Ok(errno)
        },
    )?;
    Ok(())
}

/// Where a `filestat` record keeps its inode number, file type and link count; stdio's
/// record (type unknown, 0) stays as wasmtime-wasi wrote it.
const FILESTAT_INO_AT: u32 = 8;
const FILESTAT_FILETYPE_AT: u32 = 16;
const FILESTAT_NLINK_AT: u32 = 24;
const FILESTAT_SIZE_AT: u32 = 32;
const DIRECTORY: u8 = 3;

/// A successful `filestat` of a file or directory, as the deterministic mode reports it:
/// fixed times, the run's inode number, one link, and a directory's size 0 (the host's
/// depends on its file system).
fn fix_filestat<T: HasShims>(caller: &mut Caller<'_, T>, errno: i32, out: i32) {
    if errno != SUCCESS || caller.data_mut().shims().fixed.is_none() {
        return;
    }
    let Some(memory) = super::guest::memory(caller) else { return };
    let at = |offset: u32| (out as u32).wrapping_add(offset) as usize;
    let (mut filetype, mut ino) = ([0u8], [0u8; 8]);
    let read = memory.read(&*caller, at(FILESTAT_FILETYPE_AT), &mut filetype).is_some()
        && memory.read(&*caller, at(FILESTAT_INO_AT), &mut ino).is_some();
    if !read || filetype[0] == 0 {
        return;
    }
    let Some(fixed) = caller.data_mut().shims().fixed.as_mut() else { return };
    let number = fixed.inodes.number(u64::from_le_bytes(ino));
    write_bytes(caller, at(FILESTAT_INO_AT) as u32, &number.to_le_bytes());
    write_bytes(caller, at(FILESTAT_NLINK_AT) as u32, &LINKS.to_le_bytes());
    if filetype[0] == DIRECTORY {
        write_bytes(caller, at(FILESTAT_SIZE_AT) as u32, &0u64.to_le_bytes());
    }
    let times: Vec<u8> = (0..3).flat_map(|_| REALTIME_START_NS.to_le_bytes()).collect();
    write_bytes(caller, at(FILESTAT_TIMES_AT) as u32, &times);
}
