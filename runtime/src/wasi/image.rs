//! The image of the guest's in-memory file system: host directories read under the
//! file-system budget. Entries are in name order, parents first, so every run of the same
//! tree sees the same inode numbers and listing order.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use crate::input::{read_bounded, InputError};
use crate::limits::GuestLimits;
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

/// The two file-system budgets an image is read under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FsBudget {
    /// File bytes (`max_fs_bytes`).
    pub bytes: u64,
    /// Files and directories (`max_fs_nodes`).
    pub nodes: u64,
}

impl FsBudget {
    pub(crate) fn of(guest: &GuestLimits) -> Self {
        FsBudget { bytes: guest.max_fs_bytes, nodes: guest.max_fs_nodes }
    }
}

/// Copies each preopen's tree. Symbolic links are followed to files; links to directories
/// are skipped (a link cycle would never end). Fails when the trees hold more file bytes or
/// more entries than the budget allows (file sizes are known before the files are read),
/// when a directory or file cannot be read, or when an entry is neither a regular file nor
/// a directory (a device, a FIFO or a socket would be read forever or waited on).
pub(crate) fn load_image(preopens: &[Preopen], budget: FsBudget) -> Result<FsImage, RunnerError> {
    let mut walk = Walk { budget, bytes: 0, out: Vec::new() };
    let mut names = Vec::new();
    for (index, preopen) in preopens.iter().enumerate() {
        let meta = fs::metadata(&preopen.host).map_err(|e| unreadable(&preopen.host, &e))?;
        if !meta.is_dir() {
            return Err(RunnerError::HostDir {
                path: preopen.host.display().to_string(),
                message: "not a directory".into(),
            });
        }
        names.push(preopen.guest.clone());
        walk.dir(&preopen.host, "", index)?;
    }
    Ok(FsImage { preopens: names, entries: walk.out })
}

struct Walk {
    budget: FsBudget,
    bytes: u64,
    out: Vec<FsEntry>,
}

impl Walk {
    fn over_bytes(&self, requested: u64) -> RunnerError {
        RunnerError::GuestLimitRejected { limit: "max_fs_bytes".into(), requested, allowed: self.budget.bytes }
    }

    /// Counts one more entry against the node budget; a directory of a million empty files
    /// is refused before it is listed further.
    fn push(&mut self, entry: FsEntry) -> Result<(), RunnerError> {
        if self.out.len() as u64 >= self.budget.nodes {
            return Err(RunnerError::GuestLimitRejected {
                limit: "max_fs_nodes".into(),
                requested: self.out.len() as u64 + 1,
                allowed: self.budget.nodes,
            });
        }
        self.out.push(entry);
        Ok(())
    }

    fn dir(&mut self, dir: &Path, prefix: &str, preopen: usize) -> Result<(), RunnerError> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| unreadable(dir, &e))? {
            names.push(entry.map_err(|e| unreadable(dir, &e))?.file_name());
            // The listing itself is bounded by the node budget, not by the host directory.
            if (self.out.len() + names.len()) as u64 > self.budget.nodes {
                return Err(RunnerError::GuestLimitRejected {
                    limit: "max_fs_nodes".into(),
                    requested: (self.out.len() + names.len()) as u64,
                    allowed: self.budget.nodes,
                });
            }
        }
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
                self.push(FsEntry { preopen, path: path.clone(), bytes: None, mtime_ns })?;
                self.dir(&host, &path, preopen)?;
            } else if meta.is_file() {
                let before = self.bytes;
                if before + meta.len() > self.budget.bytes {
                    return Err(self.over_bytes(before + meta.len()));
                }
                // Read with the bound it has left: a file that grows meanwhile is refused too.
                let bytes = read_bounded(&host, self.budget.bytes - before).map_err(|e| match e {
                    InputError::TooLarge { size, .. } => self.over_bytes(before + size),
                    other => RunnerError::HostDir { path: host.display().to_string(), message: other.to_string() },
                })?;
                self.bytes = before + bytes.len() as u64;
                self.push(FsEntry { preopen, path, bytes: Some(Arc::from(bytes)), mtime_ns })?;
            } else {
                return Err(RunnerError::HostDir {
                    path: host.display().to_string(),
                    message:
                        "neither a regular file nor a directory (a device, FIFO or socket is not offered to guests)"
                            .into(),
                });
            }
        }
        Ok(())
    }
}

fn unreadable(path: &Path, e: &std::io::Error) -> RunnerError {
    RunnerError::HostDir { path: path.display().to_string(), message: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOMY: FsBudget = FsBudget { bytes: 1 << 20, nodes: 100 };

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
        let image = load_image(&[Preopen { host: dir.path().into(), guest: "/data".into() }], ROOMY).unwrap();
        assert_eq!(image.preopens, vec!["/data".to_string()]);
        let paths: Vec<_> = image.entries.iter().map(|e| (e.path.as_str(), e.bytes.is_none())).collect();
        assert_eq!(paths, vec![("a.txt", false), ("b", true), ("b/inner.txt", false)]);
        let file_bytes: usize = image.entries.iter().filter_map(|e| e.bytes.as_ref()).map(|b| b.len()).sum();
        assert_eq!(file_bytes, 10);
    }

    #[test]
    fn trees_over_the_budget_are_refused() {
        let dir = tree();
        let err =
            load_image(&[Preopen { host: dir.path().into(), guest: "d".into() }], FsBudget { bytes: 9, nodes: 100 })
                .unwrap_err();
        assert!(matches!(&err, RunnerError::GuestLimitRejected { limit, .. } if limit == "max_fs_bytes"), "{err}");
    }

    #[test]
    fn trees_with_more_entries_than_the_node_budget_are_refused() {
        let dir = tree();
        let err = load_image(
            &[Preopen { host: dir.path().into(), guest: "d".into() }],
            FsBudget { bytes: 1 << 20, nodes: 2 },
        )
        .unwrap_err();
        assert!(
            matches!(&err, RunnerError::GuestLimitRejected { limit, allowed: 2, .. } if limit == "max_fs_nodes"),
            "{err}"
        );
    }

    #[test]
    fn a_fifo_in_a_tree_is_refused_by_name_without_waiting_on_it() {
        let dir = tree();
        let fifo = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let err = load_image(&[Preopen { host: dir.path().into(), guest: "d".into() }], ROOMY).unwrap_err();
        assert!(matches!(&err, RunnerError::HostDir { path, .. } if path.ends_with("pipe")), "{err}");
    }

    #[test]
    fn a_missing_directory_is_named() {
        let err =
            load_image(&[Preopen { host: "/nonexistent/wasm-runner".into(), guest: "d".into() }], ROOMY).unwrap_err();
        assert!(matches!(&err, RunnerError::HostDir { path, .. } if path.contains("nonexistent")), "{err}");
    }
}
