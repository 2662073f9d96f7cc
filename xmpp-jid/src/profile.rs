//! The two JID profiles: RFC 6122 (stringprep) and RFC 7622 (PRECIS).

/// Which rules prepare and compare JIDs.
///
/// * [`Profile::Rfc6122`] (the default) — nodeprep / nameprep / resourceprep (RFC 3454
///   stringprep, Unicode 3.2) with IDNA2003 label rules. What most deployed servers
///   (ejabberd, Prosody, Openfire) implement; choose it to interoperate with them.
/// * [`Profile::Rfc7622`] — PRECIS: UsernameCaseMapped localpart, OpaqueString
///   resourcepart, IDNA2008 domainpart. Current Unicode, stricter about symbols and
///   compatibility characters in localparts, preserves `ß` and `ς`.
///
/// ```
/// use xmpp_jid::{Jid, Profile};
///
/// let old = Jid::parse_with("fußball@example.com", Profile::Rfc6122).unwrap();
/// let new = Jid::parse_with("fußball@example.com", Profile::Rfc7622).unwrap();
/// assert_eq!(old.node(), Some("fussball"));
/// assert_eq!(new.node(), Some("fußball"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// RFC 6122: stringprep nodeprep / nameprep (+ IDNA2003 label rules) / resourceprep.
    #[default]
    Rfc6122,
    /// RFC 7622: PRECIS UsernameCaseMapped / IDNA2008 / OpaqueString.
    Rfc7622,
}
