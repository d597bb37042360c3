//! The bundled WASI preview1 runtime, in one place: the list of preview1 functions
//! (`preview1`), the runtime's JS (`js/`, compiled in the runner isolate at bootstrap), its
//! natives (`natives`: output, stdin, clocks, randomness, sleep, exit), the per-run host
//! state they share (`host`), the directories a run offers the guest (`preopen`), and the
//! image of the in-memory file system read from them (`image`).

mod host;
mod image;
pub(crate) mod js;
pub(crate) mod natives;
mod preopen;
pub mod preview1;

pub(crate) use host::{SharedWasiHost, WasiHost};
pub(crate) use image::{load_image, FsBudget, FsImage};
pub use preopen::Preopen;

use crate::limits::GuestLimits;
use crate::policy::determinism::{CLOCK_RESOLUTION_NS, REALTIME_START_NS};
use crate::request::RunRequest;

/// What the WASI runtime's JS is configured with for one run (`__wasmRunner.wasi.configure`).
pub(crate) fn options(request: &RunRequest, guest: &GuestLimits) -> serde_json::Value {
    serde_json::json!({
        "args": request.args,
        "env": request.env,
        "fsLimit": guest.max_fs_bytes,
        "fsNodes": guest.max_fs_nodes,
        "maxOpenFds": guest.max_open_fds,
        "hostcallBytes": guest.max_hostcall_bytes,
        "clockResolution": CLOCK_RESOLUTION_NS.to_string(),
        // Every filestat's times under the deterministic mode (a decimal string: a BigInt).
        "fixedTimestamp": request.deterministic.map(|_| REALTIME_START_NS.to_string()),
    })
}
