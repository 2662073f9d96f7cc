//! Byte-level scanning for the fast tokenizer: finding the bytes that matter in
//! character data and attribute values eight at a time (SWAR, in safe Rust), and
//! XML name characters.
//!
//! Everything XML markup is made of is ASCII, and so are the characters XML 1.0
//! forbids except U+FFFE and U+FFFF (UTF-8 `EF BF BE` / `EF BF BF`). So a scan
//! stops at every `<`, `>`, `&`, C0 control (tab, CR and LF included) and `0xEF`
//! lead byte, and lets the caller decide; every other byte, multi-byte characters
//! included, is skipped without decoding.

use crate::reference::{is_name_char, is_name_start_char};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of (at least) the lowest byte of `word` that is zero. Bits above
/// the lowest zero byte may be spurious; the lowest set bit is always exact.
#[inline(always)]
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// The high bit of (at least) the lowest byte of `word` equal to `b` (same caveat).
#[inline(always)]
fn equal_bytes(word: u64, b: u8) -> u64 {
    zero_bytes(word ^ (ONES * u64::from(b)))
}

/// The high bit of (at least) the lowest byte of `word` below 0x20 (same caveat:
/// a borrow only runs upwards from a byte that really is below).
#[inline(always)]
fn control_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES * 0x20) & !word & HIGHS
}

/// Eight bytes of `hay` from `i` (the caller ensures `i + 8 <= hay.len()`).
#[inline(always)]
fn word_at(hay: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&hay[i..i + 8]);
    u64::from_le_bytes(w)
}

/// Whether character data scanning stops at this byte.
const fn text_stop(b: u8) -> bool {
    b < 0x20 || matches!(b, b'<' | b'>' | b'&' | 0xEF)
}

/// Whether attribute value scanning stops at this byte (besides the quote).
const fn value_stop(b: u8) -> bool {
    b < 0x20 || matches!(b, b'<' | b'&' | 0xEF)
}

/// Index of the first byte of `hay` from `i` on that character data scanning must
/// look at (`<`, `>`, `&`, a C0 control or `0xEF`), or `hay.len()`.
#[inline]
pub(super) fn text_stop_from(hay: &[u8], mut i: usize) -> usize {
    while i + 8 <= hay.len() {
        let w = word_at(hay, i);
        // `<` (0x3C) and `>` (0x3E) both become 0x3E with bit 1 set.
        let hits = equal_bytes(w | (ONES * 2), b'>')
            | equal_bytes(w, b'&')
            | control_bytes(w)
            | equal_bytes(w, 0xEF);
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < hay.len() && !text_stop(hay[i]) {
        i += 1;
    }
    i
}

/// Index of the first byte of `hay` from `i` on that attribute value scanning must
/// look at (`quote`, `<`, `&`, a C0 control or `0xEF`), or `hay.len()`.
#[inline]
pub(super) fn value_stop_from(hay: &[u8], mut i: usize, quote: u8) -> usize {
    while i + 8 <= hay.len() {
        let w = word_at(hay, i);
        let hits = equal_bytes(w, quote)
            | equal_bytes(w, b'<')
            | equal_bytes(w, b'&')
            | control_bytes(w)
            | equal_bytes(w, 0xEF);
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < hay.len() && hay[i] != quote && !value_stop(hay[i]) {
        i += 1;
    }
    i
}

/// Whether the `0xEF` at `hay[i]` starts U+FFFE or U+FFFF (not XML characters).
#[inline]
pub(super) fn is_noncharacter_at(hay: &[u8], i: usize) -> bool {
    hay.get(i + 1) == Some(&0xBF) && matches!(hay.get(i + 2), Some(0xBE | 0xBF))
}

/// Whether a C0 control byte is an XML character (tab, LF, CR).
#[inline]
pub(super) fn is_allowed_control(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r')
}

/// XML whitespace.
#[inline(always)]
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// What a byte is to a name scan.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum NameByte {
    /// Not part of a name: the name ends before it.
    Stop,
    /// An ASCII letter or `_`: may start a name.
    Start,
    /// An ASCII digit, `-` or `.`: may continue a name.
    Name,
    /// `:`, the prefix separator.
    Colon,
    /// The first byte of a non-ASCII character (decode it to decide).
    NonAscii,
}

/// [`NameByte`] of every byte value.
const NAME_BYTES: [NameByte; 256] = {
    let mut table = [NameByte::Stop; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => NameByte::Start,
            b'0'..=b'9' | b'-' | b'.' => NameByte::Name,
            b':' => NameByte::Colon,
            0x80..=0xFF => NameByte::NonAscii,
            _ => NameByte::Stop,
        };
        b += 1;
    }
    table
};

