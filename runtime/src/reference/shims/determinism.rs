//! The deterministic mode (`policy::determinism`) over wasmtime-wasi: each wrapper calls
//! wasmtime-wasi's own function first, so its checks, errnos and traps stay as they are,
//! and only where that succeeded replaces what it wrote with the fixed value: the virtual
//! clock's tick, the seeded random bytes, the fixed file timestamps, the V8 runner's order
//! of directory entries (`readdir_order`). wasmtime-wasi's own
//! reads of its clocks (inside `poll_oneoff`) see the virtual time through the clocks given
//! to its context (`VirtualWallClock`, `VirtualMonotonicClock`).

use std::time::Duration;

use wasmtime::{Caller, Linker};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

use super::call::wasi;
use super::guest::write_bytes;
use super::readdir_order;
use super::{HasShims, MODULE, SUCCESS};
use crate::policy::determinism::{Clock, VirtualClocks, CLOCK_RESOLUTION_NS, REALTIME_START_NS};

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
            let clock = if id == 0 { Clock::Realtime } else { Clock::Monotonic };
            let ticked = caller.data_mut().shims().fixed.as_ref().map(|f| f.clocks.tick(clock));
            if let (SUCCESS, Some(nanos)) = (errno, ticked) {
                write_bytes(&mut caller, out as u32, &nanos.to_le_bytes());
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
            fix_times(&mut caller, errno, out);
            Ok(errno)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_filestat_get",
        |mut caller: Caller<'_, T>, fd: i32, flags: i32, path: i32, len: i32, out: i32| -> wasmtime::Result<i32> {
            let errno = wasi!(&mut caller, path_filestat_get(fd, flags, path, len, out))?;
            fix_times(&mut caller, errno, out);
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

/// Where a `filestat` record keeps its file type; stdio's (unknown, 0) keeps its zero times.
const FILESTAT_FILETYPE_AT: u32 = 16;

fn fix_times<T: HasShims>(caller: &mut Caller<'_, T>, errno: i32, out: i32) {
    if errno != SUCCESS || caller.data_mut().shims().fixed.is_none() {
        return;
    }
    let mut filetype = [0u8];
    let at = (out as u32).wrapping_add(FILESTAT_FILETYPE_AT) as usize;
    let known = caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .is_some_and(|m| m.read(&*caller, at, &mut filetype).is_ok() && filetype[0] != 0);
    if !known {
        return;
    }
    let times: Vec<u8> = (0..3).flat_map(|_| REALTIME_START_NS.to_le_bytes()).collect();
    write_bytes(caller, (out as u32).wrapping_add(FILESTAT_TIMES_AT), &times);
}
