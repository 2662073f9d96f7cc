//! RFC 3454 stringprep with the nodeprep, nameprep and resourceprep profiles.
//!
//! The Unicode 3.2 tables come from the `stringprep` crate's `tables` module; the
//! algorithm is driven here so that failures say which rule broke (the crate's own error
//! is opaque) and so that unassigned code points are checked on the input, as RFC 3454
//! §7 and libidn do.

use std::borrow::Cow;

use stringprep::tables;
use unicode_normalization::UnicodeNormalization;

use super::ProfileError;

/// The three stringprep profiles XMPP uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stringprep {
    /// RFC 3491 (IDNA2003 nameprep).
    Nameprep,
    /// RFC 6122 Appendix A.
    Nodeprep,
    /// RFC 6122 Appendix B.
    Resourceprep,
}

/// Prepares `s` with nodeprep (RFC 6122 Appendix A): B.1 + B.2 mapping, NFKC,
/// prohibitions C.1.1–C.9 plus `"&'/:<>@`, RFC 3454 §6 bidi, no unassigned code points.
///
/// Returns the input unchanged (borrowed) when it is already prepared ASCII.
///
/// ```
/// assert_eq!(xmpp_jid::profiles::nodeprep("JULIET").unwrap(), "juliet");
/// assert!(xmpp_jid::profiles::nodeprep("ju@liet").is_err());
/// ```
pub fn nodeprep(s: &str) -> Result<Cow<'_, str>, ProfileError> {
    run(s, Stringprep::Nodeprep)
}

/// Prepares `s` with nameprep (RFC 3491): B.1 + B.2 mapping, NFKC, prohibitions
/// C.1.2, C.2.2, C.3–C.9, RFC 3454 §6 bidi, no unassigned code points.
///
/// This is the profile alone, applied to the whole string: no label splitting and no
/// STD3 rules. For a JID domainpart use [`crate::prep::nameprep`].
///
/// ```
/// assert_eq!(xmpp_jid::profiles::nameprep("B\u{dc}CHER").unwrap(), "b\u{fc}cher");
/// ```
pub fn nameprep(s: &str) -> Result<Cow<'_, str>, ProfileError> {
    run(s, Stringprep::Nameprep)
}

/// Prepares `s` with resourceprep (RFC 6122 Appendix B): B.1 mapping (no case mapping),
/// NFKC, prohibitions C.1.2, C.2.1–C.9, RFC 3454 §6 bidi, no unassigned code points.
///
/// ```
/// assert_eq!(xmpp_jid::profiles::resourceprep("Balcony").unwrap(), "Balcony");
/// assert!(xmpp_jid::profiles::resourceprep("a\u{7}").is_err());
/// ```
pub fn resourceprep(s: &str) -> Result<Cow<'_, str>, ProfileError> {
    run(s, Stringprep::Resourceprep)
}

fn run(s: &str, profile: Stringprep) -> Result<Cow<'_, str>, ProfileError> {
    if let Some(out) = ascii(s, profile) {
        return out;
    }
    // RFC 3454 §7: stored strings must not contain unassigned code points (checked on
    // the input; mapping and NFKC of assigned characters only yield assigned ones).
    if let Some(c) = s.chars().find(|&c| unassigned(c)) {
        return Err(ProfileError::Unassigned(c));
    }
    // §3 mapping (B.1 for all three; B.2 case folding for nameprep and nodeprep).
    let mapped = s
        .chars()
        .filter(|&c| c.is_ascii() || !tables::commonly_mapped_to_nothing(c));
    // §4 normalisation: NFKC.
    let normalized: String = if profile == Stringprep::Resourceprep {
        mapped.nfkc().collect()
    } else {
        mapped.flat_map(case_fold).nfkc().collect()
    };
    // §5 prohibited output.
    if let Some(c) = normalized.chars().find(|&c| prohibited(c, profile)) {
        return Err(ProfileError::Prohibited(c));
    }
    // NFKC of an assigned character is assigned in Unicode 3.2 for all but a few later
    // corrections; check the output too so nothing unassigned slips through.
    if let Some(c) = normalized.chars().find(|&c| unassigned(c)) {
        return Err(ProfileError::Unassigned(c));
    }
    // §6 bidirectional characters.
    if bidi_violation(&normalized) {
        return Err(ProfileError::Bidi);
    }
    if normalized == s {
        Ok(Cow::Borrowed(s))
    } else {
        Ok(Cow::Owned(normalized))
    }
}

