//! Guests that try to drive the runner through WASI at run time, each pushing one budget:
//! shared by the runtime's tests (`runtime/tests/hostile_guests.rs`) and the stress job's
//! `budgets` scenario. Each imports the WASI functions it needs from `module`'s prelude.

use crate::fixtures::wasm;

/// The WASI functions these guests call, and a memory the tests size.
pub fn module(memory_pages: u32, body: &str) -> Vec<u8> {
    wasm(&format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (memory (export "memory") {memory_pages})
  {body})"#
    ))
}

/// fd_write with 16M empty iovecs (128 MiB of iovec array, the whole default host-call
/// budget) and then a buffer: the host reads the array in place.
pub const MANY_IOVECS: &str = r#"
  (func (export "iovecs") (result i32)
    ;; iovec 16M - 1 points at "x" (1 byte at 0); all others are zero-length.
    (i32.store8 (i32.const 0) (i32.const 120))
    (i32.store (i32.const 8) (i32.const 0))
    (i32.store (i32.const 12) (i32.const 0))
    (i32.store (i32.add (i32.const 8) (i32.mul (i32.const 8) (i32.const 16777214))) (i32.const 0))
    (i32.store (i32.add (i32.const 12) (i32.mul (i32.const 8) (i32.const 16777214))) (i32.const 1))
    (call $write (i32.const 1) (i32.const 8) (i32.const 16777215) (i32.const 4)))
  (func (export "too_many_iovecs") (result i32)
    (call $write (i32.const 1) (i32.const 8) (i32.const 16777217) (i32.const 4)))"#;

/// poll_oneoff with `n` fd_write subscriptions on stdout (each ready at once): subscriptions
/// at 0, events after them.
pub fn poll_many(n: u32) -> String {
    format!(
        r#"(func (export "poll") (result i32) (local $i i32) (local $e i32)
             (loop $l
               (i32.store8 (i32.add (i32.mul (local.get $i) (i32.const 48)) (i32.const 8)) (i32.const 2))
               (i32.store (i32.add (i32.mul (local.get $i) (i32.const 48)) (i32.const 16)) (i32.const 1))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))
             (local.set $e (call $poll (i32.const 0) (i32.const {events}) (i32.const {n}) (i32.const {nevents})))
             ;; an errno comes back as 1000000 + errno, a count of events as itself
             (if (local.get $e) (then (return (i32.add (i32.const 1000000) (local.get $e)))))
             (i32.load (i32.const {nevents})))"#,
        events = n * 48,
        nevents = n * 48 + n * 32,
    )
}

/// Opens "f" (at 100) under the preopen (fd 3), creating it, `n` times without closing;
/// returns the first errno that is not success, or 0.
pub const OPEN_FOREVER: &str = r#"
  (data (i32.const 100) "f")
  (func (export "open") (param $n i32) (result i32) (local $i i32) (local $e i32)
    (loop $l
      (local.set $e (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 1)
                                (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 200)))
      (if (local.get $e) (then (return (local.get $e))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.const 0))
  (func (export "open300") (result i32) (call 5 (i32.const 300)))
  (func (export "open200") (result i32) (call 5 (i32.const 200)))"#;

/// Creates directories until an errno and returns it (the count at 2000). Every name is
/// the longest a component may be (255 bytes: 'd's, then the decimal count), so each
/// directory costs the runner heap the most a directory can.
pub const MKDIR_FOREVER: &str = r#"
  (func (export "mkdirs") (result i32) (local $i i32) (local $e i32)
    (memory.fill (i32.const 1000) (i32.const 100) (i32.const 255))
    (loop $l
      (call $name (local.get $i))
      (local.set $e (call $mkdir (i32.const 3) (i32.const 1000) (i32.const 255)))
      (if (local.get $e) (then (i32.store (i32.const 2000) (local.get $i)) (return (local.get $e))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))
    (i32.const 0))
  ;; the decimal digits of $v, written backwards from 1254 (the name's last byte)
  (func $name (param $v i32) (local $at i32)
    (local.set $at (i32.const 1254))
    (loop $digits
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digits (local.get $v))))
  (func (export "count") (result i32) (i32.load (i32.const 2000)))"#;

/// Creates "aaa...a" (`len` bytes of name at 100) and returns the errno.
pub fn mkdir_named(len: u32) -> String {
    format!(
        r#"(func (export "mkdir") (result i32)
             (memory.fill (i32.const 100) (i32.const 97) (i32.const {len}))
             (call $mkdir (i32.const 3) (i32.const 100) (i32.const {len})))"#
    )
}

/// mkdir of a path written at 100: `len` bytes of `unit` repeated, then "x".
pub fn mkdir_path(unit: &str, len: u32) -> Vec<u8> {
    let [a, b] = unit.as_bytes() else { panic!("a two-byte unit") };
    module(
        (len + 200).div_ceil(65536),
        &format!(
            r#"(func (export "mkdir") (result i32) (local $i i32)
                 (loop $l
                   (i32.store8 (i32.add (i32.const 100) (local.get $i)) (i32.const {a}))
                   (i32.store8 (i32.add (i32.const 101) (local.get $i)) (i32.const {b}))
                   (local.set $i (i32.add (local.get $i) (i32.const 2)))
                   (br_if $l (i32.lt_u (local.get $i) (i32.const {len}))))
                 (i32.store8 (i32.add (i32.const 100) (local.get $i)) (i32.const 120))
                 (call $mkdir (i32.const 3) (i32.const 100) (i32.add (local.get $i) (i32.const 1))))"#
        ),
    )
}

/// Reads its arguments into memory (args_sizes_get, then args_get) and returns the errno.
pub const READ_ARGS: &str = r#"
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
  (memory (export "memory") 64)
  (func (export "read") (result i32)
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (call $args (i32.const 16) (i32.const 65536)))"#;

/// Arguments of `bytes` bytes in all, counting terminators: strings of 1023 UTF-8 bytes
/// (each 'é' two bytes but one UTF-16 unit, and an 'x'), so that V8 holds them as two-byte
/// strings, the costlier kind.
pub fn args_of(bytes: u64) -> Vec<String> {
    let arg = format!("{}x", "é".repeat(511));
    (0..bytes / 1024).map(|_| arg.clone()).collect()
}
