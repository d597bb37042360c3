//! Work on the function bodies of a module spread over the cores: bodies are independent
//! once the sections before the code are known, and on large modules they are most of the
//! work of the guest checks.

/// Inputs below this many items are handled on the calling thread.
pub(crate) const PARALLEL_FROM_ITEMS: usize = 256;

/// Splits `items` into one contiguous chunk per core and runs `work` on each; the results
/// come back in item order. On failure, the error is the first failing chunk's in that
/// order, as a sequential pass would report it.
pub(crate) fn in_chunks<T, R, E, F>(items: Vec<T>, work: F) -> Result<Vec<R>, E>
where
    T: Send,
    R: Send,
    E: Send,
    F: Fn(Vec<T>) -> Result<R, E> + Sync,
{
    let threads = crate::process::cores().min(8);
    if threads == 1 || items.len() < PARALLEL_FROM_ITEMS {
        return Ok(vec![work(items)?]);
    }
    let per_thread = items.len().div_ceil(threads);
    let mut chunks = Vec::with_capacity(threads);
    let mut rest = items;
    while !rest.is_empty() {
        let tail = rest.split_off(per_thread.min(rest.len()));
        chunks.push(std::mem::replace(&mut rest, tail));
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
        let chunks = in_chunks(items, Ok::<_, ()>).unwrap();
        let flat: Vec<u32> = chunks.into_iter().flatten().collect();
        assert_eq!(flat, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn the_first_failing_chunk_in_order_is_reported() {
        let items: Vec<u32> = (0..1000).collect();
        let error = in_chunks(items, |chunk| match chunk.iter().find(|i| **i % 300 == 299) {
            Some(bad) => Err(*bad),
            None => Ok(()),
        })
        .unwrap_err();
        assert_eq!(error, 299);
    }
}
