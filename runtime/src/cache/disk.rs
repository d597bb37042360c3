//! The content caches on disk, shared by every process of one user: prepared modules (the
//! guest checks' output) and the wasmtime reference's compiled artifacts, so that a module
//! pays for its checks and for Cranelift once per machine rather than once per process.
//!
//! An entry is one file named by a BLAKE3 hash of what produced it (the module's bytes and
//! every setting that shapes the output, see the callers), holding a header (magic, that
//! key, the lengths of its two parts and their CRC-32) and the two parts: a small `meta`
//! (what describes the bulk) and the `bulk` (instrumented module or compiled artifact),
//! which is mapped, not read: the caller's `SharedBytes` are the file's pages. A file that
//! does not match its header in every field (truncated, corrupt, another format, another
//! key) is deleted and reported as a miss, never used. Writers write a temporary file and
//! rename it into place, so concurrent processes only ever see whole entries. The cache is
//! bounded: after each write, the least recently used entries (by modification time,
//! refreshed on every hit) go until the total is within the bound.
//!
//! Off unless enabled (`set_disk_cache`); the CLI enables it at `default_cache_dir()`
//! unless given `--no-cache`. Trust: an entry is as trusted as the user's own files; the
//! checks guard against damage, not against someone who can write the user's cache (nor
//! against a cache file changed in place, not replaced, while a process has it mapped).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use super::SharedBytes;

/// Where the cache lives when `WASM_RUNNER_CACHE_DIR` does not say.
pub const CACHE_DIR_ENV: &str = "WASM_RUNNER_CACHE_DIR";
/// Bytes the cache may hold on disk, all entries together.
pub const DISK_CACHE_MAX_BYTES: u64 = 4 << 30;

const MAGIC: &[u8; 8] = b"WRCACHE3";
const HEADER_LEN: usize = 8 + 32 + 8 + 8 + 4;

/// A cache key: the BLAKE3 of everything that produced an entry.
pub(crate) type Key = [u8; 32];

/// The key of `parts`, each length-prefixed so that no two lists of parts collide. A large
/// part is hashed in chunks on as many threads (the key is the BLAKE3 of their BLAKE3s),
/// so that keying a 100 MB module takes a fraction of its checks. BLAKE3 rather than
/// SHA-256: as strong for this, and several times faster per core (the key is computed on
/// every warm start, before anything is read).
pub(crate) fn key_of(parts: &[&[u8]]) -> Key {
    let mut hash = blake3::Hasher::new();
    for part in parts {
        hash.update(&(part.len() as u64).to_le_bytes());
        if part.len() < PARALLEL_FROM_LEN {
            hash.update(part);
            continue;
        }
        let chunk = part.len().div_ceil(crate::process::cores().max(2));
        for digest in in_pieces(part, chunk, |piece| *blake3::hash(piece).as_bytes()) {
            hash.update(&digest);
        }
    }
    *hash.finalize().as_bytes()
}

/// Parts from this size are hashed, and entries' bulk parts checked, on several threads.
const PARALLEL_FROM_LEN: usize = 8 << 20;

