//! The error type of JID parsing and preparation.

use core::fmt;

/// One of the three parts of a JID: `localpart@domainpart/resourcepart`.
///
/// RFC 6122 calls them node, domain and resource identifiers; RFC 7622 calls them
/// localpart, domainpart and resourcepart. [`JidError`] uses this to say which part broke
/// a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum JidPart {
    /// The part before the `@` (RFC 6122 "node").
    Localpart,
    /// The part between the `@` and the first `/` (RFC 6122 "domain").
    Domainpart,
    /// The part after the first `/` (RFC 6122 "resource").
    Resourcepart,
}

impl JidPart {
    /// The RFC 7622 name of the part, e.g. `"localpart"`.
    pub fn name(self) -> &'static str {
        match self {
            JidPart::Localpart => "localpart",
            JidPart::Domainpart => "domainpart",
            JidPart::Resourcepart => "resourcepart",
        }
    }
}

impl fmt::Display for JidPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a string is not a valid JID (or JID part) under the chosen profile.
///
/// Every variant names the part and the rule that was broken. Parsing never panics:
/// whatever the input, the result is a JID or one of these.
///
/// ```
/// use xmpp_jid::{Jid, JidError, JidPart};
///
/// assert_eq!(Jid::new("@example.com"), Err(JidError::Empty(JidPart::Localpart)));
/// assert_eq!(
///     Jid::new("ju:liet@example.com"),
///     Err(JidError::Prohibited { part: JidPart::Localpart, ch: ':' }),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JidError {
    /// The part is present (its separator was given) but empty, before or after
    /// preparation; an empty input has an empty domainpart.
    Empty(JidPart),
    /// The part is longer than 1023 bytes of UTF-8 after preparation. `len` is the
    /// prepared length, or the input length when the input alone is over the bound this
    /// crate accepts before preparing anything (4096 bytes per part).
    TooLong {
        /// The part that is too long.
        part: JidPart,
        /// Its length in bytes.
        len: usize,
    },
    /// The part contains a character its profile prohibits (stringprep prohibition
    /// tables, the characters `"&'/:<>@` in a localpart, a non-LDH ASCII character in a
    /// domain label, or a PRECIS/IDNA2008 disallowed code point).
    Prohibited {
        /// The part holding the character.
        part: JidPart,
        /// The first prohibited character found (after mapping and normalisation, where
        /// the profile checks the prepared string).
        ch: char,
    },
    /// The part contains a code point unassigned in the profile's Unicode version
    /// (Unicode 3.2 for the RFC 6122 stringprep profiles).
    Unassigned {
        /// The part holding the character.
        part: JidPart,
        /// The unassigned character.
        ch: char,
    },
    /// The part breaks the bidirectional text rule (RFC 3454 §6 for RFC 6122, the
    /// RFC 5893 Bidi Rule for RFC 7622).
    Bidi(JidPart),
    /// A PRECIS or IDNA2008 contextual rule (CONTEXTJ / CONTEXTO, e.g. a ZERO WIDTH
    /// JOINER outside a virama context) rejects this character.
    ContextRule {
        /// The part holding the character.
        part: JidPart,
        /// The character whose context rule failed.
        ch: char,
    },
    /// Re-applying the PRECIS profile kept changing the string (RFC 8264 §7 requires the
    /// output to be stable).
    Unstable(JidPart),
    /// The domainpart has an empty label (`a..b`, `.a`, or two trailing dots).
    EmptyLabel,
    /// A domain label is longer than 63 octets (in its ASCII-compatible form).
    LabelTooLong {
        /// The label's length in octets.
        len: usize,
    },
    /// A domain label begins or ends with a hyphen (STD3 rules), or a U-label has
    /// hyphens in its third and fourth positions (IDNA2008).
    LabelHyphen,
    /// A domain label beginning with the ACE prefix `xn--` is not a valid A-label
    /// (RFC 7622 requires converting it to a U-label), or a non-ASCII label begins with
    /// the ACE prefix (IDNA2003 ToASCII).
    InvalidALabel,
    /// The domainpart starts with `[` but is not a bracketed IPv6 address.
    IpLiteral,
    /// The domainpart breaks another IDNA2008 / UTS 46 validity rule (for example a
    /// label starting with a combining mark).
    Idna,
    /// A full JID was required but the input has no resourcepart.
    ResourceRequired,
    /// A bare JID was required but the input has a resourcepart.
    ResourceNotAllowed,
}

impl JidError {
    /// The JID part this error is about, if it is about one part.
    ///
    /// ```
    /// use xmpp_jid::{Jid, JidPart};
    /// let err = Jid::new("juliet@exa mple.com").unwrap_err();
    /// assert_eq!(err.part(), Some(JidPart::Domainpart));
    /// ```
    pub fn part(&self) -> Option<JidPart> {
        match self {
            JidError::Empty(part)
            | JidError::TooLong { part, .. }
            | JidError::Prohibited { part, .. }
            | JidError::Unassigned { part, .. }
            | JidError::Bidi(part)
            | JidError::ContextRule { part, .. }
            | JidError::Unstable(part) => Some(*part),
            JidError::EmptyLabel
            | JidError::LabelTooLong { .. }
            | JidError::LabelHyphen
            | JidError::InvalidALabel
            | JidError::IpLiteral
            | JidError::Idna => Some(JidPart::Domainpart),
            JidError::ResourceRequired | JidError::ResourceNotAllowed => {
                Some(JidPart::Resourcepart)
            }
        }
    }
}

impl fmt::Display for JidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JidError::Empty(part) => write!(f, "empty {part}"),
            JidError::TooLong { part, len } => {
                write!(f, "{part} too long: {len} bytes (at most 1023)")
            }
            JidError::Prohibited { part, ch } => {
                write!(
                    f,
                    "prohibited character {ch:?} (U+{:04X}) in {part}",
                    *ch as u32
                )
            }
            JidError::Unassigned { part, ch } => {
                write!(f, "unassigned code point U+{:04X} in {part}", *ch as u32)
            }
            JidError::Bidi(part) => write!(f, "{part} violates the bidirectional text rule"),
            JidError::ContextRule { part, ch } => write!(
                f,
                "contextual rule for U+{:04X} not satisfied in {part}",
                *ch as u32
            ),
            JidError::Unstable(part) => write!(f, "{part} does not stabilise under its profile"),
            JidError::EmptyLabel => f.write_str("empty label in domainpart"),
            JidError::LabelTooLong { len } => {
                write!(f, "domain label too long: {len} octets (at most 63)")
            }
            JidError::LabelHyphen => f.write_str("misplaced hyphen in domain label"),
            JidError::InvalidALabel => f.write_str("invalid A-label (xn--) in domainpart"),
            JidError::IpLiteral => f.write_str("invalid IP literal in domainpart"),
            JidError::Idna => f.write_str("domainpart violates IDNA2008 rules"),
            JidError::ResourceRequired => f.write_str("full JID required: resourcepart missing"),
            JidError::ResourceNotAllowed => f.write_str("bare JID required: resourcepart present"),
        }
    }
}

impl std::error::Error for JidError {}
