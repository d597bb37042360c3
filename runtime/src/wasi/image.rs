//! The image of the guest's in-memory file system: host directories read under the
//! file-system budget. Entries are in name order, parents first, so every run of the same
//! tree sees the same inode numbers and listing order.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use crate::report::RunnerError;
use crate::wasi::Preopen;

/// One file or directory of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FsEntry {
    /// Index into `FsImage::preopens`.
    pub preopen: usize,
    /// `/`-separated, relative to the preopen; parents come before their children.
    pub path: String,
    /// `None` for a directory.
    pub bytes: Option<Arc<[u8]>>,
    pub mtime_ns: u64,
}

/// The file system a run starts with: preopened directories (guest names) and their trees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FsImage {
    pub preopens: Vec<String>,
    pub entries: Vec<FsEntry>,
}

/// Copies each preopen's tree. Symbolic links are followed to files; links to directories
/// are skipped (a link cycle would never end). Fails when the trees hold more than
/// `max_fs_bytes` of files, or a directory or file cannot be read.
pub(crate) fn load_image(preopens: &[Preopen], max_fs_bytes: u64) -> Result<FsImage, RunnerError> {
    let mut image = FsImage::default();
    let mut total = 0u64;
    for (index, preopen) in preopens.iter().enumerate() {
        let meta = fs::metadata(&preopen.host).map_err(|e| unreadable(&preopen.host, &e))?;
        if !meta.is_dir() {
            return Err(RunnerError::HostDir {
                path: preopen.host.display().to_string(),
                message: "not a directory".into(),
            });
        }
        image.preopens.push(preopen.guest.clone());
        walk(&preopen.host, "", index, max_fs_bytes, &mut total, &mut image.entries)?;
    }
    Ok(image)
}

fn walk(
    dir: &Path,
    prefix: &str,
    preopen: usize,
    limit: u64,
    total: &mut u64,
    out: &mut Vec<FsEntry>,
) -> Result<(), RunnerError> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .map_err(|e| unreadable(dir, &e))?
        .map(|entry| entry.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(|e| unreadable(dir, &e))?;
    names.sort();
    for name in names {
        let Some(name) = name.to_str().map(str::to_string) else { continue };
        let host = dir.join(&name);
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        let link = fs::symlink_metadata(&host).map_err(|e| unreadable(&host, &e))?;
        let Ok(meta) = fs::metadata(&host) else { continue }; // a dangling link
        if link.file_type().is_symlink() && meta.is_dir() {
            continue;
        }
        let mtime_ns =
            meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as u64);
        if meta.is_dir() {
            out.push(FsEntry { preopen, path: path.clone(), bytes: None, mtime_ns });
            walk(&host, &path, preopen, limit, total, out)?;
        } else if meta.is_file() {
            *total += meta.len();
            if *total > limit {
                return Err(RunnerError::GuestLimitRejected {
                    limit: "max_fs_bytes".into(),
                    requested: *total,
                    allowed: limit,
                });
            }
            let bytes = fs::read(&host).map_err(|e| unreadable(&host, &e))?;
            out.push(FsEntry { preopen, path, bytes: Some(Arc::from(bytes)), mtime_ns });
        }
    }
    Ok(())
}

fn unreadable(path: &Path, e: &std::io::Error) -> RunnerError {
    RunnerError::HostDir { path: path.display().to_string(), message: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("b")).unwrap();
        fs::write(dir.path().join("b/inner.txt"), b"inner").unwrap();
        fs::write(dir.path().join("a.txt"), b"hello").unwrap();
        dir
    }

    #[test]
    fn entries_come_in_name_order_with_parents_first() {
        let dir = tree();
        let image = load_image(&[Preopen { host: dir.path().into(), guest: "/data".into() }], 1 << 20).unwrap();
        assert_eq!(image.preopens, vec!["/data".to_string()]);
        let paths: Vec<_> = image.entries.iter().map(|e| (e.path.as_str(), e.bytes.is_none())).collect();
        assert_eq!(paths, vec![("a.txt", false), ("b", true), ("b/inner.txt", false)]);
        let file_bytes: usize = image.entries.iter().filter_map(|e| e.bytes.as_ref()).map(|b| b.len()).sum();
        assert_eq!(file_bytes, 10);
    }

    #[test]
    fn trees_over_the_budget_are_refused() {
        let dir = tree();
        let err = load_image(&[Preopen { host: dir.path().into(), guest: "d".into() }], 9).unwrap_err();
        assert_eq!(err.kind(), "guest_limit_rejected");
    }

    #[test]
    fn a_missing_directory_is_named() {
        let err = load_image(&[Preopen { host: "/nonexistent/wasm-runner".into(), guest: "d".into() }], 9).unwrap_err();
        assert!(matches!(&err, RunnerError::HostDir { path, .. } if path.contains("nonexistent")), "{err}");
    }
}
