//! The file-system budgets over wasmtime-wasi's scratch directories, counted as the V8
//! runner's `fs.js` counts them: files and directories (`max_fs_nodes`) and the bytes files
//! hold (`max_fs_bytes`, charged as a file grows and released as it shrinks or goes).

use std::path::Path;

/// What the guest's file system holds, and what it may.
#[derive(Debug, Default)]
pub(crate) struct FsUsage {
    nodes: u64,
    node_limit: u64,
    bytes: u64,
    byte_limit: u64,
}

impl FsUsage {
    /// The budgets over `roots`, counting what they hold now (the image the run starts with).
    pub(crate) fn new(roots: &[&Path], node_limit: u64, byte_limit: u64) -> Self {
        let mut usage = FsUsage { node_limit, byte_limit, ..Default::default() };
        for root in roots {
            usage.count(root);
        }
        usage
    }

    fn count(&mut self, dir: &Path) {
        let Ok(listing) = std::fs::read_dir(dir) else { return };
        for entry in listing.flatten() {
            self.nodes += 1;
            match entry.metadata() {
                Ok(m) if m.is_dir() => self.count(&entry.path()),
                Ok(m) => self.bytes += m.len(),
                Err(_) => {}
            }
        }
    }

    pub(super) fn nodes_full(&self) -> bool {
        self.nodes >= self.node_limit
    }

    pub(super) fn node_added(&mut self) {
        self.nodes += 1;
    }

    pub(super) fn node_removed(&mut self) {
        self.nodes = self.nodes.saturating_sub(1);
    }

    /// Whether `growth` more bytes fit.
    pub(super) fn bytes_fit(&self, growth: u64) -> bool {
        self.bytes.saturating_add(growth) <= self.byte_limit
    }

    pub(super) fn bytes_grew(&mut self, growth: u64) {
        self.bytes = self.bytes.saturating_add(growth);
    }

    pub(super) fn bytes_released(&mut self, bytes: u64) {
        self.bytes = self.bytes.saturating_sub(bytes);
    }
}
