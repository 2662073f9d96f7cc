//! The ASCII fast path: exact preparation of all-ASCII parts without stringprep or
//! PRECIS machinery.
//!
//! For ASCII input every profile reduces to a byte rule (mapping-to-nothing, NFKC/NFC,
//! bidi and unassigned checks are all no-ops on ASCII):
//!
//! * localpart — nodeprep (RFC 6122 A) and UsernameCaseMapped + RFC 7622 §3.3.1 agree:
//!   lowercase `A-Z`; prohibit controls `00-1F 7F`, space, and `"&'/:<>@`.
//! * resourcepart — resourceprep (RFC 6122 B) and OpaqueString agree: prohibit the
//!   controls `00-1F 7F`, keep everything else unchanged (space included).
//! * domain labels — nameprep + STD3 (IDNA2003) and IDNA2008 NR-LDH agree: lowercase,
//!   letters/digits/hyphen only, no hyphen first or last, 1..=63 octets. Labels starting
//!   with `xn--` are A-labels and leave the fast path.

use crate::error::{JidError, JidPart};

/// Result of scanning one part for the fast path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scan {
    /// All ASCII and already prepared: the input is the output.
    Clean,
    /// All ASCII and valid; the output is the input with `A-Z` lowercased.
    Lowercase,
    /// Not handled here (non-ASCII, an A-label, an IP literal): use the full path.
    Slow,
    /// All ASCII and invalid, with exactly the error the full path reports.
    Invalid(JidError),
}

const CTRL: u8 = 0; // prohibited in every part
const LOWER: u8 = 1 << 0; // a-z
const UPPER: u8 = 1 << 1; // A-Z
const DIGIT: u8 = 1 << 2; // 0-9
const HYPHEN: u8 = 1 << 3; // -
const NODE_OK: u8 = 1 << 4; // allowed in a localpart
const RES_OK: u8 = 1 << 5; // allowed in a resourcepart
const LDH_DOT: u8 = 1 << 6; // a-z A-Z 0-9 - .

const fn class_of(b: u8) -> u8 {
    match b {
        0x00..=0x1F | 0x7F => CTRL,
        b'a'..=b'z' => LOWER | LDH_DOT | NODE_OK | RES_OK,
        b'A'..=b'Z' => UPPER | LDH_DOT | NODE_OK | RES_OK,
        b'0'..=b'9' => DIGIT | LDH_DOT | NODE_OK | RES_OK,
        b'-' => HYPHEN | LDH_DOT | NODE_OK | RES_OK,
        b'.' => LDH_DOT | NODE_OK | RES_OK,
        b' ' | b'"' | b'&' | b'\'' | b'/' | b':' | b'<' | b'>' | b'@' => RES_OK,
        0x80..=0xFF => CTRL,
        _ => NODE_OK | RES_OK,
    }
}

const fn build_table() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
}

static CLASS: [u8; 256] = build_table();

/// Inputs longer than this (per part, in bytes) are rejected before any preparation
/// work: no valid part is this long, even counting characters mapped to nothing.
pub(crate) const MAX_RAW_PART: usize = 4096;

/// Largest prepared part (RFC 6122 §2.1 / RFC 7622 §3.1): 1023 bytes.
pub(crate) const MAX_PART: usize = 1023;

/// Checks the 1..=1023 byte bound of a prepared part.
pub(crate) fn check_len(part: JidPart, len: usize) -> Result<(), JidError> {
    if len == 0 {
        Err(JidError::Empty(part))
    } else if len > MAX_PART {
        Err(JidError::TooLong { part, len })
    } else {
        Ok(())
    }
}

/// Scans a localpart (both profiles).
pub(crate) fn scan_localpart(s: &str) -> Scan {
    scan_simple(s, JidPart::Localpart, NODE_OK)
}

/// Scans a resourcepart (both profiles).
pub(crate) fn scan_resourcepart(s: &str) -> Scan {
    scan_simple(s, JidPart::Resourcepart, RES_OK)
}

/// OR and AND of the classes of all bytes: one branch-free pass.
#[inline]
fn classes(bytes: &[u8]) -> (u8, u8) {
    let mut all = u8::MAX;
    let mut any = 0u8;
    for &b in bytes {
        let class = CLASS[usize::from(b)];
        all &= class;
        any |= class;
    }
    (all, any)
}

