//! UTF-8 validation with hold-back of a character split between two inputs.
//!
//! The framer classifies raw bytes (every byte it cares about is ASCII), so UTF-8 is
//! checked separately, exactly once per byte, when a region of input is appended to
//! the reader's buffer or handed to the tree builder. A read can end in the middle of
//! a multi-byte character; its first bytes are held back here (at most three) and
//! completed by the next input. Invalid UTF-8 is reported at the absolute offset of
//! the first byte of the offending sequence, whatever the chunking.

/// The first bytes of a character whose remaining bytes have not arrived yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Utf8Carry {
    bytes: [u8; 4],
    len: u8,
    /// Absolute stream offset of `bytes[0]`.
    start: u64,
}

/// Invalid UTF-8 at this absolute offset (first byte of the bad sequence).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InvalidUtf8 {
    pub(crate) offset: u64,
}

/// What to do with a valid-so-far but incomplete sequence at the end of a region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tail {
    /// The region ends where the input ends: hold the bytes back for the next input.
    Hold,
    /// The region ends where the framer found a violation: the tail is neither kept
    /// nor an error (the violation is what gets reported).
    Ignore,
}

impl Utf8Carry {
    /// Whether bytes are held back.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets any held-back bytes (stream reset).
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Validates `region` (whose first byte is at absolute offset `base`), continuing a
    /// held-back character if there is one, and appends the complete characters to
    /// `out`. An incomplete sequence at the end of `region` is handled per `tail`.
    pub(crate) fn push_region(
        &mut self,
        region: &[u8],
        base: u64,
        out: &mut String,
        tail: Tail,
    ) -> Result<(), InvalidUtf8> {
        let mut rest = region;
        let mut rest_base = base;
        if self.len > 0 {
            let used = self.complete(rest, out, tail)?;
            rest = &rest[used..];
            rest_base += used as u64;
            if self.len > 0 {
                // The region ended before the held character did.
                return Ok(());
            }
        }
        match std::str::from_utf8(rest) {
            Ok(text) => {
                out.push_str(text);
                Ok(())
            }
            Err(e) => {
                let valid = e.valid_up_to();
                out.push_str(valid_prefix(rest, valid));
                match e.error_len() {
                    Some(_) => Err(InvalidUtf8 {
                        offset: rest_base + valid as u64,
                    }),
                    None => {
                        if tail == Tail::Hold {
                            self.hold(&rest[valid..], rest_base + valid as u64);
                        }
                        Ok(())
                    }
                }
            }
        }
    }

    /// Feeds bytes from the front of `input` into the held character until it is
    /// complete (appending it to `out`), proven invalid, or `input` runs out.
    /// Returns how many bytes of `input` it used.
    fn complete(
        &mut self,
        input: &[u8],
        out: &mut String,
        tail: Tail,
    ) -> Result<usize, InvalidUtf8> {
        let mut used = 0;
        while self.len > 0 {
            let Some(&b) = input.get(used) else {
                if tail == Tail::Ignore {
                    self.len = 0;
                }
                return Ok(used);
            };
            let len = usize::from(self.len);
            if len >= self.bytes.len() {
                // Unreachable for a held prefix of a valid sequence (at most 3 bytes);
                // treat defensively as invalid rather than index out of bounds.
                return Err(self.invalid());
            }
            self.bytes[len] = b;
            self.len += 1;
            used += 1;
            match std::str::from_utf8(&self.bytes[..len + 1]) {
                Ok(ch) => {
                    out.push_str(ch);
                    self.len = 0;
                }
                Err(e) if e.error_len().is_some() => return Err(self.invalid()),
                Err(_) => {}
            }
        }
        Ok(used)
    }

    fn invalid(&mut self) -> InvalidUtf8 {
        self.len = 0;
        InvalidUtf8 { offset: self.start }
    }

    fn hold(&mut self, bytes: &[u8], start: u64) {
        let n = bytes.len().min(self.bytes.len());
        self.bytes[..n].copy_from_slice(&bytes[..n]);
        self.len = n as u8;
        self.start = start;
    }
}

/// Validates a whole region that needs no carry (the zero-copy path).
pub(crate) fn validate(region: &[u8], base: u64) -> Result<&str, InvalidUtf8> {
    std::str::from_utf8(region).map_err(|e| InvalidUtf8 {
        offset: base + e.valid_up_to() as u64,
    })
}

/// The valid prefix `bytes[..valid]` as text (`valid` comes from a `Utf8Error`).
fn valid_prefix(bytes: &[u8], valid: usize) -> &str {
    std::str::from_utf8(&bytes[..valid]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push_all(chunks: &[&[u8]]) -> Result<String, InvalidUtf8> {
        let mut carry = Utf8Carry::default();
        let mut out = String::new();
        let mut base = 0u64;
        for chunk in chunks {
            carry.push_region(chunk, base, &mut out, Tail::Hold)?;
            base += chunk.len() as u64;
        }
        Ok(out)
    }

    #[test]
    fn whole_and_split_characters_agree() {
        let text = "aé€𝄞z";
        let bytes = text.as_bytes();
        for split in 0..=bytes.len() {
            let (a, b) = bytes.split_at(split);
            assert_eq!(push_all(&[a, b]).unwrap(), text, "split at {split}");
        }
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(push_all(&singles).unwrap(), text);
    }

    #[test]
    fn invalid_bytes_are_reported_at_their_offset_for_any_split() {
        // 'a' then an overlong '/' (C0 AF) then 'b'.
        let bytes = b"a\xC0\xAFb";
        for split in 0..=bytes.len() {
            let (a, b) = bytes.split_at(split);
            assert_eq!(
                push_all(&[a, b]),
                Err(InvalidUtf8 { offset: 1 }),
                "split {split}"
            );
        }
        // A surrogate (ED A0 80) split one byte at a time.
        let bytes = b"xy\xED\xA0\x80";
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(push_all(&singles), Err(InvalidUtf8 { offset: 2 }));
    }

    #[test]
    fn a_held_character_broken_by_ascii_is_invalid_at_its_lead_byte() {
        assert_eq!(
            push_all(&[b"ab\xE2\x82", b"<"]),
            Err(InvalidUtf8 { offset: 2 })
        );
    }

    #[test]
    fn ignored_tail_is_dropped_not_reported() {
        let mut carry = Utf8Carry::default();
        let mut out = String::new();
        carry
            .push_region(b"a\xE2", 0, &mut out, Tail::Ignore)
            .unwrap();
        assert!(carry.is_empty());
        assert_eq!(out, "a");
        carry
            .push_region(b"b\xF0\x9F", 2, &mut out, Tail::Hold)
            .unwrap();
        assert!(!carry.is_empty());
        carry.push_region(b"", 5, &mut out, Tail::Ignore).unwrap();
        assert!(carry.is_empty());
    }

    #[test]
    fn helpers_report_offsets() {
        assert_eq!(validate(b"ok", 10).unwrap(), "ok");
        assert_eq!(validate(b"o\xFFk", 10), Err(InvalidUtf8 { offset: 11 }));
    }
}
