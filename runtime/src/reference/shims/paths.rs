//! Wrappers of the calls that add or remove files and directories: each keeps the node
//! budget (a creating call past it is made and then undone, so every other answer stays
//! wasmtime-wasi's own, in its own order), and those that drop a file's bytes (unlink,
//! rename over a file, O_TRUNC) give them back to the byte budget. `path_open` keeps the
//! open-descriptor limit too, checked before anything else as the V8 runner checks it, and
//! with O_CREAT first opens without it to learn whether it creates anything: opening an
//! existing file is never refused for the budget.

use wasmtime::{Caller, Linker};

use super::call::wasi;
use super::guest::{read_u32, stat_path, write_u32};
use super::{HasShims, EMFILE, ENOENT, ENOSPC, MODULE, SUCCESS};

const O_CREAT: i32 = 1;
const O_EXCL: i32 = 4;
const O_TRUNC: i32 = 8;

/// Counts a new entry, or undoes it with `undo` when the node budget is spent.
fn created<T: HasShims>(
    c: &mut Caller<'_, T>,
    undo: impl FnOnce(&mut Caller<'_, T>) -> wasmtime::Result<i32>,
) -> wasmtime::Result<i32> {
    if c.data_mut().shims().fs.nodes_full() {
        undo(c)?;
        return Ok(ENOSPC);
    }
    c.data_mut().shims().fs.node_added();
    Ok(SUCCESS)
}

/// A call that makes one node: wasmtime-wasi's answer when it fails, else [`created`].
fn made<T: HasShims>(
    c: &mut Caller<'_, T>,
    make: impl FnOnce(&mut Caller<'_, T>) -> wasmtime::Result<i32>,
    undo: impl FnOnce(&mut Caller<'_, T>) -> wasmtime::Result<i32>,
) -> wasmtime::Result<i32> {
    let errno = make(c)?;
    if errno != SUCCESS {
        return Ok(errno);
    }
    created(c, undo)
}

fn opened<T: HasShims>(c: &mut Caller<'_, T>, out: i32) {
    if let Some(fd) = read_u32(c, out) {
        c.data_mut().shims().fds.opened(fd);
    }
}

pub(super) fn install<T: HasShims + Send + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
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
        // A truncated file gives its bytes back.
        let truncated = if oflags & O_TRUNC != 0 { stat_path(c, fd, dirflags, path, len)? } else { None };
        let release_truncated = |c: &mut Caller<'_, T>| {
            if let Some(stat) = truncated.filter(|s| s.regular) {
                c.data_mut().shims().fs.bytes_released(stat.size);
            }
        };
        let creates = oflags & O_CREAT != 0;
        if creates && oflags & O_EXCL == 0 {
            let probe = oflags & !O_CREAT;
            let errno = wasi!(c, path_open(fd, dirflags, path, len, probe, base, inheriting, fdflags, out))?;
            if errno != ENOENT {
                if errno == SUCCESS {
                    release_truncated(c);
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
            let undo = |c: &mut Caller<'_, T>| {
                if let Some(new) = read_u32(c, out) {
                    wasi!(c, fd_close(new as i32))?;
                }
                let errno = wasi!(c, path_unlink_file(fd, path, len))?;
                if let Some(word) = before {
                    write_u32(c, out, word);
                }
                Ok(errno)
            };
            if created(c, undo)? == ENOSPC {
                return Ok(ENOSPC);
            }
        } else {
            release_truncated(c);
        }
        opened(c, out);
        Ok(SUCCESS)
    };
    linker.func_wrap(MODULE, "path_open", path_open)?;

    linker.func_wrap(
        MODULE,
        "path_create_directory",
        |mut caller: Caller<'_, T>, fd: i32, path: i32, len: i32| -> wasmtime::Result<i32> {
            made(
                &mut caller,
                |c| wasi!(c, path_create_directory(fd, path, len)),
                |c| wasi!(c, path_remove_directory(fd, path, len)),
            )
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
            made(
                &mut caller,
                |c| wasi!(c, path_link(old_fd, flags, old, old_len, fd, path, len)),
                |c| wasi!(c, path_unlink_file(fd, path, len)),
            )
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_symlink",
        |mut caller: Caller<'_, T>, old: i32, old_len: i32, fd: i32, path: i32, len: i32| -> wasmtime::Result<i32> {
            made(
                &mut caller,
                |c| wasi!(c, path_symlink(old, old_len, fd, path, len)),
                |c| wasi!(c, path_unlink_file(fd, path, len)),
            )
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_remove_directory",
        |mut caller: Caller<'_, T>, fd: i32, path: i32, len: i32| -> wasmtime::Result<i32> {
            let errno = wasi!(&mut caller, path_remove_directory(fd, path, len))?;
            if errno == SUCCESS {
                caller.data_mut().shims().fs.node_removed();
            }
            Ok(errno)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_unlink_file",
        |mut caller: Caller<'_, T>, fd: i32, path: i32, len: i32| -> wasmtime::Result<i32> {
            let c = &mut caller;
            let gone = stat_path(c, fd, 0, path, len)?;
            let errno = wasi!(c, path_unlink_file(fd, path, len))?;
            if errno == SUCCESS {
                let fs = &mut c.data_mut().shims().fs;
                fs.node_removed();
                if let Some(stat) = gone.filter(|s| s.regular) {
                    fs.bytes_released(stat.size);
                }
            }
            Ok(errno)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_rename",
        |mut caller: Caller<'_, T>, fd: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32| {
            let c = &mut caller;
            // What the rename replaces, unless it renames a file onto itself.
            let moving = stat_path(c, fd, 0, old, old_len)?;
            let replaced = stat_path(c, new_fd, 0, new, new_len)?.filter(|t| moving.is_none_or(|m| m.ino != t.ino));
            let errno = wasi!(c, path_rename(fd, old, old_len, new_fd, new, new_len))?;
            if let (SUCCESS, Some(stat)) = (errno, replaced) {
                let fs = &mut c.data_mut().shims().fs;
                fs.node_removed();
                if stat.regular {
                    fs.bytes_released(stat.size);
                }
            }
            Ok(errno)
        },
    )?;
    Ok(())
}
