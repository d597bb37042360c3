//! The WASI runtime's natives: functions on `__host` that its JS calls for what only the
//! host has: output under the cap, stdin, the file-system image, clocks, randomness,
//! sleeping, exit and traps.
//!
//! Exit, a trap and an exceeded output cap end the run by terminating execution rather than
//! by throwing: a JS exception could be caught by guest code (wasm `catch_all`), a
//! termination cannot.

use std::time::{Duration, Instant};

use super::host::SharedWasiHost;
use crate::isolate::install_natives;
use crate::policy::determinism::Clock;
use crate::policy::Stream;

fn host(scope: &mut v8::PinScope) -> Option<SharedWasiHost> {
    scope.get_slot::<SharedWasiHost>().cloned()
}

/// The bytes of a typed-array view, copied out.
fn bytes_of(value: v8::Local<v8::Value>) -> Option<Vec<u8>> {
    let view = v8::Local::<v8::ArrayBufferView>::try_from(value).ok()?;
    let mut out = vec![0u8; view.byte_length()];
    view.copy_contents(&mut out);
    Some(out)
}

/// Runs `f` on the bytes of a `Uint8Array`, writable.
fn with_view_mut<R>(
    scope: &mut v8::PinScope,
    value: v8::Local<v8::Value>,
    f: impl FnOnce(&mut [u8]) -> R,
) -> Option<R> {
    let view = v8::Local::<v8::Uint8Array>::try_from(value).ok()?;
    let buffer = view.buffer(scope)?;
    let (offset, len) = (view.byte_offset(), view.byte_length());
    let data = buffer.data()?;
    // SAFETY: the view's bytes lie inside its buffer's backing store, which stays alive
    // while `buffer` is; no JS runs while `f` holds the slice.
    let bytes = unsafe { std::slice::from_raw_parts_mut((data.as_ptr() as *mut u8).add(offset), len) };
    Some(f(bytes))
}

/// `__host.write(fd, bytes)`: returns the bytes accepted; terminates past the output cap.
fn write(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host(scope) else { return };
    let stream = if args.get(0).int32_value(scope) == Some(2) { Stream::Stderr } else { Stream::Stdout };
    let Some(bytes) = bytes_of(args.get(1)) else { return };
    if io.borrow_mut().output.write(stream, &bytes) {
        rv.set(v8::Number::new(scope, bytes.len() as f64).into());
    } else {
        scope.terminate_execution();
    }
}

/// `__host.read(bytes)`: fills from stdin, returns the count (0 at end of input).
fn read(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host(scope) else { return };
    let Some(n) = with_view_mut(scope, args.get(0), |dest| io.borrow_mut().read_stdin(dest)) else { return };
    rv.set(v8::Number::new(scope, n as f64).into());
}

/// `__host.stdinLeft()`: stdin bytes not read yet.
fn stdin_left(scope: &mut v8::PinScope, _args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host(scope) else { return };
    let left = io.borrow().stdin_left();
    rv.set(v8::Number::new(scope, left as f64).into());
}

/// `__host.fsList()`: the image as JSON, `{preopens: [name], entries: [[preopen, path,
/// is_dir, size, mtime_ns]]}`; the bytes stay in Rust until `fsRead`.
fn fs_list(scope: &mut v8::PinScope, _args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host(scope) else { return };
    let json = {
        let io = io.borrow();
        let entries: Vec<serde_json::Value> = io
            .image
            .entries
            .iter()
            .map(|e| {
                let size = e.bytes.as_ref().map_or(0, |b| b.len());
                serde_json::json!([e.preopen, e.path, e.bytes.is_none(), size, e.mtime_ns.to_string()])
            })
            .collect();
        serde_json::json!({ "preopens": io.image.preopens, "entries": entries }).to_string()
    };
    if let Some(text) = v8::String::new(scope, &json) {
        rv.set(text.into());
    }
}

/// `__host.fsRead(i)`: an image file's bytes as a fresh ArrayBuffer (off the V8 heap).
fn fs_read(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host(scope) else { return };
    let index = args.get(0).uint32_value(scope).unwrap_or(u32::MAX) as usize;
    let bytes = io.borrow().image.entries.get(index).and_then(|e| e.bytes.clone());
    let Some(bytes) = bytes else { return };
    let store = v8::ArrayBuffer::new_backing_store_from_vec(bytes.to_vec()).make_shared();
    rv.set(v8::ArrayBuffer::with_backing_store(scope, &store).into());
}

