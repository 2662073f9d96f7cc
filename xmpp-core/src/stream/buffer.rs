//! [`UnitBuffer`]: the bytes of a unit (header, top-level element, closing tag) that
//! arrived over more than one input, as validated UTF-8, with bounded growth.

use super::utf8::{InvalidUtf8, Tail, Utf8Carry};

/// Capacity kept after a unit completes (at most, and never more than the unit
/// size limit); a larger buffer is released, so memory held between units stays
/// small however large the last unit was.
const RETAIN: usize = 16 * 1024;
/// Smallest allocation.
const MIN_CAPACITY: usize = 256;

/// The bytes so far of the current unit, when it spans inputs.
///
/// Its capacity never exceeds the unit size limit (the framer stops a unit at the
/// limit, so the text never needs more), and it is shrunk back to at most
/// [`RETAIN`] bytes when a unit completes.
#[derive(Debug, Default)]
pub(crate) struct UnitBuffer {
    text: String,
    carry: Utf8Carry,
}

impl UnitBuffer {
    /// Validates and appends `region` (first byte at absolute offset `base`); the
    /// unit may not exceed `limit` bytes.
    #[inline]
    pub(crate) fn push(
        &mut self,
        region: &[u8],
        base: u64,
        tail: Tail,
        limit: usize,
    ) -> Result<(), InvalidUtf8> {
        self.reserve(region.len(), limit);
        // One ASCII byte (input fed byte by byte) needs no validation call.
        if let [b] = region
            && b.is_ascii()
            && self.carry.is_empty()
        {
            self.text.push(char::from(*b));
            return Ok(());
        }
        self.carry.push_region(region, base, &mut self.text, tail)
    }

    /// Appends the byte `b` if it is ASCII, no partial character is held and the
    /// capacity has room; `false` (nothing done) otherwise.
    #[inline(always)]
    pub(crate) fn push_ascii(&mut self, b: u8) -> bool {
        if b.is_ascii() && self.carry.is_empty() && self.text.len() < self.text.capacity() {
            self.text.push(char::from(b));
            true
        } else {
            false
        }
    }

    /// Grows the capacity for `extra` more bytes: doubling, but never past `limit`
    /// (unless the text already needs more, which the framer prevents).
    #[inline(always)]
    fn reserve(&mut self, extra: usize, limit: usize) {
        if self.text.len() + extra > self.text.capacity() {
            self.grow(extra, limit);
        }
    }

    /// [`reserve`](Self::reserve) when the capacity is short.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, extra: usize, limit: usize) {
        let needed = self.text.len() + extra;
        let capacity = self.text.capacity();
        let target = needed
            .max(capacity.saturating_mul(2))
            .max(MIN_CAPACITY)
            .min(limit.max(needed));
        self.text.reserve_exact(target - self.text.len());
    }

    /// The unit's text so far.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Whether nothing of a unit is held (no text, no partial character).
    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty() && self.carry.is_empty()
    }

    /// Forgets the unit (it completed, failed, or the stream was reset), releasing an
    /// allocation larger than [`RETAIN`] or than the unit size `limit` (which may
    /// have been lowered since it grew).
    pub(crate) fn clear(&mut self, limit: usize) {
        self.text.clear();
        self.carry.clear();
        if self.text.capacity() > RETAIN.min(limit) {
            self.text = String::new();
        }
    }

    /// Bytes of memory held.
    pub(crate) fn capacity(&self) -> usize {
        self.text.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_never_exceeds_the_limit() {
        let mut b = UnitBuffer::default();
        let limit = 10_000;
        for i in 0..limit {
            b.push(b"x", i as u64, Tail::Hold, limit).unwrap();
            assert!(b.capacity() <= limit, "{} > {limit}", b.capacity());
        }
        assert_eq!(b.text().len(), limit);
        b.clear(usize::MAX);
        assert!(b.is_empty());
    }

    #[test]
    fn large_buffers_are_released() {
        let mut b = UnitBuffer::default();
        let big = vec![b'a'; 100_000];
        b.push(&big, 0, Tail::Hold, 256 * 1024).unwrap();
        assert!(b.capacity() >= 100_000);
        b.clear(usize::MAX);
        assert_eq!(b.capacity(), 0);
        b.push(b"abc", 0, Tail::Hold, 1024).unwrap();
        b.clear(usize::MAX);
        assert!(b.capacity() > 0, "small buffers are kept");
    }

    #[test]
    fn partial_characters_are_held() {
        let mut b = UnitBuffer::default();
        b.push(b"a\xC3", 0, Tail::Hold, 100).unwrap();
        assert_eq!(b.text(), "a");
        assert!(!b.is_empty());
        b.push(b"\xA9b", 2, Tail::Hold, 100).unwrap();
        assert_eq!(b.text(), "a\u{e9}b");
        assert_eq!(
            b.push(b"\xFF", 4, Tail::Hold, 100),
            Err(InvalidUtf8 { offset: 4 })
        );
    }
}
