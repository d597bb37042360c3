//! Every preview1 function called directly by a small guest, in both engines under the
//! deterministic mode: the ways it succeeds and the ways it fails, each result printed
//! (errnos, and the bytes the call wrote). Outcome, output and fuel must be the same in
//! both engines. `every_preview1_function_has_a_direct_test` fails when a name of the
//! preview1 list has none.

use wasm_runner::internals::{WASI_PREVIEW1_FUNCTIONS, WASI_PREVIEW1_MODULE};
use wasm_runner::{Deterministic, GuestLimits, Preopen, Reference, RunReport, RunRequest, Runner, RunnerLimits};
use wasm_runner_testkit::fixtures::wasm;

/// Each function's parameters, as WAT (every one returns an errno but `proc_exit`).
const SIGNATURES: &[(&str, &str)] = &[
    ("args_get", "i32 i32"),
    ("args_sizes_get", "i32 i32"),
    ("environ_get", "i32 i32"),
    ("environ_sizes_get", "i32 i32"),
    ("clock_res_get", "i32 i32"),
    ("clock_time_get", "i32 i64 i32"),
    ("fd_advise", "i32 i64 i64 i32"),
    ("fd_allocate", "i32 i64 i64"),
    ("fd_close", "i32"),
    ("fd_datasync", "i32"),
    ("fd_fdstat_get", "i32 i32"),
    ("fd_fdstat_set_flags", "i32 i32"),
    ("fd_fdstat_set_rights", "i32 i64 i64"),
    ("fd_filestat_get", "i32 i32"),
    ("fd_filestat_set_size", "i32 i64"),
    ("fd_filestat_set_times", "i32 i64 i64 i32"),
    ("fd_pread", "i32 i32 i32 i64 i32"),
    ("fd_prestat_get", "i32 i32"),
    ("fd_prestat_dir_name", "i32 i32 i32"),
    ("fd_pwrite", "i32 i32 i32 i64 i32"),
    ("fd_read", "i32 i32 i32 i32"),
    ("fd_readdir", "i32 i32 i32 i64 i32"),
    ("fd_renumber", "i32 i32"),
    ("fd_seek", "i32 i64 i32 i32"),
    ("fd_sync", "i32"),
    ("fd_tell", "i32 i32"),
    ("fd_write", "i32 i32 i32 i32"),
    ("path_create_directory", "i32 i32 i32"),
    ("path_filestat_get", "i32 i32 i32 i32 i32"),
    ("path_filestat_set_times", "i32 i32 i32 i32 i64 i64 i32"),
    ("path_link", "i32 i32 i32 i32 i32 i32 i32"),
    ("path_open", "i32 i32 i32 i32 i32 i64 i64 i32 i32"),
    ("path_readlink", "i32 i32 i32 i32 i32 i32"),
    ("path_remove_directory", "i32 i32 i32"),
    ("path_rename", "i32 i32 i32 i32 i32 i32"),
    ("path_symlink", "i32 i32 i32 i32 i32"),
    ("path_unlink_file", "i32 i32 i32"),
    ("poll_oneoff", "i32 i32 i32 i32"),
    ("proc_exit", "i32"),
    ("proc_raise", "i32"),
    ("sched_yield", ""),
    ("random_get", "i32 i32"),
    ("sock_accept", "i32 i32 i32"),
    ("sock_recv", "i32 i32 i32 i32 i32 i32"),
    ("sock_send", "i32 i32 i32 i32 i32"),
    ("sock_shutdown", "i32 i32"),
];

/// What every guest has: the imports, a page of memory with the paths it uses, and helpers.
/// Paths: "f.txt" at 256 (5 bytes), "d" at 272 (1), "d/g.txt" at 288 (7), "new" at 304
/// (3), "missing" at 320 (7), "../x" at 336 (4), "/abs" at 352 (4), "f.txt/x" at 368 (7).
/// `$e(errno)` prints an errno as 4 bytes; `$out(ptr, len)` prints memory; `$open(path,
/// len, oflags, rights, fdflags)` opens under the preopen (fd 3) and returns the descriptor,
/// or prints the errno and traps; `$iov(ptr, len)` sets the one iovec at 1024.
const PRELUDE: &str = r#"
  (memory (export "memory") 1)
  (data (i32.const 256) "f.txt")
  (data (i32.const 272) "d")
  (data (i32.const 288) "d/g.txt")
  (data (i32.const 304) "new")
  (data (i32.const 320) "missing")
  (data (i32.const 336) "../x")
  (data (i32.const 352) "/abs")
  (data (i32.const 368) "f.txt/x")
  (data (i32.const 400) "XYZ")
  (func $out (param i32 i32)
    (i32.store (i32.const 1000) (local.get 0))
    (i32.store (i32.const 1004) (local.get 1))
    (drop (call $fd_write (i32.const 1) (i32.const 1000) (i32.const 1) (i32.const 1008))))
  (func $e (param i32)
    (i32.store (i32.const 1012) (local.get 0))
    (call $out (i32.const 1012) (i32.const 4)))
  (func $iov (param i32 i32)
    (i32.store (i32.const 1024) (local.get 0))
    (i32.store (i32.const 1028) (local.get 1)))
  (func $open (param i32 i32 i32 i64 i32) (result i32)
    (local $errno i32)
    (local.set $errno (call $path_open (i32.const 3) (i32.const 1) (local.get 0) (local.get 1) (local.get 2)
                                       (local.get 3) (i64.const 0) (local.get 4) (i32.const 1016)))
    (if (local.get $errno) (then (call $e (local.get $errno)) unreachable))
    (i32.load (i32.const 1016)))
"#;

/// Rights as wasi-libc passes them: read 2, write 64, both 66.
const READ: &str = "(i64.const 2)";
const WRITE: &str = "(i64.const 64)";
const BOTH: &str = "(i64.const 66)";

fn guest(body: &str) -> Vec<u8> {
    guest_with(PRELUDE, body)
}

