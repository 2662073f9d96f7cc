//! SASLprep (RFC 4013), the stringprep profile for user names and passwords.
//!
//! Built on the `stringprep` crate's RFC 3454 tables, with typed errors and an ASCII fast
//! path. Normalization uses the `unicode-normalization` crate's NFKC (current Unicode, as the
//! `stringprep` crate does); the unassigned-code-point table is stringprep's Unicode 3.2 one.

use std::borrow::Cow;

use core::fmt;
use stringprep::tables;
use unicode_normalization::UnicodeNormalization;

/// Why SASLprep rejected a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaslprepError {
    /// The prepared string contains a character prohibited by RFC 4013 §2.3
    /// (control, private-use, non-character, tagging, …).
    Prohibited {
        /// The offending character.
        ch: char,
    },
    /// The string violates the bidirectional rules of RFC 3454 §6 (RFC 4013 §2.4).
    Bidi,
    /// The string contains a code point unassigned in Unicode 3.2 (RFC 4013 §2.5); only an
    /// error for stored strings ([`saslprep`]), not for queries ([`saslprep_query`]).
    Unassigned {
        /// The offending character.
        ch: char,
    },
}

impl SaslprepError {
    /// A short name for the kind of error: `prohibited`, `bidi` or `unassigned` (the names
    /// the conformance vectors use).
    pub fn kind_name(self) -> &'static str {
        match self {
            SaslprepError::Prohibited { .. } => "prohibited",
            SaslprepError::Bidi => "bidi",
            SaslprepError::Unassigned { .. } => "unassigned",
        }
    }
}

impl fmt::Display for SaslprepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaslprepError::Prohibited { ch } => {
                write!(f, "prohibited character U+{:04X}", u32::from(*ch))
            }
            SaslprepError::Bidi => f.write_str("prohibited bidirectional text"),
            SaslprepError::Unassigned { ch } => {
                write!(f, "unassigned code point U+{:04X}", u32::from(*ch))
            }
        }
    }
}

impl std::error::Error for SaslprepError {}

/// Prepares a *stored* string with SASLprep (RFC 4013): unassigned code points are errors.
///
/// Returns the input borrowed when it is printable ASCII (nothing to map or normalize).
///
/// ```
/// use xmpp_sasl::saslprep;
/// assert_eq!(saslprep("I\u{AD}X").unwrap(), "IX");
/// assert_eq!(saslprep("\u{2168}").unwrap(), "IX");
/// assert!(saslprep("\u{7}").is_err());
/// ```
pub fn saslprep(input: &str) -> Result<Cow<'_, str>, SaslprepError> {
    prepare(input, false)
}

/// Prepares a *query* string with SASLprep: like [`saslprep`], but unassigned code points
/// are allowed. SCRAM (RFC 5802 §2.2, §5.1) and PLAIN prepare user names and passwords this
/// way, so a password containing, say, an emoji still works.
pub fn saslprep_query(input: &str) -> Result<Cow<'_, str>, SaslprepError> {
    prepare(input, true)
}

fn prepare(input: &str, allow_unassigned: bool) -> Result<Cow<'_, str>, SaslprepError> {
    if input.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Ok(Cow::Borrowed(input));
    }
    // §2.1 mapping, in the RFC's order: non-ASCII spaces to SPACE, then "commonly mapped to
    // nothing" removed (U+200B is in both tables; it becomes a space, as the `stringprep`
    // crate does).
    let mapped = input
        .chars()
        .map(|c| {
            if tables::non_ascii_space_character(c) {
                ' '
            } else {
                c
            }
        })
        .filter(|&c| !tables::commonly_mapped_to_nothing(c));
    // §2.2 normalization: NFKC.
    let normalized: String = mapped.nfkc().collect();
    // §2.3 prohibited output.
    if let Some(ch) = normalized.chars().find(|&c| prohibited(c)) {
        return Err(SaslprepError::Prohibited { ch });
    }
    // §2.4 bidirectional characters.
    if bidi_violation(&normalized) {
        return Err(SaslprepError::Bidi);
    }
    // §2.5 unassigned code points.
    if !allow_unassigned
        && let Some(ch) = normalized
            .chars()
            .find(|&c| tables::unassigned_code_point(c))
    {
        return Err(SaslprepError::Unassigned { ch });
    }
    Ok(Cow::Owned(normalized))
}

fn prohibited(c: char) -> bool {
    tables::non_ascii_space_character(c)
        || tables::ascii_control_character(c)
        || tables::non_ascii_control_character(c)
        || tables::private_use(c)
        || tables::non_character_code_point(c)
        || tables::surrogate_code(c)
        || tables::inappropriate_for_plain_text(c)
        || tables::inappropriate_for_canonical_representation(c)
        || tables::change_display_properties_or_deprecated(c)
        || tables::tagging_character(c)
}

/// RFC 3454 §6: a string with any RandALCat character must contain no LCat character and
/// must start and end with a RandALCat character.
fn bidi_violation(s: &str) -> bool {
    if !s.chars().any(tables::bidi_r_or_al) {
        return false;
    }
    if s.chars().any(tables::bidi_l) {
        return true;
    }
    let first = s.chars().next().is_some_and(tables::bidi_r_or_al);
    let last = s.chars().next_back().is_some_and(tables::bidi_r_or_al);
    !(first && last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4013_examples() {
        assert_eq!(saslprep("I\u{00AD}X").unwrap(), "IX");
        assert_eq!(saslprep("user").unwrap(), "user");
        assert!(matches!(saslprep("user").unwrap(), Cow::Borrowed(_)));
        assert_eq!(saslprep("USER").unwrap(), "USER");
        assert_eq!(saslprep("\u{00AA}").unwrap(), "a");
        assert_eq!(saslprep("\u{2168}").unwrap(), "IX");
        assert_eq!(
            saslprep("\u{0007}"),
            Err(SaslprepError::Prohibited { ch: '\u{7}' })
        );
        assert_eq!(saslprep("\u{0627}1"), Err(SaslprepError::Bidi));
    }

    #[test]
    fn spaces_map_and_rtl_alone_is_fine() {
        assert_eq!(saslprep("a\u{00A0}b").unwrap(), "a b");
        assert_eq!(saslprep("\u{0627}\u{0628}").unwrap(), "\u{0627}\u{0628}");
        assert_eq!(saslprep("").unwrap(), "");
        assert_eq!(saslprep("\u{AD}").unwrap(), "");
    }

    #[test]
    fn unassigned_only_rejected_for_stored_strings() {
        let emoji = "pass\u{1F600}";
        assert_eq!(
            saslprep(emoji),
            Err(SaslprepError::Unassigned { ch: '\u{1F600}' })
        );
        assert_eq!(saslprep_query(emoji).unwrap(), emoji);
        assert_eq!(SaslprepError::Bidi.kind_name(), "bidi");
        assert!(
            SaslprepError::Prohibited { ch: '\u{7}' }
                .to_string()
                .contains("U+0007")
        );
    }

    #[test]
    fn agrees_with_stringprep_crate_on_a_sample() {
        for s in ["abc", "ß", "ﬁ", "Å", "x\u{200B}y", "\u{E000}", "a\u{3000}b"] {
            let ours = saslprep(s).map(|c| c.into_owned()).ok();
            let theirs = stringprep::saslprep(s).map(|c| c.into_owned()).ok();
            assert_eq!(ours, theirs, "{s:?}");
        }
    }
}