/// `__host.sleep(ns)`: blocks the runner thread, never past the run's deadline. A sleep
/// that would outlast it sleeps until the deadline and ends the run there, as the watchdog
/// ends guest code (and as the reference does): a guest that returns right after its sleep
/// must not finish a run whose time is up.
fn sleep(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host(scope) else { return };
    let nanos = args.get(0).to_big_int(scope).map_or(0, |b| b.u64_value().0);
    let wait = Duration::from_nanos(nanos);
    let left = io.borrow().deadline.map(|d| d.saturating_duration_since(Instant::now()));
    match left {
        Some(left) if wait > left => {
            std::thread::sleep(left);
            io.borrow_mut().slept_to_deadline = true;
            scope.terminate_execution();
        }
        _ => std::thread::sleep(wait),
    }
}

/// `__host.exit(code)`: records the code and ends the run.
fn exit(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let code = args.get(0).int32_value(scope).unwrap_or(1);
    if let Some(io) = host(scope) {
        io.borrow_mut().exit_code = Some(code);
    }
    scope.terminate_execution();
}

/// `__host.trap(message)`: the guest passed what the host cannot use; records why and ends
/// the run (by termination: a JS exception could be caught by guest code).
fn trap(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let message = args.get(0).to_rust_string_lossy(scope);
    if let Some(io) = host(scope) {
        io.borrow_mut().trap.get_or_insert(message);
    }
    scope.terminate_execution();
}

/// `__host.random(bytes)`: fills a Uint8Array from the host's randomness, or from the run's
/// seeded stream in the deterministic mode.
fn random(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let io = host(scope);
    with_view_mut(scope, args.get(0), |dest| {
        let mut io = io.as_ref().map(|io| io.borrow_mut());
        match io.as_mut().and_then(|io| io.fixed.as_mut()) {
            Some(fixed) => fixed.random.fill(dest),
            None => fill_random(dest),
        }
    });
}

/// `__host.now(clock)`: nanoseconds as a BigInt; clock 0 is realtime, others monotonic. In
/// the deterministic mode, the virtual clock's reading, which this does not advance.
fn now(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let clock = clock_arg(scope, &args);
    let fixed = host(scope).and_then(|io| io.borrow().fixed.as_ref().map(|f| f.clocks.read(clock)));
    let nanos = fixed.unwrap_or_else(|| real_now(clock));
    rv.set(v8::BigInt::new_from_u64(scope, nanos).into());
}

/// `__host.clockTimeGet(clock)`: what the guest's `clock_time_get` answers: `now`, except
/// that in the deterministic mode the virtual time advances by one step first.
fn clock_time_get(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let clock = clock_arg(scope, &args);
    let fixed = host(scope).and_then(|io| io.borrow().fixed.as_ref().map(|f| f.clocks.tick(clock)));
    let nanos = fixed.unwrap_or_else(|| real_now(clock));
    rv.set(v8::BigInt::new_from_u64(scope, nanos).into());
}

/// `__host.inode(key)`: the inode number to report for the node numbered `key`: `key`
/// itself, or in the deterministic mode the order in which the run first reported it.
fn inode(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let key = args.get(0).to_big_int(scope).map_or(0, |b| b.u64_value().0);
    let number = host(scope).and_then(|io| io.borrow_mut().fixed.as_mut().map(|f| f.inodes.number(key)));
    rv.set(v8::BigInt::new_from_u64(scope, number.unwrap_or(key)).into());
}

fn clock_arg(scope: &mut v8::PinScope, args: &v8::FunctionCallbackArguments) -> Clock {
    if args.get(0).int32_value(scope).unwrap_or(0) == 0 {
        Clock::Realtime
    } else {
        Clock::Monotonic
    }
}

fn real_now(clock: Clock) -> u64 {
    match clock {
        Clock::Realtime => {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
        }
        Clock::Monotonic => monotonic_nanos(),
    }
}

fn monotonic_nanos() -> u64 {
    use std::sync::OnceLock;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// Randomness from the OS, without a dependency: /dev/urandom, falling back to a hash of
/// the clock where it cannot be read.
fn fill_random(dest: &mut [u8]) {
    use std::io::Read;
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        if f.read_exact(dest).is_ok() {
            return;
        }
    }
    let mut x = monotonic_nanos() | 1;
    for b in dest {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
}

/// Puts the WASI natives on `host` (the context's `__host` object).
pub(crate) fn install(scope: &mut v8::PinScope, host: v8::Local<v8::Object>) -> Option<()> {
    install_natives!(scope, host, {
        "write" => write,
        "read" => read,
        "stdinLeft" => stdin_left,
        "fsList" => fs_list,
        "fsRead" => fs_read,
        "sleep" => sleep,
        "exit" => exit,
        "trap" => trap,
        "random" => random,
        "now" => now,
        "clockTimeGet" => clock_time_get,
        "inode" => inode,
    });
    Some(())
}
