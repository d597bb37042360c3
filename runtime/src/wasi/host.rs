//! Per-run host state of the WASI runtime, kept in an isolate slot for its natives: the
//! captured output, stdin, the file-system image, the run's deadline and the exit code.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use super::image::FsImage;
use crate::policy::determinism::{Deterministic, FixedSources};
use crate::policy::OutputCapture;

#[derive(Debug, Default)]
pub(crate) struct WasiHost {
    pub output: OutputCapture,
    stdin: Vec<u8>,
    stdin_read: usize,
    pub image: FsImage,
    /// When the run's wall time ends: a guest's sleep never outlasts it.
    pub deadline: Option<Instant>,
    /// Set when a sleep reached the deadline: the run timed out there.
    pub slept_to_deadline: bool,
    /// Set by `proc_exit`.
    pub exit_code: Option<i32>,
    /// Set when the guest passed what the host cannot use (an out-of-bounds pointer): the
    /// call trapped.
    pub trap: Option<String>,
    /// Set in the deterministic mode: where time and random bytes come from.
    pub fixed: Option<FixedSources>,
}

pub(crate) type SharedWasiHost = Rc<RefCell<WasiHost>>;

impl WasiHost {
    pub(crate) fn new(output_cap: u64, stdin: Vec<u8>, image: FsImage) -> Self {
        WasiHost { output: OutputCapture::new(output_cap), stdin, image, ..Default::default() }
    }

    /// The deterministic mode's sources, when the request asks for it.
    pub(crate) fn deterministic(mut self, mode: Option<Deterministic>) -> Self {
        self.fixed = mode.map(FixedSources::new);
        self
    }

    /// Stdin bytes not read yet.
    pub(crate) fn stdin_left(&self) -> usize {
        self.stdin.len() - self.stdin_read
    }

    /// Reads up to `dest.len()` stdin bytes into `dest`; 0 at the end of input.
    pub(crate) fn read_stdin(&mut self, dest: &mut [u8]) -> usize {
        let n = dest.len().min(self.stdin_left());
        dest[..n].copy_from_slice(&self.stdin[self.stdin_read..self.stdin_read + n]);
        self.stdin_read += n;
        n
    }
}
