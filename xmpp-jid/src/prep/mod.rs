//! Preparation of the three JID parts under either profile, with the JID rules
//! (1..=1023 bytes after preparation, domain labels, IP literals).
//!
//! Every function returns the input borrowed when it is already prepared, so checking an
//! already-normalised part allocates nothing. All-ASCII parts take an exact fast path
//! that does no stringprep or PRECIS work.
//!
//! ```
//! use std::borrow::Cow;
//! use xmpp_jid::prep;
//!
//! assert!(matches!(prep::nodeprep("juliet"), Ok(Cow::Borrowed("juliet"))));
//! assert_eq!(prep::nodeprep("JULIET").unwrap(), "juliet");
//! assert_eq!(prep::nameprep("Example.COM.").unwrap(), "example.com");
//! assert_eq!(prep::resourceprep("Balcony").unwrap(), "Balcony");
//! assert_eq!(prep::precis_localpart("Fu\u{df}ball").unwrap(), "fu\u{df}ball");
//! ```

mod ascii;
mod domain;

use std::borrow::Cow;

use self::ascii::Scan;
use self::domain::Rules;
use crate::Profile;
use crate::error::{JidError, JidPart};
use crate::profiles;

use self::ascii::MAX_RAW_PART;

fn raw_bound(part: JidPart, s: &str) -> Result<(), JidError> {
    if s.len() > MAX_RAW_PART {
        Err(JidError::TooLong { part, len: s.len() })
    } else {
        Ok(())
    }
}

/// Prepares an RFC 6122 localpart (node): nodeprep, then 1..=1023 bytes.
///
/// ```
/// use xmpp_jid::{prep, JidError, JidPart};
/// assert_eq!(prep::nodeprep("Fu\u{df}ball").unwrap(), "fussball");
/// assert_eq!(prep::nodeprep(""), Err(JidError::Empty(JidPart::Localpart)));
/// ```
pub fn nodeprep(s: &str) -> Result<Cow<'_, str>, JidError> {
    localpart(s, Profile::Rfc6122)
}

/// Prepares an RFC 6122 domainpart: a bracketed IPv6 literal, an IPv4 address, or a
/// domain name whose labels (split on `.` U+3002 U+FF0E U+FF61, one trailing dot
/// dropped) each pass nameprep and IDNA2003 ToASCII with UseSTD3ASCIIRules (LDH ASCII,
/// no leading/trailing hyphen, at most 63 octets in ACE form); then 1..=1023 bytes.
/// A-labels that round-trip are converted to U-labels (IDNA2003 ToUnicode).
///
/// ```
/// use xmpp_jid::{prep, JidError};
/// assert_eq!(prep::nameprep("B\u{dc}CHER.ch").unwrap(), "b\u{fc}cher.ch");
/// assert_eq!(prep::nameprep("xn--bcher-kva.ch").unwrap(), "b\u{fc}cher.ch");
/// assert_eq!(prep::nameprep("[0:0::1]").unwrap(), "[::1]");
/// assert_eq!(prep::nameprep("example..com"), Err(JidError::EmptyLabel));
/// ```
pub fn nameprep(s: &str) -> Result<Cow<'_, str>, JidError> {
    domainpart(s, Profile::Rfc6122)
}

/// Prepares an RFC 6122 resourcepart: resourceprep, then 1..=1023 bytes.
///
/// ```
/// assert_eq!(xmpp_jid::prep::resourceprep("\u{2168}").unwrap(), "IX");
/// ```
pub fn resourceprep(s: &str) -> Result<Cow<'_, str>, JidError> {
    resourcepart(s, Profile::Rfc6122)
}

/// Prepares an RFC 7622 localpart: the UsernameCaseMapped profile, then the characters
/// `"&'/:<>@` are prohibited (RFC 7622 §3.3.1), then 1..=1023 bytes.
///
/// ```
/// use xmpp_jid::{prep, JidError, JidPart};
/// assert_eq!(prep::precis_localpart("\u{3a3}").unwrap(), "\u{3c3}");
/// assert_eq!(
///     prep::precis_localpart("henry\u{2163}"),
///     Err(JidError::Prohibited { part: JidPart::Localpart, ch: '\u{2163}' }),
/// );
/// ```
pub fn precis_localpart(s: &str) -> Result<Cow<'_, str>, JidError> {
    localpart(s, Profile::Rfc7622)
}

/// Prepares an RFC 7622 domainpart: IP literals as for RFC 6122; otherwise labels
/// mapped as RFC 5895 describes (width mapping, lowercase, NFC), A-labels converted to
/// U-labels, and IDNA2008 validity checked (PVALID/CONTEXT rules, hyphens, Bidi Rule,
/// STD3 ASCII, 63-octet labels); then 1..=1023 bytes.
///
/// ```
/// assert_eq!(xmpp_jid::prep::idna2008_domainpart("Stra\u{df}e.de").unwrap(), "stra\u{df}e.de");
/// ```
pub fn idna2008_domainpart(s: &str) -> Result<Cow<'_, str>, JidError> {
    domainpart(s, Profile::Rfc7622)
}