#[inline]
fn scan_simple(s: &str, part: JidPart, ok: u8) -> Scan {
    // Optimistic pass: the length in bounds and every byte allowed.
    if !(1..=MAX_PART).contains(&s.len()) {
        return scan_simple_exact(s, part, ok);
    }
    let (all, any) = classes(s.as_bytes());
    if all & ok != 0 {
        return if part == JidPart::Localpart && any & UPPER != 0 {
            Scan::Lowercase
        } else {
            Scan::Clean
        };
    }
    scan_simple_exact(s, part, ok)
}

#[cold]
fn scan_simple_exact(s: &str, part: JidPart, ok: u8) -> Scan {
    if s.len() > MAX_RAW_PART {
        return Scan::Invalid(JidError::TooLong { part, len: s.len() });
    }
    let bytes = s.as_bytes();
    let mut seen = 0u8;
    for (i, &b) in bytes.iter().enumerate() {
        let class = CLASS[usize::from(b)];
        if class & ok == 0 {
            if !b.is_ascii() {
                return Scan::Slow;
            }
            // Invalid only if the whole part is ASCII; otherwise let the full path
            // decide (it reports the first problem in its own order).
            return if bytes[i..].is_ascii() {
                Scan::Invalid(JidError::Prohibited {
                    part,
                    ch: char::from(b),
                })
            } else {
                Scan::Slow
            };
        }
        seen |= class;
    }
    if let Err(e) = check_len(part, bytes.len()) {
        return Scan::Invalid(e);
    }
    // Only the localpart is case-mapped.
    if part == JidPart::Localpart && seen & UPPER != 0 {
        Scan::Lowercase
    } else {
        Scan::Clean
    }
}

/// Outcome of checking one all-ASCII domain label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AsciiLabel {
    /// Valid; `upper` says whether it needs lowercasing.
    Ok {
        /// The label contains `A-Z`.
        upper: bool,
    },
    /// The label starts with the ACE prefix `xn--` (any case): an A-label candidate.
    ALabel,
}

/// Checks one all-ASCII domain label against the LDH / hyphen / length rules.
///
/// The caller guarantees `label` is ASCII. Errors come in a fixed order: empty, first
/// non-LDH character, hyphen position, length.
pub(crate) fn check_ascii_label(label: &[u8]) -> Result<AsciiLabel, JidError> {
    if label.is_empty() {
        return Err(JidError::EmptyLabel);
    }
    let mut seen = 0u8;
    for &b in label {
        let class = CLASS[usize::from(b)];
        if class & (LOWER | UPPER | DIGIT | HYPHEN) == 0 {
            return Err(JidError::Prohibited {
                part: JidPart::Domainpart,
                ch: char::from(b),
            });
        }
        seen |= class;
    }
    if label.first() == Some(&b'-') || label.last() == Some(&b'-') {
        return Err(JidError::LabelHyphen);
    }
    if label.len() > 63 {
        return Err(JidError::LabelTooLong { len: label.len() });
    }
    if label.len() >= 4 && label[..4].eq_ignore_ascii_case(b"xn--") {
        return Ok(AsciiLabel::ALabel);
    }
    Ok(AsciiLabel::Ok {
        upper: seen & UPPER != 0,
    })
}

/// Scans a whole domainpart for the fast path (both profiles).
///
/// Handles one trailing `.` (stripped: returns the slice to use), LDH labels, the
/// length bound. IP literals, A-labels and non-ASCII go to the full path, which gets
/// the original slice back (trailing dot included).
#[inline]
pub(crate) fn scan_domainpart(s: &str) -> (Scan, &str) {
    // Optimistic pass: LDH labels, no A-label, lengths in bounds, at most one
    // trailing dot. Anything else gets the exact scan below.
    let stripped = s.strip_suffix('.').unwrap_or(s);
    let d = stripped.as_bytes();
    if !(1..=MAX_PART).contains(&d.len()) {
        return scan_domainpart_exact(s);
    }
    let (all, any) = classes(d);
    if all & LDH_DOT != 0 && plain_labels(d) {
        let scan = if any & UPPER != 0 {
            Scan::Lowercase
        } else {
            Scan::Clean
        };
        return (scan, stripped);
    }
    scan_domainpart_exact(s)
}

