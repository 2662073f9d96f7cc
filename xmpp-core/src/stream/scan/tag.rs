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

/// Bytes that end a start tag's element name: whitespace, `/`, `>`, `<`, quotes
/// and `=` (`:` does not: the name is hashed with its prefix).
const ENDS_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let special = b" \t\r\n=\'\"/><";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = true;
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

    /// The bytes of a start tag at the front of `input` that neither close it,
    /// open an attribute value nor break a rule: names (the element's is hashed),
    /// whitespace, `=`, `:` and `/`. Follows the `xmlns` match and counts namespace
    /// declarations. Returns the index of the first other byte — `>`, a quote, `<`,
    /// or the separator after a namespace declaration that would exceed
    /// `max_namespace_declarations` (left uncounted) — or `None` at the end.
    #[inline]
    pub(super) fn tag_interior(&mut self, input: &[u8], limits: &Limits) -> Option<usize> {
        let mut k = 0;
        if self.in_name {
            let mut hash = self.name_hash;
            while let Some(&b) = input.get(k) {
                if ENDS_NAME[usize::from(b)] {
                    self.in_name = false;
                    break;
                }
                hash = fnv(hash, b);
                k += 1;
            }
            self.name_hash = hash;
        }
        let mut xmlns = self.xmlns;
        let mut slash = self.slash;
        let found = loop {
            let Some(&b) = input.get(k) else { break None };
            match b {
                b'>' | b'\'' | b'"' | b'<' => break Some(k),
                b'/' => {
                    slash = true;
                    xmlns = NOT_XMLNS;
                    k += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' | b'\n' | b'=' | b':' => {
                    if xmlns == XMLNS.len() as u8 {
                        if self.ns_decls >= limits.max_namespace_declarations {
                            break Some(k);
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
            k += 1;
        };
        self.xmlns = xmlns;
        self.slash = slash;
        found
    }

    /// Hashes the end-tag name bytes at the front of `input` (anything but
    /// whitespace, `>` and `<`); returns how many there were.
    #[inline]
    pub(super) fn end_tag_name(&mut self, input: &[u8]) -> usize {
        let mut hash = self.name_hash;
        let mut k = 0;
        while let Some(&b) = input.get(k) {
            if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'<') {
                break;
            }
            hash = fnv(hash, b);
            k += 1;
        }
        self.name_hash = hash;
        k
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
        let Some(k) = self.tag_interior(&input[*i..stop], limits) else {
            *i = stop;
            return TagStep::More;
        };
        let at = *i + k;
        *i = at + 1;
        match input[at] {
            b'>' => TagStep::Closed,
            q @ (b'\'' | b'"') => {
                if self.attrs >= limits.max_attributes {
                    return TagStep::Fault(at, Fault::TooManyAttributes);
                }
                self.attrs += 1;
                self.mode = Mode::AttrValue(q);
                TagStep::More
            }
            b'<' => TagStep::Fault(at, Fault::LtInTag),
            _ => TagStep::Fault(at, Fault::TooManyNamespaceDeclarations),
        }
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
