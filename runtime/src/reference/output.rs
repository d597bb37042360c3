//! stdout and stderr for wasmtime-wasi under the run policy's output cap: the write that
//! crosses it stops the guest with a trap (the V8 runner terminates instead).

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;

use crate::policy::{OutputCapture, Stream};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

/// The output both streams share, under the run policy's cap.
#[derive(Clone)]
pub(super) struct Captured(Arc<Mutex<OutputCapture>>);

impl Captured {
    pub(super) fn new(cap: u64) -> Self {
        Captured(Arc::new(Mutex::new(OutputCapture::new(cap))))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OutputCapture> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cap, when a write crossed it.
    pub(super) fn exceeded(&self) -> Option<u64> {
        self.lock().exceeded()
    }

    pub(super) fn take(&self) -> (Vec<u8>, Vec<u8>) {
        self.lock().take()
    }

    fn write(&self, stream: Stream, bytes: &[u8]) -> bool {
        self.lock().write(stream, bytes)
    }
}

#[derive(Clone)]
pub(super) struct CappedOutput {
    captured: Captured,
    stream: Stream,
}

impl CappedOutput {
    pub(super) fn new(captured: &Captured, stream: Stream) -> Self {
        CappedOutput { captured: captured.clone(), stream }
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
        if self.captured.write(self.stream, &bytes) {
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
        if self.captured.write(self.stream, buf) {
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
