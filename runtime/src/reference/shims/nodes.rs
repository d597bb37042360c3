//! The file-system node budget (`max_fs_nodes`) over wasmtime-wasi's scratch directories:
//! files and directories counted as the V8 runner's `fs.js` counts them.

use std::path::{Path, PathBuf};

/// The files and directories under the scratch roots, and the budget.
#[derive(Debug, Default)]
pub(crate) struct NodeCount {
    roots: Vec<PathBuf>,
    used: u64,
    limit: u64,
}

impl NodeCount {
    /// The budget over `roots`, counting what they hold now.
    pub(crate) fn new(roots: Vec<PathBuf>, limit: u64) -> Self {
        let mut count = NodeCount { roots, used: 0, limit };
        count.recount();
        count
    }

    pub(super) fn full(&self) -> bool {
        self.used >= self.limit
    }

    pub(super) fn added(&mut self) {
        self.used += 1;
    }

    pub(super) fn removed(&mut self) {
        self.used = self.used.saturating_sub(1);
    }

    /// Counts the trees again: after a rename, which may have replaced its target. Every
    /// entry was admitted under the budget, so this walks at most `limit` entries.
    pub(super) fn recount(&mut self) {
        self.used = self.roots.iter().map(|root| entries_under(root)).sum();
    }
}

fn entries_under(dir: &Path) -> u64 {
    let Ok(listing) = std::fs::read_dir(dir) else { return 0 };
    listing
        .flatten()
        .map(|entry| {
            let below = match entry.file_type() {
                Ok(t) if t.is_dir() => entries_under(&entry.path()),
                _ => 0,
            };
            1 + below
        })
        .sum()
}
