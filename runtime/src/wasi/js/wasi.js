// WASI preview1 for the guest, on the runner's `__host` natives, with an in-memory file
// system seeded by the host (preopened directories). Registered as the
// `wasi_snapshot_preview1` import provider. Every preview1 function is present; the ones not
// supported answer with an errno (ENOSYS, or the one a file system without links gives) and
// none throws into the guest.
//
// Guest-sized state here (file bytes, directory entries, names) is charged against the run's
// file-system budget (`max_fs_bytes`): file bytes live in ArrayBuffers (off the V8 heap), and
// each node is charged NODE_COST plus its name, so a guest cannot grow the runner heap
// through the file system beyond that budget. Loops run over guest-given counts (iovecs,
// path components, subscriptions, directory entries) as plain `for` loops, each with V8's
// interrupt check at its back edge, so the watchdog stops them like guest code.
'use strict';
(function (global) {
  const host = global.__host;
  const runner = global.__wasmRunner;
  const E = {
    SUCCESS: 0, ACCES: 2, BADF: 8, EXIST: 20, FBIG: 22, INVAL: 28, IO: 29, ISDIR: 31, LOOP: 32,
    NAMETOOLONG: 37, NOENT: 44, NOSPC: 51, NOSYS: 52, NOTDIR: 54, NOTEMPTY: 55, NOTSUP: 58,
    OVERFLOW: 61, PERM: 63, SPIPE: 70, NOTCAPABLE: 76,
  };
  const FILETYPE = { CHAR: 2, DIR: 3, REG: 4 };
  const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 };
  const FDFLAGS = { APPEND: 1 };
  const RIGHTS_ALL = (1n << 30n) - 1n;
  const RIGHT_FD_WRITE = 1n << 6n;
  const NODE_COST = 256;
  const MAX_PATH = 4096;
  const MAX_FILE = 2 ** 32; // one file's bytes: an ArrayBuffer's practical bound

  // UTF-8 without TextEncoder/TextDecoder, which a bare V8 context does not have.
  function encode(text) {
    const out = [];
    for (const ch of String(text)) {
      const c = ch.codePointAt(0);
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return Uint8Array.from(out);
  }
  // Invalid sequences become U+FFFD, so any guest bytes name some path.
  function decode(b) {
    let s = '';
    for (let i = 0; i < b.length;) {
      const c = b[i];
      let cp = 0xfffd, n = 1;
      if (c < 0x80) cp = c;
      else if (c >= 0xc2 && c < 0xe0 && i + 1 < b.length) { cp = ((c & 31) << 6) | (b[i + 1] & 63); n = 2; }
      else if (c >= 0xe0 && c < 0xf0 && i + 2 < b.length) {
        cp = ((c & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63); n = 3;
      } else if (c >= 0xf0 && c < 0xf5 && i + 3 < b.length) {
        cp = ((c & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63); n = 4;
      }
      s += String.fromCodePoint(cp > 0x10ffff ? 0xfffd : cp);
      i += n;
    }
    return s;
  }

  const state = { memory: null, args: [], env: [], fsLimit: 0, fsBytes: 0 };
  const view = () => new DataView(state.memory.buffer);
  const bytes = (ptr, len) => new Uint8Array(state.memory.buffer, ptr, len);
  const now = () => host.now(0);

  // ---- the file system ----------------------------------------------------------------
  let nextIno = 1n;
  function charge(n) {
    if (state.fsBytes + n > state.fsLimit) return false;
    state.fsBytes += n;
    return true;
  }
  function release(n) {
    state.fsBytes = Math.max(0, state.fsBytes - n);
  }
  function makeDir(parent, mtime) {
    const d = { type: FILETYPE.DIR, ino: nextIno++, children: new Map(), parent, mtime, atime: mtime };
    if (parent === null) d.parent = d;
    return d;
  }
  function makeFile(mtime) {
    return { type: FILETYPE.REG, ino: nextIno++, data: new Uint8Array(0), size: 0, seed: -1, mtime, atime: mtime };
  }
  // Seeded files load their bytes from the host on first use.
  function loaded(file) {
    if (file.seed >= 0) {
      const buffer = host.fsRead(file.seed);
      file.data = new Uint8Array(buffer);
      file.seed = -1;
    }
    return file.data;
  }
  // Makes room for `size` bytes, charging growth against the budget.
  function reserve(file, size) {
    const data = loaded(file);
    if (size <= data.length) return true;
    if (size > MAX_FILE) return false;
    const capacity = Math.min(MAX_FILE, Math.max(size, data.length * 2, 64));
    if (!charge(capacity - data.length)) {
      if (!charge(size - data.length)) return false;
      const exact = new Uint8Array(size);
      exact.set(data.subarray(0, file.size));
      file.data = exact;
      return true;
    }
    const grown = new Uint8Array(capacity);
    grown.set(data.subarray(0, file.size));
    file.data = grown;
    return true;
  }
  function setSize(file, size) {
    if (size > file.size) {
      if (!reserve(file, size)) return E.NOSPC;
      file.data.fill(0, file.size, size);
    } else {
      loaded(file);
    }
    file.size = size;
    file.mtime = now();
    return E.SUCCESS;
  }
  function nodeCost(name) {
    return NODE_COST + 2 * name.length;
  }
  function freeNode(node, name) {
    release(nodeCost(name));
    if (node.type === FILETYPE.REG && node.seed < 0) release(node.data.length);
  }

  const preopens = []; // [{ name, root }]
  const fds = new Map();
  let nextFd = 3;
  function seed(limit) {
    state.fsLimit = limit;
    const { preopens: names, entries } = JSON.parse(host.fsList());
    const t = now();
    for (const name of names) {
      const root = makeDir(null, t);
      preopens.push({ name, root });
      fds.set(nextFd++, { node: root, pos: 0, flags: 0, preopen: name });
    }
    // Entries come parents first; sizes were checked against the budget by the host.
    for (let i = 0; i < entries.length; i++) {
      const [p, path, isDir, size, mtime] = entries[i];
      const parts = path.split('/');
      let dir = preopens[p].root;
      for (let j = 0; j < parts.length - 1; j++) dir = dir.children.get(parts[j]);
      const name = parts[parts.length - 1];
      const m = BigInt(mtime);
      const node = isDir ? makeDir(dir, m) : makeFile(m);
      if (!isDir) {
        node.seed = i;
        node.size = size;
        state.fsBytes += size;
      }
      state.fsBytes += nodeCost(name);
      dir.children.set(name, node);
    }
  }

  // Resolves `path` under a directory fd. Returns { dir, name, node } (node undefined when
  // the last component does not exist) or an errno number. '..' stops at the preopen.
  function resolve(fd, pathPtr, pathLen) {
    const entry = fds.get(fd);
    if (entry === undefined) return E.BADF;
    if (entry.node.type !== FILETYPE.DIR) return E.NOTDIR;
    if (pathLen > MAX_PATH) return E.NAMETOOLONG;
    const path = decode(bytes(pathPtr, pathLen));
    if (path.startsWith('/')) return E.NOTCAPABLE;
    if (path.length === 0) return E.NOENT;
    const parts = path.split('/');
    let dir = entry.node;
    const trailingSlash = parts.length > 1 && parts[parts.length - 1] === '';
    const last = [];
    for (let i = 0; i < parts.length; i++) if (parts[i] !== '') last.push(parts[i]);
    if (last.length === 0) return { dir: dir.parent, name: '.', node: dir, self: true };
    for (let i = 0; i < last.length - 1; i++) {
      const part = last[i];
      if (part === '.') continue;
      if (part === '..') {
        if (dir.parent === dir) return E.NOTCAPABLE;
        dir = dir.parent;
        continue;
      }
      const next = dir.children.get(part);
      if (next === undefined) return E.NOENT;
      if (next.type !== FILETYPE.DIR) return E.NOTDIR;
      dir = next;
    }
    const name = last[last.length - 1];
    if (name === '.') return { dir: dir.parent, name, node: dir, self: true };
    if (name === '..') {
      if (dir.parent === dir) return E.NOTCAPABLE;
      return { dir: dir.parent.parent, name, node: dir.parent, self: true };
    }
    const node = dir.children.get(name);
    if (trailingSlash && node !== undefined && node.type !== FILETYPE.DIR) return E.NOTDIR;
    return { dir, name, node, trailingSlash };
  }

  function writeFilestat(out, node) {
    const v = view();
    v.setBigUint64(out, 0n, true);
    v.setBigUint64(out + 8, node.ino, true);
    v.setUint8(out + 16, node.type);
    for (let i = 17; i < 24; i++) v.setUint8(out + i, 0);
    v.setBigUint64(out + 24, 1n, true);
    v.setBigUint64(out + 32, BigInt(node.type === FILETYPE.REG ? node.size : 0), true);
    v.setBigUint64(out + 40, node.atime, true);
    v.setBigUint64(out + 48, node.mtime, true);
    v.setBigUint64(out + 56, node.mtime, true);
  }
  function stdioFilestat(out) {
    const v = view();
    for (let i = 0; i < 64; i += 8) v.setBigUint64(out + i, 0n, true);
    v.setUint8(out + 16, FILETYPE.CHAR);
    v.setBigUint64(out + 24, 1n, true);
  }

  // Each iovec as a Uint8Array view into guest memory.
  function iovecs(iovs, count) {
    const v = view();
    const list = [];
    for (let i = 0; i < count; i++) {
      list.push(bytes(v.getUint32(iovs + 8 * i, true), v.getUint32(iovs + 8 * i + 4, true)));
    }
    return list;
  }
  function readFile(file, at, iovs, count) {
    const data = loaded(file);
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
    if (!reserve(file, Math.max(file.size, at + want))) return -E.NOSPC;
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
    if (entry.node.type === FILETYPE.DIR) return E.ISDIR;
    return entry;
  }

  function putStrings(list, ptrs, buf) {
    const v = view();
    let at = buf;
    for (let i = 0; i < list.length; i++) {
      v.setUint32(ptrs + 4 * i, at, true);
      const b = encode(list[i]);
      bytes(at, b.length).set(b);
      bytes(at + b.length, 1)[0] = 0;
      at += b.length + 1;
    }
    return E.SUCCESS;
  }
  function putSizes(list, count, size) {
    const v = view();
    v.setUint32(count, list.length, true);
    v.setUint32(size, list.reduce((n, s) => n + encode(s).length + 1, 0), true);
    return E.SUCCESS;
  }

  const wasi = {
    args_get: (argv, buf) => putStrings(state.args, argv, buf),
    args_sizes_get: (count, size) => putSizes(state.args, count, size),
    environ_get: (envp, buf) => putStrings(state.env, envp, buf),
    environ_sizes_get: (count, size) => putSizes(state.env, count, size),
    clock_res_get: (id, out) => {
      if (id > 3) return E.INVAL;
      view().setBigUint64(out, 1000n, true);
      return E.SUCCESS;
    },
    clock_time_get: (id, _precision, out) => {
      if (id > 3) return E.INVAL;
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
      if (entry.node.type === FILETYPE.DIR) return E.BADF;
      let base;
      if (whence === 0) base = 0n;
      else if (whence === 1) base = BigInt(entry.pos);
      else if (whence === 2) base = BigInt(entry.node.size);
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
      if (entry.node.type === FILETYPE.DIR) return E.BADF;
      view().setBigUint64(out, BigInt(entry.pos), true);
      return E.SUCCESS;
    },
    fd_close: (fd) => {
      if (fd <= 2) return E.SUCCESS;
      if (!fds.has(fd)) return E.BADF;
      fds.delete(fd);
      return E.SUCCESS;
    },
    fd_renumber: (from, to) => {
      const entry = fds.get(from);
      if (entry === undefined || from <= 2 || to <= 2 || !fds.has(to)) return E.BADF;
      fds.set(to, entry);
      fds.delete(from);
      return E.SUCCESS;
    },
    fd_fdstat_get: (fd, out) => {
      const v = view();
      if (fd <= 2) {
        v.setUint8(out, FILETYPE.CHAR);
        v.setUint16(out + 2, fd === 0 ? 0 : FDFLAGS.APPEND, true);
        v.setBigUint64(out + 8, RIGHTS_ALL, true);
        v.setBigUint64(out + 16, RIGHTS_ALL, true);
        return E.SUCCESS;
      }
      const entry = fds.get(fd);
      if (entry === undefined) return E.BADF;
      v.setUint8(out, entry.node.type);
      v.setUint16(out + 2, entry.flags, true);
      v.setBigUint64(out + 8, RIGHTS_ALL, true);
      v.setBigUint64(out + 16, RIGHTS_ALL, true);
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
      return setSize(entry.node, Number(size));
    },
    fd_allocate: (fd, offset, len) => {
      const entry = fileFd(fd);
      if (typeof entry === 'number') return fd <= 2 ? E.BADF : entry;
      const end = offset + len;
      if (end > BigInt(MAX_FILE)) return E.FBIG;
      return Number(end) > entry.node.size ? setSize(entry.node, Number(end)) : E.SUCCESS;
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
      v.setUint32(out, 0, true);
      v.setUint32(out + 4, encode(entry.preopen).length, true);
      return E.SUCCESS;
    },
    fd_prestat_dir_name: (fd, path, len) => {
      const entry = fds.get(fd);
      if (entry === undefined || entry.preopen === undefined) return E.BADF;
      const name = encode(entry.preopen);
      if (len < name.length) return E.NAMETOOLONG;
      bytes(path, name.length).set(name);
      return E.SUCCESS;
    },
    fd_readdir: (fd, buf, bufLen, cookie, bufused) => {
      const entry = fds.get(fd);
      if (entry === undefined) return E.BADF;
      const dir = entry.node;
      if (dir.type !== FILETYPE.DIR) return E.NOTDIR;
      // '.' and '..', then the children in name order; the cookie is the next index.
      const names = ['.', '..', ...[...dir.children.keys()].sort()];
      const out = bytes(buf, bufLen);
      let used = 0;
      for (let i = Number(cookie > BigInt(names.length) ? BigInt(names.length) : cookie); i < names.length; i++) {
        if (used >= bufLen) break;
        const name = encode(names[i]);
        const node = i === 0 ? dir : i === 1 ? dir.parent : dir.children.get(names[i]);
        const record = new Uint8Array(24 + name.length);
        const rv = new DataView(record.buffer);
        rv.setBigUint64(0, BigInt(i + 1), true);
        rv.setBigUint64(8, node.ino, true);
        rv.setUint32(16, name.length, true);
        rv.setUint8(20, node.type);
        record.set(name, 24);
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
      const wantsWrite = (rightsBase & RIGHT_FD_WRITE) !== 0n || (oflags & OFLAGS.TRUNC) !== 0;
      if (node === undefined) {
        if (!(oflags & OFLAGS.CREAT)) return E.NOENT;
        if (oflags & OFLAGS.DIRECTORY || r.trailingSlash) return E.INVAL;
        if (!charge(nodeCost(r.name))) return E.NOSPC;
        node = makeFile(now());
        r.dir.children.set(r.name, node);
        r.dir.mtime = node.mtime;
      } else {
        if (oflags & OFLAGS.CREAT && oflags & OFLAGS.EXCL) return E.EXIST;
        if (oflags & OFLAGS.DIRECTORY && node.type !== FILETYPE.DIR) return E.NOTDIR;
        if (node.type === FILETYPE.DIR && wantsWrite) return E.ISDIR;
        if (node.type === FILETYPE.REG && oflags & OFLAGS.TRUNC) setSize(node, 0);
      }
      const newFd = nextFd++;
      fds.set(newFd, { node, pos: 0, flags: fdflags, preopen: undefined });
      view().setUint32(out, newFd, true);
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
      if (!charge(nodeCost(r.name))) return E.NOSPC;
      const t = now();
      r.dir.children.set(r.name, makeDir(r.dir, t));
      r.dir.mtime = t;
      return E.SUCCESS;
    },
    path_remove_directory: (fd, pathPtr, pathLen) => {
      const r = resolve(fd, pathPtr, pathLen);
      if (typeof r === 'number') return r;
      if (r.node === undefined) return E.NOENT;
      if (r.self) return r.name === '.' ? E.INVAL : E.NOTEMPTY;
      if (r.node.type !== FILETYPE.DIR) return E.NOTDIR;
      if (r.node.children.size > 0) return E.NOTEMPTY;
      if (isOpenPreopen(r.node)) return E.ACCES;
      r.dir.children.delete(r.name);
      freeNode(r.node, r.name);
      r.dir.mtime = now();
      return E.SUCCESS;
    },
    path_unlink_file: (fd, pathPtr, pathLen) => {
      const r = resolve(fd, pathPtr, pathLen);
      if (typeof r === 'number') return r;
      if (r.node === undefined) return E.NOENT;
      if (r.node.type === FILETYPE.DIR) return E.ISDIR;
      if (r.trailingSlash) return E.NOTDIR;
      r.dir.children.delete(r.name);
      // Open descriptors keep the bytes (as on POSIX); the budget is released now.
      freeNode(r.node, r.name);
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
      if (moving.type === FILETYPE.DIR) {
        // A directory cannot move into itself or below itself.
        for (let d = to.dir; ; d = d.parent) {
          if (d === moving) return E.INVAL;
          if (d.parent === d) break;
        }
      }
      const target = to.node;
      if (target === moving) return E.SUCCESS;
      if (target !== undefined) {
        if (moving.type === FILETYPE.DIR && target.type !== FILETYPE.DIR) return E.NOTDIR;
        if (moving.type !== FILETYPE.DIR && target.type === FILETYPE.DIR) return E.ISDIR;
        if (target.type === FILETYPE.DIR && target.children.size > 0) return E.NOTEMPTY;
        freeNode(target, to.name);
      } else if (!charge(nodeCost(to.name))) {
        return E.NOSPC;
      }
      from.dir.children.delete(from.name);
      release(nodeCost(from.name));
      to.dir.children.set(to.name, moving);
      if (moving.type === FILETYPE.DIR) moving.parent = to.dir;
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
      let wait = null; // the earliest clock subscription: [deadline ns, userdata]
      const start = host.now(1);
      for (let i = 0; i < count; i++) {
        const s = inPtr + 48 * i;
        const userdata = v.getBigUint64(s, true);
        const tag = v.getUint8(s + 8);
        if (tag === 0) {
          const id = v.getUint32(s + 16, true);
          const timeout = v.getBigUint64(s + 24, true);
          const absolute = (v.getUint16(s + 40, true) & 1) !== 0;
          if (id > 3) {
            events.push([userdata, E.INVAL, 0, 0n]);
            continue;
          }
          const base = id === 0 ? host.now(0) : start;
          const remaining = absolute ? (timeout > base ? timeout - base : 0n) : timeout;
          if (wait === null || remaining < wait[0]) wait = [remaining, userdata];
        } else if (tag === 1 || tag === 2) {
          const fd = v.getUint32(s + 16, true);
          events.push([userdata, readiness(fd, tag), tag, available(fd, tag)]);
        } else {
          events.push([userdata, E.INVAL, tag, 0n]);
        }
      }
      // Descriptors here are always ready, so a clock only waits when nothing else is.
      if (events.length === 0 && wait !== null) {
        if (wait[0] > 0n) host.sleep(wait[0]);
        events.push([wait[1], E.SUCCESS, 0, 0n]);
      }
      for (let i = 0; i < events.length; i++) {
        const e = outPtr + 32 * i;
        v.setBigUint64(e, events[i][0], true);
        v.setUint16(e + 8, events[i][1], true);
        v.setUint8(e + 10, events[i][2]);
        v.setBigUint64(e + 16, events[i][3], true);
        v.setUint16(e + 24, 0, true);
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

  function readiness(fd, tag) {
    if (fd <= 2) return (tag === 1) === (fd === 0) ? E.SUCCESS : E.BADF;
    return fds.has(fd) ? E.SUCCESS : E.BADF;
  }
  function available(fd, tag) {
    if (tag !== 1) return 0n;
    if (fd === 0) return BigInt(host.stdinLeft());
    const entry = fds.get(fd);
    if (entry === undefined || entry.node.type !== FILETYPE.REG) return 0n;
    return BigInt(Math.max(0, entry.node.size - entry.pos));
  }
  function setTimes(node, atim, mtim, flags) {
    if ((flags & 1 && flags & 2) || (flags & 4 && flags & 8)) return E.INVAL;
    const t = now();
    if (flags & 1) node.atime = atim;
    if (flags & 2) node.atime = t;
    if (flags & 4) node.mtime = mtim;
    if (flags & 8) node.mtime = t;
    return E.SUCCESS;
  }
  function isOpenPreopen(node) {
    for (const p of preopens) if (p.root === node) return true;
    return false;
  }

  const PREVIEW1 = [
    'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get',
    'clock_time_get', 'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get',
    'fd_fdstat_set_flags', 'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size',
    'fd_filestat_set_times', 'fd_pread', 'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite',
    'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek', 'fd_sync', 'fd_tell', 'fd_write',
    'path_create_directory', 'path_filestat_get', 'path_filestat_set_times', 'path_link',
    'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
    'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get',
    'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown',
  ];
  const provider = Object.create(null);
  for (const name of PREVIEW1) provider[name] = wasi[name] ?? (() => E.NOSYS);
  runner.providers.wasi_snapshot_preview1 = Object.freeze(provider);
  runner.wasi = Object.freeze({
    configure(options) {
      state.args = options.args ?? [];
      state.env = options.env ?? [];
      seed(options.fsLimit ?? 0);
    },
    attach(memory) {
      state.memory = memory;
    },
    names: PREVIEW1,
  });
  return 'wasi ready';
})(globalThis);
