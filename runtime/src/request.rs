//! What to run and with what: the request both engines take.

use serde::{Deserialize, Serialize};

use crate::policy::determinism::Deterministic;
use crate::wasi::Preopen;

/// The entry point a run calls when the request names none (a WASI command's).
pub const DEFAULT_ENTRY: &str = "_start";

/// What to run and with what.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRequest {
    /// argv, including argv[0].
    pub args: Vec<String>,
    /// Environment, as `KEY=VALUE`.
    pub env: Vec<String>,
    pub stdin: Vec<u8>,
    /// The export to call; `_start` when unset.
    pub invoke: Option<String>,
    /// Also report a hash of all linear memory and the exported globals (for differential
    /// comparison; costs a pass over memory).
    #[serde(default)]
    pub observe: bool,
    /// Host directories copied into the guest's in-memory file system.
    #[serde(default)]
    pub dirs: Vec<Preopen>,
    /// Function imports the runner does not provide are stubbed; calling one ends the run
    /// as `unknown_import_called` (wasmtime's `--trap-unknown-imports`).
    #[serde(default)]
    pub trap_unknown_imports: bool,
    /// Time, random bytes and file timestamps from fixed sources, the same in both engines
    /// and in every run (`policy::determinism`): a real program then gives the same output
    /// and the same fuel everywhere.
    #[serde(default)]
    pub deterministic: Option<Deterministic>,
}

impl RunRequest {
    /// The export the run calls.
    pub fn entry(&self) -> &str {
        self.invoke.as_deref().unwrap_or(DEFAULT_ENTRY)
    }
}
