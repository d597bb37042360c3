//! The output cap: stdout and stderr share one byte budget; a write that crosses it keeps
//! what fits and ends the run (`output_limit_exceeded`). Each engine stops the guest its
//! own way (V8: a termination; wasmtime: a trap from the stream).

/// Which of the two captured streams a write goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

/// Captured guest output under the cap.
#[derive(Debug, Default)]
pub(crate) struct OutputCapture {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    cap: u64,
    exceeded: bool,
}

impl OutputCapture {
    pub(crate) fn new(cap: u64) -> Self {
        OutputCapture { cap, ..Default::default() }
    }

    /// Appends what fits under the cap. Returns false once the cap has been crossed: the
    /// caller must then stop the guest.
    pub(crate) fn write(&mut self, stream: Stream, bytes: &[u8]) -> bool {
        let used = (self.stdout.len() + self.stderr.len()) as u64;
        let take = bytes.len().min(self.cap.saturating_sub(used) as usize);
        let sink = match stream {
            Stream::Stdout => &mut self.stdout,
            Stream::Stderr => &mut self.stderr,
        };
        sink.extend_from_slice(&bytes[..take]);
        if take < bytes.len() {
            self.exceeded = true;
        }
        !self.exceeded
    }

    /// The cap, when a write crossed it.
    pub(crate) fn exceeded(&self) -> Option<u64> {
        self.exceeded.then_some(self.cap)
    }

    pub(crate) fn take(&mut self) -> (Vec<u8>, Vec<u8>) {
        (std::mem::take(&mut self.stdout), std::mem::take(&mut self.stderr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_that_fits_exactly_is_accepted() {
        let mut out = OutputCapture::new(4);
        assert!(out.write(Stream::Stdout, b"ab"));
        assert!(out.write(Stream::Stderr, b"cd"));
        assert_eq!(out.exceeded(), None);
        assert_eq!(out.take(), (b"ab".to_vec(), b"cd".to_vec()));
    }

    #[test]
    fn the_crossing_write_keeps_what_fits_and_stops_the_guest() {
        let mut out = OutputCapture::new(3);
        assert!(!out.write(Stream::Stdout, b"hello"));
        assert_eq!(out.exceeded(), Some(3));
        assert!(!out.write(Stream::Stderr, b"x"), "once crossed, every later write is refused too");
        assert_eq!(out.take(), (b"hel".to_vec(), Vec::new()));
    }
}