/// `guest` with another prelude (the memory declared otherwise, say).
fn guest_with(prelude: &str, body: &str) -> Vec<u8> {
    let imports: String = SIGNATURES
        .iter()
        .map(|(name, params)| {
            let result = if *name == "proc_exit" { "" } else { "(result i32)" };
            format!(r#"(import "{WASI_PREVIEW1_MODULE}" "{name}" (func ${name} (param {params}) {result}))"#)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let body = body.replace("$READ", READ).replace("$WRITE", WRITE).replace("$BOTH", BOTH);
    wasm(&format!("(module {imports} {prelude} (func (export \"_start\") (local $f i32) (local $g i32) {body}))"))
}

fn run(engine: &str, module: &[u8]) -> RunReport {
    let sandbox = tempfile::tempdir().unwrap();
    std::fs::write(sandbox.path().join("f.txt"), "hello, file\n").unwrap();
    std::fs::create_dir(sandbox.path().join("d")).unwrap();
    std::fs::write(sandbox.path().join("d/g.txt"), "in d\n").unwrap();
    let request = RunRequest {
        args: vec!["guest".into(), "an argument".into()],
        env: vec!["A=1".into(), "EMPTY=".into()],
        stdin: b"from stdin\n".to_vec(),
        dirs: vec![Preopen { host: sandbox.path().to_path_buf(), guest: "/sandbox".into() }],
        deterministic: Some(Deterministic { seed: 9 }),
        ..Default::default()
    };
    match engine {
        "v8" => Runner::new(RunnerLimits::default()).run(module.to_vec(), &request),
        _ => Reference::new().with_guest_limits(GuestLimits::default()).run(module.to_vec(), &request),
    }
}

/// Runs `body` in both engines and holds them to the same run; returns V8's stdout.
fn alike(function: &str, body: &str) -> Vec<u8> {
    let module = guest(body);
    let (v8, wasmtime) = (run("v8", &module), run("wasmtime", &module));
    // A trap is compared by kind: each engine words its message its own way.
    if v8.outcome.kind() == "trap" {
        assert_eq!(wasmtime.outcome.kind(), "trap", "{function}: {:?}", wasmtime.outcome);
    } else {
        assert_eq!(v8.outcome, wasmtime.outcome, "{function}: outcome");
    }
    assert_eq!(v8.stdout, wasmtime.stdout, "{function}: stdout (left v8, right wasmtime)");
    assert_eq!(v8.stderr, wasmtime.stderr, "{function}: stderr");
    assert_eq!(v8.fuel_used, wasmtime.fuel_used, "{function}: fuel");
    assert!(!v8.stdout.is_empty() || function == "proc_exit", "{function}: the guest printed nothing");
    v8.stdout
}

/// The errnos a guest printed, in order, when it printed nothing else.
fn errnos(stdout: &[u8]) -> Vec<u32> {
    stdout.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect()
}

/// One test per function: `direct!(name, "WAT body")`.
macro_rules! direct {
    ($name:ident, $body:expr) => {
        #[test]
        fn $name() {
            alike(stringify!($name), $body);
        }
    };
    ($name:ident, $body:expr, $check:expr) => {
        #[test]
        fn $name() {
            let stdout = alike(stringify!($name), $body);
            ($check)(stdout);
        }
    };
}

direct!(
    args_get,
    "(call $e (call $args_sizes_get (i32.const 2048) (i32.const 2052)))
     (call $e (call $args_get (i32.const 2100) (i32.const 2200)))
     (call $out (i32.const 2100) (i32.const 8))
     (call $out (i32.const 2200) (i32.load (i32.const 2052)))
     (call $e (call $args_get (i32.const 65535) (i32.const 2200)))"
);
direct!(
    args_sizes_get,
    "(call $e (call $args_sizes_get (i32.const 2048) (i32.const 2052)))
     (call $out (i32.const 2048) (i32.const 8))",
    |out: Vec<u8>| assert_eq!(out[4..12], [2, 0, 0, 0, 18, 0, 0, 0])
);
#[test]
fn sizes_through_one_pointer_leave_the_count_in_both_engines() {
    let body = "(call $e (call $args_sizes_get (i32.const 2048) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 4))
     (call $e (call $environ_sizes_get (i32.const 2048) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 4))";
    assert_eq!(errnos(&alike("args_sizes_get", body)), [0, 2, 0, 2]);
}

direct!(
    environ_get,
    "(call $e (call $environ_sizes_get (i32.const 2048) (i32.const 2052)))
     (call $e (call $environ_get (i32.const 2100) (i32.const 2200)))
     (call $out (i32.const 2100) (i32.const 8))
     (call $out (i32.const 2200) (i32.load (i32.const 2052)))"
);
direct!(
    environ_sizes_get,
    "(call $e (call $environ_sizes_get (i32.const 2048) (i32.const 2052)))
     (call $out (i32.const 2048) (i32.const 8))"
);
direct!(
    clock_res_get,
    "(call $e (call $clock_res_get (i32.const 0) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 8))
     (call $e (call $clock_res_get (i32.const 1) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 8))
     (call $e (call $clock_res_get (i32.const 2) (i32.const 2048)))"
);
direct!(
    clock_time_get,
    "(call $e (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 8))
     (call $e (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 8))
     (call $e (call $clock_time_get (i32.const 3) (i64.const 1) (i32.const 2048)))"
);
direct!(
    a_failed_clock_read_between_two_reads_advances_no_clock,
    "(call $e (call $clock_time_get (i32.const 0) (i64.const 0) (i32.const 2048)))
     (call $e (call $clock_time_get (i32.const 3) (i64.const 0) (i32.const 2056)))
     (call $e (call $clock_time_get (i32.const 0) (i64.const 0) (i32.const 2056)))
     (call $out (i32.const 2048) (i32.const 16))",
    |out: Vec<u8>| {
        let read = |at: usize| u64::from_le_bytes(out[out.len() - 16 + at..out.len() - 8 + at].try_into().unwrap());
        assert_eq!(read(8) - read(0), 1_000_000, "one step of the virtual clock between the two reads");
    }
);
direct!(
    path_rename_walks_both_paths_before_it_hands_over_either_name,
    // "\0" to "", "missing" to "f.txt/x", "\0" to "new" (memory at 500 is zero).
    "(call $e (call $path_rename (i32.const 3) (i32.const 500) (i32.const 1) (i32.const 3) (i32.const 304)
                                 (i32.const 0)))
     (call $e (call $path_rename (i32.const 3) (i32.const 320) (i32.const 7) (i32.const 3) (i32.const 368)
                                 (i32.const 7)))
     (call $e (call $path_rename (i32.const 3) (i32.const 500) (i32.const 1) (i32.const 3) (i32.const 304)
                                 (i32.const 3)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [44, 54, 28])
);
direct!(
    path_unlink_file_reads_its_path_without_charging_it,
    // Out of bounds and over the host-call budget: a trap, not NOMEM.
    "(call $e (call $path_unlink_file (i32.const 3) (i32.const 256) (i32.const 5)))
     (call $e (call $path_unlink_file (i32.const 3) (i32.const 65000) (i32.const -1)))"
);
direct!(
    path_rename_onto_a_directory_above_the_source_is_not_empty_before_types_are_compared,
    // "d/g.txt" (a file) onto "d", then a new "d/s" (a directory) onto "d": Linux answers
    // ENOTEMPTY for a target above the source, never EISDIR; "d" into "d/s" is invalid.
    "(i32.store16 (i32.const 720) (i32.const 0x2f64))
     (i32.store8 (i32.const 722) (i32.const 0x73))
     (call $e (call $path_rename (i32.const 3) (i32.const 288) (i32.const 7) (i32.const 3) (i32.const 272)
                                 (i32.const 1)))
     (call $e (call $path_create_directory (i32.const 3) (i32.const 720) (i32.const 3)))
     (call $e (call $path_rename (i32.const 3) (i32.const 720) (i32.const 3) (i32.const 3) (i32.const 272)
                                 (i32.const 1)))
     (call $e (call $path_rename (i32.const 3) (i32.const 272) (i32.const 1) (i32.const 3) (i32.const 720)
                                 (i32.const 3)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [55, 0, 55, 28])
);
direct!(
    path_rename_charges_its_paths_before_it_reads_them,
    // The same path over the budget: NOMEM, not a trap; then `.` onto `d` is busy.
    "(call $e (call $path_rename (i32.const 3) (i32.const 256) (i32.const 0) (i32.const 3) (i32.const 65000)
                                 (i32.const -1)))
     (i32.store8 (i32.const 600) (i32.const 46))
     (call $e (call $path_rename (i32.const 3) (i32.const 600) (i32.const 1) (i32.const 3) (i32.const 272)
                                 (i32.const 1)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [48, 10])
);
direct!(
    path_rename_onto_dot_is_busy_before_the_old_name_is_looked_up,
    // "missing" onto ".", "f.txt/" (a file with a trailing slash) onto ".".
    "(i32.store8 (i32.const 600) (i32.const 46))
     (i32.store8 (i32.const 261) (i32.const 47))
     (call $e (call $path_rename (i32.const 3) (i32.const 320) (i32.const 7) (i32.const 3) (i32.const 600)
                                 (i32.const 1)))
     (call $e (call $path_rename (i32.const 3) (i32.const 256) (i32.const 6) (i32.const 3) (i32.const 600)
                                 (i32.const 1)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [10, 10])
);
direct!(
    path_rename_of_dot_is_busy_before_a_name_too_long_is_looked_up,
    "(i32.store8 (i32.const 600) (i32.const 46))
     (memory.fill (i32.const 4096) (i32.const 97) (i32.const 300))
     (call $e (call $path_rename (i32.const 3) (i32.const 600) (i32.const 1) (i32.const 3) (i32.const 4096)
                                 (i32.const 300)))
     (call $e (call $path_rename (i32.const 3) (i32.const 4096) (i32.const 300) (i32.const 3) (i32.const 304)
                                 (i32.const 3)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [10, 37])
);
direct!(
    random_get_of_no_bytes_takes_any_pointer,
    "(call $e (call $random_get (i32.const 200000) (i32.const 0)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0])
);
direct!(
    fd_advise,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $e (call $fd_advise (local.get $f) (i64.const 0) (i64.const 10) (i32.const 1)))
     (call $e (call $fd_advise (i32.const 3) (i64.const 0) (i64.const 10) (i32.const 1)))
     (call $e (call $fd_advise (i32.const 99) (i64.const 0) (i64.const 10) (i32.const 1)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 8, 8])
);
direct!(
    fd_allocate,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $BOTH (i32.const 0)))
     (call $e (call $fd_allocate (local.get $f) (i64.const 0) (i64.const 100)))
     (call $e (call $fd_allocate (i32.const 3) (i64.const 0) (i64.const 100)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [58, 8])
);
direct!(
    fd_close,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $e (call $fd_close (local.get $f)))
     (call $e (call $fd_close (local.get $f)))
     (call $e (call $fd_close (i32.const 3)))
     (call $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 256) (i32.const 5) (i32.const 0)
                               (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 2048)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 8, 0, 8])
);
direct!(
    fd_datasync,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $BOTH (i32.const 0)))
     (call $e (call $fd_datasync (local.get $f)))
     (call $e (call $fd_datasync (i32.const 1)))
     (call $e (call $fd_datasync (i32.const 3)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 8, 8])
);
direct!(
    fd_fdstat_get,
    "(call $e (call $fd_fdstat_get (i32.const 0) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 24))
     (call $e (call $fd_fdstat_get (i32.const 1) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 24))
     (call $e (call $fd_fdstat_get (i32.const 3) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 24))
     (local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $e (call $fd_fdstat_get (local.get $f) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 24))
     (local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $WRITE (i32.const 5)))
     (call $e (call $fd_fdstat_get (local.get $f) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 24))
     (local.set $f (call $open (i32.const 272) (i32.const 1) (i32.const 2) (i64.const 0) (i32.const 0)))
     (call $e (call $fd_fdstat_get (local.get $f) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 24))
     (call $e (call $fd_fdstat_get (i32.const 99) (i32.const 2048)))"
);
direct!(
    fd_fdstat_set_flags,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $BOTH (i32.const 0)))
     (call $e (call $fd_fdstat_set_flags (local.get $f) (i32.const 1)))
     (call $e (call $fd_fdstat_get (local.get $f) (i32.const 2048)))
     (call $out (i32.const 2050) (i32.const 2))
     (call $e (call $fd_fdstat_set_flags (local.get $f) (i32.const 4)))
     (call $e (call $fd_fdstat_get (local.get $f) (i32.const 2048)))
     (call $out (i32.const 2050) (i32.const 2))
     (call $e (call $fd_fdstat_set_flags (local.get $f) (i32.const 16)))
     (call $e (call $fd_fdstat_set_flags (i32.const 1) (i32.const 1)))
     (call $e (call $fd_fdstat_set_flags (i32.const 3) (i32.const 1)))"
);
direct!(
    fd_fdstat_set_rights,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $e (call $fd_fdstat_set_rights (local.get $f) (i64.const 2) (i64.const 0)))
     (call $e (call $fd_fdstat_set_rights (i32.const 1) (i64.const 2) (i64.const 0)))
     (call $e (call $fd_fdstat_set_rights (i32.const 99) (i64.const 2) (i64.const 0)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [58, 8, 8])
);
direct!(
    fd_filestat_get,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $e (call $fd_filestat_get (local.get $f) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 64))
     (call $e (call $fd_filestat_get (i32.const 3) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 64))
     (call $e (call $fd_filestat_get (i32.const 1) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 64))
     (call $e (call $fd_filestat_get (i32.const 99) (i32.const 2048)))"
);
direct!(
    fd_filestat_set_size,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $BOTH (i32.const 0)))
     (call $e (call $fd_filestat_set_size (local.get $f) (i64.const 5)))
     (call $e (call $fd_filestat_set_size (local.get $f) (i64.const 100)))
     (call $e (call $fd_filestat_get (local.get $f) (i32.const 2048)))
     (call $out (i32.const 2080) (i32.const 8))
     (local.set $g (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $e (call $fd_filestat_set_size (local.get $g) (i64.const 1)))
     (call $e (call $fd_filestat_set_size (i32.const 3) (i64.const 1)))"
);
direct!(
    fd_filestat_set_times,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $BOTH (i32.const 0)))
     (call $e (call $fd_filestat_set_times (local.get $f) (i64.const 1) (i64.const 2) (i32.const 5)))
     (call $e (call $fd_filestat_set_times (local.get $f) (i64.const 1) (i64.const 2) (i32.const 3)))
     (call $e (call $fd_filestat_set_times (i32.const 3) (i64.const 1) (i64.const 2) (i32.const 5)))
     (call $e (call $fd_filestat_set_times (i32.const 1) (i64.const 1) (i64.const 2) (i32.const 5)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 28, 8, 8])
);
direct!(
    fd_pread,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $iov (i32.const 2048) (i32.const 5))
     (call $e (call $fd_pread (local.get $f) (i32.const 1024) (i32.const 1) (i64.const 7) (i32.const 2100)))
     (call $out (i32.const 2100) (i32.const 4))
     (call $out (i32.const 2048) (i32.const 5))
     (call $e (call $fd_pread (local.get $f) (i32.const 1024) (i32.const 1) (i64.const 100) (i32.const 2100)))
     (call $out (i32.const 2100) (i32.const 4))
     (call $e (call $fd_pread (i32.const 0) (i32.const 1024) (i32.const 1) (i64.const 0) (i32.const 2100)))
     (local.set $g (call $open (i32.const 256) (i32.const 5) (i32.const 0) $WRITE (i32.const 0)))
     (call $e (call $fd_pread (local.get $g) (i32.const 1024) (i32.const 1) (i64.const 0) (i32.const 2100)))"
);
direct!(
    fd_prestat_get,
    "(call $e (call $fd_prestat_get (i32.const 3) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 8))
     (call $e (call $fd_prestat_get (i32.const 0) (i32.const 2048)))
     (call $e (call $fd_prestat_get (i32.const 4) (i32.const 2048)))"
);
direct!(
    fd_prestat_dir_name,
    "(call $e (call $fd_prestat_dir_name (i32.const 3) (i32.const 2048) (i32.const 8)))
     (call $out (i32.const 2048) (i32.const 8))
     (call $e (call $fd_prestat_dir_name (i32.const 3) (i32.const 2048) (i32.const 3)))
     (call $e (call $fd_prestat_dir_name (i32.const 0) (i32.const 2048) (i32.const 8)))
     (call $e (call $fd_prestat_dir_name (i32.const 99) (i32.const 2048) (i32.const 8)))"
);
direct!(
    fd_pwrite,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $BOTH (i32.const 0)))
     (call $iov (i32.const 400) (i32.const 3))
     (call $e (call $fd_pwrite (local.get $f) (i32.const 1024) (i32.const 1) (i64.const 3) (i32.const 2100)))
     (call $out (i32.const 2100) (i32.const 4))
     (call $iov (i32.const 2048) (i32.const 12))
     (call $e (call $fd_read (local.get $f) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (call $out (i32.const 2048) (i32.const 12))
     (call $iov (i32.const 400) (i32.const 3))
     (call $e (call $fd_pwrite (i32.const 1) (i32.const 1024) (i32.const 1) (i64.const 0) (i32.const 2100)))
     (local.set $g (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $e (call $fd_pwrite (local.get $g) (i32.const 1024) (i32.const 1) (i64.const 0) (i32.const 2100)))"
);
direct!(
    fd_read,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $iov (i32.const 2048) (i32.const 6))
     (call $e (call $fd_read (local.get $f) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (call $out (i32.const 2048) (i32.load (i32.const 2100)))
     (call $e (call $fd_read (i32.const 0) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (call $out (i32.const 2048) (i32.load (i32.const 2100)))
     (call $e (call $fd_read (i32.const 1) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (call $e (call $fd_read (i32.const 3) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (local.set $g (call $open (i32.const 256) (i32.const 5) (i32.const 0) $WRITE (i32.const 0)))
     (call $e (call $fd_read (local.get $g) (i32.const 1024) (i32.const 1) (i32.const 2100)))"
);
/// Prints the listing at 4096 as written (bufused at 4092): inode numbers included, which
/// the deterministic mode numbers alike in both engines.
const PRINT_LISTING: &str = "
     (call $out (i32.const 4092) (i32.const 4))
     (call $out (i32.const 4096) (i32.load (i32.const 4092)))";

#[test]
fn fd_readdir() {
    let listing = |cookie: u64, len: u32| {
        format!(
            "(call $e (call $fd_readdir (i32.const 3) (i32.const 4096) (i32.const {len}) (i64.const {cookie}) \
             (i32.const 4092))) {PRINT_LISTING}"
        )
    };
    let body = [
        "(local.set $f (call $open (i32.const 304) (i32.const 3) (i32.const 1) $WRITE (i32.const 0)))".to_string(),
        listing(0, 1024),
        listing(2, 1024),
        listing(0, 30),
        "(call $e (call $fd_readdir (local.get $f) (i32.const 4096) (i32.const 64) (i64.const 0) (i32.const 4092)))"
            .to_string(),
    ]
    .join("\n");
    alike("fd_readdir", &body);
}

direct!(
    fd_renumber,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (local.set $g (call $open (i32.const 288) (i32.const 7) (i32.const 0) $READ (i32.const 0)))
     (call $e (call $fd_renumber (local.get $g) (local.get $f)))
     (call $iov (i32.const 2048) (i32.const 5))
     (call $e (call $fd_read (local.get $f) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (call $out (i32.const 2048) (i32.const 5))
     (call $e (call $fd_read (local.get $g) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (call $e (call $fd_renumber (i32.const 99) (local.get $f)))
     (call $e (call $fd_renumber (local.get $f) (i32.const 99)))
     (call $e (call $fd_renumber (local.get $f) (local.get $f)))"
);
direct!(
    fd_seek,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $e (call $fd_seek (local.get $f) (i64.const 3) (i32.const 0) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 8))
     (call $e (call $fd_seek (local.get $f) (i64.const -1) (i32.const 1) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 8))
     (call $e (call $fd_seek (local.get $f) (i64.const 0) (i32.const 2) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 8))
     (call $e (call $fd_seek (local.get $f) (i64.const -1) (i32.const 0) (i32.const 2048)))
     (call $e (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 2048)))
     (call $e (call $fd_seek (i32.const 3) (i64.const 0) (i32.const 0) (i32.const 2048)))"
);
direct!(
    fd_sync,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $BOTH (i32.const 0)))
     (call $e (call $fd_sync (local.get $f)))
     (call $e (call $fd_sync (i32.const 3)))
     (call $e (call $fd_sync (i32.const 2)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 8, 8])
);
direct!(
    fd_tell,
    "(local.set $f (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $iov (i32.const 2048) (i32.const 4))
     (drop (call $fd_read (local.get $f) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (call $e (call $fd_tell (local.get $f) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 8))
     (call $e (call $fd_tell (i32.const 1) (i32.const 2048)))
     (call $e (call $fd_tell (i32.const 3) (i32.const 2048)))"
);
direct!(
    fd_write,
    "(local.set $f (call $open (i32.const 304) (i32.const 3) (i32.const 1) $WRITE (i32.const 0)))
     (call $iov (i32.const 400) (i32.const 3))
     (call $e (call $fd_write (local.get $f) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (call $out (i32.const 2100) (i32.const 4))
     (call $e (call $fd_write (i32.const 2) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (call $e (call $fd_write (i32.const 0) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (call $e (call $fd_write (i32.const 3) (i32.const 1024) (i32.const 1) (i32.const 2100)))
     (local.set $g (call $open (i32.const 256) (i32.const 5) (i32.const 0) $READ (i32.const 0)))
     (call $e (call $fd_write (local.get $g) (i32.const 1024) (i32.const 1) (i32.const 2100)))"
);
direct!(
    path_create_directory,
    "(call $e (call $path_create_directory (i32.const 3) (i32.const 304) (i32.const 3)))
     (call $e (call $path_create_directory (i32.const 3) (i32.const 304) (i32.const 3)))
     (call $e (call $path_create_directory (i32.const 3) (i32.const 256) (i32.const 5)))
     (call $e (call $path_create_directory (i32.const 3) (i32.const 368) (i32.const 7)))
     (call $e (call $path_create_directory (i32.const 3) (i32.const 336) (i32.const 4)))
     (call $e (call $path_create_directory (i32.const 1) (i32.const 304) (i32.const 3)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 20, 20, 54, 63, 8])
);
direct!(
    path_filestat_get,
    "(call $e (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 256) (i32.const 5) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 64))
     (call $e (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 272) (i32.const 1) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 64))
     (call $e (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 320) (i32.const 7) (i32.const 2048)))
     (call $e (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 368) (i32.const 7) (i32.const 2048)))
     (call $e (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 336) (i32.const 4) (i32.const 2048)))"
);
direct!(
    path_filestat_set_times,
    "(call $e (call $path_filestat_set_times (i32.const 3) (i32.const 1) (i32.const 256) (i32.const 5)
                                             (i64.const 1) (i64.const 2) (i32.const 5)))
     (call $e (call $path_filestat_set_times (i32.const 3) (i32.const 1) (i32.const 256) (i32.const 5)
                                             (i64.const 1) (i64.const 2) (i32.const 12)))
     (call $e (call $path_filestat_set_times (i32.const 3) (i32.const 1) (i32.const 320) (i32.const 7)
                                             (i64.const 1) (i64.const 2) (i32.const 5)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 28, 44])
);
direct!(
    path_link,
    "(call $e (call $path_link (i32.const 3) (i32.const 0) (i32.const 320) (i32.const 7)
                               (i32.const 3) (i32.const 304) (i32.const 3)))
     (call $e (call $path_link (i32.const 3) (i32.const 0) (i32.const 256) (i32.const 5)
                               (i32.const 3) (i32.const 288) (i32.const 7)))
     (call $e (call $path_link (i32.const 3) (i32.const 0) (i32.const 256) (i32.const 5)
                               (i32.const 1) (i32.const 304) (i32.const 3)))
     (call $e (call $path_link (i32.const 3) (i32.const 0) (i32.const 256) (i32.const 5)
                               (i32.const 3) (i32.const 336) (i32.const 4)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [44, 20, 8, 63])
);
direct!(
    path_open,
    "(call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 256) (i32.const 5) (i32.const 0)
                               (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 2048)))
     (call $out (i32.const 2048) (i32.const 4))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 304) (i32.const 3) (i32.const 5)
                               (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 2048)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 304) (i32.const 3) (i32.const 5)
                               (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 2048)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 256) (i32.const 5) (i32.const 2)
                               (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 2048)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 272) (i32.const 1) (i32.const 8)
                               (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 2048)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 272) (i32.const 1) (i32.const 1)
                               (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 2048)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 320) (i32.const 7) (i32.const 0)
                               (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 2048)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 336) (i32.const 4) (i32.const 0)
                               (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 2048)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 352) (i32.const 4) (i32.const 0)
                               (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 2048)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 256) (i32.const 5) (i32.const 0)
                               (i64.const 0x3fffffff) (i64.const 0x3fffffff) (i32.const 0) (i32.const 2048)))
     (call $e (call $path_open (i32.const 0) (i32.const 1) (i32.const 256) (i32.const 5) (i32.const 0)
                               (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 2048)))"
);
direct!(
    path_readlink,
    "(call $e (call $path_readlink (i32.const 3) (i32.const 256) (i32.const 5) (i32.const 2048) (i32.const 64)
                                   (i32.const 2100)))
     (call $e (call $path_readlink (i32.const 3) (i32.const 320) (i32.const 7) (i32.const 2048) (i32.const 64)
                                   (i32.const 2100)))
     (call $e (call $path_readlink (i32.const 1) (i32.const 256) (i32.const 5) (i32.const 2048) (i32.const 64)
                                   (i32.const 2100)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [28, 44, 8])
);
direct!(
    path_remove_directory,
    "(call $e (call $path_create_directory (i32.const 3) (i32.const 304) (i32.const 3)))
     (call $e (call $path_remove_directory (i32.const 3) (i32.const 304) (i32.const 3)))
     (call $e (call $path_remove_directory (i32.const 3) (i32.const 304) (i32.const 3)))
     (call $e (call $path_remove_directory (i32.const 3) (i32.const 272) (i32.const 1)))
     (call $e (call $path_remove_directory (i32.const 3) (i32.const 256) (i32.const 5)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 0, 44, 55, 54])
);
direct!(
    path_remove_directory_of_a_name_with_a_trailing_slash_is_invalid_empty_or_not,
    "(i32.store (i32.const 700) (i32.const 0x2f77656e))
     (i32.store16 (i32.const 710) (i32.const 0x2f64))
     (call $e (call $path_create_directory (i32.const 3) (i32.const 304) (i32.const 3)))
     (call $e (call $path_remove_directory (i32.const 3) (i32.const 700) (i32.const 4)))
     (call $e (call $path_remove_directory (i32.const 3) (i32.const 710) (i32.const 2)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 28, 28])
);
direct!(
    path_rename,
    "(call $e (call $path_rename (i32.const 3) (i32.const 256) (i32.const 5) (i32.const 3) (i32.const 304)
                                 (i32.const 3)))
     (call $e (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 304) (i32.const 3) (i32.const 2048)))
     (call $out (i32.const 2080) (i32.const 8))
     (call $e (call $path_rename (i32.const 3) (i32.const 256) (i32.const 5) (i32.const 3) (i32.const 304)
                                 (i32.const 3)))
     (call $e (call $path_rename (i32.const 3) (i32.const 304) (i32.const 3) (i32.const 3) (i32.const 272)
                                 (i32.const 1)))
     (call $e (call $path_rename (i32.const 3) (i32.const 272) (i32.const 1) (i32.const 3) (i32.const 288)
                                 (i32.const 7)))"
);
direct!(
    path_symlink,
    "(call $e (call $path_symlink (i32.const 352) (i32.const 4) (i32.const 3) (i32.const 304) (i32.const 3)))
     (call $e (call $path_symlink (i32.const 256) (i32.const 5) (i32.const 3) (i32.const 288) (i32.const 7)))
     (call $e (call $path_symlink (i32.const 256) (i32.const 5) (i32.const 1) (i32.const 304) (i32.const 3)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [63, 20, 8])
);
direct!(
    path_unlink_file,
    "(call $e (call $path_unlink_file (i32.const 3) (i32.const 256) (i32.const 5)))
     (call $e (call $path_unlink_file (i32.const 3) (i32.const 256) (i32.const 5)))
     (call $e (call $path_unlink_file (i32.const 3) (i32.const 272) (i32.const 1)))
     (call $e (call $path_unlink_file (i32.const 1) (i32.const 256) (i32.const 5)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 44, 31, 8])
);
direct!(
    poll_oneoff,
    ";; a relative clock of 0 ns (tag 0) and a read on stdin (tag 1)
     (i64.store (i32.const 2048) (i64.const 7))
     (i64.store (i32.const 2096) (i64.const 8))
     (i32.store8 (i32.const 2104) (i32.const 1))
     (i32.store (i32.const 2112) (i32.const 0))
     (call $e (call $poll_oneoff (i32.const 2048) (i32.const 3072) (i32.const 2) (i32.const 2200)))
     (call $out (i32.const 2200) (i32.const 4))
     (call $out (i32.const 3072) (i32.const 64))
     (call $e (call $poll_oneoff (i32.const 2048) (i32.const 3072) (i32.const 0) (i32.const 2200)))
     (i32.store (i32.const 2112) (i32.const 99))
     (call $e (call $poll_oneoff (i32.const 2048) (i32.const 3072) (i32.const 2) (i32.const 2200)))"
);
direct!(
    proc_exit,
    "(call $proc_exit (i32.const 5))
     (call $e (i32.const 1))"
);
direct!(proc_raise, "(call $e (call $proc_raise (i32.const 2)))", |out: Vec<u8>| assert_eq!(errnos(&out), [58]));
direct!(sched_yield, "(call $e (call $sched_yield))", |out: Vec<u8>| assert_eq!(errnos(&out), [0]));
direct!(
    random_get,
    "(call $e (call $random_get (i32.const 2048) (i32.const 16)))
     (call $out (i32.const 2048) (i32.const 16))
     (call $e (call $random_get (i32.const 2048) (i32.const 0)))"
);
direct!(
    sock_accept,
    "(call $e (call $sock_accept (i32.const 3) (i32.const 0) (i32.const 2048)))
     (call $e (call $sock_accept (i32.const 99) (i32.const 0) (i32.const 2048)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [57, 8])
);
direct!(
    sock_recv,
    "(call $e (call $sock_recv (i32.const 0) (i32.const 1024) (i32.const 1) (i32.const 0) (i32.const 2048)
                               (i32.const 2052)))
     (call $e (call $sock_recv (i32.const 99) (i32.const 1024) (i32.const 1) (i32.const 0) (i32.const 2048)
                               (i32.const 2052)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [57, 8])
);
direct!(
    sock_send,
    "(call $e (call $sock_send (i32.const 1) (i32.const 1024) (i32.const 1) (i32.const 0) (i32.const 2048)))
     (call $e (call $sock_send (i32.const 99) (i32.const 1024) (i32.const 1) (i32.const 0) (i32.const 2048)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [57, 8])
);
direct!(
    sock_shutdown,
    "(call $e (call $sock_shutdown (i32.const 3) (i32.const 1)))
     (call $e (call $sock_shutdown (i32.const 99) (i32.const 1)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [57, 8])
);

#[test]
fn every_preview1_function_has_a_direct_test() {
    let source = include_str!("wasi_preview1.rs");
    // The names given to `direct!` and the hand-written `fn name()` tests.
    let mut tested: Vec<&str> = Vec::new();
    for (marker, ends) in [("direct!(", ','), ("\nfn ", '(')] {
        for piece in source.split(marker).skip(1) {
            let name = piece.trim_start().split(ends).next().unwrap_or("").trim();
            tested.push(name);
        }
    }
    for name in WASI_PREVIEW1_FUNCTIONS {
        assert!(tested.contains(name), "{name} has no direct test in tests/wasi_preview1.rs");
        assert!(SIGNATURES.iter().any(|(n, _)| n == name), "{name} has no signature here");
    }
}

#[test]
fn records_leave_their_padding_as_it_was_in_both_engines() {
    // Each record is written over bytes of 0xAA: the padding keeps them in both engines.
    let fill = "(memory.fill (i32.const 2048) (i32.const 0xaa) (i32.const 64))";
    let body = [
        fill,
        "(call $e (call $fd_fdstat_get (i32.const 3) (i32.const 2048)))",
        "(call $out (i32.const 2048) (i32.const 24))",
        fill,
        "(call $e (call $fd_filestat_get (i32.const 3) (i32.const 2048)))",
        "(call $out (i32.const 2048) (i32.const 64))",
        fill,
        "(call $e (call $fd_filestat_get (i32.const 1) (i32.const 2048)))",
        "(call $out (i32.const 2048) (i32.const 64))",
        fill,
        "(call $e (call $fd_prestat_get (i32.const 3) (i32.const 2048)))",
        "(call $out (i32.const 2048) (i32.const 8))",
    ]
    .join("\n");
    let out = alike("fd_fdstat_get", &body);
    assert_eq!(out[4 + 1], 0xaa, "the byte after an fdstat's file type");
}

#[test]
fn a_nul_byte_in_a_path_is_einval_where_the_walk_reaches_it_in_both_engines() {
    let body = r#"(i32.store8 (i32.const 500) (i32.const 0))
     (call $e (call $path_remove_directory (i32.const 3) (i32.const 500) (i32.const 1)))
     (i32.store (i32.const 510) (i32.const 0x00782f64))
     (call $e (call $path_unlink_file (i32.const 3) (i32.const 510) (i32.const 4)))
     (call $e (call $path_create_directory (i32.const 3) (i32.const 320) (i32.const 8)))"#;
    // "\0", "d/x\0" and "missing\0" (the NUL at 327): each name holding a NUL.
    assert_eq!(errnos(&alike("path_remove_directory", body)), [28, 28, 28]);
}

/// Names with a trailing slash, onto a file ("f.txt/" at 800), a directory ("d/" at 820) and
/// nothing ("nx/" at 830), and the two names without one, through every call that opens,
/// makes or looks at a name: the engines must agree on each (every `oflags` combination of
/// `path_open` included), since each host step (wasmtime-wasi's checks, the reference's
/// probe without CREAT, cap-std's parent walk, Linux's own lookup) answers differently.
const SLASHED: &str = "(memory.copy (i32.const 800) (i32.const 256) (i32.const 5))
     (i32.store8 (i32.const 805) (i32.const 47))
     (i32.store16 (i32.const 820) (i32.const 0x2f64))
     (i32.store (i32.const 830) (i32.const 0x2f786e))";

fn trailing_slash_calls() -> String {
    let mut calls = String::from(SLASHED);
    for (ptr, len) in [(800, 6), (820, 2), (830, 3), (256, 5), (272, 1)] {
        let name = format!("(i32.const {ptr}) (i32.const {len})");
        for oflags in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 15] {
            calls += &format!(
                "(call $e (call $path_open (i32.const 3) (i32.const 1) {name} (i32.const {oflags}) (i64.const 2) \
                 (i64.const 0) (i32.const 0) (i32.const 1016)))"
            );
        }
        for target in ["(i32.const 304) (i32.const 3)", "(i32.const 320) (i32.const 7)"] {
            calls += &format!("(call $e (call $path_symlink {target} (i32.const 3) {name}))");
        }
        for old in ["(i32.const 272) (i32.const 1)", "(i32.const 320) (i32.const 7)", "(i32.const 256) (i32.const 5)"] {
            calls += &format!("(call $e (call $path_link (i32.const 3) (i32.const 0) {old} (i32.const 3) {name}))");
        }
        for follow in [0, 1] {
            calls += &format!(
                "(call $e (call $path_filestat_get (i32.const 3) (i32.const {follow}) {name} (i32.const 2048)))"
            );
        }
        calls += &format!(
            "(call $e (call $path_filestat_set_times (i32.const 3) (i32.const 0) {name} (i64.const 0) (i64.const 0) \
             (i32.const 0)))
             (call $e (call $path_readlink (i32.const 3) {name} (i32.const 2048) (i32.const 64) (i32.const 2200)))
             (call $e (call $path_create_directory (i32.const 3) {name}))"
        );
    }
    // Renames last, since they move what the calls above look at: every pair of a slashed
    // name, a plain one and "d/g.txt" (at 288), both ways.
    let names = ["(i32.const 800) (i32.const 6)", "(i32.const 820) (i32.const 2)", "(i32.const 830) (i32.const 3)"];
    let plain = ["(i32.const 256) (i32.const 5)", "(i32.const 272) (i32.const 1)", "(i32.const 288) (i32.const 7)"];
    for slashed in names {
        for other in plain {
            for (old, new) in [(slashed, other), (other, slashed)] {
                calls += &format!("(call $e (call $path_rename (i32.const 3) {old} (i32.const 3) {new}))");
            }
        }
    }
    calls
}

#[test]
fn names_with_a_trailing_slash_answer_alike_in_every_call_that_takes_a_name() {
    let errnos = errnos(&alike("trailing slashes", &trailing_slash_calls()));
    assert_eq!(errnos.len(), 5 * 23 + 18, "every call printed its errno");
}
direct!(
    path_open_creating_through_a_trailing_slash_is_a_directory_error,
    // "nx/" with CREAT, CREAT|EXCL, CREAT|TRUNC; "f.txt/" and "d/" with CREAT|EXCL; "f.txt/"
    // with CREAT alone is not a directory (the open without CREAT answers first).
    &format!(
        "{SLASHED}
         (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 830) (i32.const 3) (i32.const 1) (i64.const 2)
                                   (i64.const 0) (i32.const 0) (i32.const 1016)))
         (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 830) (i32.const 3) (i32.const 5) (i64.const 2)
                                   (i64.const 0) (i32.const 0) (i32.const 1016)))
         (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 830) (i32.const 3) (i32.const 9) (i64.const 2)
                                   (i64.const 0) (i32.const 0) (i32.const 1016)))
         (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 800) (i32.const 6) (i32.const 5) (i64.const 2)
                                   (i64.const 0) (i32.const 0) (i32.const 1016)))
         (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 820) (i32.const 2) (i32.const 5) (i64.const 2)
                                   (i64.const 0) (i32.const 0) (i32.const 1016)))
         (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 800) (i32.const 6) (i32.const 1) (i64.const 2)
                                   (i64.const 0) (i32.const 0) (i32.const 1016)))"
    ),
    |out: Vec<u8>| assert_eq!(errnos(&out), [31, 31, 31, 31, 31, 54])
);
direct!(
    path_open_of_a_directory_with_excl_or_trunc_is_invalid_before_the_name_is_looked_up,
    // DIRECTORY|EXCL on "f.txt", on "d" and on "missing"; DIRECTORY|TRUNC on "d".
    "(call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 256) (i32.const 5) (i32.const 6) (i64.const 2)
                               (i64.const 0) (i32.const 0) (i32.const 1016)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 272) (i32.const 1) (i32.const 6) (i64.const 2)
                               (i64.const 0) (i32.const 0) (i32.const 1016)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 320) (i32.const 7) (i32.const 6) (i64.const 2)
                               (i64.const 0) (i32.const 0) (i32.const 1016)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 272) (i32.const 1) (i32.const 10) (i64.const 2)
                               (i64.const 0) (i32.const 0) (i32.const 1016)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [28, 28, 28, 28])
);
direct!(
    path_open_with_a_sync_flag_is_unsupported_before_the_name_or_the_oflags_are_looked_at,
    // DSYNC on "../x" (else EPERM), RSYNC on "missing" (else ENOENT), SYNC with
    // DIRECTORY|EXCL on "d" (else EINVAL), DSYNC with CREAT on "missing" (else a new file).
    "(call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 336) (i32.const 4) (i32.const 0) (i64.const 2)
                               (i64.const 0) (i32.const 2) (i32.const 1016)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 320) (i32.const 7) (i32.const 0) (i64.const 2)
                               (i64.const 0) (i32.const 8) (i32.const 1016)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 272) (i32.const 1) (i32.const 6) (i64.const 2)
                               (i64.const 0) (i32.const 16) (i32.const 1016)))
     (call $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 320) (i32.const 7) (i32.const 1) (i64.const 2)
                               (i64.const 0) (i32.const 2) (i32.const 1016)))",
    |out: Vec<u8>| assert_eq!(errnos(&out), [58, 58, 58, 58])
);
direct!(
    path_filestat_get_without_following_stats_a_file_named_with_a_trailing_slash,
    &format!(
        "{SLASHED}
         (call $e (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 800) (i32.const 6) (i32.const 2048)))
         (call $e (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 800) (i32.const 6) (i32.const 2048)))"
    ),
    |out: Vec<u8>| assert_eq!(errnos(&out), [0, 54])
);
direct!(
    path_create_directory_over_a_file_named_with_a_trailing_slash_exists,
    &format!(
        "{SLASHED}
         (call $e (call $path_create_directory (i32.const 3) (i32.const 800) (i32.const 6)))
         (call $e (call $path_create_directory (i32.const 3) (i32.const 830) (i32.const 3)))"
    ),
    |out: Vec<u8>| assert_eq!(errnos(&out), [20, 0])
);
direct!(
    links_named_with_a_trailing_slash_need_that_directory_before_the_old_name,
    // A symlink and a link to "nx/" (missing), a link of "missing" to "f.txt/" (a file).
    &format!(
        "{SLASHED}
         (call $e (call $path_symlink (i32.const 304) (i32.const 3) (i32.const 3) (i32.const 830) (i32.const 3)))
         (call $e (call $path_link (i32.const 3) (i32.const 0) (i32.const 272) (i32.const 1) (i32.const 3) (i32.const 830)
                                   (i32.const 3)))
         (call $e (call $path_link (i32.const 3) (i32.const 0) (i32.const 320) (i32.const 7) (i32.const 3) (i32.const 800)
                                   (i32.const 6)))"
    ),
    |out: Vec<u8>| assert_eq!(errnos(&out), [44, 44, 54])
);