/// `work` on each `piece`-byte piece of `bytes`, on a thread each when there are several;
/// the results in order.
fn in_pieces<T: Send>(bytes: &[u8], piece: usize, work: impl Fn(&[u8]) -> T + Sync) -> Vec<T> {
    let piece = piece.max(1);
    if bytes.len() <= piece {
        return vec![work(bytes)];
    }
    let work = &work;
    std::thread::scope(|scope| {
        let running: Vec<_> = bytes.chunks(piece).map(|piece| scope.spawn(move || work(piece))).collect();
        running.into_iter().map(|r| r.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

#[derive(Debug, Clone)]
struct DiskCache {
    dir: PathBuf,
    max_bytes: u64,
}

static DISK: RwLock<Option<DiskCache>> = RwLock::new(None);
static HITS: AtomicU64 = AtomicU64::new(0);

/// `WASM_RUNNER_CACHE_DIR`, else `$XDG_CACHE_HOME/wasm-runner`, else
/// `$HOME/.cache/wasm-runner`; `None` when none of them is set.
pub fn default_cache_dir() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    env(CACHE_DIR_ENV)
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("wasm-runner")))
        .or_else(|| env("HOME").map(|d| d.join(".cache/wasm-runner")))
}

/// Turns the disk cache on at `dir` (created when first written), or off with `None`.
pub fn set_disk_cache(dir: Option<PathBuf>) {
    let cache = dir.map(|dir| DiskCache { dir, max_bytes: DISK_CACHE_MAX_BYTES });
    *DISK.write().unwrap_or_else(|p| p.into_inner()) = cache;
}

/// Entries served from disk since the process started.
pub fn disk_cache_hits() -> u64 {
    HITS.load(Ordering::Relaxed)
}

/// Whether the disk cache is on: callers skip computing a key (a SHA-256 over the module)
/// when it is not.
pub(crate) fn enabled() -> bool {
    DISK.read().unwrap_or_else(|p| p.into_inner()).is_some()
}

fn current() -> Option<DiskCache> {
    DISK.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// What an entry holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub meta: Vec<u8>,
    pub bulk: SharedBytes,
}

/// The entry stored under `key` in the `kind` folder, when the cache is on and holds a
/// whole, matching entry.
pub(crate) fn get(kind: &str, key: &Key) -> Option<Entry> {
    let cache = current()?;
    let path = cache.path(kind, key);
    let mut file = std::fs::File::open(&path).ok()?;
    match read_entry(&mut file, key) {
        Some(entry) => {
            HITS.fetch_add(1, Ordering::Relaxed);
            // Recently used: eviction takes the oldest first.
            let _ = file.set_modified(SystemTime::now());
            Some(entry)
        }
        None => {
            tracing::warn!(path = %path.display(), "a damaged disk-cache entry was removed");
            let _ = std::fs::remove_file(&path);
            None
        }
    }
}

/// The entry in `file`, if every field of its header matches. The lengths are checked
/// against the file's before anything is allocated for them.
fn read_entry(file: &mut std::fs::File, key: &Key) -> Option<Entry> {
    let mut header = [0u8; HEADER_LEN];
    file.read_exact(&mut header).ok()?;
    let field = |at: usize| u64::from_le_bytes(header[at..at + 8].try_into().unwrap_or_default());
    let (meta_len, bulk_len) = (field(40), field(48));
    let file_len = file.metadata().ok()?.len();
    if &header[..8] != MAGIC
        || &header[8..40] != key
        || meta_len.checked_add(bulk_len)?.checked_add(HEADER_LEN as u64)? != file_len
    {
        return None;
    }
    let mut meta = vec![0u8; usize::try_from(meta_len).ok()?];
    file.read_exact(&mut meta).ok()?;
    let bulk_start = usize::try_from(HEADER_LEN as u64 + meta_len).ok()?;
    let bulk = map_from(file, bulk_start, file_len)?;
    let piece = bulk.len().div_ceil(crate::process::cores().max(1)).max(PARALLEL_FROM_LEN);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&meta);
    crc.combine(&crc_in_pieces(&bulk, piece));
    (header[56..60] == crc.finalize().to_le_bytes()).then_some(Entry { meta, bulk })
}

/// The bytes of `file` from `start` to its end (`file_len`), mapped; read into memory where
/// the file system cannot map them.
fn map_from(file: &mut std::fs::File, start: usize, file_len: u64) -> Option<SharedBytes> {
    // SAFETY: entries are written whole to a temporary file and renamed into place, never
    // written in place, and eviction's unlink leaves a mapping valid; a file changed in
    // place by someone else is outside what the cache trusts (see the module's doc), and
    // the caller's checks run on the mapped bytes themselves.
    match unsafe { memmap2::MmapOptions::new().populate().map(&*file) } {
        Ok(map) if map.len() as u64 == file_len && start <= map.len() => {
            let range = start..map.len();
            Some(SharedBytes::mapped(Arc::new(map), range))
        }
        Ok(_) => None,
        Err(e) => {
            tracing::debug!(error = %e, "a disk-cache entry could not be mapped; reading it");
            let mut rest = vec![0u8; usize::try_from(file_len).ok()?.checked_sub(start)?];
            file.read_exact(&mut rest).ok()?;
            Some(rest.into())
        }
    }
}

