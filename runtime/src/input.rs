//! Host inputs read with bounds: a module file, stdin data, the files of a `--dir` tree.
//! What is not a regular file (a device, a FIFO, a socket) is refused, never read forever
//! or waited on; a file over its limit is refused from its size, without being read; and a
//! file is never read past its limit even if it grows or lied about its size.

use std::io::Read;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path} is not a regular file")]
    NotRegular { path: String },
    #[error("{path} holds {size} bytes, over the limit of {limit}")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
}

/// The bytes of the regular file at `path`, if it holds at most `limit` of them.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let shown = || path.display().to_string();
    let io = |e: std::io::Error| InputError::Io { path: shown(), message: e.to_string() };
    // Opening a FIFO for reading would wait for a writer: look before opening.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(InputError::NotRegular { path: shown() });
    }
    if meta.len() > limit {
        return Err(InputError::TooLarge { path: shown(), size: meta.len(), limit });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge { path: shown(), size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_its_limit_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"hello").unwrap();
        assert_eq!(read_bounded(&path, 5).unwrap(), b"hello");
    }

    #[test]
    fn a_file_over_its_limit_is_refused_from_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"hello").unwrap();
        assert!(matches!(read_bounded(&path, 4), Err(InputError::TooLarge { size: 5, limit: 4, .. })));
    }

    #[test]
    fn a_directory_or_a_device_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(read_bounded(dir.path(), 100), Err(InputError::NotRegular { .. })));
        assert!(matches!(read_bounded(Path::new("/dev/zero"), 100), Err(InputError::NotRegular { .. })));
    }

    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&path).status().expect("mkfifo runs");
        assert!(status.success());
        assert!(matches!(read_bounded(&path, 100), Err(InputError::NotRegular { .. })));
    }
}
