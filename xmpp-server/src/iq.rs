//! IQs the server answers itself (RFC 6121 §8.5.2.1.3, RFC 6120 §10.3.3):
//! dispatch by payload namespace to roster, blocking, privacy, disco, ping and
//! legacy session, and `service-unavailable` for everything else (RFC 6120 §8.4).
//! Responses (`result`, `error`) addressed to the server are consumed silently.

use xmpp_jid::{BareJid, FullJid};
use xmpp_stanza::{Iq, IqPayload, Stanza, StanzaErrorCondition, ns};

use crate::disco::{DISCO_INFO, DISCO_ITEMS, PING};
use crate::hub::Hub;
use crate::ids::SessionId;

/// On whose behalf the server answers an IQ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The server itself (`to` is the domain).
    Server,
    /// The sender's own account (no `to`, or its bare JID).
    OwnAccount,
    /// Another local account (its bare JID).
    OtherAccount(BareJid),
}

impl Hub {
    /// Answers an IQ for `scope`.
    pub(crate) fn dispatch_iq(&mut self, a: SessionId, jid: &FullJid, iq: Iq, scope: Scope) {
        let (payload, is_get) = match &iq.payload {
            IqPayload::Get(p) => (p.clone(), true),
            IqPayload::Set(p) => (p.clone(), false),
            IqPayload::Result(_) | IqPayload::Error { .. } => return,
        };
        let own = scope == Scope::OwnAccount;
        let namespace = payload.ns().as_str().to_owned();
        let name = payload.name().to_owned();
        let refuse =
            |hub: &mut Hub, iq: Iq, condition| hub.bounce_with(a, &Stanza::Iq(iq), condition);
        match namespace.as_str() {
            // Account data: only the account itself may touch it (§2.3.3: `forbidden`).
            ns::ROSTER | ns::BLOCKING | ns::PRIVACY if matches!(scope, Scope::OtherAccount(_)) => {
                refuse(self, iq, StanzaErrorCondition::Forbidden)
            }
            ns::ROSTER | ns::BLOCKING | ns::PRIVACY if !own => {
                refuse(self, iq, StanzaErrorCondition::ServiceUnavailable)
            }
            ns::ROSTER if name == "query" => self.handle_roster_iq(a, jid, iq, &payload),
            ns::BLOCKING => self.handle_blocking_iq(a, jid, iq, &payload),
            ns::PRIVACY if name == "query" => self.handle_privacy_iq(a, jid, iq, &payload),
            DISCO_INFO | DISCO_ITEMS | PING if !is_get => {
                refuse(self, iq, StanzaErrorCondition::FeatureNotImplemented)
            }
            DISCO_INFO if name == "query" => self.disco_info(a, jid, iq, &payload, &scope),
            DISCO_ITEMS if name == "query" => self.disco_items(a, jid, iq, &payload, &scope),
            PING if name == "ping" => self.ping(a, jid, iq, &scope),
            // RFC 3921 §3: the session exists already; the request is a no-op.
            ns::XMPP_SESSION if name == "session" && !matches!(scope, Scope::OtherAccount(_)) => {
                if let Some(reply) = iq.result_reply(None) {
                    self.deliver(a, reply);
                }
            }
            // RFC 6120 §7: binding happens once, during negotiation.
            ns::XMPP_BIND => refuse(self, iq, StanzaErrorCondition::NotAllowed),
            ns::ROSTER | ns::PRIVACY | DISCO_INFO | DISCO_ITEMS | PING => {
                refuse(self, iq, StanzaErrorCondition::BadRequest)
            }
            _ => refuse(self, iq, StanzaErrorCondition::ServiceUnavailable),
        }
    }
}