/// The CRC-32 of `bytes`, in pieces of `piece` bytes on a thread each: checking 175 MB of
/// a mapped entry is the kernel's page-table work and the CPU's memory bandwidth, and both
/// go faster on every core.
fn crc_in_pieces(bytes: &[u8], piece: usize) -> crc32fast::Hasher {
    let pieces = in_pieces(bytes, piece, |piece| {
        let mut crc = crc32fast::Hasher::new();
        crc.update(piece);
        crc
    });
    let mut crc = crc32fast::Hasher::new();
    for piece in pieces {
        crc.combine(&piece);
    }
    crc
}

/// Stores `meta` and `bulk` under `key` in the `kind` folder, when the cache is on.
/// Failures (a full disk, a read-only folder) only cost the next process a miss.
pub(crate) fn put(kind: &str, key: &Key, meta: &[u8], bulk: &[u8]) {
    let Some(cache) = current() else { return };
    if let Err(e) = cache.write(kind, key, meta, bulk) {
        tracing::debug!(error = %e, "could not write a disk-cache entry");
        return;
    }
    cache.evict();
}

impl DiskCache {
    fn path(&self, kind: &str, key: &Key) -> PathBuf {
        let name: String = key.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(kind).join(name)
    }

    fn write(&self, kind: &str, key: &Key, meta: &[u8], bulk: &[u8]) -> std::io::Result<()> {
        let path = self.path(kind, key);
        let folder = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(folder)?;
        let mut file = tempfile::NamedTempFile::new_in(folder)?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(meta);
        crc.update(bulk);
        file.write_all(MAGIC)?;
        file.write_all(key)?;
        file.write_all(&(meta.len() as u64).to_le_bytes())?;
        file.write_all(&(bulk.len() as u64).to_le_bytes())?;
        file.write_all(&crc.finalize().to_le_bytes())?;
        file.write_all(meta)?;
        file.write_all(bulk)?;
        file.as_file().sync_data()?;
        file.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    /// Removes the least recently used entries until the cache is within its bound.
    fn evict(&self) {
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        for folder in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            for entry in std::fs::read_dir(folder.path()).into_iter().flatten().flatten() {
                if let Ok(meta) = entry.metadata() {
                    if meta.is_file() {
                        entries.push((meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len(), entry.path()));
                    }
                }
            }
        }
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        entries.sort_by_key(|e| e.0);
        for (_, len, path) in entries {
            if total <= self.max_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total = total.saturating_sub(len);
            }
        }
    }
}

