//! The open-descriptor limit: EMFILE once the guest holds `max_open_fds` descriptors it
//! opened itself (stdio and preopens are not counted), as the V8 runner's `fds.js` counts.

use std::collections::BTreeSet;

/// The descriptors the guest opened with `path_open` and still holds.
#[derive(Debug, Default)]
pub(crate) struct OpenFds {
    opened: BTreeSet<u32>,
    limit: u64,
}

impl OpenFds {
    pub(super) fn new(limit: u64) -> Self {
        OpenFds { opened: BTreeSet::new(), limit }
    }

    pub(super) fn full(&self) -> bool {
        self.opened.len() as u64 >= self.limit
    }

    pub(super) fn opened(&mut self, fd: u32) {
        self.opened.insert(fd);
    }

    pub(super) fn closed(&mut self, fd: u32) {
        self.opened.remove(&fd);
    }

    /// `fd_renumber`: `to` is closed, and `from` (when the guest opened it) becomes `to`.
    pub(super) fn renumbered(&mut self, from: u32, to: u32) {
        self.opened.remove(&to);
        if self.opened.remove(&from) {
            self.opened.insert(to);
        }
    }
}
