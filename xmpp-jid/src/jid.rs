//! [`Jid`]: any JID, bare or full, and the parser shared by all three JID types.

use crate::Profile;
use crate::bare::BareJid;
use crate::error::{JidError, JidPart};
use crate::full::FullJid;
use crate::prep;

/// A JID — `[localpart@]domainpart[/resourcepart]` — bare or full, in normalised form.
///
/// Held as one `String` (the normalised JID, as [`Display`](core::fmt::Display) shows it)
/// plus the positions of the `@` and `/` separators, so the part accessors are free.
/// Equality, hashing and ordering use the normalised string only.
///
/// ```
/// use xmpp_jid::Jid;
///
/// let jid: Jid = "Juliet@Example.COM/Balcony".parse().unwrap();
/// assert_eq!(jid.node(), Some("juliet"));
/// assert_eq!(jid.domain(), "example.com");
/// assert_eq!(jid.resource(), Some("Balcony"));
/// assert_eq!(jid.to_string(), "juliet@example.com/Balcony");
/// assert!(jid.is_full());
/// assert_eq!(jid.to_bare().as_str(), "juliet@example.com");
/// ```
#[derive(Clone)]
pub struct Jid {
    normalized: String,
    /// Byte index of the `@`; 0 when there is no localpart (a localpart is never empty).
    at: u16,
    /// Byte index of the `/`; 0 when there is no resourcepart (a domain is never empty).
    slash: u16,
    profile: Profile,
}

/// The longest normalised JID: three 1023-byte parts and two separators.
const MAX_JID: usize = 3 * 1023 + 2;

