//! Byte search eight bytes at a time (SWAR, in safe Rust): how the framer skips
//! character data and attribute values.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A word with the high bit set in (at least) the lowest byte of `word` that is
/// zero; zero if no byte is. Bits above the lowest zero byte may be spurious, so
/// only the lowest set bit is meaningful.
#[inline(always)]
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// Eight bytes of `hay` from `i` as a little-endian word (caller ensures `i + 8 <= len`).
#[inline(always)]
fn word_at(hay: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&hay[i..i + 8]);
    u64::from_le_bytes(w)
}

/// Index of the first `needle` in `hay` (eight bytes at a time).
#[inline]
pub(super) fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let pattern = ONES * u64::from(needle);
    let mut i = 0;
    while i + 8 <= hay.len() {
        let hits = zero_bytes(word_at(hay, i) ^ pattern);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    hay[i..].iter().position(|&b| b == needle).map(|k| i + k)
}

/// Index of the first `a` or `b` in `hay` (eight bytes at a time).
#[inline]
pub(super) fn find_either(hay: &[u8], a: u8, b: u8) -> Option<usize> {
    let pa = ONES * u64::from(a);
    let pb = ONES * u64::from(b);
    let mut i = 0;
    while i + 8 <= hay.len() {
        let w = word_at(hay, i);
        let hits = zero_bytes(w ^ pa) | zero_bytes(w ^ pb);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    hay[i..]
        .iter()
        .position(|&c| c == a || c == b)
        .map(|k| i + k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_a_plain_search() {
        let hay: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
        for start in 0..24 {
            for len in 0..60 {
                let h = &hay[start..start + len];
                for needle in [
                    b'<',
                    0,
                    255,
                    h.first().copied().unwrap_or(1),
                    h.last().copied().unwrap_or(2),
                ] {
                    assert_eq!(find_byte(h, needle), h.iter().position(|&b| b == needle));
                    assert_eq!(
                        find_either(h, needle, b'\''),
                        h.iter().position(|&b| b == needle || b == b'\'')
                    );
                }
            }
        }
        // A byte just above a match must not hide it (borrow propagation).
        assert_eq!(find_byte(b"aaaa<\x3dbbbbbbbb", b'<'), Some(4));
        assert_eq!(find_byte(b"\x01\x00\x00\x00\x00\x00\x00\x00", 0), Some(1));
    }
}
