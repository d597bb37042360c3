//! What this process (or a child) holds in memory, from /proc: the third memory pool, which
//! no V8 cap covers, is measured here; and the cores it may use.

/// The cores this process may use, read once: the standard library reads cgroup files on
/// every call, which a stream of small jobs paid for twice a job.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Resident set size of this process now.
///
/// Read a dozen times a job (each phase's start and end, the watchdog's ticks): each thread
/// keeps /proc/self/statm open and reads it again from the start into a buffer on the stack,
/// where opening, reading into a new string and closing it each time was 3% of a
/// `differential` fuzz execution.
pub fn rss_bytes() -> Option<u64> {
    use std::os::unix::fs::FileExt;
    thread_local! {
        /// The file, and the process it was opened in (a forked child must not read its
        /// parent's).
        static STATM: std::cell::RefCell<Option<(u32, std::fs::File)>> = const { std::cell::RefCell::new(None) };
    }
    STATM.with_borrow_mut(|statm| {
        let pid = std::process::id();
        if statm.as_ref().is_none_or(|(opened_in, _)| *opened_in != pid) {
            *statm = Some((pid, std::fs::File::open("/proc/self/statm").ok()?));
        }
        let (_, file) = statm.as_ref()?;
        let mut buffer = [0u8; 256];
        let read = file.read_at(&mut buffer, 0).ok()?;
        resident_pages(&buffer[..read]).map(|pages| pages * page_size())
    })
}

/// The second field of a statm line: resident pages.
fn resident_pages(statm: &[u8]) -> Option<u64> {
    std::str::from_utf8(statm).ok()?.split_whitespace().nth(1)?.parse().ok()
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

    /// The file kept open is read again from its start: each read is the RSS now.
    #[test]
    fn the_resident_set_read_again_follows_memory_touched() {
        let before = rss_bytes().expect("/proc/self/statm is readable");
        let mut touched = vec![0u8; 64 << 20];
        for page in touched.chunks_mut(4096) {
            page[0] = 1;
        }
        let during = rss_bytes().expect("read again");
        drop(std::hint::black_box(touched));
        assert!(during >= before + (48 << 20), "64 MiB touched: {before} -> {during}");
        assert!(rss_bytes().is_some_and(|after| after > 0), "read a third time");
    }

    #[test]
    fn the_resident_pages_are_the_second_statm_field() {
        assert_eq!(resident_pages(b"12345 678 90 1 0 2 0\n"), Some(678));
        assert_eq!(resident_pages(b"12345"), None);
        assert_eq!(resident_pages(b""), None);
    }

    #[test]
    fn this_process_has_a_resident_set_and_a_peak_at_least_as_large() {
        let now = rss_bytes().expect("/proc/self/statm is readable");
        let peak = peak_rss_bytes(std::process::id()).expect("/proc/<pid>/status is readable");
        assert!(now > 0);
        assert!(peak + 4096 >= now, "peak {peak} below current {now}");
    }
}
