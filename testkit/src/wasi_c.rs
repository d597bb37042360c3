//! C programs compiled to wasm32-wasi with Debian's clang and wasi-libc (the packages
//! `clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32`, which `.ci/run` installs): real
//! libc code paths (stdio buffering, dirent, stat, time) that no hand-written guest takes.
//!
//! `WASI_CC` names the compiler and `WASI_SYSROOT` the sysroot when they are elsewhere.
//! Outputs are cached under the target directory by a hash of the source and the command,
//! so a test run compiles each program once.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The compiler, when it is not `clang-19` on the PATH.
pub const CC_ENV: &str = "WASI_CC";
/// The sysroot holding `lib/wasm32-wasi/libc.a`, when it is not `/usr`.
pub const SYSROOT_ENV: &str = "WASI_SYSROOT";
/// What a machine without the toolchain installs.
pub const PACKAGES: &str = "clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32";

/// Why a program did not compile.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("no wasm32-wasi C toolchain: {0} (apt-get install {PACKAGES}, or set {CC_ENV} and {SYSROOT_ENV})")]
    NoToolchain(String),
    #[error("{path}: {message}")]
    Failed { path: String, message: String },
}

fn compiler() -> String {
    std::env::var(CC_ENV).unwrap_or_else(|_| "clang-19".into())
}

fn sysroot() -> PathBuf {
    std::env::var_os(SYSROOT_ENV).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr"))
}

/// Whether the compiler runs and the sysroot has wasi-libc.
pub fn toolchain() -> Result<(), CompileError> {
    let cc = compiler();
    let runs = Command::new(&cc).arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if !runs {
        return Err(CompileError::NoToolchain(format!("{cc} does not run")));
    }
    let libc = sysroot().join("lib/wasm32-wasi/libc.a");
    if !libc.is_file() {
        return Err(CompileError::NoToolchain(format!("{} is missing", libc.display())));
    }
    Ok(())
}

/// The flags every program is compiled with.
fn flags() -> Vec<String> {
    ["--target=wasm32-wasi", "-O2", "-Wall", "-Werror", "-fuse-ld=lld"]
        .into_iter()
        .map(String::from)
        .chain([format!("--sysroot={}", sysroot().display())])
        .collect()
}

/// The module `source` compiles to.
pub fn compile(source: &Path) -> Result<Vec<u8>, CompileError> {
    toolchain()?;
    let failed = |message: String| CompileError::Failed { path: source.display().to_string(), message };
    let text = std::fs::read(source).map_err(|e| failed(e.to_string()))?;
    let key = {
        let mut bytes = text.clone();
        bytes.extend(compiler().as_bytes());
        bytes.extend(flags().join(" ").as_bytes());
        cache_key(&bytes)
    };
    let cache = cache_dir();
    let out = cache.join(format!("{key:016x}.wasm"));
    if let Ok(bytes) = std::fs::read(&out) {
        return Ok(bytes);
    }
    std::fs::create_dir_all(&cache).map_err(|e| failed(format!("cannot create {}: {e}", cache.display())))?;
    // Written beside the final name, then renamed: tests compiling at once never read half a file.
    let partial = cache.join(format!("{key:016x}.{}.partial", std::process::id()));
    let output = Command::new(compiler())
        .args(flags())
        .arg("-o")
        .arg(&partial)
        .arg(source)
        .output()
        .map_err(|e| failed(format!("{}: {e}", compiler())))?;
    if !output.status.success() {
        return Err(failed(String::from_utf8_lossy(&output.stderr).trim().to_string()));
    }
    std::fs::rename(&partial, &out).map_err(|e| failed(e.to_string()))?;
    std::fs::read(&out).map_err(|e| failed(e.to_string()))
}

fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wasi-c")
}

/// FNV-1a over the bytes, twice with different offsets: a cache key, not a security hash.
fn cache_key(bytes: &[u8]) -> u64 {
    let fnv = |offset: u64| bytes.iter().fold(offset, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    fnv(0xcbf2_9ce4_8422_2325) ^ fnv(0x8422_2325_cbf2_9ce4).rotate_left(32)
}
