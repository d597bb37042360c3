//! Work on the function bodies of a module spread over the cores: bodies are independent
//! once the sections before the code are known, and on large modules they are most of the
//! work of the guest checks.

/// Work below this many bytes of bodies is done on the calling thread: at about 10 ns a
/// byte it takes about what starting a thread per core costs (small modules are most of what
/// the fuzzers run, where a thread per core per job was a tenth of a warmup).
pub(crate) const PARALLEL_FROM_BYTES: usize = 32 * 1024;

/// How many chunks each core's share is cut into. The cores take chunks as they finish
/// the last, so one that runs slower (a busy neighbour, the page-fault lock, a vCPU the
/// host is using) does less of the work: cut one chunk per core, python.wasm's two halves
/// took 380 and 520 ms on two idle cores of the same machine.
const CHUNKS_PER_CORE: usize = 8;

/// Splits `items` into contiguous chunks of about equal `bytes` and runs `work` on each,
/// on one thread per core, each taking the next chunk when it is done with one; the
/// results come back in item order. On failure, the error is the first failing chunk's in
/// that order, as a sequential pass would report it (chunks after a failed one are not
/// started: their results could not be reported).
pub(crate) fn in_chunks<T, R, E, F>(items: Vec<T>, bytes: impl Fn(&T) -> usize, work: F) -> Result<Vec<R>, E>
where
    T: Send,
    R: Send,
    E: Send,
    F: Fn(Vec<T>) -> Result<R, E> + Sync,
{
    let threads = crate::process::cores().min(8);
    let total: usize = items.iter().map(&bytes).sum();
    if threads == 1 || total < PARALLEL_FROM_BYTES {
        return Ok(vec![work(items)?]);
    }
    // Chunks of at least half the work worth a thread, so small work is not cut finer than
    // what taking a chunk costs.
    let count = (threads * CHUNKS_PER_CORE).min(total / (PARALLEL_FROM_BYTES / 2)).max(threads);
    let chunks = split(items, &bytes, total.div_ceil(count));
    let results = run_taking_turns(chunks, threads, &work);
    let mut out = Vec::with_capacity(results.len());
    for result in results {
        // A chunk not run comes after a failed one, whose error returns first.
        match result.expect("only chunks after a failed one are skipped") {
            Ok(value) => out.push(value),
            Err(error) => return Err(error),
        }
    }
    Ok(out)
}

/// `items` in order, cut where a chunk reaches `per_chunk` bytes.
fn split<T>(items: Vec<T>, bytes: impl Fn(&T) -> usize, per_chunk: usize) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut filled = 0;
    for item in items {
        filled += bytes(&item);
        current.push(item);
        if filled >= per_chunk {
            chunks.push(std::mem::take(&mut current));
            filled = 0;
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Each chunk's result in chunk order, from `threads` threads taking the next chunk in
/// turn; None for chunks after a failed one, which are skipped.
fn run_taking_turns<T, R, E, F>(chunks: Vec<Vec<T>>, threads: usize, work: &F) -> Vec<Option<Result<R, E>>>
where
    T: Send,
    R: Send,
    E: Send,
    F: Fn(Vec<T>) -> Result<R, E> + Sync,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let count = chunks.len();
    let chunks: Vec<Mutex<Option<Vec<T>>>> = chunks.into_iter().map(|c| Mutex::new(Some(c))).collect();
    let results: Vec<Mutex<Option<Result<R, E>>>> = (0..count).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let first_failed = AtomicUsize::new(usize::MAX);
    let take = |i: usize| chunks[i].lock().unwrap_or_else(|p| p.into_inner()).take();
    let turns = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= count {
            break;
        }
        if i > first_failed.load(Ordering::Relaxed) {
            continue;
        }
        let Some(chunk) = take(i) else { continue };
        let result = work(chunk);
        if result.is_err() {
            first_failed.fetch_min(i, Ordering::Relaxed);
        }
        *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(count)).map(|_| scope.spawn(turns)).collect();
        for handle in handles {
            handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
    });
    results.into_iter().map(|r| r.into_inner().unwrap_or_else(|p| p.into_inner())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_come_back_in_item_order() {
        let items: Vec<u32> = (0..1000).collect();
        let chunks = in_chunks(items, |_| PARALLEL_FROM_BYTES / 100, Ok::<_, ()>).unwrap();
        assert!(chunks.len() > 1 || crate::process::cores() == 1, "the work is split");
        let flat: Vec<u32> = chunks.into_iter().flatten().collect();
        assert_eq!(flat, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn the_first_failing_chunk_in_order_is_reported() {
        let items: Vec<u32> = (0..1000).collect();
        let error = in_chunks(
            items,
            |_| PARALLEL_FROM_BYTES / 100,
            |chunk| match chunk.iter().find(|i| **i % 300 == 299) {
                Some(bad) => Err(*bad),
                None => Ok(()),
            },
        )
        .unwrap_err();
        assert_eq!(error, 299);
    }

    #[test]
    fn large_work_is_cut_finer_than_one_chunk_a_core_and_runs_on_one_thread_a_core() {
        let items: Vec<u32> = (0..10_000).collect();
        let ran = in_chunks(
            items,
            |_| PARALLEL_FROM_BYTES / 100,
            |chunk| Ok::<_, ()>((std::thread::current().id(), chunk.len())),
        )
        .unwrap();
        let cores = crate::process::cores().min(8);
        if cores > 1 {
            assert!(ran.len() > cores, "{} chunks for {cores} cores", ran.len());
            let threads: std::collections::HashSet<_> = ran.iter().map(|(thread, _)| *thread).collect();
            assert!(threads.len() <= cores);
        }
        assert_eq!(ran.iter().map(|(_, len)| len).sum::<usize>(), 10_000, "every item is in one chunk");
    }

    #[test]
    fn chunks_after_a_failed_one_do_not_change_the_error() {
        // Every chunk starting at item 2000 or later fails: whichever a thread reaches
        // first, the first of them in order is the one reported.
        let items: Vec<usize> = (0..10_000).collect();
        for _ in 0..8 {
            let error = in_chunks(
                items.clone(),
                |_| PARALLEL_FROM_BYTES / 100,
                |chunk| if chunk[0] >= 2000 { Err(chunk[0]) } else { Ok(()) },
            )
            .unwrap_err();
            let starts =
                in_chunks(items.clone(), |_| PARALLEL_FROM_BYTES / 100, |chunk| Ok::<_, ()>(chunk[0])).unwrap();
            let first = starts.iter().copied().find(|start| *start >= 2000).unwrap();
            assert_eq!(error, first);
        }
    }

    #[test]
    fn little_work_stays_on_the_calling_thread() {
        let caller = std::thread::current().id();
        let items: Vec<u32> = (0..1000).collect();
        let threads = in_chunks(items, |_| 1, |_| Ok::<_, ()>(std::thread::current().id())).unwrap();
        assert_eq!(threads, [caller]);
    }

    #[test]
    fn chunks_hold_about_equal_bytes() {
        // One heavy item first, then many light ones: split by count, one thread would get
        // nearly all the bytes.
        let items: Vec<usize> = std::iter::once(PARALLEL_FROM_BYTES).chain(std::iter::repeat_n(1, 1000)).collect();
        let chunks = in_chunks(items, |b| *b, |chunk| Ok::<_, ()>(chunk.len())).unwrap();
        if crate::process::cores() > 1 {
            assert_eq!(chunks[0], 1, "the heavy item is a chunk of its own");
        }
    }
}