/// Runs `f` with the disk cache at `dir` and bounded to `max_bytes`, then restores the
/// previous setting (tests only: the setting is process-wide).
#[cfg(test)]
pub(crate) fn with_cache_at<R>(dir: &std::path::Path, max_bytes: u64, f: impl FnOnce() -> R) -> R {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let before = current();
    *DISK.write().unwrap() = Some(DiskCache { dir: dir.to_path_buf(), max_bytes });
    let result = f();
    *DISK.write().unwrap() = before;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(meta: &[u8], bulk: &[u8]) -> Option<Entry> {
        Some(Entry { meta: meta.to_vec(), bulk: bulk.into() })
    }

    #[test]
    fn an_entry_written_is_read_back() {
        let dir = tempfile::tempdir().unwrap();
        with_cache_at(dir.path(), 1 << 20, || {
            let key = key_of(&[b"module", b"settings"]);
            put("t", &key, b"meta", b"payload");
            assert_eq!(get("t", &key), entry(b"meta", b"payload"));
            assert_eq!(get("t", &key_of(&[b"other"])), None);
        });
    }

    #[test]
    fn a_truncated_or_corrupt_entry_is_removed_and_missed() {
        let dir = tempfile::tempdir().unwrap();
        with_cache_at(dir.path(), 1 << 20, || {
            let key = key_of(&[b"m"]);
            for damage in [
                |b: &mut Vec<u8>| b.truncate(b.len() - 1),
                |b: &mut Vec<u8>| *b.last_mut().unwrap() ^= 1,
                |b: &mut Vec<u8>| b[HEADER_LEN] ^= 1,
                // A bulk length past the file: refused before anything that size is allocated.
                |b: &mut Vec<u8>| b[48..56].copy_from_slice(&u64::MAX.to_le_bytes()),
            ] {
                put("t", &key, b"meta", b"some payload");
                let path = current().unwrap().path("t", &key);
                let mut bytes = std::fs::read(&path).unwrap();
                damage(&mut bytes);
                std::fs::write(&path, &bytes).unwrap();
                assert_eq!(get("t", &key), None);
                assert!(!path.exists(), "the damaged entry stays");
                put("t", &key, b"meta", b"some payload");
                assert_eq!(get("t", &key), entry(b"meta", b"some payload"), "rewritten after damage");
            }
        });
    }

    #[test]
    fn the_crc_in_pieces_is_the_crc_of_the_whole() {
        let bytes: Vec<u8> = (0..100_003u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for piece in [4096, 7919, 50_002, 100_003, 1 << 20] {
            assert_eq!(crc_in_pieces(&bytes, piece).finalize(), crc32fast::hash(&bytes), "pieces of {piece} bytes");
        }
        assert_eq!(crc_in_pieces(&[], 4096).finalize(), crc32fast::hash(&[]));
    }

    #[test]
    fn an_entry_served_keeps_its_bytes_after_its_file_is_replaced_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        with_cache_at(dir.path(), 1 << 20, || {
            let key = key_of(&[b"m"]);
            put("t", &key, b"meta", b"first payload");
            let served = get("t", &key).unwrap();
            put("t", &key, b"meta", b"other payload");
            assert_eq!(&served.bulk[..], b"first payload", "a writer replaces the file, never writes into it");
            std::fs::remove_file(current().unwrap().path("t", &key)).unwrap();
            assert_eq!(&served.bulk[..], b"first payload", "eviction unlinks; the mapping stays");
        });
    }

    #[test]
    fn an_entry_under_another_key_is_never_served() {
        let dir = tempfile::tempdir().unwrap();
        with_cache_at(dir.path(), 1 << 20, || {
            let (a, b) = (key_of(&[b"a"]), key_of(&[b"b"]));
            put("t", &a, b"", b"for a");
            let cache = current().unwrap();
            std::fs::copy(cache.path("t", &a), cache.path("t", &b)).unwrap();
            assert_eq!(get("t", &b), None);
        });
    }

    #[test]
    fn the_least_recently_used_entries_go_past_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        with_cache_at(dir.path(), 3 * (HEADER_LEN as u64 + 100), || {
            let keys: Vec<Key> = (0u8..4).map(|i| key_of(&[&[i]])).collect();
            let cache = current().unwrap();
            for (i, key) in keys.iter().enumerate().take(3) {
                put("t", key, b"", &[i as u8; 100]);
                // Written in the past, a second apart, oldest first.
                let file = std::fs::File::options().append(true).open(cache.path("t", key)).unwrap();
                file.set_modified(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 + i as u64)).unwrap();
            }
            assert!(get("t", &keys[0]).is_some(), "the first entry is used again");
            put("t", &keys[3], b"", &[3; 100]);
            assert!(!cache.path("t", &keys[1]).exists(), "the least recently used entry stays");
            assert!(get("t", &keys[0]).is_some() && get("t", &keys[2]).is_some() && get("t", &keys[3]).is_some());
        });
    }

    #[test]
    fn a_key_depends_on_how_its_parts_split() {
        assert_ne!(key_of(&[b"ab", b"c"]), key_of(&[b"a", b"bc"]));
    }
}
