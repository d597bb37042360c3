// WASI preview1 for the guest, on the runner's `__host` natives, with the in-memory file
// system (fs.js), the descriptor table (fds.js) and checked guest memory (memory.js).
// Registered as the import provider of WASI_PREVIEW1.module. Every preview1 function is
// present; the ones this runtime cannot support (links, signals, sockets) answer with the
// errno wasmtime-wasi gives where it can, else ENOTSUP (docs/wasi.md).
//
// What a guest passes decides what happens, never a JS exception: a pointer the host
// cannot use traps (through `__host.trap`, a termination the guest cannot catch), as it
// does in wasmtime-wasi; everything else is an errno. Each call may copy at most the run's
// host-call budget out of guest arguments (ENOMEM past it), and nothing keeps a JS object
// per guest-given element: iovec and subscription arrays are read in place, events written
// as they are found.
//
// Loops run over guest-given counts as plain `for` loops, each with V8's interrupt check at
// its back edge, so the watchdog stops them like guest code.
'use strict';
/* global WASI_PREVIEW1, WASI_LIMITS, wasiAbi, utf8, createFileSystem, createDescriptors */
/* global createGuestMemory, GuestFault, Errno, __wasmRunner */
(function (global) {
  const host = global.__host;
  const runner = __wasmRunner;
  const {
    errno: E,
    filetype: T,
    oflags: O,
    lookupflags: LOOKUP,
    fdflags: FDFLAGS,
    fstflags: FST,
    rights: RIGHTS,
    whence: WHENCE,
    clockid: CLOCK,
    eventtype: EVENT,
    subclockflags: SUBCLOCK,
    eventrwflags: EVENTRW,
    preopentype: PREOPEN,
  } = wasiAbi;
  const { pointer: PTR, iovec: IOVEC, filestat: FILESTAT, fdstat: FDSTAT, prestat: PRESTAT } = wasiAbi;
  const { dirent: DIRENT, subscription: SUB, event: EV } = wasiAbi;

  const state = { args: [], env: [], hostcallBytes: 0, clockResolution: 1000n, fixedTimestamp: undefined };
  const mem = createGuestMemory();
  const fs = createFileSystem(host);
  const fds = createDescriptors();
  const now = fs.now;
  const MAX_FILE = fs.MAX_FILE;
  // What the guest means by an i64 it passes as a size or an offset.
  const u64 = (x) => BigInt.asUintN(64, BigInt(x));

  // A path argument, as wasmtime-wasi reads one: charged to the call's budget, then
  // checked for bounds and encoding; the bytes are used in place.
  // A guest path as wasmtime-wasi reads one: charged to the host-call budget (NOMEM), then
  // bounds (a trap), then UTF-8 (ILSEQ). `charged` false for `path_unlink_file`, the one call
  // that reads its path without charging it.
  function pathArg(ptr, len, charged = true) {
    const n = len >>> 0;
    if (charged) mem.charge(n);
    const b = mem.bytes(ptr, n);
    if (!utf8.valid(b)) throw new Errno(E.ILSEQ);
    return b;
  }

  // The directory open as `fd`, as wasmtime-wasi's path calls look it up (before they read
  // the path): BADF for anything else.
  function dirFd(fd) {
    const entry = fds.get(fd);
    if (entry === undefined || entry.node.type !== T.DIRECTORY) throw new Errno(E.BADF);
    return entry.node;
  }

  // Resolves a guest path (bytes at `ptr`) under the directory open as `fd`.
  function resolve(fd, ptr, len) {
    const dir = dirFd(fd);
    return fs.resolve(dir, pathArg(ptr, len));
  }

  // Records are written field by field, their padding left as it was: wasmtime-wasi writes
  // them so, and a guest can see the difference in a buffer it reuses.
  function writeFilestat(out, node) {
    const at = mem.record(out, FILESTAT.BYTES, FILESTAT.ALIGN);
    // wasmtime-wasi's device number for every file and directory.
    mem.setU64(at + FILESTAT.DEV, 1n);
    mem.setU64(at + FILESTAT.INO, host.inode(BigInt(node.ino)));
    mem.setU8(at + FILESTAT.FILETYPE, node.type);
    mem.setU64(at + FILESTAT.NLINK, 1n);
    mem.setU64(at + FILESTAT.SIZE, BigInt(node.type === T.REGULAR_FILE ? node.size : 0));
    // The deterministic mode fixes every timestamp (policy::determinism).
    const fixed = state.fixedTimestamp;
    mem.setU64(at + FILESTAT.ATIM, fixed ?? node.atime);
    mem.setU64(at + FILESTAT.MTIM, fixed ?? node.mtime);
    mem.setU64(at + FILESTAT.CTIM, fixed ?? node.mtime);
  }
  function stdioFilestat(out) {
    const at = mem.record(out, FILESTAT.BYTES, FILESTAT.ALIGN);
    // Every field zero, as wasmtime-wasi answers for a stream that is not a terminal.
    for (const field of [FILESTAT.DEV, FILESTAT.INO, FILESTAT.NLINK, FILESTAT.SIZE]) mem.setU64(at + field, 0n);
    for (const field of [FILESTAT.ATIM, FILESTAT.MTIM, FILESTAT.CTIM]) mem.setU64(at + field, 0n);
    mem.setU8(at + FILESTAT.FILETYPE, T.UNKNOWN);
  }

  // The first non-empty buffer of an iovec array, as wasmtime-wasi reads and writes: one
  // buffer per call (the guest's libc loops over short reads and writes). The array and the
  // buffer's length are charged and the elements read (and checked) up to it, before the
  // descriptor is looked at; the buffer's bytes are checked where the call uses them.
  function firstBuffer(iovs, count) {
    const at = mem.array(iovs, count, WASI_LIMITS.charge.iovec);
    const n = count >>> 0;
    for (let i = 0; i < n; i++) {
      const iov = mem.record(at + IOVEC.BYTES * i, IOVEC.BYTES, IOVEC.ALIGN);
      const len = mem.u32(iov + IOVEC.BUF_LEN);
      if (len === 0) continue;
      mem.charge(len);
      return { ptr: mem.u32(iov + IOVEC.BUF), len };
    }
    return { ptr: 0, len: 0 };
  }
  function readFile(file, at, buf) {
    const data = fs.loaded(file);
    const n = at >= file.size ? 0 : Math.min(buf.length, file.size - at);
    buf.set(data.subarray(at, at + n));
    file.atime = now();
    return n;
  }
  function writeFile(file, at, buf) {
    if (buf.length === 0) return 0;
    if (at + buf.length > MAX_FILE) return -E.FBIG;
    if (!fs.reserve(file, Math.max(file.size, at + buf.length))) return -E.NOSPC;
    if (at > file.size) file.data.fill(0, file.size, at);
    file.data.set(buf, at);
    file.size = Math.max(file.size, at + buf.length);
    file.mtime = now();
    return buf.length;
  }
  // The stdio stream (0, 1 or 2) open as `fd`, wherever the guest renumbered it; undefined
  // for a file, a directory or nothing.
  const streamAt = (fd) => fds.get(fd)?.node.stream;
  // The open file `fd`, as wasmtime-wasi's file calls look it up: BADF for a stream, a
  // directory, or nothing.
  function fileFd(fd) {
    const entry = fds.get(fd);
    if (entry === undefined || entry.node.type !== T.REGULAR_FILE) throw new Errno(E.BADF);
    return entry;
  }
  // The open file `fd` for reading or writing its bytes: BADF as for `fileFd`, and for a
  // descriptor not opened for it (the host's read or write answers EBADF in wasmtime-wasi).
  function readableFd(fd) {
    const entry = fileFd(fd);
    if (!entry.read) throw new Errno(E.BADF);
    return entry;
  }
  function writableFd(fd) {
    const entry = fileFd(fd);
    if (!entry.write) throw new Errno(E.BADF);
    return entry;
  }
  // A file that can seek: SPIPE for a stream.
  function seekableFd(fd) {
    if (streamAt(fd) !== undefined) throw new Errno(E.SPIPE);
    return fileFd(fd);
  }
  // An open file or directory: BADF for a stream or nothing.
  function anyFd(fd) {
    const entry = fds.get(fd);
    if (entry === undefined || entry.node.stream !== undefined) throw new Errno(E.BADF);
    return entry;
  }

  function putStrings(list, ptrs, buf) {
    let at = buf >>> 0;
    for (let i = 0; i < list.length; i++) {
      mem.setU32((ptrs >>> 0) + PTR.BYTES * i, at);
      const b = utf8.encode(list[i]);
      mem.bytes(at, b.length).set(b);
      mem.setU8(at + b.length, 0);
      at += b.length + 1;
    }
    return E.SUCCESS;
  }
  // The size first, then the count: wasmtime-wasi's order, which decides what a guest
  // passing one pointer for both reads back.
  function putSizes(list, count, size) {
    mem.setU32(
      size,
      list.reduce((n, s) => n + utf8.byteLength(s) + 1, 0),
    );
    mem.setU32(count, list.length);
    return E.SUCCESS;
  }
  function setTimes(node, atim, mtim, flags) {
    if ((flags & FST.ATIM && flags & FST.ATIM_NOW) || (flags & FST.MTIM && flags & FST.MTIM_NOW)) return E.INVAL;
    const t = now();
    if (flags & FST.ATIM) node.atime = u64(atim);
    if (flags & FST.ATIM_NOW) node.atime = t;
    if (flags & FST.MTIM) node.mtime = u64(mtim);
    if (flags & FST.MTIM_NOW) node.mtime = t;
    return E.SUCCESS;
  }
  // Checks that `fd` can be polled for `tag` as wasmtime-wasi can: stdin or a file for
  // reading, stdout, stderr or a file for writing; anything else fails the call (BADF).
  function pollable(fd, tag) {
    const stream = streamAt(fd);
    if (stream !== undefined) {
      if ((tag === EVENT.FD_READ) !== (stream === 0)) throw new Errno(E.BADF);
      return;
    }
    const entry = fds.get(fd);
    if (entry === undefined || entry.node.type !== T.REGULAR_FILE) throw new Errno(E.BADF);
  }
  // What fd_fdstat_get says of a descriptor, as wasmtime-wasi says it: a stream is of
  // unknown type (not a terminal) with only the right of its direction; a preopen has the
  // fixed rights "many userlands expect"; any other has every right but those its kind or
  // its open mode rules out, and its append and non-blocking flags.
  const PREOPEN_BASE = [
    'PATH_CREATE_DIRECTORY',
    'PATH_CREATE_FILE',
    'PATH_LINK_SOURCE',
    'PATH_LINK_TARGET',
    'PATH_OPEN',
    'FD_READDIR',
    'PATH_READLINK',
    'PATH_RENAME_SOURCE',
    'PATH_RENAME_TARGET',
    'PATH_SYMLINK',
    'PATH_REMOVE_DIRECTORY',
    'PATH_UNLINK_FILE',
    'PATH_FILESTAT_GET',
    'PATH_FILESTAT_SET_TIMES',
    'FD_FILESTAT_GET',
    'FD_FILESTAT_SET_TIMES',
  ].reduce((r, name) => r | RIGHTS[name], 0n);
  const PREOPEN_INHERITING = [
    'FD_DATASYNC',
    'FD_READ',
    'FD_SEEK',
    'FD_FDSTAT_SET_FLAGS',
    'FD_SYNC',
    'FD_TELL',
    'FD_WRITE',
    'FD_ADVISE',
    'FD_ALLOCATE',
    'FD_FILESTAT_GET',
    'FD_FILESTAT_SET_SIZE',
    'FD_FILESTAT_SET_TIMES',
    'POLL_FD_READWRITE',
  ].reduce((r, name) => r | RIGHTS[name], PREOPEN_BASE);
  function describe(entry) {
    const stream = entry.node.stream;
    if (stream !== undefined) {
      const base = stream === 0 ? RIGHTS.FD_READ : RIGHTS.FD_WRITE;
      return { type: T.UNKNOWN, flags: 0, base, inheriting: base };
    }
    if (entry.preopen !== undefined) {
      return { type: T.DIRECTORY, flags: 0, base: PREOPEN_BASE, inheriting: PREOPEN_INHERITING };
    }
    const dir = entry.node.type === T.DIRECTORY;
    let base = RIGHTS.ALL;
    if (dir) base &= ~(RIGHTS.FD_SEEK | RIGHTS.FD_FILESTAT_SET_SIZE | RIGHTS.PATH_FILESTAT_SET_SIZE);
    if (!entry.read) base &= ~(RIGHTS.FD_READ | RIGHTS.FD_READDIR);
    if (!entry.write) base &= ~RIGHTS.FD_WRITE;
    const flags = dir ? 0 : entry.flags & (FDFLAGS.APPEND | FDFLAGS.NONBLOCK);
    return { type: entry.node.type, flags, base, inheriting: base };
  }
  // One open as wasmtime-wasi's `open_at` and then Linux's `openat` answer it.
  function openAt(dir, path, oflags, rightsBase, fdflags, out) {
    // wasmtime-wasi refuses the sync flags, then these combinations, before the path is
    // looked at.
    if (fdflags & (FDFLAGS.DSYNC | FDFLAGS.RSYNC | FDFLAGS.SYNC)) return E.NOTSUP;
    if (oflags & O.DIRECTORY && oflags & (O.CREAT | O.EXCL | O.TRUNC)) return E.INVAL;
    const creates = (oflags & O.CREAT) !== 0;
    const r = fs.resolve(dir, path, creates);
    if (typeof r === 'number') return r;
    if (r.nul) return E.INVAL;
    if (r.tooLong) return E.NAMETOOLONG;
    // Linux refuses to create through a trailing slash before it looks the name up.
    if (creates && r.trailingSlash) return E.ISDIR;
    let node = r.node;
    // wasmtime-wasi's open mode: writing with FD_WRITE, CREAT or TRUNC; reading with
    // FD_READ, or whenever FD_WRITE is not asked for.
    const rights = u64(rightsBase);
    const wantsWrite = (rights & RIGHTS.FD_WRITE) !== 0n || (oflags & (O.CREAT | O.TRUNC)) !== 0;
    // An existing directory refuses FD_WRITE and TRUNC, not CREAT (wasmtime-wasi opens it).
    const writesDir = (rights & RIGHTS.FD_WRITE) !== 0n || (oflags & O.TRUNC) !== 0;
    const wantsRead = (rights & RIGHTS.FD_READ) !== 0n || (rights & RIGHTS.FD_WRITE) === 0n;
    if (node === undefined) {
      if (!creates) return E.NOENT;
      if (!fs.addNode()) return E.NOSPC;
      node = fs.makeFile(now());
      fs.link(r.dir, r.name, node);
      r.dir.mtime = node.mtime;
    } else {
      if (creates && oflags & O.EXCL) return E.EXIST;
      if (oflags & O.DIRECTORY && node.type !== T.DIRECTORY) return E.NOTDIR;
      if (node.type === T.DIRECTORY && writesDir) return E.ISDIR;
      if (node.type === T.REGULAR_FILE && oflags & O.TRUNC) fs.setSize(node, 0);
    }
    mem.setU32(out, fds.open(node, fdflags, { read: wantsRead, write: wantsWrite }));
    return E.SUCCESS;
  }

  const isClock = (id) => id === CLOCK.REALTIME || id === CLOCK.MONOTONIC;
  const wasi = {
    args_get: (argv, buf) => putStrings(state.args, argv, buf),
    args_sizes_get: (count, size) => putSizes(state.args, count, size),
    environ_get: (envp, buf) => putStrings(state.env, envp, buf),
    environ_sizes_get: (count, size) => putSizes(state.env, count, size),
    // The CPU-time clocks are not offered (as in wasmtime-wasi): BADF.
    clock_res_get: (id, out) => {
      if (!isClock(id)) return E.BADF;
      mem.setU64(out, state.clockResolution);
      return E.SUCCESS;
    },
    clock_time_get: (id, _precision, out) => {
      if (!isClock(id)) return E.BADF;
      mem.setU64(out, host.clockTimeGet(id));
      return E.SUCCESS;
    },
    random_get: (buf, len) => {
      // As wasmtime-wasi: more than its random-size limit traps, whatever the memory holds.
      if (len > WASI_LIMITS.maxRandomBytes) throw new GuestFault(`${len} random bytes asked for`);
      // wasmtime-wasi writes nothing for none, so it never checks where: any pointer will do.
      if (len >>> 0 === 0) return E.SUCCESS;
      host.random(mem.bytes(buf, len));
      return E.SUCCESS;
    },

    // Reads and writes: the iovecs first, then the descriptor, then the bytes, then the
    // count stored: wasmtime-wasi's order, so a bad pointer traps where it would there.
    fd_write: (fd, iovs, iovsLen, nwritten) => {
      const b = firstBuffer(iovs, iovsLen);
      const stream = streamAt(fd);
      let total;
      if (stream === 1 || stream === 2) {
        total = host.write(stream, mem.bytes(b.ptr, b.len));
      } else {
        const entry = writableFd(fd);
        const at = entry.flags & FDFLAGS.APPEND ? entry.node.size : entry.pos;
        const n = writeFile(entry.node, at, mem.bytes(b.ptr, b.len));
        if (n < 0) return -n;
        entry.pos = entry.flags & FDFLAGS.APPEND ? entry.node.size : at + n;
        total = n;
      }
      mem.setU32(nwritten, total);
      return E.SUCCESS;
    },
    fd_pwrite: (fd, iovs, iovsLen, offset, nwritten) => {
      const b = firstBuffer(iovs, iovsLen);
      const stream = streamAt(fd);
      if (stream === 1 || stream === 2) return E.SPIPE;
      const entry = writableFd(fd);
      // As Linux's pwrite: a file opened to append ignores the offset.
      const at = entry.flags & FDFLAGS.APPEND ? BigInt(entry.node.size) : u64(offset);
      if (at > BigInt(MAX_FILE)) return E.FBIG;
      const n = writeFile(entry.node, Number(at), mem.bytes(b.ptr, b.len));
      if (n < 0) return -n;
      mem.setU32(nwritten, n);
      return E.SUCCESS;
    },
    fd_read: (fd, iovs, iovsLen, nread) => {
      const b = firstBuffer(iovs, iovsLen);
      let total;
      if (streamAt(fd) === 0) {
        // As wasmtime-wasi's blocking read: asking for nothing while input is left is EINTR
        // (an empty read that is not the end), and nothing is stored.
        if (b.len === 0 && host.stdinLeft() > 0) return E.INTR;
        // Only the bytes read are stored, so only they must be in bounds.
        total = host.read(mem.bytes(b.ptr, Math.min(b.len, host.stdinLeft())));
      } else {
        const entry = readableFd(fd);
        total = readFile(entry.node, entry.pos, mem.bytes(b.ptr, b.len));
        entry.pos += total;
      }
      mem.setU32(nread, total);
      return E.SUCCESS;
    },
    fd_pread: (fd, iovs, iovsLen, offset, nread) => {
      const b = firstBuffer(iovs, iovsLen);
      if (streamAt(fd) === 0) return E.SPIPE;
      const entry = readableFd(fd);
      const off = u64(offset);
      const at = off > BigInt(MAX_FILE) ? MAX_FILE : Number(off);
      const n = at >= entry.node.size ? 0 : Math.min(b.len, entry.node.size - at);
      mem.setU32(nread, readFile(entry.node, at, mem.bytes(b.ptr, n)));
      return E.SUCCESS;
    },
    fd_seek: (fd, offset, whence, out) => {
      const entry = seekableFd(fd);
      let base;
      if (whence === WHENCE.SET) base = 0n;
      else if (whence === WHENCE.CUR) base = BigInt(entry.pos);
      else base = BigInt(entry.node.size);
      const pos = base + offset;
      if (pos < 0n || pos >= 1n << 64n) return E.INVAL;
      if (pos > BigInt(MAX_FILE)) return E.OVERFLOW;
      entry.pos = Number(pos);
      mem.setU64(out, pos);
      return E.SUCCESS;
    },
    fd_tell: (fd, out) => {
      mem.setU64(out, BigInt(seekableFd(fd).pos));
      return E.SUCCESS;
    },
    fd_close: (fd) => (fds.close(fd) ? E.SUCCESS : E.BADF),
    fd_renumber: (from, to) => {
      if (!fds.has(from) || !fds.has(to)) return E.BADF;
      if (from !== to) fds.renumber(from, to);
      return E.SUCCESS;
    },
    // Every descriptor as wasmtime-wasi describes it (`describe`).
    fd_fdstat_get: (fd, out) => {
      const entry = fds.get(fd);
      if (entry === undefined) return E.BADF;
      const { type, flags, base, inheriting } = describe(entry);
      const at = mem.record(out, FDSTAT.BYTES, FDSTAT.ALIGN);
      mem.setU8(at + FDSTAT.FILETYPE, type);
      mem.setU16(at + FDSTAT.FLAGS, flags);
      mem.setU64(at + FDSTAT.RIGHTS_BASE, base);
      mem.setU64(at + FDSTAT.RIGHTS_INHERITING, inheriting);
      return E.SUCCESS;
    },
    fd_fdstat_set_flags: (fd, flags) => {
      const entry = fileFd(fd);
      if (flags & (FDFLAGS.DSYNC | FDFLAGS.RSYNC | FDFLAGS.SYNC)) return E.INVAL;
      entry.flags = flags & (FDFLAGS.APPEND | FDFLAGS.NONBLOCK);
      return E.SUCCESS;
    },
    fd_fdstat_set_rights: (fd) => {
      anyFd(fd);
      return E.NOTSUP;
    },
    fd_filestat_get: (fd, out) => {
      if (streamAt(fd) !== undefined) {
        stdioFilestat(out);
        return E.SUCCESS;
      }
      writeFilestat(out, anyFd(fd).node);
      return E.SUCCESS;
    },
    fd_filestat_set_size: (fd, size) => {
      const entry = fileFd(fd);
      // The host's ftruncate of a descriptor not open for writing.
      if (!entry.write) return E.INVAL;
      const n = u64(size);
      if (n > BigInt(MAX_FILE)) return E.FBIG;
      return fs.setSize(entry.node, Number(n));
    },
    fd_allocate: (fd) => {
      fileFd(fd);
      return E.NOTSUP;
    },
    fd_filestat_set_times: (fd, atim, mtim, flags) => {
      if ((flags & FST.ATIM && flags & FST.ATIM_NOW) || (flags & FST.MTIM && flags & FST.MTIM_NOW)) return E.INVAL;
      const node = anyFd(fd).node;
      // wasmtime-wasi holds directories by O_PATH descriptors, whose times cannot be set.
      if (node.type === T.DIRECTORY) return E.BADF;
      return setTimes(node, atim, mtim, flags);
    },
    fd_advise: (fd) => {
      fileFd(fd);
      return E.SUCCESS;
    },
    fd_datasync: (fd) => {
      fileFd(fd);
      return E.SUCCESS;
    },
    fd_sync: (fd) => {
      fileFd(fd);
      return E.SUCCESS;
    },
    fd_prestat_get: (fd, out) => {
      const entry = fds.get(fd);
      if (entry === undefined || entry.preopen === undefined) return E.BADF;
      const at = mem.record(out, PRESTAT.BYTES, PRESTAT.ALIGN);
      mem.setU8(at + PRESTAT.TAG, PREOPEN.DIR);
      mem.setU32(at + PRESTAT.DIR_NAME_LEN, utf8.byteLength(entry.preopen));
      return E.SUCCESS;
    },
    fd_prestat_dir_name: (fd, path, len) => {
      const entry = fds.get(fd);
      if (entry === undefined) return E.BADF;
      if (entry.preopen === undefined) return E.NOTDIR;
      const name = utf8.encode(entry.preopen);
      if (len >>> 0 < name.length) return E.NAMETOOLONG;
      mem.bytes(path, name.length).set(name);
      return E.SUCCESS;
    },
    // Entries are written one piece at a time, each checked as it is written: a buffer
    // larger than the listing is never checked past it.
    fd_readdir: (fd, buf, bufLen, cookie, bufused) => {
      const dir = dirFd(fd);
      // '.' and '..', then the children in name order; the cookie is the next index.
      const sorted = fs.sortedNames(dir);
      const count = sorted.length + 2;
      const cap = bufLen >>> 0;
      const c = u64(cookie);
      let used = 0;
      const header = new Uint8Array(DIRENT.BYTES);
      const hv = new DataView(header.buffer);
      for (let i = c > BigInt(count) ? count : Number(c); i < count && used < cap; i++) {
        const name = utf8.encode(i === 0 ? '.' : i === 1 ? '..' : sorted[i - 2]);
        // '..' has the directory's own inode number, as wasmtime-wasi lists it.
        const node = i <= 1 ? dir : fs.child(dir, sorted[i - 2]);
        hv.setBigUint64(DIRENT.NEXT, BigInt(i + 1), true);
        hv.setBigUint64(DIRENT.INO, host.inode(BigInt(node.ino)), true);
        hv.setUint32(DIRENT.NAMLEN, name.length, true);
        hv.setUint32(DIRENT.TYPE, node.type, true);
        for (const piece of [header, name]) {
          const n = Math.min(piece.length, cap - used);
          if (n > 0) mem.bytes(buf + used, n).set(piece.subarray(0, n));
          used += n;
        }
      }
      mem.setU32(bufused, used);
      return E.SUCCESS;
    },

    path_open: (fd, _dirflags, pathPtr, pathLen, oflags, rightsBase, _rightsInh, fdflags, out) => {
      // The limit comes first, as the reference's wrapper checks it before wasmtime-wasi
      // looks at anything else.
      if (fds.full()) return E.MFILE;
      // The path is read before the descriptor is looked up, as in wasmtime-wasi.
      const path = pathArg(pathPtr, pathLen);
      const entry = fds.get(fd);
      if (entry === undefined || entry.node.stream !== undefined) return E.BADF;
      if (entry.node.type !== T.DIRECTORY) return E.NOTDIR;
      // The reference's wrapper asks first without CREAT when EXCL is not asked for (to
      // tell a creation from an open): whatever that answers but ENOENT is the answer.
      if (oflags & O.CREAT && !(oflags & O.EXCL)) {
        const probed = openAt(entry.node, path, oflags & ~O.CREAT, rightsBase, fdflags, out);
        if (probed !== E.NOENT) return probed;
      }
      return openAt(entry.node, path, oflags, rightsBase, fdflags, out);
    },
    path_filestat_get: (fd, flags, pathPtr, pathLen, out) => {
      // Without SYMLINK_FOLLOW the host stats the last name inside its parent, and a file
      // named with a trailing slash is stat'ed as the file.
      const follow = (flags & LOOKUP.SYMLINK_FOLLOW) !== 0;
      const r = fs.resolve(dirFd(fd), pathArg(pathPtr, pathLen), !follow);
      if (typeof r === 'number') return r;
      if (r.nul) return E.INVAL;
      if (r.tooLong) return E.NAMETOOLONG;
      if (r.node === undefined) return E.NOENT;
      writeFilestat(out, r.node);
      return E.SUCCESS;
    },
    path_filestat_set_times: (fd, _flags, pathPtr, pathLen, atim, mtim, flags) => {
      const r = resolve(fd, pathPtr, pathLen);
      if (typeof r === 'number') return r;
      if (r.node === undefined) return E.NOENT;
      return setTimes(r.node, atim, mtim, flags);
    },
    path_create_directory: (fd, pathPtr, pathLen) => {
      // Linux's mkdir finds any existing name first, a file named with a trailing slash too.
      const r = fs.resolve(dirFd(fd), pathArg(pathPtr, pathLen), true);
      if (typeof r === 'number') return r;
      if (r.nul) return E.INVAL;
      if (r.tooLong) return E.NAMETOOLONG;
      if (r.node !== undefined) return E.EXIST;
      if (!fs.addNode()) return E.NOSPC;
      const t = now();
      fs.link(r.dir, r.name, fs.makeDir(r.dir, t));
      r.dir.mtime = t;
      return E.SUCCESS;
    },
    path_remove_directory: (fd, pathPtr, pathLen) => {
      const r = resolve(fd, pathPtr, pathLen);
      if (typeof r === 'number') return r;
      if (r.node === undefined) return E.NOENT;
      if (r.self) return r.name === '.' ? E.INVAL : E.NOTEMPTY;
      if (r.node.type !== T.DIRECTORY) return E.NOTDIR;
      // wasmtime-wasi's host takes `d/` as `.` inside `d`: removing `.` is EINVAL, empty or not.
      if (r.trailingSlash) return E.INVAL;
      if (!fs.isEmpty(r.node)) return E.NOTEMPTY;
      if (fds.isPreopenRoot(r.node)) return E.ACCES;
      fs.unlink(r.dir, r.name);
      fs.freeNode(r.node);
      r.dir.mtime = now();
      return E.SUCCESS;
    },
    path_unlink_file: (fd, pathPtr, pathLen) => {
      const r = fs.resolve(dirFd(fd), pathArg(pathPtr, pathLen, false));
      if (typeof r === 'number') return r;
      if (r.node === undefined) return E.NOENT;
      if (r.node.type === T.DIRECTORY) return E.ISDIR;
      if (r.trailingSlash) return E.NOTDIR;
      fs.unlink(r.dir, r.name);
      // Open descriptors keep the bytes (as on POSIX); the budgets are released now.
      fs.freeNode(r.node);
      r.dir.mtime = now();
      return E.SUCCESS;
    },
    path_rename: (fd, oldPtr, oldLen, newFd, newPtr, newLen) => {
      // Both descriptors, then both paths, then the walks: wasmtime-wasi's order.
      const [fromDir, toDir] = [dirFd(fd), dirFd(newFd)];
      const [fromPath, toPath] = [pathArg(oldPtr, oldLen), pathArg(newPtr, newLen)];
      // The host walks to both parents, then is handed both names, then renames: an error
      // of the second walk comes before a bad or missing old name (an empty new path is
      // ENOENT even when the old name holds a NUL byte or does not exist).
      const from = fs.resolve(fromDir, fromPath, true);
      if (typeof from === 'number') return from;
      const to = fs.resolve(toDir, toPath, true);
      if (typeof to === 'number') return to;
      if (from.nul || to.nul) return E.INVAL;
      // Then the host's rename: `.` or `..` as either last name is busy before it looks the
      // names up (a name too long answers when it is looked up).
      if (from.self || to.self) return E.BUSY;
      if (from.tooLong) return E.NAMETOOLONG;
      if (from.node === undefined) return E.NOENT;
      if (to.tooLong) return E.NAMETOOLONG;
      const moving = from.node;
      const target = to.node;
      // A trailing slash on either name asks for a directory to move (wasmtime-wasi hands
      // Linux the old name with the slash); a directory onto a file named so is checked
      // below, with the types.
      if (moving.type !== T.DIRECTORY && (from.trailingSlash || to.trailingSlash)) return E.NOTDIR;
      // Linux's ancestry checks, before it compares the two nodes' types: a directory
      // cannot move into itself or below itself, and nothing can replace a directory it lies
      // below (ENOTEMPTY even for a file, since the target holds at least the source).
      if (fs.isAncestor(moving, to.dir)) return E.INVAL;
      if (target !== undefined && fs.isAncestor(target, from.dir)) return E.NOTEMPTY;
      if (target === moving) return E.SUCCESS;
      if (target !== undefined) {
        if (moving.type === T.DIRECTORY && target.type !== T.DIRECTORY) return E.NOTDIR;
        if (moving.type !== T.DIRECTORY && target.type === T.DIRECTORY) return E.ISDIR;
        if (target.type === T.DIRECTORY && !fs.isEmpty(target)) return E.NOTEMPTY;
        fs.freeNode(target);
      }
      fs.unlink(from.dir, from.name);
      fs.link(to.dir, to.name, moving);
      if (moving.type === T.DIRECTORY) moving.parent = to.dir;
      const t = now();
      from.dir.mtime = t;
      to.dir.mtime = t;
      return E.SUCCESS;
    },
    path_readlink: (fd, pathPtr, pathLen) => {
      const r = resolve(fd, pathPtr, pathLen);
      if (typeof r === 'number') return r;
      return r.node === undefined ? E.NOENT : E.INVAL; // no symbolic links here
    },
    // No links in this file system: each link call answers as wasmtime-wasi's would up to
    // making the link (a bad descriptor, an absolute target, a missing source or parent, a
    // name taken), and ENOTSUP where it would make one (docs/wasi.md).
    path_symlink: (oldPtr, oldLen, fd, newPtr, newLen) => {
      const dir = dirFd(fd);
      const target = pathArg(oldPtr, oldLen);
      const where = fs.resolve(dir, pathArg(newPtr, newLen));
      if (target.length > 0 && target[0] === 0x2f) return E.PERM;
      if (typeof where === 'number') return where;
      if (where.node !== undefined) return E.EXIST;
      // The host opens `x/` as the directory `x` to make `.` inside it.
      return where.trailingSlash ? E.NOENT : E.NOTSUP;
    },
    path_link: (fd, _flags, oldPtr, oldLen, newFd, newPtr, newLen) => {
      const [fromDir, toDir] = [dirFd(fd), dirFd(newFd)];
      const [fromPath, toPath] = [pathArg(oldPtr, oldLen), pathArg(newPtr, newLen)];
      // The host opens both names' parents (taking `x/` as `.` inside the directory `x`)
      // before it looks the old name up.
      const from = fs.resolve(fromDir, fromPath);
      if (typeof from === 'number') return from;
      const to = fs.resolve(toDir, toPath);
      if (typeof to === 'number') return to;
      if (to.node === undefined && to.trailingSlash) return E.NOENT;
      if (from.node === undefined) return E.NOENT;
      if (to.node !== undefined) return E.EXIST;
      if (from.node.type === T.DIRECTORY) return E.PERM;
      return E.NOTSUP;
    },

    // As wasmtime-wasi polls: every subscription is read and checked first (a bad one fails
    // the whole call), then the ready ones get events, in subscription order. Descriptors
    // are always ready; clocks are ready once their time has come, are waited for only when
    // no descriptor is polled, and are reported only then.
    poll_oneoff: (inPtr, outPtr, count, neventsPtr) => {
      const n = count >>> 0;
      if (n === 0) return E.INVAL;
      const subs = mem.array(inPtr, n, WASI_LIMITS.charge.subscription);
      const events = mem.array(outPtr, n, WASI_LIMITS.charge.event);
      // Both passes measure clocks from the same instants, and keep nothing per
      // subscription: a million of them cost the heap nothing.
      const starts = [host.now(CLOCK.REALTIME), host.now(CLOCK.MONOTONIC)];
      // How long until subscription `s` is ready (0n for a descriptor); an Errno for one
      // that fails the call.
      const remaining = (s) => {
        const tag = mem.u8(s + SUB.TAG);
        if (tag === EVENT.CLOCK) {
          const id = mem.u32(s + SUB.CLOCK_ID);
          const flags = mem.u16(s + SUB.CLOCK_FLAGS);
          if (id > CLOCK.THREAD_CPUTIME_ID || (flags & ~SUBCLOCK.ABSTIME) !== 0) throw new Errno(E.INVAL);
          if (!isClock(id)) throw new Errno(E.INVAL);
          const timeout = mem.u64(s + SUB.CLOCK_TIMEOUT);
          const base = starts[id];
          if ((flags & SUBCLOCK.ABSTIME) === 0) return timeout;
          return timeout > base ? timeout - base : 0n;
        }
        if (tag === EVENT.FD_READ || tag === EVENT.FD_WRITE) {
          pollable(mem.u32(s + SUB.FD), tag);
          return 0n;
        }
        throw new Errno(E.INVAL);
      };
      let anyDescriptor = false;
      let readyBy = -1n;
      for (let i = 0; i < n; i++) {
        const s = mem.record(subs + SUB.BYTES * i, SUB.BYTES, SUB.ALIGN);
        const left = remaining(s);
        if (mem.u8(s + SUB.TAG) !== EVENT.CLOCK) anyDescriptor = true;
        if (readyBy < 0n || left < readyBy) readyBy = left;
      }
      if (anyDescriptor) readyBy = 0n;
      else if (readyBy > 0n) host.sleep(readyBy);
      let written = 0;
      for (let i = 0; i < n; i++) {
        const s = subs + SUB.BYTES * i;
        const tag = mem.u8(s + SUB.TAG);
        // With a descriptor ready, no clock is reported, not even one already due: wasmtime-wasi's
        // due clocks yield once before they are ready, and its poll answers with what was
        // ready first.
        if (tag === EVENT.CLOCK && anyDescriptor) continue;
        if (remaining(s) > readyBy) continue;
        let flags = 0;
        if (tag === EVENT.FD_READ) {
          const entry = fds.get(mem.u32(s + SUB.FD));
          if (entry !== undefined && entry.node.stream === undefined && entry.node.size - entry.pos <= 0) {
            flags = EVENTRW.HANGUP;
          }
        }
        const at = mem.record(events + EV.BYTES * written++, EV.BYTES, EV.ALIGN);
        mem.setU64(at + EV.USERDATA, mem.u64(s + SUB.USERDATA));
        mem.setU16(at + EV.ERROR, E.SUCCESS);
        mem.setU8(at + EV.TYPE, tag);
        mem.setU64(at + EV.NBYTES, tag === EVENT.CLOCK ? 0n : 1n);
        mem.setU16(at + EV.FLAGS, flags);
      }
      mem.setU32(neventsPtr, written);
      return E.SUCCESS;
    },
    proc_exit: (code) => {
      host.exit(code);
      // The exit's termination lands in this loop, before any guest code runs again.
      for (;;) {
        // waiting for the termination
      }
    },
    // As wasmtime-wasi: no signals, and no sockets (a descriptor that exists is not one).
    proc_raise: () => E.NOTSUP,
    sock_accept: (fd) => (fds.has(fd) ? E.NOTSOCK : E.BADF),
    sock_recv: (fd) => (fds.has(fd) ? E.NOTSOCK : E.BADF),
    sock_send: (fd) => (fds.has(fd) ? E.NOTSOCK : E.BADF),
    sock_shutdown: (fd) => (fds.has(fd) ? E.NOTSOCK : E.BADF),
    sched_yield: () => E.SUCCESS,
  };

  // Ends the run here with a trap: `host.trap` requests the termination, which lands at
  // this loop's first interrupt check, so nothing of the guest runs after it.
  function trapNow(message) {
    host.trap(message);
    for (;;) {
      // waiting for the termination
    }
  }

  // Whether `value` (a raw i32 Number or i64 BigInt argument) is a valid `type`, as
  // wasmtime-wasi converts it: in range of the type's width, no unknown flag bits, a known case.
  function validArg(type, value) {
    const t = wasiAbi.argTypes[type];
    if (t.bits === 64) return value >= 0n && (value & ~t.mask) === 0n;
    if (value < 0 || value >= 2 ** t.bits) return false;
    return t.mask !== undefined ? (value & ~t.mask) === 0 : value <= t.max;
  }

  // Each call: its typed arguments checked (a trap, as in wasmtime-wasi), a fresh host-call
  // budget, and an errno or a trap for what the guest passed. Every other i32 parameter of
  // preview1 is unsigned (descriptors, pointers, sizes), and JS sees an i32 as signed: each
  // is read as the guest meant it.
  function entry(name, impl) {
    const typed = wasiAbi.typedArgs[name] ?? [];
    return (...args) => {
      for (const [i, type] of typed) {
        // The termination lands before guest code runs again; nothing more happens here.
        if (!validArg(type, args[i])) trapNow(`${name}: invalid ${type} value ${args[i]}`);
      }
      mem.startCall(state.hostcallBytes);
      try {
        return impl(...args.map((a) => (typeof a === 'number' ? a >>> 0 : a)));
      } catch (e) {
        if (e instanceof Errno) return e.errno;
        if (e instanceof GuestFault) trapNow(`${name}: ${e.message}`);
        throw e;
      }
    };
  }

  const provider = Object.create(null);
  for (const name of WASI_PREVIEW1.functions) provider[name] = entry(name, wasi[name] ?? (() => E.NOSYS));
  runner.providers[WASI_PREVIEW1.module] = Object.freeze(provider);
  runner.wasi = Object.freeze({
    configure(options) {
      state.args = options.args ?? [];
      state.env = options.env ?? [];
      state.hostcallBytes = options.hostcallBytes ?? 0;
      state.clockResolution = BigInt(options.clockResolution ?? 1000);
      state.fixedTimestamp = options.fixedTimestamp ? BigInt(options.fixedTimestamp) : undefined;
      fds.limit(options.maxOpenFds ?? 0);
      for (const { name, root } of fs.load(options.fsLimit ?? 0, options.fsNodes ?? 0)) fds.preopen(name, root);
    },
    attach(memory) {
      mem.attach(memory);
    },
    names: Object.keys(provider),
    // The functions that answer ENOSYS for want of an implementation.
    unimplemented: WASI_PREVIEW1.functions.filter((name) => wasi[name] === undefined),
  });
  return 'wasi ready';
})(globalThis);
