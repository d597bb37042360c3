//! Wrappers of the calls that change what descriptors are open or how large files are:
//! `fd_close` and `fd_renumber` keep the open-descriptor count; `fd_write`, `fd_pwrite` and
//! `fd_filestat_set_size` keep the file-byte budget, refusing a growth past it (ENOSPC) or
//! past the largest file (EFBIG) before anything is written, where the V8 runner refuses it.

use wasmtime::{AsContextMut, Caller, Linker};

use super::call::wasi;
use super::guest::{appends, first_buffer, in_bounds, read_u32, stat_fd, tell};
use super::{HasShims, EFBIG, ENOSPC, MODULE, SUCCESS};
use crate::limits::guest::{WASI_HOSTCALL_CHARGE_IOVEC, WASI_MAX_FILE_BYTES};

/// What a write to a file will do to its size.
enum Plan {
    /// Not a write the budget decides (stdio, a bad descriptor or buffer, ...): wasmtime-wasi
    /// answers it.
    PassThrough,
    /// Refused with this errno, as the V8 runner refuses it.
    Refuse(i32),
    /// The file has `size` bytes and the write starts at `start`.
    Grow { size: u64, start: u64 },
}

/// The plan for writing the first non-empty buffer of `iovs` to `fd`, at `offset` (pwrite)
/// or at the descriptor's position.
fn plan<T: HasShims + 'static>(
    c: &mut Caller<'_, T>,
    fd: i32,
    iovs: i32,
    count: i32,
    offset: Option<u64>,
) -> wasmtime::Result<Plan> {
    if (fd as u32) <= 2 {
        return Ok(Plan::PassThrough);
    }
    let Some(stat) = stat_fd(c, fd)? else { return Ok(Plan::PassThrough) };
    let Some((ptr, len)) = first_buffer(c, iovs, count) else { return Ok(Plan::PassThrough) };
    let charge = u64::from(count as u32) * WASI_HOSTCALL_CHARGE_IOVEC + u64::from(len);
    let fuel = c.as_context_mut().hostcall_fuel() as u64;
    if !stat.regular || len == 0 || !in_bounds(c, ptr, len) || charge > fuel {
        return Ok(Plan::PassThrough);
    }
    let Some(append) = appends(c, fd)? else { return Ok(Plan::PassThrough) };
    let start = match (append, offset) {
        (true, _) => stat.size,
        (false, Some(offset)) => offset,
        (false, None) => match tell(c, fd)? {
            Some(position) => position,
            None => return Ok(Plan::PassThrough),
        },
    };
    let end = start.saturating_add(u64::from(len));
    if end > WASI_MAX_FILE_BYTES {
        return Ok(Plan::Refuse(EFBIG));
    }
    if !c.data_mut().shims().fs.bytes_fit(end.saturating_sub(stat.size)) {
        return Ok(Plan::Refuse(ENOSPC));
    }
    Ok(Plan::Grow { size: stat.size, start })
}

/// Charges what a write that stored its count at `written` grew the file by.
/// A write the byte budget may refuse, charged for what wasmtime-wasi wrote.
fn write_charged<T: HasShims + 'static>(
    c: &mut Caller<'_, T>,
    fd: i32,
    iovs: i32,
    count: i32,
    offset: Option<u64>,
    written: i32,
    write: impl FnOnce(&mut Caller<'_, T>) -> wasmtime::Result<i32>,
) -> wasmtime::Result<i32> {
    let plan = plan(c, fd, iovs, count, offset)?;
    if let Plan::Refuse(errno) = plan {
        return Ok(errno);
    }
    let errno = write(c)?;
    if errno == SUCCESS {
        charge_written(c, &plan, written);
    }
    Ok(errno)
}

fn charge_written<T: HasShims>(c: &mut Caller<'_, T>, plan: &Plan, written: i32) {
    if let (Plan::Grow { size, start }, Some(n)) = (plan, read_u32(c, written)) {
        let growth = (start + u64::from(n)).saturating_sub(*size);
        c.data_mut().shims().fs.bytes_grew(growth);
    }
}

pub(super) fn install<T: HasShims + Send + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "fd_write",
        |mut caller: Caller<'_, T>, fd: i32, iovs: i32, count: i32, written: i32| -> wasmtime::Result<i32> {
            write_charged(&mut caller, fd, iovs, count, None, written, |c| wasi!(c, fd_write(fd, iovs, count, written)))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_pwrite",
        |mut caller: Caller<'_, T>, fd: i32, iovs: i32, count: i32, offset: i64, written: i32| {
            write_charged(&mut caller, fd, iovs, count, Some(offset as u64), written, |c| {
                wasi!(c, fd_pwrite(fd, iovs, count, offset, written))
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_filestat_set_size",
        |mut caller: Caller<'_, T>, fd: i32, size: i64| -> wasmtime::Result<i32> {
            let c = &mut caller;
            let stat = if (fd as u32) > 2 { stat_fd(c, fd)?.filter(|s| s.regular) } else { None };
            if let Some(stat) = stat {
                let size = size as u64;
                if size > WASI_MAX_FILE_BYTES {
                    return Ok(EFBIG);
                }
                if !c.data_mut().shims().fs.bytes_fit(size.saturating_sub(stat.size)) {
                    return Ok(ENOSPC);
                }
            }
            let errno = wasi!(c, fd_filestat_set_size(fd, size))?;
            if let (SUCCESS, Some(stat)) = (errno, stat) {
                let fs = &mut c.data_mut().shims().fs;
                fs.bytes_grew((size as u64).saturating_sub(stat.size));
                fs.bytes_released(stat.size.saturating_sub(size as u64));
            }
            Ok(errno)
        },
    )?;
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
    Ok(())
}