/// Prepares an RFC 7622 resourcepart: the OpaqueString profile, then 1..=1023 bytes.
///
/// ```
/// assert_eq!(xmpp_jid::prep::precis_resourcepart("\u{2168}").unwrap(), "\u{2168}");
/// ```
pub fn precis_resourcepart(s: &str) -> Result<Cow<'_, str>, JidError> {
    resourcepart(s, Profile::Rfc7622)
}

/// Prepares a localpart under `profile`.
pub fn localpart(s: &str, profile: Profile) -> Result<Cow<'_, str>, JidError> {
    match ascii::scan_localpart(s) {
        Scan::Clean => Ok(Cow::Borrowed(s)),
        Scan::Lowercase => Ok(Cow::Owned(s.to_ascii_lowercase())),
        Scan::Invalid(e) => Err(e),
        Scan::Slow => localpart_slow(s, profile),
    }
}

/// Prepares a domainpart under `profile`.
pub fn domainpart(s: &str, profile: Profile) -> Result<Cow<'_, str>, JidError> {
    match ascii::scan_domainpart(s) {
        (Scan::Clean, d) => Ok(Cow::Borrowed(d)),
        (Scan::Lowercase, d) => Ok(Cow::Owned(d.to_ascii_lowercase())),
        (Scan::Invalid(e), _) => Err(e),
        (Scan::Slow, _) => domainpart_slow(s, profile),
    }
}

/// Prepares a resourcepart under `profile`.
pub fn resourcepart(s: &str, profile: Profile) -> Result<Cow<'_, str>, JidError> {
    match ascii::scan_resourcepart(s) {
        Scan::Clean => Ok(Cow::Borrowed(s)),
        Scan::Lowercase => Ok(Cow::Owned(s.to_ascii_lowercase())),
        Scan::Invalid(e) => Err(e),
        Scan::Slow => resourcepart_slow(s, profile),
    }
}

fn localpart_slow(s: &str, profile: Profile) -> Result<Cow<'_, str>, JidError> {
    const PART: JidPart = JidPart::Localpart;
    raw_bound(PART, s)?;
    let out = match profile {
        Profile::Rfc6122 => profiles::nodeprep(s),
        Profile::Rfc7622 => profiles::username_case_mapped(s),
    }
    .map_err(|e| e.in_part(PART))?;
    if let Some(ch) = out
        .chars()
        .find(|c| matches!(c, '"' | '&' | '\'' | '/' | ':' | '<' | '>' | '@'))
    {
        return Err(JidError::Prohibited { part: PART, ch });
    }
    ascii::check_len(PART, out.len())?;
    Ok(out)
}

fn domainpart_slow(s: &str, profile: Profile) -> Result<Cow<'_, str>, JidError> {
    raw_bound(JidPart::Domainpart, s)?;
    let rules = match profile {
        Profile::Rfc6122 => Rules::Idna2003,
        Profile::Rfc7622 => Rules::Idna2008,
    };
    domain::prepare(s, rules)
}

fn resourcepart_slow(s: &str, profile: Profile) -> Result<Cow<'_, str>, JidError> {
    const PART: JidPart = JidPart::Resourcepart;
    raw_bound(PART, s)?;
    let out = match profile {
        Profile::Rfc6122 => profiles::resourceprep(s),
        Profile::Rfc7622 => profiles::opaque_string(s),
    }
    .map_err(|e| e.in_part(PART))?;
    ascii::check_len(PART, out.len())?;
    Ok(out)
}

/// Whether `s` is an all-ASCII, already-prepared `part` (identical under both profiles;
/// a domain with a trailing dot is not: the dot must go).
#[inline]
pub(crate) fn scan_is_clean(part: JidPart, s: &str) -> bool {
    match part {
        JidPart::Localpart => ascii::scan_localpart(s) == Scan::Clean,
        JidPart::Domainpart => {
            let (scan, d) = ascii::scan_domainpart(s);
            scan == Scan::Clean && d.len() == s.len()
        }
        JidPart::Resourcepart => ascii::scan_resourcepart(s) == Scan::Clean,
    }
}

/// Appends the prepared `part` of `s` to `out` without allocating when `s` is ASCII.
pub(crate) fn push_part(
    out: &mut String,
    part: JidPart,
    s: &str,
    profile: Profile,
) -> Result<(), JidError> {
    let (scan, s) = match part {
        JidPart::Localpart => (ascii::scan_localpart(s), s),
        JidPart::Domainpart => ascii::scan_domainpart(s),
        JidPart::Resourcepart => (ascii::scan_resourcepart(s), s),
    };
    match scan {
        Scan::Clean => out.push_str(s),
        Scan::Lowercase => {
            let start = out.len();
            out.push_str(s);
            if let Some(tail) = out.get_mut(start..) {
                tail.make_ascii_lowercase();
            }
        }
        Scan::Invalid(e) => return Err(e),
        Scan::Slow => {
            let prepared = match part {
                JidPart::Localpart => localpart_slow(s, profile)?,
                JidPart::Domainpart => domainpart_slow(s, profile)?,
                JidPart::Resourcepart => resourcepart_slow(s, profile)?,
            };
            out.push_str(&prepared);
        }
    }
    Ok(())
}