/// A byte offset inside a JID; JIDs are at most 3 × 1023 + 2 bytes, so this never
/// saturates.
fn offset(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

impl Jid {
    /// Parses and normalises `s` with the default profile, RFC 6122.
    ///
    /// The first `/` starts the resourcepart (which may itself contain `@` and `/`); the
    /// first `@` before it ends the localpart.
    ///
    /// ```
    /// use xmpp_jid::Jid;
    /// let jid = Jid::new("a.example.com/b@example.net").unwrap();
    /// assert_eq!(jid.node(), None);
    /// assert_eq!(jid.resource(), Some("b@example.net"));
    /// assert!(Jid::new("juliet@").is_err());
    /// ```
    pub fn new(s: &str) -> Result<Jid, JidError> {
        Jid::parse_with(s, Profile::Rfc6122)
    }

    /// Parses and normalises `s` with the given profile.
    ///
    /// ```
    /// use xmpp_jid::{Jid, Profile};
    /// assert!(Jid::parse_with("\u{265a}@example.com", Profile::Rfc6122).is_ok());
    /// assert!(Jid::parse_with("\u{265a}@example.com", Profile::Rfc7622).is_err());
    /// ```
    pub fn parse_with(s: &str, profile: Profile) -> Result<Jid, JidError> {
        let (head, resource) = match s.split_once('/') {
            Some((head, resource)) => (head, Some(resource)),
            None => (s, None),
        };
        let (node, domain) = match head.split_once('@') {
            Some((node, domain)) => (Some(node), domain),
            None => (None, head),
        };
        if let Some(jid) = Jid::already_prepared(s, node, domain, resource, profile) {
            return Ok(jid);
        }
        Jid::assemble(node, domain, resource, profile)
    }

    /// The fast path: when every part is all-ASCII and already prepared, the input is
    /// the normalised form and one copy of it is the only work left.
    #[inline]
    fn already_prepared(
        s: &str,
        node: Option<&str>,
        domain: &str,
        resource: Option<&str>,
        profile: Profile,
    ) -> Option<Jid> {
        let clean = |part, text| prep::scan_is_clean(part, text);
        if !node.is_none_or(|n| clean(JidPart::Localpart, n))
            || !clean(JidPart::Domainpart, domain)
            || !resource.is_none_or(|r| clean(JidPart::Resourcepart, r))
        {
            return None;
        }
        let at = node.map_or(0, |n| offset(n.len()));
        let slash = resource.map_or(0, |r| offset(s.len() - r.len() - 1));
        Some(Jid {
            normalized: s.to_owned(),
            at,
            slash,
            profile,
        })
    }

    /// Builds a JID from separate parts, preparing each with the default profile.
    ///
    /// ```
    /// use xmpp_jid::Jid;
    /// let jid = Jid::from_parts(Some("Juliet"), "example.com", Some("a/b")).unwrap();
    /// assert_eq!(jid.as_str(), "juliet@example.com/a/b");
    /// ```
    pub fn from_parts(
        node: Option<&str>,
        domain: &str,
        resource: Option<&str>,
    ) -> Result<Jid, JidError> {
        Jid::assemble(node, domain, resource, Profile::Rfc6122)
    }

    /// Builds a JID from separate parts, preparing each with `profile`.
    pub fn from_parts_with(
        node: Option<&str>,
        domain: &str,
        resource: Option<&str>,
        profile: Profile,
    ) -> Result<Jid, JidError> {
        Jid::assemble(node, domain, resource, profile)
    }

    pub(crate) fn assemble(
        node: Option<&str>,
        domain: &str,
        resource: Option<&str>,
        profile: Profile,
    ) -> Result<Jid, JidError> {
        // Sized from the input, but never beyond what a valid JID can need: an
        // oversized input is rejected by the part checks, not allocated for.
        let capacity =
            node.map_or(0, |n| n.len() + 1) + domain.len() + resource.map_or(0, |r| r.len() + 1);
        let mut normalized = String::with_capacity(capacity.min(MAX_JID));
        let mut at = 0;
        if let Some(node) = node {
            prep::push_part(&mut normalized, JidPart::Localpart, node, profile)?;
            at = offset(normalized.len());
            normalized.push('@');
        }
        prep::push_part(&mut normalized, JidPart::Domainpart, domain, profile)?;
        let mut slash = 0;
        if let Some(resource) = resource {
            slash = offset(normalized.len());
            normalized.push('/');
            prep::push_part(&mut normalized, JidPart::Resourcepart, resource, profile)?;
        }
        Ok(Jid {
            normalized,
            at,
            slash,
            profile,
        })
    }

    /// The localpart (node), if any.
    pub fn node(&self) -> Option<&str> {
        (self.at != 0).then(|| {
            self.normalized
                .get(..usize::from(self.at))
                .unwrap_or_default()
        })
    }

    /// The domainpart.
    pub fn domain(&self) -> &str {
        let start = if self.at == 0 {
            0
        } else {
            usize::from(self.at) + 1
        };
        let end = if self.slash == 0 {
            self.normalized.len()
        } else {
            usize::from(self.slash)
        };
        self.normalized.get(start..end).unwrap_or_default()
    }

    /// The resourcepart, if any.
    pub fn resource(&self) -> Option<&str> {
        (self.slash != 0).then(|| {
            self.normalized
                .get(usize::from(self.slash) + 1..)
                .unwrap_or_default()
        })
    }

    /// The normalised JID, the same text as `Display`.
    pub fn as_str(&self) -> &str {
        &self.normalized
    }

    /// The profile this JID was prepared with; [`BareJid::with_resource`] and friends
    /// prepare new parts with it.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Whether this JID has no resourcepart.
    pub fn is_bare(&self) -> bool {
        self.slash == 0
    }

    /// Whether this JID has a resourcepart.
    pub fn is_full(&self) -> bool {
        self.slash != 0
    }

    /// This JID without its resourcepart (a copy).
    ///
    /// ```
    /// use xmpp_jid::Jid;
    /// let jid = Jid::new("juliet@example.com/balcony").unwrap();
    /// assert_eq!(jid.to_bare().as_str(), "juliet@example.com");
    /// ```
    pub fn to_bare(&self) -> BareJid {
        BareJid::from_jid_unchecked(self.bare_jid())
    }

    /// Converts into a [`FullJid`]; gives the JID back if it has no resourcepart.
    ///
    /// ```
    /// use xmpp_jid::Jid;
    /// let full = Jid::new("juliet@example.com/balcony").unwrap().try_into_full().unwrap();
    /// assert_eq!(full.resource(), "balcony");
    /// let bare = Jid::new("juliet@example.com").unwrap();
    /// assert!(bare.try_into_full().is_err());
    /// ```
    pub fn try_into_full(self) -> Result<FullJid, Jid> {
        if self.is_full() {
            Ok(FullJid::from_jid_unchecked(self))
        } else {
            Err(self)
        }
    }

    /// Converts into a [`BareJid`]; gives the JID back if it has a resourcepart.
    pub fn try_into_bare(self) -> Result<BareJid, Jid> {
        if self.is_bare() {
            Ok(BareJid::from_jid_unchecked(self))
        } else {
            Err(self)
        }
    }

    /// Converts into a [`BareJid`], dropping any resourcepart (no copy when bare).
    pub fn into_bare(self) -> BareJid {
        if self.is_bare() {
            BareJid::from_jid_unchecked(self)
        } else {
            self.to_bare()
        }
    }

    /// The normalised string, consuming the JID.
    pub fn into_string(self) -> String {
        self.normalized
    }

    /// A copy of this JID without its resourcepart.
    pub(crate) fn bare_jid(&self) -> Jid {
        let end = if self.slash == 0 {
            self.normalized.len()
        } else {
            usize::from(self.slash)
        };
        Jid {
            normalized: self.normalized.get(..end).unwrap_or_default().to_owned(),
            at: self.at,
            slash: 0,
            profile: self.profile,
        }
    }

    /// A copy of this JID's domainpart alone.
    pub(crate) fn domain_jid(&self) -> Jid {
        Jid {
            normalized: self.domain().to_owned(),
            at: 0,
            slash: 0,
            profile: self.profile,
        }
    }

    /// This bare JID with `resource` prepared (with this JID's profile) and appended.
    pub(crate) fn with_resource(&self, resource: &str) -> Result<Jid, JidError> {
        let capacity = (self.normalized.len() + 1 + resource.len()).min(MAX_JID);
        let mut normalized = String::with_capacity(capacity);
        let end = if self.slash == 0 {
            self.normalized.len()
        } else {
            usize::from(self.slash)
        };
        normalized.push_str(self.normalized.get(..end).unwrap_or_default());
        let slash = offset(normalized.len());
        normalized.push('/');
        prep::push_part(
            &mut normalized,
            JidPart::Resourcepart,
            resource,
            self.profile,
        )?;
        Ok(Jid {
            normalized,
            at: self.at,
            slash,
            profile: self.profile,
        })
    }
}
