//! The RFC 8265 PRECIS profiles RFC 7622 uses, via the `precis-profiles` crate.

use std::borrow::Cow;

use precis_core::profile::Profile as _;
use precis_core::{DerivedPropertyValue, Error, UnexpectedError};
use precis_profiles::{OpaqueString, UsernameCaseMapped};

use super::ProfileError;

/// Enforces the UsernameCaseMapped profile (RFC 8265 §3.3): width mapping, IdentifierClass,
/// lowercase, NFC, Bidi Rule. The RFC 7622 localpart rule adds `"&'/:<>@` on top (see
/// [`crate::prep::precis_localpart`]).
///
/// ```
/// use xmpp_jid::profiles::{username_case_mapped, ProfileError};
/// assert_eq!(username_case_mapped("Juliet").unwrap(), "juliet");
/// assert_eq!(username_case_mapped("\u{3c2}").unwrap(), "\u{3c2}");
/// assert_eq!(username_case_mapped("\u{265a}"), Err(ProfileError::Prohibited('\u{265a}')));
/// ```
pub fn username_case_mapped(s: &str) -> Result<Cow<'_, str>, ProfileError> {
    if let Some(out) = ascii(s, true) {
        return out;
    }
    stabilize(s, |x| UsernameCaseMapped::new().enforce(x))
}

/// Enforces the OpaqueString profile (RFC 8265 §4.2): FreeformClass, non-ASCII spaces
/// mapped to U+0020, NFC. No case mapping.
///
/// ```
/// use xmpp_jid::profiles::opaque_string;
/// assert_eq!(opaque_string("a\u{a0}b").unwrap(), "a b");
/// assert_eq!(opaque_string("\u{2168}").unwrap(), "\u{2168}");
/// assert!(opaque_string("\u{7}").is_err());
/// ```
pub fn opaque_string(s: &str) -> Result<Cow<'_, str>, ProfileError> {
    if let Some(out) = ascii(s, false) {
        return out;
    }
    stabilize(s, |x| OpaqueString::new().enforce(x))
}

/// Exact result for all-ASCII input, or `None` for the general path.
///
/// For ASCII both classes allow the printable characters `21-7E` (ASCII7); FreeformClass
/// also allows U+0020 and IdentifierClass does not; controls are disallowed; width
/// mapping, NFC and the Bidi Rule do nothing; UsernameCaseMapped lowercases `A-Z`.
fn ascii(s: &str, identifier: bool) -> Option<Result<Cow<'_, str>, ProfileError>> {
    if !s.is_ascii() {
        return None;
    }
    if s.is_empty() {
        return Some(Err(ProfileError::Empty));
    }
    for b in s.bytes() {
        let ok = matches!(b, 0x21..=0x7E) || (b == b' ' && !identifier);
        if !ok {
            return Some(Err(ProfileError::Prohibited(char::from(b))));
        }
    }
    if identifier && s.bytes().any(|b| b.is_ascii_uppercase()) {
        Some(Ok(Cow::Owned(s.to_ascii_lowercase())))
    } else {
        Some(Ok(Cow::Borrowed(s)))
    }
}

/// Applies `enforce` until the output is stable (RFC 8264 §7), at most four times.
fn stabilize<'a>(
    s: &'a str,
    enforce: impl for<'b> Fn(&'b str) -> Result<Cow<'b, str>, Error>,
) -> Result<Cow<'a, str>, ProfileError> {
    let first = enforce(s).map_err(convert)?;
    let mut current = match first {
        Cow::Borrowed(_) => return Ok(Cow::Borrowed(s)),
        Cow::Owned(o) if o == s => return Ok(Cow::Borrowed(s)),
        Cow::Owned(o) => o,
    };
    for _ in 0..3 {
        let next = enforce(&current).map_err(convert)?;
        if next == current.as_str() {
            return Ok(Cow::Owned(current));
        }
        current = next.into_owned();
    }
    Err(ProfileError::Unstable)
}

fn char_of(cp: u32) -> char {
    char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Maps a `precis-core` error to ours. `Invalid` comes from the empty-string check or,
/// for UsernameCaseMapped, the Bidi Rule; callers have already rejected empty input and
/// no mapping of these profiles empties a non-empty string.
fn convert(e: Error) -> ProfileError {
    match e {
        Error::Invalid => ProfileError::Bidi,
        Error::BadCodepoint(info) => match info.property {
            DerivedPropertyValue::Unassigned => ProfileError::Unassigned(char_of(info.cp)),
            DerivedPropertyValue::ContextJ | DerivedPropertyValue::ContextO => {
                ProfileError::ContextRule(char_of(info.cp))
            }
            _ => ProfileError::Prohibited(char_of(info.cp)),
        },
        Error::Unexpected(UnexpectedError::ContextRuleNotApplicable(info))
        | Error::Unexpected(UnexpectedError::MissingContextRule(info)) => {
            ProfileError::ContextRule(char_of(info.cp))
        }
        Error::Unexpected(_) => ProfileError::Unstable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_case_mapped_rules() {
        assert_eq!(
            username_case_mapped("Fu\u{df}ball").unwrap(),
            "fu\u{df}ball"
        );
        assert_eq!(username_case_mapped("\u{3a3}").unwrap(), "\u{3c3}");
        assert_eq!(
            username_case_mapped("henry\u{2163}"),
            Err(ProfileError::Prohibited('\u{2163}'))
        );
        assert_eq!(
            username_case_mapped("I\u{ad}X"),
            Err(ProfileError::Prohibited('\u{ad}'))
        );
        assert_eq!(
            username_case_mapped("a b"),
            Err(ProfileError::Prohibited(' '))
        );
        assert_eq!(username_case_mapped(""), Err(ProfileError::Empty));
        assert_eq!(username_case_mapped("\u{5d0}a"), Err(ProfileError::Bidi));
        // Fullwidth letters are width-mapped.
        assert_eq!(username_case_mapped("\u{ff2a}uliet").unwrap(), "juliet");
    }

    #[test]
    fn opaque_string_rules() {
        assert_eq!(opaque_string(" foo").unwrap(), " foo");
        assert_eq!(opaque_string("\u{265a}").unwrap(), "\u{265a}");
        assert_eq!(
            opaque_string("\u{e000}"),
            Err(ProfileError::Prohibited('\u{e000}'))
        );
        assert_eq!(
            opaque_string("\u{200e}x"),
            Err(ProfileError::Prohibited('\u{200e}'))
        );
        assert_eq!(opaque_string(""), Err(ProfileError::Empty));
    }
}
