// The guest's linear memory as the preview1 functions see it: every read and write is
// checked the way wasmtime-wasi checks it (the witx rules: an out-of-bounds or misaligned
// pointer the function dereferences traps), and every byte the host copies out of guest
// arguments is charged to the call's budget (wasmtime's "hostcall fuel": past it, ENOMEM).
//
// A check that fails throws a GuestFault or an Errno; `preview1.js` turns a GuestFault into
// a trap the guest cannot catch and an Errno into the function's result. Nothing here keeps
// a JS object per guest-given element: arrays in guest memory are read in place.
'use strict';
/* global wasiAbi */
/* exported createGuestMemory, GuestFault, Errno */

// The guest passed a pointer the host cannot use: the call traps.
class GuestFault extends Error {}

// The call ends with this errno.
class Errno extends Error {
  constructor(errno) {
    super(`errno ${errno}`);
    this.errno = errno;
  }
}

const createGuestMemory = () => {
  let memory = null;
  // Bytes the current call may still copy out of guest arguments.
  let budget = 0;

  function buffer() {
    if (memory === null) throw new GuestFault('the module exports no memory');
    return memory.buffer;
  }
  // `ptr` as the unsigned 32-bit value the guest meant (JS sees an i32 as signed), checked
  // for `n` bytes aligned to `align`.
  function check(ptr, n, align) {
    const at = ptr >>> 0;
    if (at % align !== 0) throw new GuestFault(`pointer ${at} is not aligned to ${align}`);
    if (at + n > buffer().byteLength) throw new GuestFault(`pointer ${at}+${n} is out of bounds`);
    return at;
  }

  return Object.freeze({
    attach(m) {
      memory = m;
    },
    // Starts a call with `bytes` of budget.
    startCall(bytes) {
      budget = bytes;
    },
    // Charges `n` bytes the host copies; past the budget the call is ENOMEM.
    charge(n) {
      if (n > budget) throw new Errno(wasiAbi.errno.NOMEM);
      budget -= n;
    },
    // A view of `len` bytes at `ptr` (alive until memory grows; use it at once).
    bytes(ptr, len) {
      const n = len >>> 0;
      return new Uint8Array(buffer(), check(ptr, n, 1), n);
    },
    u8: (ptr) => new DataView(buffer()).getUint8(check(ptr, 1, 1)),
    u16: (ptr) => new DataView(buffer()).getUint16(check(ptr, 2, 2), true),
    u32: (ptr) => new DataView(buffer()).getUint32(check(ptr, 4, 4), true),
    u64: (ptr) => new DataView(buffer()).getBigUint64(check(ptr, 8, 8), true),
    setU8(ptr, v) {
      new DataView(buffer()).setUint8(check(ptr, 1, 1), v);
    },
    setU16(ptr, v) {
      new DataView(buffer()).setUint16(check(ptr, 2, 2), v, true);
    },
    setU32(ptr, v) {
      new DataView(buffer()).setUint32(check(ptr, 4, 4), v, true);
    },
    setU64(ptr, v) {
      new DataView(buffer()).setBigUint64(check(ptr, 8, 8), v, true);
    },
    // Checks that a record of `size` bytes aligned to `align` fits at `ptr`, before
    // anything is written: a call that faults leaves memory as it was.
    record(ptr, size, align) {
      return check(ptr, size, align);
    },
    // An array of `count` records at `ptr`, charged `charge` bytes a record (what
    // wasmtime-wasi charges, WASI_LIMITS.charge), then read in place, each element checked as
    // it is read (an element the call never reaches is never checked, as in wasmtime-wasi).
    array(ptr, count, charge) {
      this.charge((count >>> 0) * charge);
      return ptr >>> 0;
    },
  });
};
