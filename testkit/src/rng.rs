//! A seeded byte stream (xorshift64): reproducible fuzz-like inputs for seeds, proptest
//! fallbacks and stress cases.

/// `len` bytes from `seed`; the same seed gives the same bytes.
pub fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_seed_gives_the_same_bytes_and_another_seed_others() {
        assert_eq!(super::bytes(7, 64), super::bytes(7, 64));
        assert_ne!(super::bytes(7, 64), super::bytes(8, 64));
    }
}
