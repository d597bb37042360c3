//! stdout and stderr for wasmtime-wasi with the V8 runner's output cap: one byte budget
//! for both streams, what fits is kept, and the write that crosses the cap stops the guest.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

#[derive(Default)]
struct Buffers {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    cap: u64,
    exceeded: bool,
}

/// The output both streams share.
#[derive(Clone)]
pub(super) struct Captured(Arc<Mutex<Buffers>>);

impl Captured {
    pub(super) fn new(cap: u64) -> Self {
        Captured(Arc::new(Mutex::new(Buffers { cap, ..Default::default() })))
    }

    pub(super) fn exceeded(&self) -> bool {
        self.0.lock().map(|b| b.exceeded).unwrap_or(false)
    }

    pub(super) fn take(&self) -> (Vec<u8>, Vec<u8>) {
        let mut b = self.0.lock().unwrap_or_else(|p| p.into_inner());
        (std::mem::take(&mut b.stdout), std::mem::take(&mut b.stderr))
    }

    /// Same rule as the V8 runner's host write: keep what fits, flag the overflow.
    fn write(&self, fd: u8, bytes: &[u8]) -> bool {
        let mut b = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let used = (b.stdout.len() + b.stderr.len()) as u64;
        let take = bytes.len().min(b.cap.saturating_sub(used) as usize);
        let sink = if fd == 2 { &mut b.stderr } else { &mut b.stdout };
        sink.extend_from_slice(&bytes[..take]);
        if take < bytes.len() {
            b.exceeded = true;
        }
        !b.exceeded
    }
}

#[derive(Clone)]
pub(super) struct CappedOutput {
    captured: Captured,
    fd: u8,
}

impl CappedOutput {
    pub(super) fn new(captured: &Captured, fd: u8) -> Self {
        CappedOutput { captured: captured.clone(), fd }
    }
}

impl IsTerminal for CappedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl OutputStream for CappedOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        if self.captured.write(self.fd, &bytes) {
            Ok(())
        } else {
            Err(StreamError::Trap(wasmtime::format_err!("output limit exceeded")))
        }
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(1 << 20)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CappedOutput {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for CappedOutput {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.captured.write(self.fd, buf) {
            Poll::Ready(Ok(buf.len()))
        } else {
            Poll::Ready(Err(io::Error::other("output limit exceeded")))
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
