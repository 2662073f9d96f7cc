//! The resumable framer: finds where the stream header, each top-level element and
//! the stream's closing tag end, in bytes fed in any chunking.
//!
//! The scanner keeps its whole state (mode, element depth, quote and markup state,
//! attribute and namespace-declaration counts) between calls, so every byte is
//! classified exactly once: total work is linear in the input. It never looks at a
//! byte twice and never buffers anything itself; the reader copies the bytes of an
//! unfinished unit. While it scans it
//!
//! * rejects comments, processing instructions and DTD markup on sight (RFC 6120
//!   §11.1) — `<!` is only accepted as the start of `<![CDATA[` inside an element,
//!   and `<?` only as the XML declaration at the very start;
//! * rejects character data between top-level elements (only whitespace is allowed);
//! * enforces the [`Limits`] — unit size, depth, attributes, namespace declarations —
//!   before the bytes that break them are buffered.
//!
//! Everything it cares about is ASCII, so UTF-8 is checked elsewhere
//! ([`super::utf8`]); names, attribute syntax, references and characters are checked
//! by the tree builder once a unit is complete.

use super::limits::Limits;

/// What a completed unit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnitKind {
    /// The prolog and the stream's start tag.
    Header,
    /// A top-level element (stanza or nonza).
    Element,
    /// The stream's end tag.
    StreamClose,
}

/// A violation the scanner detects by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// `<!--`.
    Comment,
    /// `<?` other than the XML declaration at the very start.
    ProcessingInstruction,
    /// `<!` starting anything but a CDATA section inside an element.
    Dtd,
    /// Non-whitespace outside the top-level elements (a CDATA section included).
    TextOutsideElements,
    /// `<` inside a start tag (outside attribute values).
    LtInTag,
    /// `<` inside an attribute value.
    LtInAttrValue,
    /// `<` inside an end tag, or something other than whitespace after its name.
    MalformedEndTag,
    /// An end tag whose name is not the open element's (reported at its `<`).
    MismatchedEndTag,
    /// An end tag before the stream header.
    EndTagInProlog,
    /// A UTF-16 or UTF-32 byte-order mark or encoding at the start of the stream.
    NotUtf8,
    /// The stream's start tag closed itself (`<stream:stream/>`).
    EmptyStream,
    /// Something other than whitespace after the stream's end tag.
    AfterClose,
    /// The unit grew past `max_stanza_bytes`.
    TooLarge,
    /// An element deeper than `max_depth`.
    TooDeep,
    /// More than `max_attributes` attributes on one element.
    TooManyAttributes,
    /// More than `max_namespace_declarations` in one unit.
    TooManyNamespaceDeclarations,
}

/// Where the scan stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scan {
    /// Every byte was classified; no boundary was found.
    NeedMore,
    /// The XML declaration ends just before index `end` of the input.
    DeclEnd { end: usize },
    /// A unit ends just before index `end` of the input.
    UnitEnd { end: usize, kind: UnitKind },
    /// A violation, detected at index `at` of the input. `offset` is its absolute
    /// position, which may lie before this input (the `<` of `<!--`, say).
    Fault {
        at: usize,
        offset: u64,
        fault: Fault,
    },
}

/// Where the scanner is in the stream's grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Nothing of this stream seen yet (`bom`: a byte-order mark may still come).
    Start { bom: bool },
    /// Inside a UTF-8 byte-order mark, this many bytes seen.
    Bom(u8),
    /// `<` was the first byte: the declaration or the stream tag follows.
    StartLt,
    /// Inside the XML declaration (`question`: the last byte was `?`).
    Decl { question: bool },
    /// Prolog whitespace before the stream tag.
    Prolog,
    /// `<` in the prolog.
    PrologLt,
    /// `<!` outside elements (prolog or stream level).
    OuterBang,
    /// Between top-level elements.
    Between,
    /// `<` between top-level elements.
    BetweenLt,
    /// Character data inside an element.
    Content,
    /// `<` inside an element.
    ContentLt,
    /// Inside a start tag.
    StartTag,
    /// Inside an attribute value quoted with this byte.
    AttrValue(u8),
    /// Inside an end tag of an element (`name`: still in its name).
    EndTag { name: bool },
    /// After `<!` inside an element: this many bytes of `[CDATA[` matched.
    CdataOpen(u8),
    /// Inside a CDATA section, after this many `]` (0..=2).
    Cdata(u8),
    /// Inside the stream's end tag.
    StreamEndTag,
    /// After the stream's end tag.
    Closed,
}

const CDATA_OPEN: &[u8; 7] = b"[CDATA[";

