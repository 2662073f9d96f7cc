//! Service discovery (XEP-0030) for the server and for account bare JIDs, and
//! XMPP ping (XEP-0199). The server's features list what this router implements.

use xmpp_jid::{BareJid, FullJid};
use xmpp_stanza::{Element, Iq, Namespace, Stanza, StanzaErrorCondition, ns};

use crate::hub::Hub;
use crate::ids::SessionId;
use crate::iq::Scope;

/// `http://jabber.org/protocol/disco#info`.
pub(crate) const DISCO_INFO: &str = xmpp_stanza::ns::DISCO_INFO;
/// `http://jabber.org/protocol/disco#items`.
pub(crate) const DISCO_ITEMS: &str = xmpp_stanza::ns::DISCO_ITEMS;
/// `urn:xmpp:ping`.
pub(crate) const PING: &str = xmpp_stanza::ns::PING;

/// The features the server advertises in disco#info, in the order sent.
pub const SERVER_FEATURES: &[&str] = &[
    DISCO_INFO,
    DISCO_ITEMS,
    PING,
    ns::ROSTER,
    ns::ROSTER_VERSIONING,
    ns::PRE_APPROVAL,
    ns::BLOCKING,
    ns::PRIVACY,
];

/// The stream features (RFC 6121 §2.6.1 roster versioning, §3.4.1 pre-approval)
/// the host should have its connections advertise after binding, since this
/// router implements them: `<ver xmlns='urn:xmpp:features:rosterver'/>` and
/// `<sub xmlns='urn:xmpp:features:pre-approval'/>`.
pub const STREAM_FEATURES: &[(&str, &str)] =
    &[("ver", ns::ROSTER_VERSIONING), ("sub", ns::PRE_APPROVAL)];

/// [`STREAM_FEATURES`] as elements, for `ServerConfig::with_bind_features`.
pub fn bind_features() -> Vec<Element> {
    STREAM_FEATURES
        .iter()
        .map(|(name, ns)| Element::new(*name, Namespace::from_static(ns)))
        .collect()
}

/// The features of an account's bare JID.
const ACCOUNT_FEATURES: &[&str] = &[DISCO_INFO, DISCO_ITEMS, PING];

fn info(category: &str, kind: &str, features: &[&str]) -> Element {
    let ns = Namespace::from_static(DISCO_INFO);
    let mut query = Element::new("query", ns.clone()).with_child(
        Element::new("identity", ns.clone())
            .with_attr("category", category)
            .with_attr("type", kind),
    );
    for f in features {
        query.append_child(Element::new("feature", ns.clone()).with_attr("var", *f));
    }
    query
}

impl Hub {
    /// Whether the sender (`jid`) may discover or ping the account of `scope`: the
    /// server and one's own account always; another account only if the sender is
    /// subscribed to its presence (so presence-protected accounts are not probed
    /// by strangers).
    fn may_see(&self, jid: &FullJid, scope: &Scope) -> bool {
        match scope {
            Scope::Server | Scope::OwnAccount => true,
            Scope::OtherAccount(owner) => self.subscribed_to(&jid.to_bare(), owner),
        }
    }

    fn subscribed_to(&self, user: &BareJid, owner: &BareJid) -> bool {
        self.store
            .account(owner)
            .and_then(|acc| acc.roster.get(user))
            .is_some_and(|e| e.subscription.from())
    }

    fn answer(&mut self, a: SessionId, iq: Iq, payload: Option<Element>) {
        if let Some(reply) = iq.result_reply(payload) {
            self.deliver(a, reply);
        }
    }

    /// disco#info: identity `server/im` with [`SERVER_FEATURES`], or
    /// `account/registered` for an account. Nodes are not supported.
    pub(crate) fn disco_info(
        &mut self,
        a: SessionId,
        jid: &FullJid,
        iq: Iq,
        query: &Element,
        scope: &Scope,
    ) {
        if !self.may_see(jid, scope) {
            self.bounce_with(a, &Stanza::Iq(iq), StanzaErrorCondition::ServiceUnavailable);
            return;
        }
        if query.attr("node").is_some() {
            self.bounce_with(a, &Stanza::Iq(iq), StanzaErrorCondition::ItemNotFound);
            return;
        }
        let payload = match scope {
            Scope::Server => info("server", "im", SERVER_FEATURES),
            Scope::OwnAccount | Scope::OtherAccount(_) => {
                info("account", "registered", ACCOUNT_FEATURES)
            }
        };
        self.answer(a, iq, Some(payload));
    }

    /// disco#items: the server and accounts have no items.
    pub(crate) fn disco_items(
        &mut self,
        a: SessionId,
        jid: &FullJid,
        iq: Iq,
        query: &Element,
        scope: &Scope,
    ) {
        if !self.may_see(jid, scope) {
            self.bounce_with(a, &Stanza::Iq(iq), StanzaErrorCondition::ServiceUnavailable);
            return;
        }
        if query.attr("node").is_some() {
            self.bounce_with(a, &Stanza::Iq(iq), StanzaErrorCondition::ItemNotFound);
            return;
        }
        self.answer(
            a,
            iq,
            Some(Element::new("query", Namespace::from_static(DISCO_ITEMS))),
        );
    }

    /// XEP-0199 ping: an empty result.
    pub(crate) fn ping(&mut self, a: SessionId, jid: &FullJid, iq: Iq, scope: &Scope) {
        if !self.may_see(jid, scope) {
            self.bounce_with(a, &Stanza::Iq(iq), StanzaErrorCondition::ServiceUnavailable);
            return;
        }
        self.answer(a, iq, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_payload() {
        let q = info("server", "im", &[PING]);
        let xml = q.to_xml_in(&xmpp_stanza::NsContext::client()).unwrap();
        assert_eq!(
            xml,
            "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='server' \
             type='im'/><feature var='urn:xmpp:ping'/></query>"
        );
        assert!(SERVER_FEATURES.contains(&ns::BLOCKING));
    }
}
