//! [`BareJid`]: a JID that never has a resourcepart.

use crate::Profile;
use crate::error::JidError;
use crate::full::FullJid;
use crate::jid::Jid;

/// A bare JID — `[localpart@]domainpart` — in normalised form; never has a resourcepart.
///
/// Accounts, rosters and subscriptions are keyed by bare JIDs.
///
/// ```
/// use xmpp_jid::BareJid;
///
/// let bare = BareJid::new("Juliet@Example.com").unwrap();
/// assert_eq!(bare.as_str(), "juliet@example.com");
/// assert!(BareJid::new("juliet@example.com/balcony").is_err());
/// let full = bare.with_resource("balcony").unwrap();
/// assert_eq!(full.as_str(), "juliet@example.com/balcony");
/// ```
#[derive(Clone)]
pub struct BareJid(pub(crate) Jid);

impl BareJid {
    pub(crate) fn from_jid_unchecked(jid: Jid) -> BareJid {
        debug_assert!(jid.is_bare());
        BareJid(jid)
    }

    /// Parses `s` (RFC 6122 profile); an error if it has a resourcepart.
    pub fn new(s: &str) -> Result<BareJid, JidError> {
        BareJid::parse_with(s, Profile::Rfc6122)
    }

    /// Parses `s` with `profile`; an error if it has a resourcepart.
    pub fn parse_with(s: &str, profile: Profile) -> Result<BareJid, JidError> {
        Jid::parse_with(s, profile)?
            .try_into_bare()
            .map_err(|_| JidError::ResourceNotAllowed)
    }

    /// Builds a bare JID from its parts, preparing each (RFC 6122 profile).
    ///
    /// ```
    /// use xmpp_jid::BareJid;
    /// let jid = BareJid::from_parts(Some("JULIET"), "example.com").unwrap();
    /// assert_eq!(jid.as_str(), "juliet@example.com");
    /// ```
    pub fn from_parts(node: Option<&str>, domain: &str) -> Result<BareJid, JidError> {
        BareJid::from_parts_with(node, domain, Profile::Rfc6122)
    }

    /// Builds a bare JID from its parts, preparing each with `profile`.
    pub fn from_parts_with(
        node: Option<&str>,
        domain: &str,
        profile: Profile,
    ) -> Result<BareJid, JidError> {
        Jid::assemble(node, domain, None, profile).map(BareJid)
    }

    /// The localpart (node), if any.
    pub fn node(&self) -> Option<&str> {
        self.0.node()
    }

    /// The domainpart.
    pub fn domain(&self) -> &str {
        self.0.domain()
    }

    /// The normalised JID, the same text as `Display`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The profile this JID was prepared with.
    pub fn profile(&self) -> Profile {
        self.0.profile()
    }

    /// A full JID with this bare JID and `resource`, prepared with this JID's profile.
    pub fn with_resource(&self, resource: &str) -> Result<FullJid, JidError> {
        self.0
            .with_resource(resource)
            .map(FullJid::from_jid_unchecked)
    }

    /// Just the domainpart, as a bare JID.
    ///
    /// ```
    /// use xmpp_jid::BareJid;
    /// let jid = BareJid::new("juliet@example.com").unwrap();
    /// assert_eq!(jid.domain_jid().as_str(), "example.com");
    /// ```
    pub fn domain_jid(&self) -> BareJid {
        BareJid(self.0.domain_jid())
    }

    /// The normalised string, consuming the JID.
    pub fn into_string(self) -> String {
        self.0.into_string()
    }
}
