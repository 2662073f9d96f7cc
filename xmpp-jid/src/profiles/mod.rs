//! The string preparation profiles exactly as their RFCs define them, without the JID
//! rules layered on top (length bounds, `@`/`/` handling, domain labels).
//!
//! [`crate::prep`] builds the JID part rules on these; the conformance runner tests them
//! directly against profile test vectors.
//!
//! * [`nodeprep`], [`nameprep`], [`resourceprep`] — RFC 3454 stringprep profiles
//!   (RFC 6122 Appendices A and B, RFC 3491), Unicode 3.2 tables from the `stringprep`
//!   crate. Unassigned code points are always rejected (the "stored strings" rule that
//!   RFC 6122 requires for JIDs; libidn's `STRINGPREP_NO_UNASSIGNED`), checked on the
//!   input as RFC 3454 §7 orders.
//! * [`username_case_mapped`], [`opaque_string`] — RFC 8265 PRECIS profiles via the
//!   `precis-profiles` crate, re-applied until stable (RFC 8264 §7).
//!
//! ```
//! use xmpp_jid::profiles::{self, ProfileError};
//!
//! assert_eq!(profiles::nodeprep("Fu\u{df}ball").unwrap(), "fussball");
//! assert_eq!(profiles::resourceprep("\u{2168}").unwrap(), "IX");
//! assert_eq!(profiles::resourceprep("\u{7}"), Err(ProfileError::Prohibited('\u{7}')));
//! assert_eq!(profiles::username_case_mapped("Fu\u{df}ball").unwrap(), "fu\u{df}ball");
//! ```

mod precis;
mod stringprep;

use core::fmt;

pub use self::precis::{opaque_string, username_case_mapped};
pub use self::stringprep::{nameprep, nodeprep, resourceprep};

/// Why a profile rejected a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileError {
    /// A character the profile prohibits (stringprep tables C.x, PRECIS DISALLOWED).
    Prohibited(char),
    /// A code point unassigned in the profile's Unicode version.
    Unassigned(char),
    /// The bidirectional rule (RFC 3454 §6, or the RFC 5893 Bidi Rule) is violated.
    Bidi,
    /// A PRECIS contextual rule (CONTEXTJ / CONTEXTO) rejects this character.
    ContextRule(char),
    /// The string is empty (PRECIS profiles reject empty strings).
    Empty,
    /// Re-applying the profile kept changing the string.
    Unstable,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileError::Prohibited(c) => {
                write!(f, "prohibited character {c:?} (U+{:04X})", *c as u32)
            }
            ProfileError::Unassigned(c) => write!(f, "unassigned code point U+{:04X}", *c as u32),
            ProfileError::Bidi => f.write_str("bidirectional text rule violated"),
            ProfileError::ContextRule(c) => {
                write!(f, "contextual rule for U+{:04X} not satisfied", *c as u32)
            }
            ProfileError::Empty => f.write_str("empty string"),
            ProfileError::Unstable => f.write_str("output does not stabilise"),
        }
    }
}

impl std::error::Error for ProfileError {}

impl ProfileError {
    /// The same failure as a [`JidError`](crate::JidError) about `part`.
    pub(crate) fn in_part(self, part: crate::JidPart) -> crate::JidError {
        use crate::JidError;
        match self {
            ProfileError::Prohibited(ch) => JidError::Prohibited { part, ch },
            ProfileError::Unassigned(ch) => JidError::Unassigned { part, ch },
            ProfileError::Bidi => JidError::Bidi(part),
            ProfileError::ContextRule(ch) => JidError::ContextRule { part, ch },
            ProfileError::Empty => JidError::Empty(part),
            ProfileError::Unstable => JidError::Unstable(part),
        }
    }
}
