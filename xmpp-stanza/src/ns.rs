//! XML namespace names: [`Namespace`] and the well-known XMPP namespaces.
//!
//! Namespace URIs repeat in every stanza (`jabber:client`, the stream and error
//! namespaces, `jabber:iq:roster`, …). The tree builder *interns* the well-known ones
//! as `&'static str` and shares any other URI between all elements of a subtree
//! through one `Arc<str>`, so a namespace never costs an allocation per element.

use std::fmt;
use std::sync::Arc;

/// `jabber:client`: the content namespace of client-to-server streams.
pub const CLIENT: &str = "jabber:client";
/// `jabber:server`: the content namespace of server-to-server streams.
pub const SERVER: &str = "jabber:server";
/// `http://etherx.jabber.org/streams`: the stream namespace (RFC 6120 §4.8.1).
pub const STREAM: &str = "http://etherx.jabber.org/streams";
/// `urn:ietf:params:xml:ns:xmpp-streams`: stream error conditions (RFC 6120 §4.9.3).
pub const XMPP_STREAMS: &str = "urn:ietf:params:xml:ns:xmpp-streams";
/// `urn:ietf:params:xml:ns:xmpp-stanzas`: stanza error conditions (RFC 6120 §8.3.3).
pub const XMPP_STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";
/// `urn:ietf:params:xml:ns:xmpp-tls`: STARTTLS (RFC 6120 §5).
pub const XMPP_TLS: &str = "urn:ietf:params:xml:ns:xmpp-tls";
/// `urn:ietf:params:xml:ns:xmpp-sasl`: SASL negotiation (RFC 6120 §6).
pub const XMPP_SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
/// `urn:ietf:params:xml:ns:xmpp-bind`: resource binding (RFC 6120 §7).
pub const XMPP_BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
/// `urn:ietf:params:xml:ns:xmpp-session`: legacy session establishment (RFC 3921 §3).
pub const XMPP_SESSION: &str = "urn:ietf:params:xml:ns:xmpp-session";
/// `jabber:iq:roster`: roster management (RFC 6121 §2).
pub const ROSTER: &str = "jabber:iq:roster";
/// `jabber:iq:privacy`: privacy lists (RFC 3921 §10, XEP-0016).
pub const PRIVACY: &str = "jabber:iq:privacy";
/// `urn:xmpp:blocking`: blocking command (XEP-0191).
pub const BLOCKING: &str = "urn:xmpp:blocking";
/// `urn:xmpp:blocking:errors`: the blocking command's application error (XEP-0191).
pub const BLOCKING_ERRORS: &str = "urn:xmpp:blocking:errors";
/// `urn:xmpp:features:rosterver`: roster versioning stream feature (RFC 6121 §2.6).
pub const ROSTER_VERSIONING: &str = "urn:xmpp:features:rosterver";
/// `urn:xmpp:features:pre-approval`: subscription pre-approval feature (RFC 6121 §3.4).
pub const PRE_APPROVAL: &str = "urn:xmpp:features:pre-approval";
/// `http://jabber.org/protocol/disco#info`: service discovery, information (XEP-0030).
pub const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
/// `http://jabber.org/protocol/disco#items`: service discovery, items (XEP-0030).
pub const DISCO_ITEMS: &str = "http://jabber.org/protocol/disco#items";
/// `http://jabber.org/protocol/chatstates`: chat state notifications (XEP-0085).
pub const CHATSTATES: &str = "http://jabber.org/protocol/chatstates";
/// `urn:xmpp:delay`: delayed delivery stamps (XEP-0203).
pub const DELAY: &str = "urn:xmpp:delay";
/// `urn:xmpp:ping`: XMPP ping (XEP-0199).
pub const PING: &str = "urn:xmpp:ping";
/// `urn:xmpp:sasl-cb:0`: the channel-binding types a server supports (XEP-0440).
pub const SASL_CB: &str = "urn:xmpp:sasl-cb:0";
/// `urn:xmpp:sm:3`: stream management (XEP-0198).
pub const SM: &str = "urn:xmpp:sm:3";
/// `http://www.w3.org/XML/1998/namespace`: the namespace of `xml:lang` and the `xml` prefix.
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";
/// `http://www.w3.org/2000/xmlns/`: the namespace of namespace declarations.
pub const XMLNS: &str = "http://www.w3.org/2000/xmlns/";

