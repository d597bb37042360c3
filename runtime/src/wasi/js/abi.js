// WASI preview1's ABI (wasi_snapshot_preview1.witx): errno values, flags, and the byte
// layout of every record the guest and the host exchange through linear memory. Records
// give their size as BYTES and each field's offset in bytes.
'use strict';
/* exported wasiAbi */
const wasiAbi = Object.freeze({
  errno: Object.freeze({
    SUCCESS: 0,
    ACCES: 2,
    BADF: 8,
    EXIST: 20,
    FBIG: 22,
    INVAL: 28,
    IO: 29,
    ISDIR: 31,
    LOOP: 32,
    NAMETOOLONG: 37,
    NOENT: 44,
    NOSPC: 51,
    NOSYS: 52,
    NOTDIR: 54,
    NOTEMPTY: 55,
    NOTSUP: 58,
    OVERFLOW: 61,
    PERM: 63,
    SPIPE: 70,
    NOTCAPABLE: 76,
  }),
  filetype: Object.freeze({ CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4 }),
  oflags: Object.freeze({ CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 }),
  fdflags: Object.freeze({ APPEND: 1 }),
  fstflags: Object.freeze({ ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 }),
  rights: Object.freeze({ ALL: (1n << 30n) - 1n, FD_WRITE: 1n << 6n }),
  whence: Object.freeze({ SET: 0, CUR: 1, END: 2 }),
  clockid: Object.freeze({ REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME_ID: 2, THREAD_CPUTIME_ID: 3 }),
  eventtype: Object.freeze({ CLOCK: 0, FD_READ: 1, FD_WRITE: 2 }),
  subclockflags: Object.freeze({ ABSTIME: 1 }),
  preopentype: Object.freeze({ DIR: 0 }),

  // A pointer in a list of pointers (argv, environ).
  pointer: Object.freeze({ BYTES: 4 }),
  iovec: Object.freeze({ BYTES: 8, BUF: 0, BUF_LEN: 4 }),
  filestat: Object.freeze({
    BYTES: 64,
    DEV: 0,
    INO: 8,
    FILETYPE: 16,
    NLINK: 24,
    SIZE: 32,
    ATIM: 40,
    MTIM: 48,
    CTIM: 56,
  }),
  fdstat: Object.freeze({ BYTES: 24, FILETYPE: 0, FLAGS: 2, RIGHTS_BASE: 8, RIGHTS_INHERITING: 16 }),
  prestat: Object.freeze({ BYTES: 8, TAG: 0, DIR_NAME_LEN: 4 }),
  // A directory entry's header; the name follows it.
  dirent: Object.freeze({ BYTES: 24, NEXT: 0, INO: 8, NAMLEN: 16, TYPE: 20 }),
  subscription: Object.freeze({
    BYTES: 48,
    USERDATA: 0,
    TAG: 8,
    CLOCK_ID: 16,
    CLOCK_TIMEOUT: 24,
    CLOCK_PRECISION: 32,
    CLOCK_FLAGS: 40,
    FD: 16,
  }),
  event: Object.freeze({ BYTES: 32, USERDATA: 0, ERROR: 8, TYPE: 10, NBYTES: 16, FLAGS: 24 }),
});
