//! The framer's fast path: the bytes inside an element that change the scan state
//! but can neither end a unit nor break a rule — character data, `<` followed by a
//! start tag's name or by `/`, start-tag names, whitespace, `=` and opening quotes,
//! attribute values and their closing quotes, end-tag names.
//!
//! This is most of a stream, and when bytes trickle in one at a time each of them
//! would otherwise go through the general scan. Everything else — a tag's `>`,
//! `<!`, `<?`, anything between top-level elements or in the prolog, and every
//! byte that breaks a rule or a limit — is left to [`Scanner::scan_from`], which
//! classifies it exactly as if it had seen the bytes before it too.

use super::find::{find_byte, find_either};
use super::tag::{FNV_OFFSET, NOT_XMLNS};
use super::{Limits, Mode, Scanner};

impl Scanner {
    /// Whether the single byte `b`, at absolute offset `base`, leaves the scan
    /// state exactly as it is: it continues character data or an attribute value
    /// (it is neither `<` nor the closing quote) and fits in the unit size limit.
    /// Such a byte is classified without any change; the reader only keeps it.
    #[inline(always)]
    pub(crate) fn continues(&self, b: u8, base: u64, limits: &Limits) -> bool {
        let same = match self.mode {
            Mode::Content => b != b'<',
            Mode::AttrValue(q) => b != q && b != b'<',
            _ => false,
        };
        same && base
            < self
                .unit_start
                .saturating_add(limits.max_stanza_bytes as u64)
    }

    /// Classifies the interior bytes at the front of `input` (first byte at
    /// absolute offset `base`): `None` if that was all of `input`, else the index
    /// of the first byte [`scan_from`](Self::scan_from) must take (the bytes before
    /// it are classified). Never goes past the unit size limit.
    #[inline]
    pub(crate) fn quick(&mut self, input: &[u8], base: u64, limits: &Limits) -> Option<usize> {
        let n = input.len();
        if !matches!(
            self.mode,
            Mode::Content
                | Mode::ContentLt
                | Mode::AttrValue(_)
                | Mode::StartTag
                | Mode::EndTag { .. }
        ) {
            return Some(0);
        }
        let stop = self.unit_stop(n, base, limits);
        let mut i = 0;
        while i < stop {
            match self.mode {
                Mode::Content => match find_byte(&input[i..stop], b'<') {
                    Some(k) => {
                        i += k + 1;
                        self.mode = Mode::ContentLt;
                    }
                    None => i = stop,
                },
                Mode::ContentLt => match input[i] {
                    b'/' => {
                        self.tag_start = (base + i as u64).saturating_sub(1);
                        self.mode = Mode::EndTag { name: true };
                        self.name_hash = FNV_OFFSET;
                        i += 1;
                    }
                    b'!' | b'?' => return Some(i),
                    _ if self.depth >= limits.max_depth => return Some(i),
                    _ => self.begin_start_tag(),
                },
                Mode::AttrValue(q) => match find_either(&input[i..stop], q, b'<') {
                    Some(k) if input[i + k] == q => {
                        i += k + 1;
                        self.mode = Mode::StartTag;
                        self.xmlns = NOT_XMLNS;
                        self.slash = false;
                    }
                    Some(k) => return Some(i + k),
                    None => i = stop,
                },
                Mode::StartTag => match self.tag_interior(&input[i..stop], limits) {
                    Some(k) => {
                        i += k;
                        let q = input[i];
                        if !matches!(q, b'\'' | b'"') || self.attrs >= limits.max_attributes {
                            return Some(i);
                        }
                        self.attrs += 1;
                        self.mode = Mode::AttrValue(q);
                        i += 1;
                    }
                    None => i = stop,
                },
                Mode::EndTag { name } => {
                    if name {
                        i += self.end_tag_name(&input[i..stop]);
                        if i == stop {
                            break;
                        }
                    }
                    match input[i] {
                        b' ' | b'\t' | b'\r' | b'\n' => self.mode = Mode::EndTag { name: false },
                        _ => return Some(i),
                    }
                    i += 1;
                }
                _ => return Some(i),
            }
        }
        if stop == n { None } else { Some(stop) }
    }
}
