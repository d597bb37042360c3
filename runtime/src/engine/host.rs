//! The host side of the runner's JS: output capture under a byte cap, process exit,
//! randomness and clocks, as native functions on a `__host` object.
//!
//! Exit and an exceeded output cap end the run by terminating execution rather than by
//! throwing: a JS exception could be caught by guest code (wasm `catch_all`), a
//! termination cannot.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One file or directory the host puts in the guest's in-memory file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedEntry {
    /// Index into `FsSeed::preopens`.
    pub preopen: usize,
    /// `/`-separated, relative to the preopen; parents come before their children.
    pub path: String,
    /// `None` for a directory.
    pub bytes: Option<Arc<[u8]>>,
    pub mtime_ns: u64,
}

/// The file system a run starts with: preopened directories (guest names) and their trees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FsSeed {
    pub preopens: Vec<String>,
    pub entries: Vec<SeedEntry>,
}

impl FsSeed {
    /// File bytes in the seed (what it costs the run's file-system budget, before nodes).
    pub fn file_bytes(&self) -> u64 {
        self.entries.iter().filter_map(|e| e.bytes.as_ref()).map(|b| b.len() as u64).sum()
    }
}

/// A guest called an import the runner only stubbed (`trap_unknown_imports`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownImportCall {
    pub module: String,
    pub name: String,
}

/// Per-run host state, kept in an isolate slot for the native callbacks.
#[derive(Debug, Default)]
pub struct HostIo {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub stdin: Vec<u8>,
    pub stdin_read: usize,
    pub output_limit: u64,
    pub output_exceeded: bool,
    pub exit_code: Option<i32>,
    pub fs: FsSeed,
    /// When the run's wall time ends: a guest's sleep never outlasts it.
    pub deadline: Option<Instant>,
    pub unknown_import_called: Option<UnknownImportCall>,
}

impl HostIo {
    pub fn new(output_limit: u64, stdin: Vec<u8>) -> Self {
        HostIo { output_limit, stdin, ..Default::default() }
    }

    pub fn output_bytes(&self) -> u64 {
        (self.stdout.len() + self.stderr.len()) as u64
    }

    /// Appends to stdout (1) or stderr (2). Returns false once the cap is exceeded; what
    /// fits under the cap is kept.
    fn write(&mut self, fd: i32, bytes: &[u8]) -> bool {
        let room = self.output_limit.saturating_sub(self.output_bytes()) as usize;
        let take = bytes.len().min(room);
        let sink = if fd == 2 { &mut self.stderr } else { &mut self.stdout };
        sink.extend_from_slice(&bytes[..take]);
        if take < bytes.len() {
            self.output_exceeded = true;
        }
        !self.output_exceeded
    }
}

pub type SharedHostIo = Rc<RefCell<HostIo>>;

fn host_io(scope: &mut v8::PinScope) -> Option<SharedHostIo> {
    scope.get_slot::<SharedHostIo>().cloned()
}

fn bytes_of(value: v8::Local<v8::Value>) -> Option<Vec<u8>> {
    let view = v8::Local::<v8::ArrayBufferView>::try_from(value).ok()?;
    let mut out = vec![0u8; view.byte_length()];
    view.copy_contents(&mut out);
    Some(out)
}

/// `__host.write(fd, bytes)`: returns the bytes accepted; terminates past the cap.
fn write(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host_io(scope) else { return };
    let fd = args.get(0).int32_value(scope).unwrap_or(1);
    let Some(bytes) = bytes_of(args.get(1)) else { return };
    let ok = io.borrow_mut().write(fd, &bytes);
    if ok {
        rv.set(v8::Number::new(scope, bytes.len() as f64).into());
    } else {
        scope.terminate_execution();
    }
}

/// `__host.read(bytes)`: fills from stdin, returns the count (0 at end of input).
fn read(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host_io(scope) else { return };
    let Ok(view) = v8::Local::<v8::Uint8Array>::try_from(args.get(0)) else { return };
    let mut io = io.borrow_mut();
    let available = io.stdin.len() - io.stdin_read;
    let n = view.byte_length().min(available);
    let Some(buffer) = view.buffer(scope) else { return };
    let offset = view.byte_offset();
    if let Some(data) = buffer.data() {
        // SAFETY: the view's bytes lie inside its buffer's backing store, which stays alive
        // while `buffer` is; no JS runs while we copy.
        let dest = unsafe { std::slice::from_raw_parts_mut((data.as_ptr() as *mut u8).add(offset), n) };
        let start = io.stdin_read;
        dest.copy_from_slice(&io.stdin[start..start + n]);
        io.stdin_read += n;
    }
    rv.set(v8::Number::new(scope, n as f64).into());
}

/// `__host.stdinLeft()`: stdin bytes not read yet.
fn stdin_left(scope: &mut v8::PinScope, _args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host_io(scope) else { return };
    let left = {
        let io = io.borrow();
        io.stdin.len() - io.stdin_read
    };
    rv.set(v8::Number::new(scope, left as f64).into());
}