/// Table A.1, skipping the lookup below U+0221 (everything there is assigned).
#[inline]
fn unassigned(c: char) -> bool {
    c >= '\u{221}' && tables::unassigned_code_point(c)
}

/// One code point or its B.2 case folding (ASCII without the table lookup).
#[inline]
fn case_fold(c: char) -> CaseFold {
    if c.is_ascii() {
        CaseFold::One(Some(c.to_ascii_lowercase()))
    } else {
        CaseFold::Table(tables::case_fold_for_nfkc(c))
    }
}

/// Iterator over the B.2 folding of one character.
enum CaseFold {
    One(Option<char>),
    Table(tables::CaseFoldForNfkc),
}

impl Iterator for CaseFold {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        match self {
            CaseFold::One(c) => c.take(),
            CaseFold::Table(it) => it.next(),
        }
    }
}

/// D.1 (R or AL). No code point below U+0590 is either, so skip the table there.
#[inline]
fn r_or_al(c: char) -> bool {
    c >= '\u{590}' && tables::bidi_r_or_al(c)
}

/// Exact result for all-ASCII input, or `None` to take the general path.
///
/// For ASCII, B.1 maps nothing, NFKC is the identity, B.2 is ASCII lowercasing, nothing
/// is unassigned and nothing is right-to-left: only the prohibition tables matter.
fn ascii(s: &str, profile: Stringprep) -> Option<Result<Cow<'_, str>, ProfileError>> {
    if !s.is_ascii() {
        return None;
    }
    let folds = profile != Stringprep::Resourceprep;
    // Prohibitions apply to the output, i.e. after lowercasing: check the lowered byte.
    for &b in s.as_bytes() {
        let c = char::from(if folds { b.to_ascii_lowercase() } else { b });
        if prohibited(c, profile) {
            return Some(Err(ProfileError::Prohibited(c)));
        }
    }
    if folds && s.bytes().any(|b| b.is_ascii_uppercase()) {
        Some(Ok(Cow::Owned(s.to_ascii_lowercase())))
    } else {
        Some(Ok(Cow::Borrowed(s)))
    }
}

/// RFC 3454 §5 prohibition tables for `profile`.
fn prohibited(c: char, profile: Stringprep) -> bool {
    if c.is_ascii() {
        // Only C.1.1 / C.2.1 and the nodeprep additions have ASCII members.
        return match profile {
            Stringprep::Nameprep => false,
            Stringprep::Resourceprep => tables::ascii_control_character(c), // C.2.1
            Stringprep::Nodeprep => {
                tables::ascii_space_character(c) // C.1.1
                    || tables::ascii_control_character(c) // C.2.1
                    || matches!(c, '"' | '&' | '\'' | '/' | ':' | '<' | '>' | '@')
            }
        };
    }
    tables::non_ascii_space_character(c) // C.1.2
        || tables::non_ascii_control_character(c) // C.2.2
        || tables::private_use(c) // C.3
        || tables::non_character_code_point(c) // C.4
        || tables::surrogate_code(c) // C.5
        || tables::inappropriate_for_plain_text(c) // C.6
        || tables::inappropriate_for_canonical_representation(c) // C.7
        || tables::change_display_properties_or_deprecated(c) // C.8
        || tables::tagging_character(c) // C.9
}

