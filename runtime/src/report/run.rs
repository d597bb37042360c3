//! What a run reports, in either engine.

use serde::{Deserialize, Serialize};

use super::{PhaseReport, RunnerError};

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// The entry point returned these values (as text, the way JS's `String()` prints them).
    Ok { returned: Vec<String> },
    /// The guest called `proc_exit`.
    Exit { code: i32 },
    /// A typed failure.
    Error { error: RunnerError },
}

impl RunOutcome {
    /// `ok`, `exit`, or the error kind.
    pub fn kind(&self) -> &'static str {
        match self {
            RunOutcome::Ok { .. } => "ok",
            RunOutcome::Exit { .. } => "exit",
            RunOutcome::Error { error } => error.kind(),
        }
    }

    pub fn error(&self) -> Option<&RunnerError> {
        match self {
            RunOutcome::Error { error } => Some(error),
            _ => None,
        }
    }

    /// The values the entry point returned; empty for any other ending.
    pub fn returned(&self) -> &[String] {
        match self {
            RunOutcome::Ok { returned } => returned,
            _ => &[],
        }
    }
}

/// JSON shape of an outcome: `outcome` is `ok`, `exit` or the error kind.
impl Serialize for RunOutcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("outcome", self.kind())?;
        match self {
            RunOutcome::Ok { returned } => map.serialize_entry("returned", returned)?,
            RunOutcome::Exit { code } => map.serialize_entry("exit_code", code)?,
            RunOutcome::Error { error } => {
                map.serialize_entry("message", &error.to_string())?;
                map.serialize_entry("error", error)?;
            }
        }
        map.end()
    }
}

/// The guest's final state, as a differential comparison sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// CRC-32 (hex) over every linear memory in index order: each memory's length and its
    /// 4 KiB chunks that hold a nonzero byte, with their positions (`policy::observe`).
    pub memory_hash: String,
    /// Exported globals by name, in name order, as text (`<opaque>` where a value cannot be
    /// printed).
    pub globals: Vec<(String, String)>,
}

/// Everything a run produced. Both engines fill the same report.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// `v8` or `wasmtime`.
    pub engine: &'static str,
    #[serde(flatten)]
    pub outcome: RunOutcome,
    #[serde(serialize_with = "lossy_text")]
    pub stdout: Vec<u8>,
    #[serde(serialize_with = "lossy_text")]
    pub stderr: Vec<u8>,
    pub fuel_used: u64,
    pub fuel_limit: u64,
    /// Final linear memory size, over all memories.
    pub memory_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
    /// The heap model's bound of the run's runner heap (`limits::heap_model`): set by the V8
    /// runner once the guest checks have counted the module.
    pub heap_bound_bytes: Option<u64>,
    pub phases: Vec<PhaseReport>,
    pub total_ms: f64,
}

fn lossy_text<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(bytes))
}

impl RunReport {
    /// A run that failed before the guest's state could be read.
    pub fn failed(
        engine: &'static str,
        error: RunnerError,
        phases: Vec<PhaseReport>,
        started: std::time::Instant,
    ) -> Self {
        RunReport {
            engine,
            outcome: RunOutcome::Error { error },
            stdout: Vec::new(),
            stderr: Vec::new(),
            fuel_used: 0,
            fuel_limit: 0,
            memory_bytes: 0,
            observed: None,
            heap_bound_bytes: None,
            phases,
            total_ms: started.elapsed().as_secs_f64() * 1e3,
        }
    }

    /// Highest used V8 heap over all phases.
    pub fn peak_used_heap_bytes(&self) -> usize {
        self.phases.iter().map(|p| p.peak_used_heap_bytes).max().unwrap_or(0)
    }

    /// Highest process RSS over all phases.
    pub fn peak_rss_bytes(&self) -> u64 {
        self.phases.iter().map(|p| p.peak_rss_bytes).max().unwrap_or(0)
    }
}
