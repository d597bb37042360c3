//! What this process (or a child) holds in memory, from /proc: the third memory pool, which
//! no V8 cap covers, is measured here; and the cores it may use.

/// The cores this process may use, read once: the standard library reads cgroup files on
/// every call, which a stream of small jobs paid for twice a job.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Resident set size of this process now.
pub fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

/// Peak resident set size (VmHWM) of process `pid`.
pub fn peak_rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn page_size() -> u64 {
    // The kernel reports statm in pages; every Linux target this runs on uses 4 KiB.
    4096
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_resident_set_and_a_peak_at_least_as_large() {
        let now = rss_bytes().expect("/proc/self/statm is readable");
        let peak = peak_rss_bytes(std::process::id()).expect("/proc/<pid>/status is readable");
        assert!(now > 0);
        assert!(peak + 4096 >= now, "peak {peak} below current {now}");
    }
}
