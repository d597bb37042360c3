//! A host directory offered to the guest under a name: `--dir HOST[::GUEST]`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A host directory the guest sees under a name.
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
