//! What libFuzzer prints, read back: the status lines (`#N ... cov: ... exec/s: ...`), in
//! its single-process and `-fork` forms.

/// One status line's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Status {
    pub executions: u64,
    pub edges: u64,
    pub features: u64,
    pub corpus: u64,
    pub exec_per_s: u64,
}

fn field(line: &str, name: &str) -> Option<u64> {
    let rest = &line[line.find(name)? + name.len()..];
    let digits: String = rest.trim_start().chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The figures of one status line, or `None` for any other line.
///
/// Single process: `#3576 (tab) DONE   cov: 17702 ft: 50753 corp: 349/479Kb lim: 2290 exec/s: 115 rss: 685Mb`.
/// Fork: `#12345: cov: 1000 ft: 2000 corp: 300 exec/s: 400 oom/timeout/crash: 0/0/0 time: 61s job: 5`.
pub fn status(line: &str) -> Option<Status> {
    let rest = line.strip_prefix('#')?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let executions = digits.parse().ok()?;
    Some(Status {
        executions,
        edges: field(line, "cov:")?,
        features: field(line, "ft:").unwrap_or(0),
        corpus: field(line, "corp:").unwrap_or(0),
        exec_per_s: field(line, "exec/s:").unwrap_or(0),
    })
}

/// The last status line of a log.
pub fn last_status(log: &str) -> Option<Status> {
    log.lines().rev().find_map(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_process_line_is_read() {
        let s = status("#3576\tDONE   cov: 17702 ft: 50753 corp: 349/479Kb lim: 2290 exec/s: 115 rss: 685Mb").unwrap();
        assert_eq!(s, Status { executions: 3576, edges: 17702, features: 50753, corpus: 349, exec_per_s: 115 });
    }

    #[test]
    fn a_fork_line_is_read() {
        let s = status("#12345: cov: 1000 ft: 2000 corp: 300 exec/s: 400 oom/timeout/crash: 0/0/0 time: 61s job: 5")
            .unwrap();
        assert_eq!(s, Status { executions: 12345, edges: 1000, features: 2000, corpus: 300, exec_per_s: 400 });
    }

    #[test]
    fn other_lines_are_not_status() {
        assert_eq!(status("INFO: Seed: 123"), None);
        assert_eq!(status("#1 INITED exec/s: 0 rss: 40Mb"), None);
        assert_eq!(
            last_status("#2 NEW cov: 5 ft: 6 corp: 2/1b exec/s: 0\n#9 NEW cov: 7 ft: 8 corp: 3/2b exec/s: 9\nDone")
                .map(|s| s.edges),
            Some(7)
        );
    }
}
