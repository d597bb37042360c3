//! How results reach the user: JSON for scripts, a short table for people, and a one-line
//! error on stderr.

use std::process::ExitCode;

use crate::report::PhaseReport;
use serde::Serialize;

/// Exit status for a module that failed (the outcome says why).
pub(crate) const EXIT_FAILED: u8 = 1;
/// Exit status for bad usage or input that could not be read.
pub(crate) const EXIT_INPUT: u8 = 2;

/// Exit status when stdout's reader went away (`| head`): what a Unix tool killed by
/// SIGPIPE reports.
const EXIT_STDOUT_CLOSED: i32 = 128 + 13;

/// `println!` to stdout, except that a reader that went away ends the process quietly, as
/// it ends any Unix tool, where `println!` would panic.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::output::write_stdout(format_args!($($arg)*)) };
}
pub(crate) use outln;

pub(crate) fn write_stdout(line: std::fmt::Arguments) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(line).and_then(|()| out.write_all(b"\n")).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: could not write to stdout: {e}");
        }
        std::process::exit(EXIT_STDOUT_CLOSED);
    }
}

pub(crate) fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => outln!("{text}"),
        Err(e) => eprintln!("error: could not encode the report as JSON: {e}"),
    }
}

/// Prints `message` as one line on stderr and returns `code`.
pub(crate) fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {}", message.replace('\n', " "));
    ExitCode::from(code)
}

pub(crate) fn print_phases(phases: &[PhaseReport]) {
    outln!("{:<14} {:>16} {:>16} {:>16} {:>12}", "phase", "peak heap", "heap after", "peak RSS", "time");
    for p in phases {
        outln!(
            "{:<14} {:>16} {:>16} {:>16} {:>9.1} ms",
            p.name,
            human_bytes(p.peak_used_heap_bytes),
            human_bytes(p.used_heap_after_bytes),
            human_bytes(p.peak_rss_bytes as usize),
            p.duration_ms
        );
    }
}

pub(crate) fn human_bytes(bytes: usize) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Why a module file was not read.
pub(crate) enum ModuleInput {
    /// Over the module size limit: refused from its size, as the guest checks refuse it.
    TooLarge(crate::report::RunnerError),
    /// Unreadable, not a regular file, or WAT that does not parse.
    Unreadable(String),
}

/// Reads a module file of at most `limit` bytes: a wasm binary, or WAT text (first
/// non-blank character `(` or `;`), which is compiled to a binary here so that hand-written
/// tests need no extra tool.
pub(crate) fn read_module(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, ModuleInput> {
    use crate::input::{read_bounded, InputError};
    let bytes = read_bounded(path, limit).map_err(|e| match e {
        InputError::TooLarge { size, limit, .. } => {
            ModuleInput::TooLarge(crate::report::RunnerError::GuestLimitRejected {
                limit: "max_module_bytes".into(),
                requested: size,
                allowed: limit,
            })
        }
        other => ModuleInput::Unreadable(other.to_string()),
    })?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if bytes.starts_with(b"\0asm") || !matches!(first, Some(b'(') | Some(b';')) {
        return Ok(bytes);
    }
    wat::parse_bytes(&bytes).map(|b| b.into_owned()).map_err(|e| {
        ModuleInput::Unreadable(format!(
            "{} is WAT text that does not parse: {}",
            path.display(),
            e.to_string().replace('\n', " ")
        ))
    })
}
