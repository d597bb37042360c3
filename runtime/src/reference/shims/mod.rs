//! Wrappers over wasmtime-wasi's preview1 functions for the guest limits it has no setting
//! of its own for, each counted as the V8 runner's WASI runtime counts: open descriptors
//! (`fds`), files and directories (`nodes`), and the wall-time deadline inside
//! `poll_oneoff` (`poll`).
//!
//! Each wrapper calls wasmtime-wasi's own implementation (`call`), so what the guest sees is
//! still wasmtime-wasi's behaviour up to the limit. A creating call past the node budget is
//! made and then undone, so every other answer (EEXIST, ENOENT, EINVAL, ...) stays
//! wasmtime-wasi's own, in its own order; `path_open` with O_CREAT first opens without it
//! to learn whether it would create anything, so opening an existing file is never refused.

mod call;
mod fds;
mod nodes;
mod poll;

use std::time::Instant;

use wasmtime::{Caller, Linker, Trap};
use wasmtime_wasi::p1::WasiP1Ctx;

use call::wasi;
pub(super) use nodes::NodeCount;

use crate::wasi::preview1::MODULE;

/// What the wrappers keep per run.
#[derive(Debug, Default)]
pub(super) struct ShimState {
    fds: fds::OpenFds,
    nodes: NodeCount,
    /// When the run's wall time ends.
    deadline: Option<Instant>,
}

impl ShimState {
    pub(super) fn new(max_open_fds: u64, nodes: NodeCount, deadline: Instant) -> Self {
        ShimState { fds: fds::OpenFds::new(max_open_fds), nodes, deadline: Some(deadline) }
    }
}

/// The store data the wrappers need: their state and wasmtime-wasi's context.
pub(crate) trait HasShims {
    fn shims(&mut self) -> &mut ShimState;
    fn wasi(&mut self) -> &mut WasiP1Ctx;
}

const SUCCESS: i32 = 0;
const EMFILE: i32 = 33;
const ENOENT: i32 = 44;
const ENOSPC: i32 = 51;
const O_CREAT: i32 = 1;
const O_EXCL: i32 = 4;

fn read_u32<T>(caller: &mut Caller<'_, T>, at: i32) -> Option<u32> {
    let memory = caller.get_export("memory")?.into_memory()?;
    let mut word = [0u8; 4];
    memory.read(&*caller, at as u32 as usize, &mut word).ok()?;
    Some(u32::from_le_bytes(word))
}

fn write_u32<T>(caller: &mut Caller<'_, T>, at: i32, value: u32) {
    if let Some(memory) = caller.get_export("memory").and_then(|e| e.into_memory()) {
        let _ = memory.write(&mut *caller, at as u32 as usize, &value.to_le_bytes());
    }
}