/// The framer's state between feeds.
#[derive(Clone, Debug)]
pub(crate) struct Scanner {
    mode: Mode,
    unit: UnitKind,
    /// Absolute offset of the current unit's first byte (valid while in a unit).
    unit_start: u64,
    /// Open elements in the current top-level element.
    depth: u32,
    /// Attributes seen in the current start tag.
    attrs: u32,
    /// Namespace declarations seen in the current unit.
    ns_decls: u32,
    /// Progress matching `xmlns` at the start of an attribute name.
    xmlns: u8,
    /// Whether the last byte of the start tag was `/`.
    slash: bool,
    /// Whether the start tag's name is still being read.
    in_name: bool,
    /// Hash of the name of the tag being read.
    name_hash: u32,
    /// Absolute offset of the `<` of the end tag being read.
    tag_start: u64,
    /// Hashes of the names of the open elements, innermost last (at most
    /// `max_depth` entries): an end tag whose name does not match is refused on
    /// sight. Equal hashes of different names (a 2^-32 chance) only defer the
    /// error to the tree builder, which compares the names themselves.
    open: Vec<u32>,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner {
            mode: Mode::Start { bom: true },
            unit: UnitKind::Header,
            unit_start: 0,
            depth: 0,
            attrs: 0,
            ns_decls: 0,
            xmlns: NOT_XMLNS,
            slash: false,
            in_name: false,
            name_hash: FNV_OFFSET,
            tag_start: 0,
            open: Vec::new(),
        }
    }
}