/// `__host.fsList()`: the seed as JSON, `{preopens: [name], entries: [[preopen, path,
/// is_dir, size, mtime_ns]]}`; the bytes stay in Rust until `fsRead`.
fn fs_list(scope: &mut v8::PinScope, _args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host_io(scope) else { return };
    let json = {
        let io = io.borrow();
        let entries: Vec<serde_json::Value> = io
            .fs
            .entries
            .iter()
            .map(|e| {
                let size = e.bytes.as_ref().map_or(0, |b| b.len());
                serde_json::json!([e.preopen, e.path, e.bytes.is_none(), size, e.mtime_ns.to_string()])
            })
            .collect();
        serde_json::json!({ "preopens": io.fs.preopens, "entries": entries }).to_string()
    };
    if let Some(text) = v8::String::new(scope, &json) {
        rv.set(text.into());
    }
}

/// `__host.fsRead(i)`: a seeded file's bytes as a fresh ArrayBuffer (off the V8 heap).
fn fs_read(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host_io(scope) else { return };
    let index = args.get(0).uint32_value(scope).unwrap_or(u32::MAX) as usize;
    let bytes = io.borrow().fs.entries.get(index).and_then(|e| e.bytes.clone());
    let Some(bytes) = bytes else { return };
    let store = v8::ArrayBuffer::new_backing_store_from_vec(bytes.to_vec()).make_shared();
    rv.set(v8::ArrayBuffer::with_backing_store(scope, &store).into());
}

/// `__host.sleep(ns)`: blocks the runner thread, never past the run's deadline (the
/// watchdog's termination lands when the sleep returns to JS).
fn sleep(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let Some(io) = host_io(scope) else { return };
    let nanos = args.get(0).to_big_int(scope).map_or(0, |b| b.u64_value().0);
    let mut wait = Duration::from_nanos(nanos);
    if let Some(deadline) = io.borrow().deadline {
        wait = wait.min(deadline.saturating_duration_since(Instant::now()));
    }
    std::thread::sleep(wait);
}

/// `__host.unknownImport(module, name)`: a stubbed import was called; records it and ends
/// the run (by termination, so guest `catch_all` cannot swallow it).
fn unknown_import(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let module = args.get(0).to_rust_string_lossy(scope);
    let name = args.get(1).to_rust_string_lossy(scope);
    if let Some(io) = host_io(scope) {
        io.borrow_mut().unknown_import_called.get_or_insert(UnknownImportCall { module, name });
    }
    scope.terminate_execution();
}

/// `__host.setInterrupt(sharedArrayBuffer)`: the guest's interrupt memory (see
/// `engine::interrupt`), registered once the instance exists.
fn set_interrupt(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let Ok(buffer) = v8::Local::<v8::SharedArrayBuffer>::try_from(args.get(0)) else { return };
    if buffer.byte_length() < 4 {
        return;
    }
    let Some(data) = buffer.get_backing_store().data() else { return };
    if let Some(flag) = scope.get_slot::<std::sync::Arc<super::interrupt::InterruptFlag>>() {
        flag.attach(data.as_ptr() as usize);
    }
}

/// `__host.exit(code)`: records the code and ends the run.
fn exit(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let code = args.get(0).int32_value(scope).unwrap_or(1);
    if let Some(io) = host_io(scope) {
        io.borrow_mut().exit_code = Some(code);
    }
    scope.terminate_execution();
}

/// `__host.random(bytes)`: fills a Uint8Array from the host's randomness.
fn random(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _rv: v8::ReturnValue<v8::Value>) {
    let Ok(view) = v8::Local::<v8::Uint8Array>::try_from(args.get(0)) else { return };
    let Some(buffer) = view.buffer(scope) else { return };
    let len = view.byte_length();
    let offset = view.byte_offset();
    if let Some(data) = buffer.data() {
        // SAFETY: as in `read`.
        let dest = unsafe { std::slice::from_raw_parts_mut((data.as_ptr() as *mut u8).add(offset), len) };
        fill_random(dest);
    }
}

/// `__host.now(clock)`: nanoseconds as a BigInt; clock 0 is realtime, others monotonic.
fn now(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue<v8::Value>) {
    let clock = args.get(0).int32_value(scope).unwrap_or(0);
    let nanos = if clock == 0 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
    } else {
        monotonic_nanos()
    };
    rv.set(v8::BigInt::new_from_u64(scope, nanos).into());
}

fn monotonic_nanos() -> u64 {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed().as_nanos() as u64
}

/// Randomness from the OS, without a dependency: /dev/urandom, falling back to a hash of
/// the clock where it cannot be read.
pub fn fill_random(dest: &mut [u8]) {
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

/// Installs `__host` on the context's global object.
pub(crate) fn install(scope: &mut v8::PinScope, context: v8::Local<v8::Context>) -> Option<()> {
    let host = v8::Object::new(scope);
    macro_rules! add {
        ($name:literal, $f:expr) => {{
            let function = v8::Function::new(scope, $f)?;
            let key = v8::String::new(scope, $name)?;
            host.set(scope, key.into(), function.into())?;
        }};
    }
    add!("write", write);
    add!("read", read);
    add!("exit", exit);
    add!("random", random);
    add!("now", now);
    add!("stdinLeft", stdin_left);
    add!("fsList", fs_list);
    add!("fsRead", fs_read);
    add!("sleep", sleep);
    add!("unknownImport", unknown_import);
    add!("setInterrupt", set_interrupt);
    let key = v8::String::new(scope, "__host")?;
    context.global(scope).set(scope, key.into(), host.into())?;
    Some(())
}
