//! Work on the function bodies of a module spread over the cores: bodies are independent
//! once the sections before the code are known, and on large modules they are most of the
//! work of the guest checks.

/// Work below this many bytes of bodies is done on the calling thread: at about 10 ns a
/// byte it takes about what starting a thread per core costs (small modules are most of what
/// the fuzzers run, where a thread per core per job was a tenth of a warmup).
pub(crate) const PARALLEL_FROM_BYTES: usize = 32 * 1024;

/// Splits `items` into contiguous chunks of about equal `bytes`, one per core, and runs `work`
/// on each; the results come back in item order. On failure, the error is the first failing
/// chunk's in that order, as a sequential pass would report it.
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
    let per_thread = total.div_ceil(threads);
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut current = Vec::new();
    let mut filled = 0;
    for item in items {
        filled += bytes(&item);
        current.push(item);
        if filled >= per_thread {
            chunks.push(std::mem::take(&mut current));
            filled = 0;
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks.into_iter().map(|chunk| scope.spawn(move || work(chunk))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
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