/// Namespaces the tree builder interns (no allocation when they are declared).
const WELL_KNOWN: &[&str] = &[
    CLIENT,
    SERVER,
    STREAM,
    XMPP_STREAMS,
    XMPP_STANZAS,
    XMPP_TLS,
    XMPP_SASL,
    XMPP_BIND,
    XMPP_SESSION,
    ROSTER,
    PRIVACY,
    BLOCKING,
    BLOCKING_ERRORS,
    ROSTER_VERSIONING,
    PRE_APPROVAL,
    XML,
    "http://jabber.org/protocol/caps",
    CHATSTATES,
    DISCO_INFO,
    DISCO_ITEMS,
    "http://jabber.org/protocol/muc",
    "http://jabber.org/protocol/muc#user",
    "http://jabber.org/protocol/nick",
    "http://jabber.org/protocol/pubsub",
    "http://jabber.org/protocol/pubsub#event",
    "jabber:iq:version",
    "jabber:iq:last",
    "jabber:iq:private",
    "jabber:iq:register",
    "jabber:x:data",
    "jabber:x:oob",
    DELAY,
    PING,
    "urn:xmpp:receipts",
    "urn:xmpp:sid:0",
    "urn:xmpp:hints",
    "urn:xmpp:carbons:2",
    "urn:xmpp:forward:0",
    "urn:xmpp:mam:2",
    SM,
    "urn:xmpp:time",
    "urn:xmpp:chat-markers:0",
    "urn:xmpp:message-correct:0",
    "vcard-temp",
    "vcard-temp:x:update",
];

/// Slots of the open-addressing table of [`WELL_KNOWN`] (a power of two, well
/// above the number of entries so that probe sequences stay short).
const SLOTS: usize = 128;
/// An empty slot.
const EMPTY: u8 = u8::MAX;

/// Where the probe for `uri` starts: a mix of its length and three of its bytes
/// (the well-known URIs share prefixes, so the bytes come from the middle on),
/// chosen so that no well-known URI is more than one slot away from its start.
/// `uri` is not empty.
const fn slot_of(uri: &[u8]) -> usize {
    let n = uri.len();
    (n * 2 + uri[n - 1] as usize * 33 + uri[n / 2] as usize + uri[n * 3 / 4] as usize) % SLOTS
}

/// [`WELL_KNOWN`] by [`slot_of`], with linear probing: index into `WELL_KNOWN` or
/// [`EMPTY`].
const TABLE: [u8; SLOTS] = {
    let mut table = [EMPTY; SLOTS];
    let mut k = 0;
    while k < WELL_KNOWN.len() {
        let mut slot = slot_of(WELL_KNOWN[k].as_bytes());
        while table[slot] != EMPTY {
            slot = (slot + 1) % SLOTS;
        }
        table[slot] = k as u8;
        k += 1;
    }
    table
};

/// The well-known constant equal to `uri`, if there is one: a hash
/// probe and, on a hit, one comparison.
fn well_known(uri: &str) -> Option<&'static str> {
    if uri.is_empty() {
        return None;
    }
    let mut slot = slot_of(uri.as_bytes());
    for _ in 0..SLOTS {
        let k = *TABLE.get(slot)?;
        let known = WELL_KNOWN.get(usize::from(k))?;
        if *known == uri {
            return Some(known);
        }
        slot = (slot + 1) % SLOTS;
    }
    None
}

