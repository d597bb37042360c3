//! Wrappers over wasmtime-wasi's preview1 functions for the guest limits it has no setting
//! of its own for, each counted as the V8 runner's WASI runtime counts: open descriptors
//! (`fds`), files, directories and file bytes (`usage`), and the wall-time deadline inside
//! `poll_oneoff` (`poll`); and the deterministic mode's fixed values (`determinism`). The wrappers are grouped by the calls they wrap (`paths`,
//! `files`, `poll`).
//!
//! Each wrapper calls wasmtime-wasi's own implementation (`call`), so what the guest sees is
//! still wasmtime-wasi's behaviour up to the limit; what a wrapper must know of a file or a
//! descriptor it asks wasmtime-wasi too (`guest`).

mod call;
mod determinism;
mod fds;
mod files;
mod guest;
mod paths;
mod poll;
mod readdir_order;
mod usage;

use std::time::Instant;

use wasmtime::Linker;
use wasmtime_wasi::p1::WasiP1Ctx;

pub(super) use determinism::{VirtualMonotonicClock, VirtualWallClock};
pub(super) use usage::FsUsage;

use crate::policy::determinism::FixedSources;
use crate::wasi::preview1::MODULE;

/// What the wrappers keep per run.
#[derive(Debug, Default)]
pub(super) struct ShimState {
    fds: fds::OpenFds,
    fs: FsUsage,
    /// When the run's wall time ends.
    deadline: Option<Instant>,
    /// Set in the deterministic mode.
    fixed: Option<FixedSources>,
}

impl ShimState {
    pub(super) fn new(max_open_fds: u64, fs: FsUsage, deadline: Instant, fixed: Option<FixedSources>) -> Self {
        ShimState { fds: fds::OpenFds::new(max_open_fds), fs, deadline: Some(deadline), fixed }
    }
}

/// The store data the wrappers need: their state and wasmtime-wasi's context.
pub(crate) trait HasShims {
    fn shims(&mut self) -> &mut ShimState;
    fn wasi(&mut self) -> &mut WasiP1Ctx;
}

const SUCCESS: i32 = 0;
const EFBIG: i32 = 22;
const EMFILE: i32 = 33;
const ENOENT: i32 = 44;
const ENOSPC: i32 = 51;

/// Replaces the wrapped functions in a linker that holds wasmtime-wasi's preview1.
pub(super) fn install<T: HasShims + Send + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    paths::install(linker)?;
    files::install(linker)?;
    poll::install(linker)?;
    determinism::install(linker)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::limits::guest::{
        WASI_HOSTCALL_CHARGE_EVENT, WASI_HOSTCALL_CHARGE_IOVEC, WASI_HOSTCALL_CHARGE_SUBSCRIPTION,
    };
    use wasmtime_wasi::p1::types::{Ciovec, Event, Iovec, Subscription};

    #[test]
    fn the_v8_runners_host_call_charges_are_wasmtime_wasis_record_sizes() {
        assert_eq!(WASI_HOSTCALL_CHARGE_IOVEC, size_of::<Ciovec>() as u64);
        assert_eq!(WASI_HOSTCALL_CHARGE_IOVEC, size_of::<Iovec>() as u64);
        assert_eq!(WASI_HOSTCALL_CHARGE_SUBSCRIPTION, size_of::<Subscription>() as u64);
        assert_eq!(WASI_HOSTCALL_CHARGE_EVENT, size_of::<Event>() as u64);
    }
}
