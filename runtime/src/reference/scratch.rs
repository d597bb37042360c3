//! The guest's directories for wasmtime-wasi: the same image the V8 runner copies into
//! memory, written to scratch directories so guest writes never reach the originals.

use crate::report::RunnerError;
use crate::wasi::Preopen;
use crate::wasi::{load_image, FsBudget};

/// One scratch directory per preopen, with its guest name.
pub(super) fn scratch_dirs(
    dirs: &[Preopen],
    budget: FsBudget,
) -> Result<Vec<(tempfile::TempDir, String)>, RunnerError> {
    let image = load_image(dirs, budget)?;
    let io = |path: &std::path::Path, e: std::io::Error| RunnerError::HostDir {
        path: path.display().to_string(),
        message: format!("writing the reference engine's scratch copy: {e}"),
    };
    let mut out = Vec::new();
    for guest_name in &image.preopens {
        let dir =
            tempfile::Builder::new().prefix("wasm-runner-ref").tempdir().map_err(|e| io(&std::env::temp_dir(), e))?;
        out.push((dir, guest_name.clone()));
    }
    for entry in &image.entries {
        let path = out[entry.preopen].0.path().join(&entry.path);
        match &entry.bytes {
            None => std::fs::create_dir(&path).map_err(|e| io(&path, e))?,
            Some(bytes) => std::fs::write(&path, bytes).map_err(|e| io(&path, e))?,
        }
    }
    Ok(out)
}