/// A namespace name (URI), or no namespace.
///
/// Cheap to clone: well-known namespaces are static strings and any other is a
/// shared `Arc<str>`. Two `Namespace`s are equal when their URIs are equal.
///
/// ```
/// use xmpp_stanza::{Namespace, ns};
///
/// let a = Namespace::intern(ns::CLIENT);
/// assert_eq!(a, Namespace::CLIENT);
/// assert!(a.is_static());
/// let b = Namespace::intern("urn:example:private");
/// assert_eq!(b.as_str(), "urn:example:private");
/// assert!(Namespace::NONE.is_none());
/// ```
#[derive(Clone)]
pub struct Namespace(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl Namespace {
    /// No namespace (the empty name, `xmlns=''`).
    pub const NONE: Namespace = Namespace(Repr::Static(""));
    /// `jabber:client`.
    pub const CLIENT: Namespace = Namespace(Repr::Static(CLIENT));
    /// `jabber:server`.
    pub const SERVER: Namespace = Namespace(Repr::Static(SERVER));
    /// `http://etherx.jabber.org/streams`.
    pub const STREAM: Namespace = Namespace(Repr::Static(STREAM));
    /// `http://www.w3.org/XML/1998/namespace` (bound to the `xml` prefix).
    pub const XML: Namespace = Namespace(Repr::Static(XML));

    /// A namespace naming a string constant, without copying it.
    pub const fn from_static(uri: &'static str) -> Namespace {
        Namespace(Repr::Static(uri))
    }

    /// The namespace for `uri`: a static string for the well-known namespaces (and
    /// the empty one), otherwise a new shared copy.
    pub fn intern(uri: &str) -> Namespace {
        if uri.is_empty() {
            return Namespace::NONE;
        }
        match well_known(uri) {
            Some(known) => Namespace(Repr::Static(known)),
            None => Namespace(Repr::Shared(Arc::from(uri))),
        }
    }

    /// The URI (empty for [`Namespace::NONE`]).
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Shared(s) => s,
        }
    }

    /// Whether this is "no namespace".
    pub fn is_none(&self) -> bool {
        self.as_str().is_empty()
    }

    /// Whether the URI is a static string (no allocation behind it).
    pub fn is_static(&self) -> bool {
        matches!(self.0, Repr::Static(_))
    }
}

impl Default for Namespace {
    fn default() -> Self {
        Namespace::NONE
    }
}

impl From<&str> for Namespace {
    fn from(uri: &str) -> Self {
        Namespace::intern(uri)
    }
}

impl From<String> for Namespace {
    fn from(uri: String) -> Self {
        Namespace::intern(&uri)
    }
}

impl From<&Namespace> for Namespace {
    fn from(ns: &Namespace) -> Self {
        ns.clone()
    }
}

impl PartialEq for Namespace {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Repr::Static(a), Repr::Static(b)) => std::ptr::eq(*a, *b) || a == b,
            (Repr::Shared(a), Repr::Shared(b)) => Arc::ptr_eq(a, b) || a == b,
            _ => self.as_str() == other.as_str(),
        }
    }
}

impl Eq for Namespace {}

impl PartialEq<str> for Namespace {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Namespace {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::hash::Hash for Namespace {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_sequences_are_short() {
        assert!(WELL_KNOWN.len() < SLOTS / 2);
        for (k, uri) in WELL_KNOWN.iter().enumerate() {
            let mut slot = slot_of(uri.as_bytes());
            let mut probes = 1;
            while usize::from(TABLE[slot]) != k {
                slot = (slot + 1) % SLOTS;
                probes += 1;
            }
            assert!(probes <= 2, "{uri}: {probes} probes");
        }
        for uri in ["a", "urn:x", "jabber:iq:rosters", "urn:xmpp:delay:2"] {
            assert_eq!(well_known(uri), None);
        }
    }

    #[test]
    fn well_known_are_static() {
        for uri in WELL_KNOWN {
            assert!(Namespace::intern(uri).is_static(), "{uri}");
        }
        assert!(!Namespace::intern("urn:x").is_static());
        assert_eq!(Namespace::intern("urn:x"), Namespace::intern("urn:x"));
        assert_eq!(Namespace::intern(""), Namespace::NONE);
        assert_ne!(Namespace::CLIENT, Namespace::SERVER);
        assert_eq!(
            Namespace::from_static("jabber:client"),
            Namespace::intern(CLIENT)
        );
    }
}