/// RFC 3454 §6: a string with any RandALCat character must contain no LCat character
/// and must start and end with a RandALCat character.
fn bidi_violation(s: &str) -> bool {
    if !s.contains(r_or_al) {
        return false;
    }
    if s.contains(tables::bidi_l) {
        return true;
    }
    let first = s.chars().next().is_some_and(r_or_al);
    let last = s.chars().next_back().is_some_and(r_or_al);
    !(first && last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodeprep_maps_and_prohibits() {
        assert_eq!(nodeprep("Fu\u{df}ball").unwrap(), "fussball");
        assert_eq!(nodeprep("\u{3a3}").unwrap(), "\u{3c3}");
        assert_eq!(nodeprep("\u{3c2}").unwrap(), "\u{3c3}");
        assert_eq!(nodeprep("henry\u{2163}").unwrap(), "henryiv");
        assert_eq!(nodeprep("I\u{ad}X").unwrap(), "ix");
        assert_eq!(nodeprep("a b"), Err(ProfileError::Prohibited(' ')));
        // U+FF20 FULLWIDTH COMMERCIAL AT normalises to '@', which is then prohibited.
        assert_eq!(nodeprep("a\u{ff20}b"), Err(ProfileError::Prohibited('@')));
        assert_eq!(nodeprep("\u{627}1"), Err(ProfileError::Bidi));
        assert_eq!(
            nodeprep("\u{221}"),
            Err(ProfileError::Unassigned('\u{221}'))
        );
        assert!(matches!(nodeprep("juliet"), Ok(Cow::Borrowed("juliet"))));
    }

    #[test]
    fn resourceprep_keeps_case_and_space() {
        assert_eq!(resourceprep("Foo Bar").unwrap(), "Foo Bar");
        assert_eq!(resourceprep("a\u{a0}b").unwrap(), "a b");
        assert_eq!(resourceprep("\u{2168}").unwrap(), "IX");
        assert_eq!(
            resourceprep("\u{200e}left"),
            Err(ProfileError::Prohibited('\u{200e}'))
        );
        assert_eq!(resourceprep("a\u{627}"), Err(ProfileError::Bidi));
        assert_eq!(
            resourceprep("\u{e000}"),
            Err(ProfileError::Prohibited('\u{e000}'))
        );
        assert!(matches!(resourceprep("\u{265a}"), Ok(Cow::Borrowed(_))));
    }

    #[test]
    fn nameprep_allows_ascii_space_and_controls() {
        // Nameprep alone does not prohibit ASCII space or controls (STD3 rules do).
        assert_eq!(nameprep("a b").unwrap(), "a b");
        assert_eq!(nameprep("A\u{7}").unwrap(), "a\u{7}");
        // NFKC maps NO-BREAK SPACE to U+0020 (allowed); OGHAM SPACE MARK stays (C.1.2).
        assert_eq!(nameprep("\u{a0}").unwrap(), " ");
        assert_eq!(
            nameprep("\u{1680}"),
            Err(ProfileError::Prohibited('\u{1680}'))
        );
    }

    #[test]
    fn agrees_with_the_stringprep_crate_on_samples() {
        let samples = [
            "juliet",
            "JULIET",
            "Fu\u{df}ball",
            "\u{3a3}\u{3c2}",
            "I\u{ad}X",
            "\u{2168}",
            "a\u{a0}b",
            "\u{627}\u{628}",
            "\u{627}1",
            "a\u{627}",
            "\u{fb01}",
            "\u{1e9e}",
            "\u{130}",
            "ǅ",
            "\u{2000}",
            "\u{e0001}",
            "x\u{fe0f}",
            "",
        ];
        for s in samples {
            let ours = nodeprep(s).ok().map(Cow::into_owned);
            let theirs = stringprep::nodeprep(s).ok().map(Cow::into_owned);
            assert_eq!(ours, theirs, "nodeprep {s:?}");
            let ours = resourceprep(s).ok().map(Cow::into_owned);
            let theirs = stringprep::resourceprep(s).ok().map(Cow::into_owned);
            assert_eq!(ours, theirs, "resourceprep {s:?}");
            let ours = nameprep(s).ok().map(Cow::into_owned);
            let theirs = stringprep::nameprep(s).ok().map(Cow::into_owned);
            assert_eq!(ours, theirs, "nameprep {s:?}");
        }
    }
}
