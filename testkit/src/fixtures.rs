//! Hand-written guests and trusted JS that tests, the stress job and the fuzzers share.

/// `text` (WAT) as a binary; panics on a fixture that does not parse.
pub fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|e| panic!("fixture does not parse: {e}"))
}

/// A self-contained module: one memory, one table, one exported function (`answer`, 42).
pub const SMALL: &str = r#"(module
  (memory 1)
  (table 4 funcref)
  (func $answer (export "answer") (result i32) i32.const 42)
  (elem (i32.const 0) $answer))"#;

/// A WASI command that prints `hello\n` and returns.
pub const HELLO: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

/// A WASI command that prints `hello\n` and exits with 3.
pub const HELLO_EXIT_3: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))"#;

/// Loops forever (`spin`): only fuel or the wall-time limit stops it.
pub const SPIN: &str = r#"(module (func (export "spin") (loop $l (br $l))))"#;

/// Recurses forever (`recurse`): the stack limit stops it.
pub const RECURSE: &str = r#"(module (func $r (export "recurse") (call $r)))"#;

/// Asks for 100000 more pages (`grow`): returns -1 under any memory cap below 6 GiB.
pub const GROW_HUGE: &str = r#"(module (memory 1) (func (export "grow") (result i32)
  (memory.grow (i32.const 100000))))"#;

/// Writes 1 KiB to stdout forever (`_start`): the output cap stops it.
pub const CHATTY: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 1024))
    (loop $l (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (br $l))))"#;

/// The smallest endless tail-call cycle of each pattern (docs/v8-findings.md #5): name,
/// module, export to call.
pub const TAIL_CALL_CYCLES: &[(&str, &str, &str)] = &[
    ("self", r#"(module (func $f (export "f") (return_call $f)))"#, "f"),
    ("mutual", r#"(module (func $a (export "f") (return_call $b)) (func $b (return_call $a)))"#, "f"),
    (
        "indirect",
        r#"(module (type $t (func)) (table 1 funcref) (elem (i32.const 0) $f)
             (func $f (export "f") (return_call_indirect (type $t) (i32.const 0))))"#,
        "f",
    ),
    (
        "ref",
        r#"(module (type $t (func)) (elem declare func $f)
             (func $f (export "f") (return_call_ref $t (ref.func $f))))"#,
        "f",
    ),
    // The cycle runs in the start function, during instantiation.
    ("start", r#"(module (func $f (return_call $f)) (start $f) (func (export "f")))"#, "f"),
];

/// Guests that never end, each in a different way: name, module, export to call.
pub const ENDLESS: &[(&str, &str, &str)] = &[
    ("tight loop", r#"(module (func (export "f") (loop $l (br $l))))"#, "f"),
    (
        "loop around a call",
        r#"(module (func $g (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
           (func (export "f") (local i32) (loop $l (local.set 0 (call $g (local.get 0))) (br $l))))"#,
        "f",
    ),
    (
        "loop around memory.grow",
        r#"(module (memory 1 2) (func (export "f") (loop $l (drop (memory.grow (i32.const 1))) (br $l))))"#,
        "f",
    ),
    (
        "call_indirect chain",
        r#"(module (type $t (func (param i32) (result i32))) (table 3 funcref) (elem (i32.const 0) $a $b $c)
           (func $a (type $t) (call_indirect (type $t) (local.get 0) (i32.const 1)))
           (func $b (type $t) (i32.add (local.get 0) (i32.const 1)))
           (func $c (type $t) (call_indirect (type $t) (local.get 0) (i32.const 0)))
           (func (export "f") (local i32) (loop $l (local.set 0 (call_indirect (type $t) (local.get 0) (i32.const 2))) (br $l))))"#,
        "f",
    ),
    (
        "exception-handling loop",
        r#"(module (tag $e (param i32))
           (func (export "f") (local i32)
             (loop $l
               (block $caught (result i32)
                 (try_table (catch $e $caught) (throw $e (local.get 0)))
                 (unreachable))
               (local.set 0)
               (br $l))))"#,
        "f",
    ),
    ("tail-call cycle", r#"(module (func $a (export "f") (return_call $b)) (func $b (return_call $a)))"#, "f"),
];

/// Trusted JS: never ends and allocates nothing that survives; only the watchdog stops it.
pub const JS_SPIN: &str = "for (;;) {}";
/// Trusted JS, the DESIGN.md pattern: an endless loop around a small fixed-count inner loop,
/// whose only interrupt check Turboshaft's loop unrolling elides on V8 15.2.
pub const JS_UNROLLED_SPIN: &str = "for (;;) { new Array(1000).fill(1.5); }";
/// Trusted JS: the same pattern retaining what it allocates, a heap bomb only termination
/// stops.
pub const JS_UNROLLED_BOMB: &str = "const keep = []; for (;;) { keep.push(new Array(1000).fill(1.5)); }";
/// Trusted JS: a heap bomb of large arrays.
pub const JS_ARRAY_BOMB: &str = "const keep = []; for (;;) keep.push(new Array(1 << 16).fill(keep.length));";
/// Trusted JS: a heap bomb of many small objects, with plain interrupt checks.
pub const JS_OBJECT_BOMB: &str = r#"
    const keep = [];
    for (let i = 0; ; i++) keep.push({ i, text: 'bomb-' + i + '-'.repeat(32) });
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wasm_fixture_is_a_valid_module() {
        let mut texts = vec![SMALL, HELLO, HELLO_EXIT_3, SPIN, RECURSE, GROW_HUGE, CHATTY];
        texts.extend(TAIL_CALL_CYCLES.iter().map(|(_, text, _)| *text));
        texts.extend(ENDLESS.iter().map(|(_, text, _)| *text));
        for text in texts {
            let bytes = wasm(text);
            wasmparser::Validator::new_with_features(wasm_runner::internals::wasm_features())
                .validate_all(&bytes)
                .unwrap_or_else(|e| panic!("{e}: {text}"));
        }
    }
}
