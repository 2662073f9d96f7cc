//! [`FullJid`]: a JID that always has a resourcepart.

use crate::Profile;
use crate::bare::BareJid;
use crate::error::JidError;
use crate::jid::Jid;

/// A full JID — `[localpart@]domainpart/resourcepart` — in normalised form; always has a
/// resourcepart.
///
/// Sessions (connected resources) are addressed by full JIDs; a function that needs one
/// takes this type, so a bare JID cannot be handed to it by mistake.
///
/// ```
/// use xmpp_jid::FullJid;
///
/// let full = FullJid::new("juliet@example.com/Balcony").unwrap();
/// assert_eq!(full.resource(), "Balcony");
/// assert_eq!(full.to_bare().as_str(), "juliet@example.com");
/// assert!(FullJid::new("juliet@example.com").is_err());
/// ```
#[derive(Clone)]
pub struct FullJid(pub(crate) Jid);

impl FullJid {
    pub(crate) fn from_jid_unchecked(jid: Jid) -> FullJid {
        debug_assert!(jid.is_full());
        FullJid(jid)
    }

    /// Parses `s` (RFC 6122 profile); an error if it has no resourcepart.
    pub fn new(s: &str) -> Result<FullJid, JidError> {
        FullJid::parse_with(s, Profile::Rfc6122)
    }

    /// Parses `s` with `profile`; an error if it has no resourcepart.
    pub fn parse_with(s: &str, profile: Profile) -> Result<FullJid, JidError> {
        Jid::parse_with(s, profile)?
            .try_into_full()
            .map_err(|_| JidError::ResourceRequired)
    }

    /// Builds a full JID from its parts, preparing each (RFC 6122 profile).
    pub fn from_parts(
        node: Option<&str>,
        domain: &str,
        resource: &str,
    ) -> Result<FullJid, JidError> {
        FullJid::from_parts_with(node, domain, resource, Profile::Rfc6122)
    }

    /// Builds a full JID from its parts, preparing each with `profile`.
    pub fn from_parts_with(
        node: Option<&str>,
        domain: &str,
        resource: &str,
        profile: Profile,
    ) -> Result<FullJid, JidError> {
        Jid::assemble(node, domain, Some(resource), profile).map(FullJid)
    }

    /// The localpart (node), if any.
    pub fn node(&self) -> Option<&str> {
        self.0.node()
    }

    /// The domainpart.
    pub fn domain(&self) -> &str {
        self.0.domain()
    }

    /// The resourcepart.
    pub fn resource(&self) -> &str {
        self.0.resource().unwrap_or_default()
    }

    /// The normalised JID, the same text as `Display`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The profile this JID was prepared with.
    pub fn profile(&self) -> Profile {
        self.0.profile()
    }

    /// The bare JID (a copy without the resourcepart).
    pub fn to_bare(&self) -> BareJid {
        BareJid::from_jid_unchecked(self.0.bare_jid())
    }

    /// The same bare JID with another resource, prepared with this JID's profile.
    pub fn with_resource(&self, resource: &str) -> Result<FullJid, JidError> {
        self.0.with_resource(resource).map(FullJid)
    }

    /// The normalised string, consuming the JID.
    pub fn into_string(self) -> String {
        self.0.into_string()
    }
}
