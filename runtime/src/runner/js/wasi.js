// WASI preview1 for the guest, on the runner's `__host` natives. Registered as the
// `wasi_snapshot_preview1` import provider. Every preview1 function is present: the ones
// not supported yet return ENOSYS and never throw into the guest.
'use strict';
(function (global) {
  const host = global.__host;
  const runner = global.__wasmRunner;
  const ESUCCESS = 0, EBADF = 8, EINVAL = 28, ENOSYS = 52, ESPIPE = 70;
  // UTF-8 without TextEncoder, which a bare V8 context does not have.
  const enc = {
    encode(text) {
      const out = [];
      for (const ch of String(text)) {
        const c = ch.codePointAt(0);
        if (c < 0x80) out.push(c);
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
      return Uint8Array.from(out);
    },
  };

  const state = { memory: null, args: [], env: [] };
  const view = () => new DataView(state.memory.buffer);
  const bytes = (ptr, len) => new Uint8Array(state.memory.buffer, ptr, len);

  // Writes a list of strings as preview1 lays them out: pointers, then NUL-terminated bytes.
  function putStrings(list, ptrs, buf) {
    const v = view();
    let at = buf;
    for (let i = 0; i < list.length; i++) {
      v.setUint32(ptrs + 4 * i, at, true);
      const b = enc.encode(list[i]);
      bytes(at, b.length).set(b);
      bytes(at + b.length, 1)[0] = 0;
      at += b.length + 1;
    }
    return ESUCCESS;
  }
  function putSizes(list, count, size) {
    const v = view();
    v.setUint32(count, list.length, true);
    v.setUint32(size, list.reduce((n, s) => n + enc.encode(s).length + 1, 0), true);
    return ESUCCESS;
  }

  const wasi = {
    args_get: (argv, buf) => putStrings(state.args, argv, buf),
    args_sizes_get: (count, size) => putSizes(state.args, count, size),
    environ_get: (envp, buf) => putStrings(state.env, envp, buf),
    environ_sizes_get: (count, size) => putSizes(state.env, count, size),
    clock_res_get: (id, out) => {
      if (id > 3) return EINVAL;
      view().setBigUint64(out, 1000n, true);
      return ESUCCESS;
    },
    clock_time_get: (id, _precision, out) => {
      if (id > 3) return EINVAL;
      view().setBigUint64(out, host.now(id), true);
      return ESUCCESS;
    },
    random_get: (buf, len) => {
      host.random(bytes(buf, len));
      return ESUCCESS;
    },
    fd_write: (fd, iovs, iovsLen, nwritten) => {
      if (fd !== 1 && fd !== 2) return EBADF;
      const v = view();
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = v.getUint32(iovs + 8 * i, true);
        const len = v.getUint32(iovs + 8 * i + 4, true);
        total += host.write(fd, bytes(ptr, len));
      }
      view().setUint32(nwritten, total, true);
      return ESUCCESS;
    },
    fd_read: (fd, iovs, iovsLen, nread) => {
      if (fd !== 0) return EBADF;
      const v = view();
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = v.getUint32(iovs + 8 * i, true);
        const len = v.getUint32(iovs + 8 * i + 4, true);
        const n = host.read(bytes(ptr, len));
        total += n;
        if (n < len) break;
      }
      view().setUint32(nread, total, true);
      return ESUCCESS;
    },
    fd_close: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
    fd_seek: (fd) => (fd <= 2 ? ESPIPE : EBADF),
    fd_tell: (fd) => (fd <= 2 ? ESPIPE : EBADF),
    fd_fdstat_get: (fd, out) => {
      if (fd > 2) return EBADF;
      const v = view();
      v.setUint8(out, 2); // character device
      v.setUint16(out + 2, fd === 0 ? 0 : 1, true); // stdout and stderr append
      v.setBigUint64(out + 8, 0xffffffffn, true);
      v.setBigUint64(out + 16, 0xffffffffn, true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EBADF,
    proc_exit: (code) => {
      host.exit(code);
      // Not reached: exit terminates execution.
      throw new runner.RunnerError('internal', 'proc_exit returned');
    },
    sched_yield: () => ESUCCESS,
  };

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
  for (const name of PREVIEW1) provider[name] = wasi[name] ?? (() => ENOSYS);
  runner.providers.wasi_snapshot_preview1 = Object.freeze(provider);
  runner.wasi = Object.freeze({
    configure(args, env) {
      state.args = args;
      state.env = env;
    },
    attach(memory) {
      state.memory = memory;
    },
    names: PREVIEW1,
  });
  return 'wasi ready';
})(globalThis);
