//! Running a job in a child process, so that what V8 can only answer with an abort (an
//! off-heap OOM, a heap guard whose termination never lands) becomes a finding for the
//! caller instead of the caller's death.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

/// How a child ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChildStatus {
    /// It exited with this code.
    Exited { code: i32 },
    /// A signal ended it (V8 aborts with SIGABRT or SIGTRAP).
    Signaled { signal: i32 },
    /// It was still running at the hard deadline and was killed.
    Hung { after_ms: u64 },
    /// It could not be started.
    NotStarted { reason: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildReport {
    #[serde(flatten)]
    pub status: ChildStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed_ms: u64,
    /// Peak resident set size of the child as last sampled (VmHWM), where /proc has it.
    pub peak_rss_bytes: Option<u64>,
}

impl ChildReport {
    /// True when the child died without exiting (a V8 abort or a kill).
    pub fn aborted(&self) -> bool {
        matches!(self.status, ChildStatus::Signaled { .. } | ChildStatus::Hung { .. })
    }
}

/// Runs `command` to completion or until `hard_deadline`, capturing its output.
pub fn run_child(mut command: Command, hard_deadline: Duration) -> ChildReport {
    let started = Instant::now();
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return ChildReport {
                status: ChildStatus::NotStarted { reason: e.to_string() },
                stdout: String::new(),
                stderr: String::new(),
                elapsed_ms: 0,
                peak_rss_bytes: None,
            }
        }
    };
    // Drain both pipes on their own threads so a chatty child cannot block on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_rss_bytes = None;
    let status = loop {
        if let Some(hwm) = read_vm_hwm(&status_path) {
            peak_rss_bytes = Some(hwm);
        }
        match child.try_wait() {
            Ok(Some(status)) => break exit_status(status),
            Ok(None) if started.elapsed() >= hard_deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break ChildStatus::Hung { after_ms: started.elapsed().as_millis() as u64 };
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => break ChildStatus::NotStarted { reason: format!("lost track of the child: {e}") },
        }
    };
    ChildReport {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed_ms: started.elapsed().as_millis() as u64,
        peak_rss_bytes,
    }
}

/// The peak RSS line of a /proc status file, in bytes.
fn read_vm_hwm(path: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn exit_status(status: std::process::ExitStatus) -> ChildStatus {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ChildStatus::Signaled { signal };
        }
    }
    ChildStatus::Exited { code: status.code().unwrap_or(-1) }
}

/// Warms `module` up with the `wasm-runner` binary at `runner_bin` in a child process and
/// returns its JSON report (`None` when the child did not print one: see the status).
pub fn warmup_in_child(
    runner_bin: &Path,
    module: &Path,
    heap_limit_mb: Option<u64>,
    hard_deadline: Duration,
) -> (ChildReport, Option<serde_json::Value>) {
    let mut command = Command::new(runner_bin);
    command.arg("warmup").arg(module).arg("--json");
    if let Some(mb) = heap_limit_mb {
        command.arg("--heap-limit-mb").arg(mb.to_string());
    }
    let report = run_child(command, hard_deadline);
    let json = serde_json::from_str(&report.stdout).ok();
    (report, json)
}