/// What byte `b` is to a name scan.
#[inline(always)]
pub(super) fn name_byte(b: u8) -> NameByte {
    NAME_BYTES[usize::from(b)]
}

/// The end of the name without `:` (an XML `NCName`) that starts at `hay[i]`, or
/// `None` if no name starts there.
#[inline(always)]
pub(super) fn ncname_end(hay: &str, mut i: usize) -> Option<usize> {
    let b = hay.as_bytes();
    match name_byte(*b.get(i)?) {
        NameByte::Start => i += 1,
        NameByte::NonAscii => {
            let c = hay.get(i..)?.chars().next()?;
            if !is_name_start_char(c) {
                return None;
            }
            i += c.len_utf8();
        }
        _ => return None,
    }
    loop {
        // The common case, without a branch per byte class: ASCII name bytes.
        while let Some(&c) = b.get(i) {
            if !ASCII_NAME_CONTINUES[usize::from(c)] {
                break;
            }
            i += 1;
        }
        match b.get(i) {
            Some(&c) if name_byte(c) == NameByte::NonAscii => {
                match hay.get(i..).and_then(|s| s.chars().next()) {
                    Some(c) if is_name_char(c) => i += c.len_utf8(),
                    _ => break,
                }
            }
            _ => break,
        }
    }
    Some(i)
}

/// Whether a byte is an ASCII byte that continues a name without `:`
/// ([`NameByte::Start`] or [`NameByte::Name`]).
const ASCII_NAME_CONTINUES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(NAME_BYTES[b], NameByte::Start | NameByte::Name);
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    fn plain_text_stop(h: &[u8], i: usize) -> usize {
        h[i..]
            .iter()
            .position(|&b| text_stop(b))
            .map_or(h.len(), |k| i + k)
    }

    fn plain_value_stop(h: &[u8], i: usize, q: u8) -> usize {
        h[i..]
            .iter()
            .position(|&b| b == q || value_stop(b))
            .map_or(h.len(), |k| i + k)
    }

    #[test]
    fn scans_agree_with_plain_loops() {
        let specials = [
            b'<', b'>', b'&', 0x00, 0x1F, b'\n', 0xEF, b'\'', b'"', 0x20, 0x3D, 0x3F,
        ];
        let hay: Vec<u8> = (0..300u32)
            .map(|i| match i % 23 {
                0 => specials[(i as usize / 23) % specials.len()],
                _ => (i * 37 % 251) as u8 | 0x40,
            })
            .collect();
        for start in 0..40 {
            for len in 0..80 {
                let h = &hay[start..start + len];
                for i in 0..=h.len().min(10) {
                    assert_eq!(text_stop_from(h, i), plain_text_stop(h, i));
                    assert_eq!(value_stop_from(h, i, b'\''), plain_value_stop(h, i, b'\''));
                    assert_eq!(value_stop_from(h, i, b'"'), plain_value_stop(h, i, b'"'));
                }
            }
        }
        // A byte just above a hit must not hide it (borrow propagation).
        assert_eq!(text_stop_from(b"aaaa\x1f\x20bbbbbbbb", 0), 4);
        assert_eq!(text_stop_from(b"aaa\x00\x01bbbbbbbbb", 0), 3);
        assert_eq!(value_stop_from(b"abcdefg'hijk", 0, b'\''), 7);
    }

    #[test]
    fn noncharacters_and_names() {
        assert!(is_noncharacter_at("\u{FFFE}".as_bytes(), 0));
        assert!(is_noncharacter_at("\u{FFFF}".as_bytes(), 0));
        assert!(!is_noncharacter_at("\u{FFFD}".as_bytes(), 0));
        assert!(!is_noncharacter_at("\u{F000}".as_bytes(), 0));
        assert_eq!(ncname_end("a1 ", 0), Some(2));
        assert_eq!(ncname_end("_", 0), Some(1));
        assert_eq!(ncname_end("éa\u{B7}\u{300}-.9:b", 0), Some(10));
        assert_eq!(ncname_end("x1a", 1), None);
        assert_eq!(ncname_end("-", 0), None);
        assert_eq!(ncname_end("", 0), None);
        assert_eq!(ncname_end(":a", 0), None);
        assert_eq!(ncname_end("\u{B7}", 0), None);
        assert_eq!(ncname_end("a\u{D7}", 0), Some(1));
    }
}