/// Label structure of an LDH-and-dots string: every label 1..=63 bytes, no hyphen at
/// either end, no `xn--` prefix (conservative: any `??--` start is refused).
#[inline]
fn plain_labels(d: &[u8]) -> bool {
    let mut start = 0;
    loop {
        let end = d[start..]
            .iter()
            .position(|&b| b == b'.')
            .map_or(d.len(), |p| start + p);
        let label = &d[start..end];
        let ok = match label {
            [] => false,
            [first, .., last] if *first == b'-' || *last == b'-' => false,
            [b'-'] => false,
            [_, _, b'-', b'-', ..] => false,
            _ => label.len() <= 63,
        };
        if !ok {
            return false;
        }
        if end == d.len() {
            return true;
        }
        start = end + 1;
    }
}

#[cold]
fn scan_domainpart_exact(s: &str) -> (Scan, &str) {
    if s.len() > MAX_RAW_PART {
        return (
            Scan::Invalid(JidError::TooLong {
                part: JidPart::Domainpart,
                len: s.len(),
            }),
            s,
        );
    }
    let bytes = s.as_bytes();
    if !bytes.is_ascii() || bytes.first() == Some(&b'[') {
        return (Scan::Slow, s);
    }
    let stripped = s.strip_suffix('.').unwrap_or(s);
    if stripped.is_empty() {
        return (
            Scan::Invalid(JidError::Empty(JidPart::Domainpart)),
            stripped,
        );
    }
    let mut upper = false;
    for label in stripped.as_bytes().split(|&b| b == b'.') {
        match check_ascii_label(label) {
            Ok(AsciiLabel::Ok { upper: u }) => upper |= u,
            // The full path strips the trailing dot itself: hand it the original.
            Ok(AsciiLabel::ALabel) => return (Scan::Slow, s),
            Err(e) => return (Scan::Invalid(e), stripped),
        }
    }
    if let Err(e) = check_len(JidPart::Domainpart, stripped.len()) {
        return (Scan::Invalid(e), stripped);
    }
    (if upper { Scan::Lowercase } else { Scan::Clean }, stripped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localpart_rules() {
        assert_eq!(scan_localpart("juliet"), Scan::Clean);
        assert_eq!(scan_localpart("Juliet"), Scan::Lowercase);
        assert_eq!(scan_localpart("a!#$%*+=?^_`{|}~.b"), Scan::Clean);
        for bad in ['"', '&', '\'', '/', ':', '<', '>', '@', ' ', '\0', '\x7f'] {
            let s = format!("a{bad}b");
            assert_eq!(
                scan_localpart(&s),
                Scan::Invalid(JidError::Prohibited {
                    part: JidPart::Localpart,
                    ch: bad
                })
            );
        }
        assert_eq!(scan_localpart("a b\u{e9}"), Scan::Slow);
        assert_eq!(
            scan_localpart(""),
            Scan::Invalid(JidError::Empty(JidPart::Localpart))
        );
    }

    #[test]
    fn resourcepart_rules() {
        assert_eq!(scan_resourcepart("Balcony / @ \"x\""), Scan::Clean);
        assert_eq!(
            scan_resourcepart("a\tb"),
            Scan::Invalid(JidError::Prohibited {
                part: JidPart::Resourcepart,
                ch: '\t'
            })
        );
        assert_eq!(scan_resourcepart("\u{265a}"), Scan::Slow);
    }

    #[test]
    fn domain_rules() {
        assert_eq!(scan_domainpart("example.com"), (Scan::Clean, "example.com"));
        assert_eq!(
            scan_domainpart("Example.COM."),
            (Scan::Lowercase, "Example.COM")
        );
        assert_eq!(scan_domainpart("xn--bcher-kva.ch").0, Scan::Slow);
        assert_eq!(scan_domainpart("[::1]").0, Scan::Slow);
        assert_eq!(
            scan_domainpart("a..b").0,
            Scan::Invalid(JidError::EmptyLabel)
        );
        assert_eq!(
            scan_domainpart("-a.b").0,
            Scan::Invalid(JidError::LabelHyphen)
        );
        assert_eq!(
            scan_domainpart("a-.b").0,
            Scan::Invalid(JidError::LabelHyphen)
        );
        assert_eq!(scan_domainpart("a-b.c").0, Scan::Clean);
        assert_eq!(
            scan_domainpart("a_b").0,
            Scan::Invalid(JidError::Prohibited {
                part: JidPart::Domainpart,
                ch: '_'
            })
        );
        let long = "a".repeat(64);
        assert_eq!(
            scan_domainpart(&long).0,
            Scan::Invalid(JidError::LabelTooLong { len: 64 })
        );
        assert_eq!(
            scan_domainpart(".").0,
            Scan::Invalid(JidError::Empty(JidPart::Domainpart))
        );
    }
}
