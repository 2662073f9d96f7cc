//! Start tags: the element name (hashed, so that a mismatched end tag is refused
//! on sight), attributes (counted; each opening quote is one) and namespace
//! declarations (names `xmlns` and `xmlns:…`, counted), and what closing a tag
//! means for the element depth.

use super::{Fault, Limits, Mode, Scan, Scanner, UnitKind, is_space, markup_fault};

pub(super) const XMLNS: &[u8; 5] = b"xmlns";
/// `xmlns` state: not at a possible namespace declaration name.
pub(super) const NOT_XMLNS: u8 = 6;

pub(super) const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// One step of FNV-1a.
#[inline(always)]
pub(super) fn fnv(hash: u32, b: u8) -> u32 {
    (hash ^ u32::from(b)).wrapping_mul(FNV_PRIME)
}

/// Bytes that are part of a name inside a start tag: everything but whitespace,
/// `=`, `:` (which ends an `xmlns` match), quotes, `/`, `>` and `<`.
const NAME_BYTE: [bool; 256] = {
    let mut table = [true; 256];
    let special = b" \t\r\n=:'\"/><";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = false;
        i += 1;
    }
    table
};

/// Progress through a start tag.
pub(super) enum TagStep {
    /// Still inside the tag (or now inside an attribute value); scan on.
    More,
    /// The tag's `>` was consumed.
    Closed,
    /// A violation at this index.
    Fault(usize, Fault),
}

impl Scanner {
    pub(super) fn begin_start_tag(&mut self) {
        self.mode = Mode::StartTag;
        self.attrs = 0;
        self.xmlns = NOT_XMLNS;
        self.slash = false;
        self.in_name = true;
        self.name_hash = FNV_OFFSET;
    }

    /// Name bytes of a start tag (no whitespace, `=`, quote, `/`, `>` or `<`):
    /// hashes the element name and follows the `xmlns` match. Returns the index of
    /// the first other byte.
    #[inline]
    pub(super) fn quick_tag(&mut self, input: &[u8]) -> Option<usize> {
        for (k, &b) in input.iter().enumerate() {
            if !NAME_BYTE[usize::from(b)] {
                return Some(k);
            }
            if self.in_name {
                self.name_hash = fnv(self.name_hash, b);
            }
            self.xmlns = match XMLNS.get(usize::from(self.xmlns)) {
                Some(&c) if c == b => self.xmlns + 1,
                _ => NOT_XMLNS,
            };
            self.slash = false;
        }
        None
    }

    /// The byte `b` at index `*i` follows a `<` inside an element: starts an end
    /// tag, a CDATA section or a start tag (or is a processing instruction).
    #[inline(always)]
    pub(super) fn after_content_lt(
        &mut self,
        b: u8,
        i: &mut usize,
        base: u64,
        limits: &Limits,
    ) -> Option<Scan> {
        match b {
            b'/' => {
                self.tag_start = (base + *i as u64).saturating_sub(1);
                *i += 1;
                self.mode = Mode::EndTag { name: true };
                self.name_hash = FNV_OFFSET;
            }
            b'!' => {
                *i += 1;
                self.mode = Mode::CdataOpen(0);
            }
            b'?' => return Some(markup_fault(base, *i, 1, Fault::ProcessingInstruction)),
            _ => {
                if self.depth >= limits.max_depth {
                    return Some(Scan::Fault {
                        at: *i,
                        offset: base + *i as u64,
                        fault: Fault::TooDeep,
                    });
                }
                self.begin_start_tag();
            }
        }
        None
    }

    /// Classifies start-tag bytes until the tag closes, an attribute value opens, or
    /// `stop`. Counts attributes (one per opening quote) and namespace declarations
    /// (attribute names `xmlns` and `xmlns:…`).
    pub(super) fn scan_start_tag(
        &mut self,
        input: &[u8],
        i: &mut usize,
        stop: usize,
        limits: &Limits,
    ) -> TagStep {
        let mut j = *i;
        if self.in_name {
            let mut hash = self.name_hash;
            while j < stop {
                let b = input[j];
                if matches!(
                    b,
                    b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>' | b'<' | b'\'' | b'"' | b'='
                ) {
                    self.in_name = false;
                    break;
                }
                hash = fnv(hash, b);
                j += 1;
            }
            self.name_hash = hash;
        }
        let mut xmlns = self.xmlns;
        let mut slash = self.slash;
        let step = loop {
            if j >= stop {
                break TagStep::More;
            }
            let b = input[j];
            j += 1;
            match b {
                b'>' => break TagStep::Closed,
                b'\'' | b'"' => {
                    if self.attrs >= limits.max_attributes {
                        break TagStep::Fault(j - 1, Fault::TooManyAttributes);
                    }
                    self.attrs += 1;
                    self.mode = Mode::AttrValue(b);
                    break TagStep::More;
                }
                b'/' => {
                    slash = true;
                    xmlns = NOT_XMLNS;
                    continue;
                }
                b'<' => break TagStep::Fault(j - 1, Fault::LtInTag),
                b' ' | b'\t' | b'\r' | b'\n' | b'=' | b':' => {
                    if xmlns == XMLNS.len() as u8 {
                        if self.ns_decls >= limits.max_namespace_declarations {
                            break TagStep::Fault(j - 1, Fault::TooManyNamespaceDeclarations);
                        }
                        self.ns_decls += 1;
                    }
                    xmlns = if is_space(b) { 0 } else { NOT_XMLNS };
                }
                _ => {
                    xmlns = match XMLNS.get(usize::from(xmlns)) {
                        Some(&c) if c == b => xmlns + 1,
                        _ => NOT_XMLNS,
                    };
                }
            }
            slash = false;
        };
        self.xmlns = xmlns;
        self.slash = slash;
        *i = j;
        step
    }

    /// The start tag just closed (its `>` is before index `i`). Returns the scan
    /// result if this ends a unit or is a fault.
    pub(super) fn close_start_tag(&mut self, i: usize, base: u64) -> Option<Scan> {
        match self.unit {
            UnitKind::Header => {
                if self.slash {
                    return Some(Scan::Fault {
                        at: i - 1,
                        offset: base + i as u64 - 1,
                        fault: Fault::EmptyStream,
                    });
                }
                self.mode = Mode::Between;
                Some(Scan::UnitEnd {
                    end: i,
                    kind: UnitKind::Header,
                })
            }
            _ => {
                if self.slash {
                    if self.depth == 0 {
                        self.mode = Mode::Between;
                        return Some(Scan::UnitEnd {
                            end: i,
                            kind: UnitKind::Element,
                        });
                    }
                } else {
                    self.depth += 1;
                    self.open.push(self.name_hash);
                }
                self.mode = Mode::Content;
                None
            }
        }
    }
}
