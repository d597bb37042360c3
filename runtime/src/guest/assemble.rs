//! The instrumented module written out once, from its pieces (the sections the reencoding
//! produced and the rewritten bodies) into the one buffer the engines share, with every
//! core writing a part: on a large module this is a copy of most of it, and the page faults
//! of a fresh buffer cost about as much as the copy.

use std::mem::MaybeUninit;
use std::sync::Arc;

use super::parallel::PARALLEL_FROM_BYTES;

/// `pieces` concatenated.
pub(crate) fn concatenate(pieces: &[&[u8]]) -> Arc<[u8]> {
    let total: usize = pieces.iter().map(|p| p.len()).sum();
    let mut buffer: Arc<[MaybeUninit<u8>]> = Arc::new_uninit_slice(total);
    let out = Arc::get_mut(&mut buffer).expect("a new buffer is not shared");
    let parts = crate::process::cores().min(8);
    if parts == 1 || total < PARALLEL_FROM_BYTES {
        write(pieces, out);
    } else {
        std::thread::scope(|scope| {
            let mut rest_out = out;
            let mut rest_pieces = pieces;
            let per_part = total.div_ceil(parts);
            while !rest_pieces.is_empty() {
                // Whole pieces up to about a part's share of the bytes.
                let (mut count, mut bytes) = (0, 0);
                while count < rest_pieces.len() && (bytes < per_part || count == 0) {
                    bytes += rest_pieces[count].len();
                    count += 1;
                }
                let (these_pieces, later_pieces) = rest_pieces.split_at(count);
                let (these_out, later_out) = rest_out.split_at_mut(bytes);
                scope.spawn(move || write(these_pieces, these_out));
                (rest_pieces, rest_out) = (later_pieces, later_out);
            }
        });
    }
    // SAFETY: `write` filled every byte: the pieces' lengths sum to the buffer's, and each
    // part of the buffer got exactly the pieces whose lengths it was split by.
    unsafe { buffer.assume_init() }
}

/// Writes `pieces`, in order, over all of `out` (their lengths sum to its length).
fn write(pieces: &[&[u8]], out: &mut [MaybeUninit<u8>]) {
    let mut at = 0;
    for piece in pieces {
        out[at..at + piece.len()].write_copy_of_slice(piece);
        at += piece.len();
    }
    assert_eq!(at, out.len(), "the pieces do not fill their part of the buffer");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_come_out_in_order_whether_split_across_threads_or_not() {
        let big: Vec<u8> = (0..PARALLEL_FROM_BYTES * 3).map(|i| (i % 251) as u8).collect();
        let pieces: Vec<&[u8]> = big.chunks(1000).chain([&b""[..], b"end"]).collect();
        assert_eq!(*concatenate(&pieces), [&big[..], b"end"].concat());
        let small: Vec<&[u8]> = vec![b"ab", b"", b"c"];
        assert_eq!(*concatenate(&small), *b"abc");
        assert!(concatenate(&[]).is_empty());
    }

    #[test]
    fn one_piece_larger_than_a_share_is_written_whole() {
        let huge = vec![7u8; PARALLEL_FROM_BYTES * 4];
        let pieces: Vec<&[u8]> = vec![b"x", &huge, b"y"];
        let out = concatenate(&pieces);
        assert_eq!(out.len(), huge.len() + 2);
        assert_eq!((out[0], out[1], out[out.len() - 1]), (b'x', 7, b'y'));
    }
}
