// WASI preview1's ABI (wasi_snapshot_preview1.witx): errno values, flags, and the byte
// layout of every record the guest and the host exchange through linear memory.
'use strict';
/* exported wasiAbi */
const wasiAbi = Object.freeze({
  errno: Object.freeze({
    SUCCESS: 0,
    ACCES: 2,
    BADF: 8,
    BUSY: 10,
    EXIST: 20,
    FAULT: 21,
    FBIG: 22,
    ILSEQ: 25,
    INTR: 27,
    INVAL: 28,
    IO: 29,
    ISDIR: 31,
    LOOP: 32,
    MFILE: 33,
    NAMETOOLONG: 37,
    NOENT: 44,
    NOMEM: 48,
    NOSPC: 51,
    NOSYS: 52,
    NOTDIR: 54,
    NOTEMPTY: 55,
    NOTSOCK: 57,
    NOTSUP: 58,
    OVERFLOW: 61,
    PERM: 63,
    SPIPE: 70,
    NOTCAPABLE: 76,
  }),
  filetype: Object.freeze({ UNKNOWN: 0, CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4 }),
  oflags: Object.freeze({ CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 }),
  lookupflags: Object.freeze({ SYMLINK_FOLLOW: 1 }),
  fdflags: Object.freeze({ APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 }),
  fstflags: Object.freeze({ ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 }),
  // The 30 rights of preview1's witx, by bit (sock_accept, the last, is bit 29).
  rights: (() => {
    const names = [
      'FD_DATASYNC',
      'FD_READ',
      'FD_SEEK',
      'FD_FDSTAT_SET_FLAGS',
      'FD_SYNC',
      'FD_TELL',
      'FD_WRITE',
      'FD_ADVISE',
      'FD_ALLOCATE',
      'PATH_CREATE_DIRECTORY',
      'PATH_CREATE_FILE',
      'PATH_LINK_SOURCE',
      'PATH_LINK_TARGET',
      'PATH_OPEN',
      'FD_READDIR',
      'PATH_READLINK',
      'PATH_RENAME_SOURCE',
      'PATH_RENAME_TARGET',
      'PATH_FILESTAT_GET',
      'PATH_FILESTAT_SET_SIZE',
      'PATH_FILESTAT_SET_TIMES',
      'FD_FILESTAT_GET',
      'FD_FILESTAT_SET_SIZE',
      'FD_FILESTAT_SET_TIMES',
      'PATH_SYMLINK',
      'PATH_REMOVE_DIRECTORY',
      'PATH_UNLINK_FILE',
      'POLL_FD_READWRITE',
      'SOCK_SHUTDOWN',
      'SOCK_ACCEPT',
    ];
    const r = { ALL: (1n << BigInt(names.length)) - 1n };
    names.forEach((name, bit) => {
      r[name] = 1n << BigInt(bit);
    });
    return Object.freeze(r);
  })(),
  whence: Object.freeze({ SET: 0, CUR: 1, END: 2 }),
  clockid: Object.freeze({ REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME_ID: 2, THREAD_CPUTIME_ID: 3 }),
  eventtype: Object.freeze({ CLOCK: 0, FD_READ: 1, FD_WRITE: 2 }),
  subclockflags: Object.freeze({ ABSTIME: 1 }),
  eventrwflags: Object.freeze({ HANGUP: 1 }),
  preopentype: Object.freeze({ DIR: 0 }),

  // Records give their size (BYTES), alignment (ALIGN) and each field's offset.
  // A pointer in a list of pointers (argv, environ).
  pointer: Object.freeze({ BYTES: 4, ALIGN: 4 }),
  iovec: Object.freeze({ BYTES: 8, ALIGN: 4, BUF: 0, BUF_LEN: 4 }),
  filestat: Object.freeze({
    BYTES: 64,
    ALIGN: 8,
    DEV: 0,
    INO: 8,
    FILETYPE: 16,
    NLINK: 24,
    SIZE: 32,
    ATIM: 40,
    MTIM: 48,
    CTIM: 56,
  }),
  fdstat: Object.freeze({ BYTES: 24, ALIGN: 8, FILETYPE: 0, FLAGS: 2, RIGHTS_BASE: 8, RIGHTS_INHERITING: 16 }),
  prestat: Object.freeze({ BYTES: 8, ALIGN: 4, TAG: 0, DIR_NAME_LEN: 4 }),
  // A directory entry's header; the name follows it.
  dirent: Object.freeze({ BYTES: 24, ALIGN: 8, NEXT: 0, INO: 8, NAMLEN: 16, TYPE: 20 }),
  subscription: Object.freeze({
    BYTES: 48,
    ALIGN: 8,
    USERDATA: 0,
    TAG: 8,
    CLOCK_ID: 16,
    CLOCK_TIMEOUT: 24,
    CLOCK_PRECISION: 32,
    CLOCK_FLAGS: 40,
    FD: 16,
  }),
  event: Object.freeze({ BYTES: 32, ALIGN: 8, USERDATA: 0, ERROR: 8, TYPE: 10, NBYTES: 16, FLAGS: 24 }),

  // The flag and enum types of arguments: their representation's width in bits, and the
  // known flag bits (`mask`) or the largest case (`max`). wasmtime-wasi converts these
  // arguments before the function runs and traps on a value out of range or with unknown
  // bits (an errno is only for values read from memory).
  argTypes: Object.freeze({
    lookupflags: { bits: 32, mask: 0x1 },
    oflags: { bits: 16, mask: 0xf },
    fdflags: { bits: 16, mask: 0x1f },
    fstflags: { bits: 16, mask: 0xf },
    rights: { bits: 64, mask: (1n << 30n) - 1n },
    riflags: { bits: 16, mask: 0x3 },
    siflags: { bits: 16, mask: 0x0 },
    sdflags: { bits: 8, mask: 0x3 },
    whence: { bits: 8, max: 2 },
    advice: { bits: 8, max: 5 },
    clockid: { bits: 32, max: 3 },
    signal: { bits: 8, max: 30 },
  }),
  // Which arguments of which functions have those types: [index, type name].
  typedArgs: Object.freeze({
    clock_res_get: [[0, 'clockid']],
    clock_time_get: [[0, 'clockid']],
    fd_advise: [[3, 'advice']],
    fd_fdstat_set_flags: [[1, 'fdflags']],
    fd_fdstat_set_rights: [
      [1, 'rights'],
      [2, 'rights'],
    ],
    fd_filestat_set_times: [[3, 'fstflags']],
    fd_seek: [[2, 'whence']],
    path_filestat_get: [[1, 'lookupflags']],
    path_filestat_set_times: [
      [1, 'lookupflags'],
      [6, 'fstflags'],
    ],
    path_link: [[1, 'lookupflags']],
    path_open: [
      [1, 'lookupflags'],
      [4, 'oflags'],
      [5, 'rights'],
      [6, 'rights'],
      [7, 'fdflags'],
    ],
    proc_raise: [[0, 'signal']],
    sock_accept: [[1, 'fdflags']],
    sock_recv: [[3, 'riflags']],
    sock_send: [[3, 'siflags']],
    sock_shutdown: [[1, 'sdflags']],
  }),
});