#[test]
fn a_guest_whose_memory_is_shared_runs_alike_in_both_engines() {
    // wasi-threads programs export a shared memory; the calls must reach it in both engines.
    let shared = PRELUDE.replace(r#"(memory (export "memory") 1)"#, r#"(memory (export "memory") 1 1 shared)"#);
    assert_ne!(shared, PRELUDE);
    let module = guest_with(
        &shared,
        r#"(call $out (i32.const 400) (i32.const 3))
           (call $e (call $args_sizes_get (i32.const 1024) (i32.const 1028)))
           (call $e (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 1040)))
           (i32.store (i32.const 2016) (i32.const 1))
           (i64.store (i32.const 2024) (i64.const 1))
           (call $e (call $poll_oneoff (i32.const 2000) (i32.const 2104) (i32.const 1) (i32.const 2200)))
           (call $out (i32.const 2200) (i32.const 4))
           (call $e (call $fd_readdir (i32.const 3) (i32.const 3000) (i32.const 200) (i64.const 0) (i32.const 2300)))
           (call $out (i32.const 3000) (i32.load (i32.const 2300)))
           (call $e (call $fd_filestat_get (i32.const 3) (i32.const 3400)))
           (call $out (i32.const 3400) (i32.const 64))"#,
    );
    let (v8, wasmtime) = (run("v8", &module), run("wasmtime", &module));
    assert_eq!(v8.outcome, wasmtime.outcome);
    assert_eq!(String::from_utf8_lossy(&v8.stdout), String::from_utf8_lossy(&wasmtime.stdout));
}
