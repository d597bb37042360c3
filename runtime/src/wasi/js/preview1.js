// WASI preview1 for the guest, on the runner's `__host` natives, with the in-memory file
// system (fs.js) and descriptor table (fds.js). Registered as the import provider of
// WASI_PREVIEW1.module. Every preview1 function is present; the ones not supported answer
// with an errno (ENOSYS, or the one a file system without links gives) and none throws
// into the guest.
//
// Loops run over guest-given counts (iovecs, path components, subscriptions, directory
// entries) as plain `for` loops, each with V8's interrupt check at its back edge, so the
// watchdog stops them like guest code.
'use strict';
/* global WASI_PREVIEW1, wasiAbi, utf8, createFileSystem, createDescriptors, __wasmRunner */
(function (global) {
  const host = global.__host;
  const runner = __wasmRunner;
  const {
    errno: E,
    filetype: T,
    oflags: O,
    fdflags: FDFLAGS,
    fstflags: FST,
    rights: RIGHTS,
    whence: WHENCE,
    clockid: CLOCK,
    eventtype: EVENT,
    subclockflags: SUBCLOCK,
    preopentype: PREOPEN,
  } = wasiAbi;
  const { pointer: PTR, iovec: IOVEC, filestat: FILESTAT, fdstat: FDSTAT, prestat: PRESTAT } = wasiAbi;
  const { dirent: DIRENT, subscription: SUB, event: EV } = wasiAbi;
  // Longest path a guest may pass, in bytes.
  const MAX_PATH = 4096;

  const state = { memory: null, args: [], env: [] };
  const view = () => new DataView(state.memory.buffer);
  const bytes = (ptr, len) => new Uint8Array(state.memory.buffer, ptr, len);

  const fs = createFileSystem(host);
  const fds = createDescriptors();
  const now = fs.now;
  const MAX_FILE = fs.MAX_FILE;

  // Resolves a guest path (bytes at `ptr`) under the directory open as `fd`.
  function resolve(fd, ptr, len) {
    const entry = fds.get(fd);
    if (entry === undefined) return E.BADF;
    if (entry.node.type !== T.DIRECTORY) return E.NOTDIR;
    if (len > MAX_PATH) return E.NAMETOOLONG;
    return fs.resolve(entry.node, utf8.decode(bytes(ptr, len)));
  }

  function writeFilestat(out, node) {
    const v = view();
    v.setBigUint64(out + FILESTAT.DEV, 0n, true);
    v.setBigUint64(out + FILESTAT.INO, node.ino, true);
    v.setUint8(out + FILESTAT.FILETYPE, node.type);
    for (let i = FILESTAT.FILETYPE + 1; i < FILESTAT.NLINK; i++) v.setUint8(out + i, 0);
    v.setBigUint64(out + FILESTAT.NLINK, 1n, true);
    v.setBigUint64(out + FILESTAT.SIZE, BigInt(node.type === T.REGULAR_FILE ? node.size : 0), true);
    v.setBigUint64(out + FILESTAT.ATIM, node.atime, true);
    v.setBigUint64(out + FILESTAT.MTIM, node.mtime, true);
    v.setBigUint64(out + FILESTAT.CTIM, node.mtime, true);
  }
  function stdioFilestat(out) {
    const v = view();
    for (let i = 0; i < FILESTAT.BYTES; i += 8) v.setBigUint64(out + i, 0n, true);
    v.setUint8(out + FILESTAT.FILETYPE, T.CHARACTER_DEVICE);
    v.setBigUint64(out + FILESTAT.NLINK, 1n, true);
  }

  // Each iovec as a Uint8Array view into guest memory.
  function iovecs(iovs, count) {
    const v = view();
    const list = [];
    for (let i = 0; i < count; i++) {
      const at = iovs + IOVEC.BYTES * i;
      list.push(bytes(v.getUint32(at + IOVEC.BUF, true), v.getUint32(at + IOVEC.BUF_LEN, true)));
    }
    return list;
  }
  function readFile(file, at, iovs, count) {
    const data = fs.loaded(file);
    let total = 0;
    const list = iovecs(iovs, count);
    for (let i = 0; i < list.length; i++) {
      const start = at + total;
      if (start >= file.size) break;
      const n = Math.min(list[i].length, file.size - start);
      list[i].set(data.subarray(start, start + n));
      total += n;
      if (n < list[i].length) break;
    }
    file.atime = now();
    return total;
  }
  function writeFile(file, at, iovs, count) {
    const list = iovecs(iovs, count);
    let want = 0;
    for (let i = 0; i < list.length; i++) want += list[i].length;
    if (want === 0) return 0;
    if (at + want > MAX_FILE) return -E.FBIG;
    if (!fs.reserve(file, Math.max(file.size, at + want))) return -E.NOSPC;
    if (at > file.size) file.data.fill(0, file.size, at);
    let total = 0;
    for (let i = 0; i < list.length; i++) {
      file.data.set(list[i], at + total);
      total += list[i].length;
    }
    file.size = Math.max(file.size, at + total);
    file.mtime = now();
    return total;
  }
  function fileFd(fd) {
    const entry = fds.get(fd);
    if (entry === undefined) return E.BADF;
    if (entry.node.type === T.DIRECTORY) return E.ISDIR;
    return entry;
  }

  function putStrings(list, ptrs, buf) {
    const v = view();
    let at = buf;
    for (let i = 0; i < list.length; i++) {
      v.setUint32(ptrs + PTR.BYTES * i, at, true);
      const b = utf8.encode(list[i]);
      bytes(at, b.length).set(b);
      bytes(at + b.length, 1)[0] = 0;
      at += b.length + 1;
    }
    return E.SUCCESS;
  }
  function putSizes(list, count, size) {
    const v = view();
    v.setUint32(count, list.length, true);
    v.setUint32(
      size,
      list.reduce((n, s) => n + utf8.encode(s).length + 1, 0),
      true,
    );
    return E.SUCCESS;
  }
  function setTimes(node, atim, mtim, flags) {
    if ((flags & FST.ATIM && flags & FST.ATIM_NOW) || (flags & FST.MTIM && flags & FST.MTIM_NOW)) return E.INVAL;
    const t = now();
    if (flags & FST.ATIM) node.atime = atim;
    if (flags & FST.ATIM_NOW) node.atime = t;
    if (flags & FST.MTIM) node.mtime = mtim;
    if (flags & FST.MTIM_NOW) node.mtime = t;
    return E.SUCCESS;
  }
  function readiness(fd, tag) {
    if (fd <= 2) return (tag === EVENT.FD_READ) === (fd === 0) ? E.SUCCESS : E.BADF;
    return fds.has(fd) ? E.SUCCESS : E.BADF;
  }
  function available(fd, tag) {
    if (tag !== EVENT.FD_READ) return 0n;
    if (fd === 0) return BigInt(host.stdinLeft());
    const entry = fds.get(fd);
    if (entry === undefined || entry.node.type !== T.REGULAR_FILE) return 0n;
    return BigInt(Math.max(0, entry.node.size - entry.pos));
  }
  const isClock = (id) => id >= CLOCK.REALTIME && id <= CLOCK.THREAD_CPUTIME_ID;

  const wasi = {
    args_get: (argv, buf) => putStrings(state.args, argv, buf),
    args_sizes_get: (count, size) => putSizes(state.args, count, size),
    environ_get: (envp, buf) => putStrings(state.env, envp, buf),
    environ_sizes_get: (count, size) => putSizes(state.env, count, size),
    clock_res_get: (id, out) => {
      if (!isClock(id)) return E.INVAL;
      view().setBigUint64(out, 1000n, true);
      return E.SUCCESS;
    },
    clock_time_get: (id, _precision, out) => {
      if (!isClock(id)) return E.INVAL;
      view().setBigUint64(out, host.now(id), true);
      return E.SUCCESS;
    },
    random_get: (buf, len) => {
      host.random(bytes(buf, len));
      return E.SUCCESS;
    },

    fd_write: (fd, iovs, iovsLen, nwritten) => {
      let total = 0;
      if (fd === 1 || fd === 2) {
        const list = iovecs(iovs, iovsLen);
        for (let i = 0; i < list.length; i++) total += host.write(fd, list[i]);
      } else {
        const entry = fileFd(fd);
        if (typeof entry === 'number') return entry;
        const at = entry.flags & FDFLAGS.APPEND ? entry.node.size : entry.pos;
        const n = writeFile(entry.node, at, iovs, iovsLen);
        if (n < 0) return -n;
        entry.pos = at + n;
        total = n;
      }
      view().setUint32(nwritten, total, true);
      return E.SUCCESS;
    },
    fd_pwrite: (fd, iovs, iovsLen, offset, nwritten) => {
      if (fd <= 2) return E.SPIPE;
      const entry = fileFd(fd);
      if (typeof entry === 'number') return entry;
      if (offset > BigInt(MAX_FILE)) return E.FBIG;
      const n = writeFile(entry.node, Number(offset), iovs, iovsLen);
      if (n < 0) return -n;
      view().setUint32(nwritten, n, true);
      return E.SUCCESS;
    },
    fd_read: (fd, iovs, iovsLen, nread) => {
      let total = 0;
      if (fd === 0) {
        const list = iovecs(iovs, iovsLen);
        for (let i = 0; i < list.length; i++) {
          const n = host.read(list[i]);
          total += n;
          if (n < list[i].length) break;
        }
      } else if (fd === 1 || fd === 2) {
        return E.BADF;
      } else {
        const entry = fileFd(fd);
        if (typeof entry === 'number') return entry;
        total = readFile(entry.node, entry.pos, iovs, iovsLen);
        entry.pos += total;
      }
      view().setUint32(nread, total, true);
      return E.SUCCESS;
    },
    fd_pread: (fd, iovs, iovsLen, offset, nread) => {
      if (fd <= 2) return E.SPIPE;
      const entry = fileFd(fd);
      if (typeof entry === 'number') return entry;
      const at = offset > BigInt(MAX_FILE) ? MAX_FILE : Number(offset);
      view().setUint32(nread, readFile(entry.node, at, iovs, iovsLen), true);
      return E.SUCCESS;
    },
    fd_seek: (fd, offset, whence, out) => {
      if (fd <= 2) return E.SPIPE;
      const entry = fds.get(fd);
      if (entry === undefined) return E.BADF;
      if (entry.node.type === T.DIRECTORY) return E.BADF;
      let base;
      if (whence === WHENCE.SET) base = 0n;
      else if (whence === WHENCE.CUR) base = BigInt(entry.pos);
      else if (whence === WHENCE.END) base = BigInt(entry.node.size);
      else return E.INVAL;
      const pos = base + offset;
      if (pos < 0n) return E.INVAL;
      if (pos > BigInt(MAX_FILE)) return E.OVERFLOW;
      entry.pos = Number(pos);
      view().setBigUint64(out, pos, true);
      return E.SUCCESS;
    },
    fd_tell: (fd, out) => {
      if (fd <= 2) return E.SPIPE;
      const entry = fds.get(fd);
      if (entry === undefined) return E.BADF;
      if (entry.node.type === T.DIRECTORY) return E.BADF;
      view().setBigUint64(out, BigInt(entry.pos), true);
      return E.SUCCESS;
    },
    fd_close: (fd) => {
      if (fd <= 2) return E.SUCCESS;
      return fds.close(fd) ? E.SUCCESS : E.BADF;
    },
    fd_renumber: (from, to) => {
      if (!fds.has(from) || from <= 2 || to <= 2 || !fds.has(to)) return E.BADF;
      fds.renumber(from, to);
      return E.SUCCESS;
    },
    fd_fdstat_get: (fd, out) => {
      const v = view();
      if (fd <= 2) {
        v.setUint8(out + FDSTAT.FILETYPE, T.CHARACTER_DEVICE);
        v.setUint16(out + FDSTAT.FLAGS, fd === 0 ? 0 : FDFLAGS.APPEND, true);
        v.setBigUint64(out + FDSTAT.RIGHTS_BASE, RIGHTS.ALL, true);
        v.setBigUint64(out + FDSTAT.RIGHTS_INHERITING, RIGHTS.ALL, true);
        return E.SUCCESS;
      }
      const entry = fds.get(fd);
      if (entry === undefined) return E.BADF;
      v.setUint8(out + FDSTAT.FILETYPE, entry.node.type);
      v.setUint16(out + FDSTAT.FLAGS, entry.flags, true);
      v.setBigUint64(out + FDSTAT.RIGHTS_BASE, RIGHTS.ALL, true);
      v.setBigUint64(out + FDSTAT.RIGHTS_INHERITING, RIGHTS.ALL, true);
      return E.SUCCESS;
    },
    fd_fdstat_set_flags: (fd, flags) => {
      if (fd <= 2) return E.SUCCESS;
      const entry = fds.get(fd);
      if (entry === undefined) return E.BADF;
      entry.flags = flags;
      return E.SUCCESS;
    },
    fd_fdstat_set_rights: (fd) => (fd <= 2 || fds.has(fd) ? E.SUCCESS : E.BADF),
    fd_filestat_get: (fd, out) => {
      if (fd <= 2) {
        stdioFilestat(out);
        return E.SUCCESS;
      }
      const entry = fds.get(fd);
      if (entry === undefined) return E.BADF;
      writeFilestat(out, entry.node);
      return E.SUCCESS;
    },
    fd_filestat_set_size: (fd, size) => {
      const entry = fileFd(fd);
      if (typeof entry === 'number') return fd <= 2 ? E.INVAL : entry;
      if (size > BigInt(MAX_FILE)) return E.FBIG;
      return fs.setSize(entry.node, Number(size));
    },
    fd_allocate: (fd, offset, len) => {
      const entry = fileFd(fd);
      if (typeof entry === 'number') return fd <= 2 ? E.BADF : entry;
      const end = offset + len;
      if (end > BigInt(MAX_FILE)) return E.FBIG;
      return Number(end) > entry.node.size ? fs.setSize(entry.node, Number(end)) : E.SUCCESS;
    },
    fd_filestat_set_times: (fd, atim, mtim, flags) => {
      const entry = fds.get(fd);
      if (entry === undefined) return fd <= 2 ? E.SUCCESS : E.BADF;
      return setTimes(entry.node, atim, mtim, flags);
    },
    fd_advise: (fd) => (fd <= 2 ? E.SPIPE : fds.has(fd) ? E.SUCCESS : E.BADF),
    fd_datasync: (fd) => (fd <= 2 || fds.has(fd) ? E.SUCCESS : E.BADF),
    fd_sync: (fd) => (fd <= 2 || fds.has(fd) ? E.SUCCESS : E.BADF),
    fd_prestat_get: (fd, out) => {
      const entry = fds.get(fd);
      if (entry === undefined || entry.preopen === undefined) return E.BADF;
      const v = view();
      v.setUint32(out + PRESTAT.TAG, PREOPEN.DIR, true);
      v.setUint32(out + PRESTAT.DIR_NAME_LEN, utf8.encode(entry.preopen).length, true);
      return E.SUCCESS;
    },
    fd_prestat_dir_name: (fd, path, len) => {
      const entry = fds.get(fd);
      if (entry === undefined || entry.preopen === undefined) return E.BADF;
      const name = utf8.encode(entry.preopen);
      if (len < name.length) return E.NAMETOOLONG;
      bytes(path, name.length).set(name);
      return E.SUCCESS;
    },
    fd_readdir: (fd, buf, bufLen, cookie, bufused) => {
      const entry = fds.get(fd);
      if (entry === undefined) return E.BADF;
      const dir = entry.node;
      if (dir.type !== T.DIRECTORY) return E.NOTDIR;
      // '.' and '..', then the children in name order; the cookie is the next index.
      const names = ['.', '..', ...[...dir.children.keys()].sort()];
      const out = bytes(buf, bufLen);
      let used = 0;
      for (let i = Number(cookie > BigInt(names.length) ? BigInt(names.length) : cookie); i < names.length; i++) {
        if (used >= bufLen) break;
        const name = utf8.encode(names[i]);
        const node = i === 0 ? dir : i === 1 ? dir.parent : dir.children.get(names[i]);
        const record = new Uint8Array(DIRENT.BYTES + name.length);
        const rv = new DataView(record.buffer);
        rv.setBigUint64(DIRENT.NEXT, BigInt(i + 1), true);
        rv.setBigUint64(DIRENT.INO, node.ino, true);
        rv.setUint32(DIRENT.NAMLEN, name.length, true);
        rv.setUint8(DIRENT.TYPE, node.type);
        record.set(name, DIRENT.BYTES);
        const n = Math.min(record.length, bufLen - used);
        out.set(record.subarray(0, n), used);
        used += n;
      }
      view().setUint32(bufused, used, true);
      return E.SUCCESS;
    },

    path_open: (fd, _dirflags, pathPtr, pathLen, oflags, rightsBase, _rightsInh, fdflags, out) => {
      const r = resolve(fd, pathPtr, pathLen);
      if (typeof r === 'number') return r;
      let node = r.node;
      const wantsWrite = (rightsBase & RIGHTS.FD_WRITE) !== 0n || (oflags & O.TRUNC) !== 0;
      if (node === undefined) {
        if (!(oflags & O.CREAT)) return E.NOENT;
        if (oflags & O.DIRECTORY || r.trailingSlash) return E.INVAL;
        if (!fs.charge(fs.nodeCost(r.name))) return E.NOSPC;
        node = fs.makeFile(now());
        r.dir.children.set(r.name, node);
        r.dir.mtime = node.mtime;
      } else {
        if (oflags & O.CREAT && oflags & O.EXCL) return E.EXIST;
        if (oflags & O.DIRECTORY && node.type !== T.DIRECTORY) return E.NOTDIR;
        if (node.type === T.DIRECTORY && wantsWrite) return E.ISDIR;
        if (node.type === T.REGULAR_FILE && oflags & O.TRUNC) fs.setSize(node, 0);
      }
      view().setUint32(out, fds.open(node, fdflags), true);
      return E.SUCCESS;
    },
    path_filestat_get: (fd, _flags, pathPtr, pathLen, out) => {
      const r = resolve(fd, pathPtr, pathLen);
      if (typeof r === 'number') return r;
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
      const r = resolve(fd, pathPtr, pathLen);
      if (typeof r === 'number') return r;
      if (r.node !== undefined) return E.EXIST;
      if (!fs.charge(fs.nodeCost(r.name))) return E.NOSPC;
      const t = now();
      r.dir.children.set(r.name, fs.makeDir(r.dir, t));
      r.dir.mtime = t;
      return E.SUCCESS;
    },
    path_remove_directory: (fd, pathPtr, pathLen) => {
      const r = resolve(fd, pathPtr, pathLen);
      if (typeof r === 'number') return r;
      if (r.node === undefined) return E.NOENT;
      if (r.self) return r.name === '.' ? E.INVAL : E.NOTEMPTY;
      if (r.node.type !== T.DIRECTORY) return E.NOTDIR;
      if (r.node.children.size > 0) return E.NOTEMPTY;
      if (fds.isPreopenRoot(r.node)) return E.ACCES;
      r.dir.children.delete(r.name);
      fs.freeNode(r.node, r.name);
      r.dir.mtime = now();
      return E.SUCCESS;
    },
    path_unlink_file: (fd, pathPtr, pathLen) => {
      const r = resolve(fd, pathPtr, pathLen);
      if (typeof r === 'number') return r;
      if (r.node === undefined) return E.NOENT;
      if (r.node.type === T.DIRECTORY) return E.ISDIR;
      if (r.trailingSlash) return E.NOTDIR;
      r.dir.children.delete(r.name);
      // Open descriptors keep the bytes (as on POSIX); the budget is released now.
      fs.freeNode(r.node, r.name);
      r.dir.mtime = now();
      return E.SUCCESS;
    },
    path_rename: (fd, oldPtr, oldLen, newFd, newPtr, newLen) => {
      const from = resolve(fd, oldPtr, oldLen);
      if (typeof from === 'number') return from;
      if (from.node === undefined) return E.NOENT;
      if (from.self) return E.INVAL;
      const to = resolve(newFd, newPtr, newLen);
      if (typeof to === 'number') return to;
      if (to.self) return E.INVAL;
      const moving = from.node;
      if (moving.type === T.DIRECTORY) {
        // A directory cannot move into itself or below itself.
        for (let d = to.dir; ; d = d.parent) {
          if (d === moving) return E.INVAL;
          if (d.parent === d) break;
        }
      }
      const target = to.node;
      if (target === moving) return E.SUCCESS;
      if (target !== undefined) {
        if (moving.type === T.DIRECTORY && target.type !== T.DIRECTORY) return E.NOTDIR;
        if (moving.type !== T.DIRECTORY && target.type === T.DIRECTORY) return E.ISDIR;
        if (target.type === T.DIRECTORY && target.children.size > 0) return E.NOTEMPTY;
        fs.freeNode(target, to.name);
      } else if (!fs.charge(fs.nodeCost(to.name))) {
        return E.NOSPC;
      }
      from.dir.children.delete(from.name);
      fs.release(fs.nodeCost(from.name));
      to.dir.children.set(to.name, moving);
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
    path_symlink: () => E.NOTSUP,
    path_link: () => E.NOTSUP,

    poll_oneoff: (inPtr, outPtr, count, neventsPtr) => {
      if (count === 0) return E.INVAL;
      const v = view();
      const events = [];
      let wait = null; // the earliest clock subscription: [ns from now, userdata]
      const start = host.now(CLOCK.MONOTONIC);
      for (let i = 0; i < count; i++) {
        const s = inPtr + SUB.BYTES * i;
        const userdata = v.getBigUint64(s + SUB.USERDATA, true);
        const tag = v.getUint8(s + SUB.TAG);
        if (tag === EVENT.CLOCK) {
          const id = v.getUint32(s + SUB.CLOCK_ID, true);
          const timeout = v.getBigUint64(s + SUB.CLOCK_TIMEOUT, true);
          const absolute = (v.getUint16(s + SUB.CLOCK_FLAGS, true) & SUBCLOCK.ABSTIME) !== 0;
          if (!isClock(id)) {
            events.push([userdata, E.INVAL, EVENT.CLOCK, 0n]);
            continue;
          }
          const base = id === CLOCK.REALTIME ? host.now(CLOCK.REALTIME) : start;
          const remaining = absolute ? (timeout > base ? timeout - base : 0n) : timeout;
          if (wait === null || remaining < wait[0]) wait = [remaining, userdata];
        } else if (tag === EVENT.FD_READ || tag === EVENT.FD_WRITE) {
          const fd = v.getUint32(s + SUB.FD, true);
          events.push([userdata, readiness(fd, tag), tag, available(fd, tag)]);
        } else {
          events.push([userdata, E.INVAL, tag, 0n]);
        }
      }
      // Descriptors here are always ready, so a clock only waits when nothing else is.
      if (events.length === 0 && wait !== null) {
        if (wait[0] > 0n) host.sleep(wait[0]);
        events.push([wait[1], E.SUCCESS, EVENT.CLOCK, 0n]);
      }
      for (let i = 0; i < events.length; i++) {
        const e = outPtr + EV.BYTES * i;
        v.setBigUint64(e + EV.USERDATA, events[i][0], true);
        v.setUint16(e + EV.ERROR, events[i][1], true);
        v.setUint8(e + EV.TYPE, events[i][2]);
        v.setBigUint64(e + EV.NBYTES, events[i][3], true);
        v.setUint16(e + EV.FLAGS, 0, true);
      }
      v.setUint32(neventsPtr, events.length, true);
      return E.SUCCESS;
    },
    proc_exit: (code) => {
      host.exit(code);
      // Not reached: exit terminates execution.
      throw new runner.RunnerError('internal', 'proc_exit returned');
    },
    proc_raise: () => E.NOSYS,
    sched_yield: () => E.SUCCESS,
  };

  const provider = Object.create(null);
  for (const name of WASI_PREVIEW1.functions) provider[name] = wasi[name] ?? (() => E.NOSYS);
  runner.providers[WASI_PREVIEW1.module] = Object.freeze(provider);
  runner.wasi = Object.freeze({
    configure(options) {
      state.args = options.args ?? [];
      state.env = options.env ?? [];
      for (const { name, root } of fs.load(options.fsLimit ?? 0)) fds.preopen(name, root);
    },
    attach(memory) {
      state.memory = memory;
    },
    names: Object.keys(provider),
    // The functions that answer ENOSYS for want of an implementation.
    unimplemented: WASI_PREVIEW1.functions.filter((name) => wasi[name] === undefined),
  });
  return 'wasi ready';
})(globalThis);