/// Replaces the wrapped functions in a linker that holds wasmtime-wasi's preview1.
pub(super) fn install<T: HasShims + Send + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);

    #[allow(clippy::too_many_arguments)]
    let path_open = |mut caller: Caller<'_, T>,
                     fd: i32,
                     dirflags: i32,
                     path: i32,
                     len: i32,
                     oflags: i32,
                     base: i64,
                     inheriting: i64,
                     fdflags: i32,
                     out: i32|
     -> wasmtime::Result<i32> {
        let c = &mut caller;
        if c.data_mut().shims().fds.full() {
            return Ok(EMFILE);
        }
        let creates = oflags & O_CREAT != 0;
        if creates && oflags & O_EXCL == 0 {
            let probe = oflags & !O_CREAT;
            let errno = wasi!(c, path_open(fd, dirflags, path, len, probe, base, inheriting, fdflags, out))?;
            if errno != ENOENT {
                if errno == SUCCESS {
                    opened(c, out);
                }
                return Ok(errno);
            }
        }
        let before = read_u32(c, out);
        let errno = wasi!(c, path_open(fd, dirflags, path, len, oflags, base, inheriting, fdflags, out))?;
        if errno != SUCCESS {
            return Ok(errno);
        }
        if creates {
            if c.data_mut().shims().nodes.full() {
                if let Some(new) = read_u32(c, out) {
                    wasi!(c, fd_close(new as i32))?;
                }
                wasi!(c, path_unlink_file(fd, path, len))?;
                if let Some(word) = before {
                    write_u32(c, out, word);
                }
                return Ok(ENOSPC);
            }
            c.data_mut().shims().nodes.added();
        }
        opened(c, out);
        Ok(SUCCESS)
    };
    linker.func_wrap(MODULE, "path_open", path_open)?;

    linker.func_wrap(MODULE, "fd_close", |mut caller: Caller<'_, T>, fd: i32| -> wasmtime::Result<i32> {
        let errno = wasi!(&mut caller, fd_close(fd))?;
        if errno == SUCCESS {
            caller.data_mut().shims().fds.closed(fd as u32);
        }
        Ok(errno)
    })?;
    linker.func_wrap(
        MODULE,
        "fd_renumber",
        |mut caller: Caller<'_, T>, from: i32, to: i32| -> wasmtime::Result<i32> {
            let errno = wasi!(&mut caller, fd_renumber(from, to))?;
            if errno == SUCCESS {
                caller.data_mut().shims().fds.renumbered(from as u32, to as u32);
            }
            Ok(errno)
        },
    )?;

    linker.func_wrap(
        MODULE,
        "path_create_directory",
        |mut caller: Caller<'_, T>, fd: i32, path: i32, len: i32| -> wasmtime::Result<i32> {
            let c = &mut caller;
            let errno = wasi!(c, path_create_directory(fd, path, len))?;
            if errno != SUCCESS {
                return Ok(errno);
            }
            if c.data_mut().shims().nodes.full() {
                wasi!(c, path_remove_directory(fd, path, len))?;
                return Ok(ENOSPC);
            }
            c.data_mut().shims().nodes.added();
            Ok(SUCCESS)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_link",
        |mut caller: Caller<'_, T>,
         old_fd: i32,
         flags: i32,
         old: i32,
         old_len: i32,
         fd: i32,
         path: i32,
         len: i32|
         -> wasmtime::Result<i32> {
            let c = &mut caller;
            let errno = wasi!(c, path_link(old_fd, flags, old, old_len, fd, path, len))?;
            if errno != SUCCESS {
                return Ok(errno);
            }
            if c.data_mut().shims().nodes.full() {
                wasi!(c, path_unlink_file(fd, path, len))?;
                return Ok(ENOSPC);
            }
            c.data_mut().shims().nodes.added();
            Ok(SUCCESS)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_symlink",
        |mut caller: Caller<'_, T>, old: i32, old_len: i32, fd: i32, path: i32, len: i32| -> wasmtime::Result<i32> {
            let c = &mut caller;
            let errno = wasi!(c, path_symlink(old, old_len, fd, path, len))?;
            if errno != SUCCESS {
                return Ok(errno);
            }
            if c.data_mut().shims().nodes.full() {
                wasi!(c, path_unlink_file(fd, path, len))?;
                return Ok(ENOSPC);
            }
            c.data_mut().shims().nodes.added();
            Ok(SUCCESS)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_remove_directory",
        |mut caller: Caller<'_, T>, fd: i32, path: i32, len: i32| -> wasmtime::Result<i32> {
            let errno = wasi!(&mut caller, path_remove_directory(fd, path, len))?;
            if errno == SUCCESS {
                caller.data_mut().shims().nodes.removed();
            }
            Ok(errno)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_unlink_file",
        |mut caller: Caller<'_, T>, fd: i32, path: i32, len: i32| -> wasmtime::Result<i32> {
            let errno = wasi!(&mut caller, path_unlink_file(fd, path, len))?;
            if errno == SUCCESS {
                caller.data_mut().shims().nodes.removed();
            }
            Ok(errno)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_rename",
        |mut caller: Caller<'_, T>, fd: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32| {
            let errno = wasi!(&mut caller, path_rename(fd, old, old_len, new_fd, new, new_len))?;
            if errno == SUCCESS {
                caller.data_mut().shims().nodes.recount();
            }
            Ok(errno)
        },
    )?;

    linker.func_wrap(
        MODULE,
        "poll_oneoff",
        |mut caller: Caller<'_, T>, subs: i32, events: i32, count: i32, written: i32| -> wasmtime::Result<i32> {
            let deadline = caller.data_mut().shims().deadline;
            if let (Some(deadline), Some(sleep)) = (deadline, poll::pure_sleep(&mut caller, subs, count)) {
                let left = deadline.saturating_duration_since(Instant::now());
                if sleep > left {
                    // The guest asks to sleep past its deadline: it sleeps until the
                    // deadline and is stopped there, as the watchdog stops guest code.
                    std::thread::sleep(left);
                    return Err(Trap::Interrupt.into());
                }
            }
            wasi!(&mut caller, poll_oneoff(subs, events, count, written))
        },
    )?;
    Ok(())
}

fn opened<T: HasShims>(caller: &mut Caller<'_, T>, out: i32) {
    if let Some(fd) = read_u32(caller, out) {
        caller.data_mut().shims().fds.opened(fd);
    }
}

#[cfg(test)]
mod tests {
    use crate::limits::guest::{
        WASI_HOSTCALL_CHARGE_EVENT, WASI_HOSTCALL_CHARGE_IOVEC, WASI_HOSTCALL_CHARGE_SUBSCRIPTION,
    };
    use wasmtime_wasi::p1::types::{Ciovec, Event, Iovec, Subscription};

    #[test]
    fn the_v8_runners_host_call_charges_are_wasmtime_wasis_record_sizes() {
        assert_eq!(WASI_HOSTCALL_CHARGE_IOVEC, size_of::<Ciovec>() as u64);
        assert_eq!(WASI_HOSTCALL_CHARGE_IOVEC, size_of::<Iovec>() as u64);
        assert_eq!(WASI_HOSTCALL_CHARGE_SUBSCRIPTION, size_of::<Subscription>() as u64);
        assert_eq!(WASI_HOSTCALL_CHARGE_EVENT, size_of::<Event>() as u64);
    }
}