/// Whether `b` is XML whitespace.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl Scanner {
    /// Whether a unit has started and not ended: its bytes so far must be kept.
    pub(crate) fn in_unit(&self) -> bool {
        !matches!(
            self.mode,
            Mode::Start { .. } | Mode::Bom(_) | Mode::Between | Mode::Closed
        )
    }

    /// Absolute offset of the current unit's first byte (meaningful while
    /// [`in_unit`](Self::in_unit)).
    pub(crate) fn unit_start(&self) -> u64 {
        self.unit_start
    }

    /// Index one past the last byte of `input` the current unit may use.
    #[inline(always)]
    fn stop(&self, n: usize, base: u64, limits: &Limits) -> usize {
        if !self.in_unit() {
            return n;
        }
        self.unit_stop(n, base, limits)
    }

    /// [`stop`](Self::stop) inside a unit.
    #[inline(always)]
    fn unit_stop(&self, n: usize, base: u64, limits: &Limits) -> usize {
        let end = self
            .unit_start
            .saturating_add(limits.max_stanza_bytes as u64);
        let room = end.saturating_sub(base);
        if room >= n as u64 { n } else { room as usize }
    }

    fn begin_unit(&mut self, kind: UnitKind, offset: u64) {
        self.unit = kind;
        self.unit_start = offset;
        self.depth = 0;
        self.ns_decls = 0;
        self.open.clear();
    }

    /// Classifies `input` (whose first byte is at absolute offset `base`) until a
    /// boundary, a violation or the end of the input. (The reader calls the two
    /// halves, [`quick`](Self::quick) and [`scan_from`](Self::scan_from), itself.)
    #[cfg(test)]
    pub(crate) fn scan(&mut self, input: &[u8], base: u64, limits: &Limits) -> Scan {
        match self.quick(input, base, limits) {
            None => Scan::NeedMore,
            Some(k) => self.scan_from(input, k, base, limits),
        }
    }

    /// [`scan`](Self::scan) from index `start` of `input`, the bytes before it
    /// already classified in the current mode (and none of them a boundary).
    #[inline(never)]
    pub(crate) fn scan_from(
        &mut self,
        input: &[u8],
        start: usize,
        base: u64,
        limits: &Limits,
    ) -> Scan {
        let n = input.len();
        let mut stop = self.stop(n, base, limits);
        let mut i = start;
        let fault = |at: usize, fault: Fault| Scan::Fault {
            at,
            offset: base + at as u64,
            fault,
        };
        while i < stop {
            match self.mode {
                Mode::Content => match find_byte(&input[i..stop], b'<') {
                    Some(k) => {
                        i += k + 1;
                        self.mode = Mode::ContentLt;
                        // Straight on to the byte after `<` when it is here.
                        if i < stop
                            && let Some(f) = self.after_content_lt(input[i], &mut i, base, limits)
                        {
                            return f;
                        }
                    }
                    None => i = stop,
                },
                Mode::AttrValue(q) => match find_either(&input[i..stop], q, b'<') {
                    Some(k) if input[i + k] == q => {
                        i += k + 1;
                        self.mode = Mode::StartTag;
                        self.xmlns = NOT_XMLNS;
                        self.slash = false;
                    }
                    Some(k) => return fault(i + k, Fault::LtInAttrValue),
                    None => i = stop,
                },
                Mode::StartTag => match self.scan_start_tag(input, &mut i, stop, limits) {
                    TagStep::More => {}
                    TagStep::Fault(at, f) => return fault(at, f),
                    TagStep::Closed => {
                        if let Some(done) = self.close_start_tag(i, base) {
                            return done;
                        }
                    }
                },
                Mode::ContentLt => {
                    if let Some(f) = self.after_content_lt(input[i], &mut i, base, limits) {
                        return f;
                    }
                }
                Mode::EndTag { name } => {
                    if name {
                        i += self.end_tag_name(&input[i..stop]);
                        if i == stop {
                            continue;
                        }
                    }
                    let b = input[i];
                    i += 1;
                    match b {
                        b'>' => {
                            if self.open.pop() != Some(self.name_hash) {
                                return Scan::Fault {
                                    at: i - 1,
                                    offset: self.tag_start,
                                    fault: Fault::MismatchedEndTag,
                                };
                            }
                            self.depth = self.depth.saturating_sub(1);
                            if self.depth == 0 {
                                self.mode = Mode::Between;
                                return Scan::UnitEnd {
                                    end: i,
                                    kind: UnitKind::Element,
                                };
                            }
                            self.mode = Mode::Content;
                        }
                        b' ' | b'\t' | b'\r' | b'\n' => self.mode = Mode::EndTag { name: false },
                        b'<' => return fault(i - 1, Fault::MalformedEndTag),
                        _ if name => self.name_hash = fnv(self.name_hash, b),
                        _ => return fault(i - 1, Fault::MalformedEndTag),
                    }
                }
                Mode::Cdata(brackets) => {
                    if brackets == 0 {
                        match find_byte(&input[i..stop], b']') {
                            Some(k) => {
                                i += k + 1;
                                self.mode = Mode::Cdata(1);
                            }
                            None => i = stop,
                        }
                    } else {
                        let b = input[i];
                        i += 1;
                        self.mode = match b {
                            b']' => Mode::Cdata(2),
                            b'>' if brackets == 2 => Mode::Content,
                            _ => Mode::Cdata(0),
                        };
                    }
                }
                Mode::CdataOpen(k) => {
                    let b = input[i];
                    if CDATA_OPEN.get(usize::from(k)) != Some(&b) {
                        // `<!--`, or `<!DOCTYPE`, `<!ENTITY`, `<![INCLUDE[` …: DTD markup.
                        let f = if k == 0 && b == b'-' {
                            Fault::Comment
                        } else {
                            Fault::Dtd
                        };
                        return markup_fault(base, i, 2 + u64::from(k), f);
                    }
                    i += 1;
                    self.mode = if usize::from(k) + 1 == CDATA_OPEN.len() {
                        Mode::Cdata(0)
                    } else {
                        Mode::CdataOpen(k + 1)
                    };
                }
                Mode::Between => {
                    while i < stop && is_space(input[i]) {
                        i += 1;
                    }
                    if i < stop {
                        if input[i] != b'<' {
                            return fault(i, Fault::TextOutsideElements);
                        }
                        self.begin_unit(UnitKind::Element, base + i as u64);
                        i += 1;
                        self.mode = Mode::BetweenLt;
                        stop = self.stop(n, base, limits);
                    }
                }
                Mode::BetweenLt => {
                    let b = input[i];
                    match b {
                        b'/' => {
                            i += 1;
                            self.unit = UnitKind::StreamClose;
                            self.mode = Mode::StreamEndTag;
                        }
                        b'!' => {
                            i += 1;
                            self.mode = Mode::OuterBang;
                        }
                        b'?' => return markup_fault(base, i, 1, Fault::ProcessingInstruction),
                        _ => {
                            if limits.max_depth == 0 {
                                return fault(i, Fault::TooDeep);
                            }
                            self.begin_start_tag();
                        }
                    }
                }
                Mode::StreamEndTag => match find_either(&input[i..stop], b'>', b'<') {
                    Some(k) if input[i + k] == b'>' => {
                        i += k + 1;
                        self.mode = Mode::Closed;
                        return Scan::UnitEnd {
                            end: i,
                            kind: UnitKind::StreamClose,
                        };
                    }
                    Some(k) => return fault(i + k, Fault::MalformedEndTag),
                    None => i = stop,
                },
                Mode::OuterBang => {
                    return match input[i] {
                        b'-' => markup_fault(base, i, 2, Fault::Comment),
                        b'[' if self.unit != UnitKind::Header => {
                            markup_fault(base, i, 2, Fault::TextOutsideElements)
                        }
                        _ => markup_fault(base, i, 2, Fault::Dtd),
                    };
                }
                Mode::Closed => {
                    while i < stop && is_space(input[i]) {
                        i += 1;
                    }
                    if i < stop {
                        return fault(i, Fault::AfterClose);
                    }
                }
                Mode::Start { .. }
                | Mode::Bom(_)
                | Mode::StartLt
                | Mode::Decl { .. }
                | Mode::Prolog
                | Mode::PrologLt => {
                    if let Some(done) = self.prolog_step(input, &mut i, &mut stop, base, limits) {
                        return done;
                    }
                }
            }
        }
        if stop < n {
            // The byte at `stop` would take the unit past its size limit.
            return fault(stop, Fault::TooLarge);
        }
        Scan::NeedMore
    }
}

/// A fault detected at index `i` in markup whose `<` lies `back` bytes earlier
/// (possibly in an earlier input); reported at that `<`.
fn markup_fault(base: u64, i: usize, back: u64, fault: Fault) -> Scan {
    Scan::Fault {
        at: i,
        offset: (base + i as u64).saturating_sub(back),
        fault,
    }
}

mod find;
mod interior;
mod prolog;
mod tag;
#[cfg(test)]
mod tests;

use find::{find_byte, find_either};
use tag::{FNV_OFFSET, NOT_XMLNS, TagStep, fnv};
