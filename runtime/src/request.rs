//! What to run and with what: the request both engines take.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
}

impl RunRequest {
    /// The export the run calls.
    pub fn entry(&self) -> &str {
        self.invoke.as_deref().unwrap_or(DEFAULT_ENTRY)
    }
}

/// A host directory offered to the guest under a name: `--dir HOST[::GUEST]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preopen {
    /// The host directory, copied into the in-memory file system when a run starts.
    pub host: PathBuf,
    /// The name the guest sees (`fd_prestat_dir_name`).
    pub guest: String,
}

impl FromStr for Preopen {
    type Err = String;

    /// `HOST` (seen by the guest under the same name) or `HOST::GUEST`, as wasmtime's
    /// `--dir` takes it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (host, guest) = s.split_once("::").unwrap_or((s, s));
        if host.is_empty() {
            return Err(format!("--dir {s:?}: the host directory is empty"));
        }
        if guest.is_empty() {
            return Err(format!("--dir {s:?}: the guest name after '::' is empty"));
        }
        Ok(Preopen { host: PathBuf::from(host), guest: guest.to_string() })
    }
}

impl fmt::Display for Preopen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.host.display(), self.guest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_alone_is_seen_under_its_own_name() {
        let p: Preopen = "data".parse().unwrap();
        assert_eq!(p, Preopen { host: "data".into(), guest: "data".into() });
    }

    #[test]
    fn host_and_guest_split_at_double_colon() {
        let p: Preopen = "/tmp/lib::/usr/local/lib".parse().unwrap();
        assert_eq!(p, Preopen { host: "/tmp/lib".into(), guest: "/usr/local/lib".into() });
    }

    #[test]
    fn empty_halves_are_refused() {
        assert!("::/x".parse::<Preopen>().is_err());
        assert!("/x::".parse::<Preopen>().is_err());
    }
}
