//! Error replies ("bounces") to stanzas a session sent, with the conditions the
//! router uses ([`blocked_error`], [`Hub::bounce`]).

use xmpp_stanza::{Element, Namespace, Stanza, StanzaError, StanzaErrorCondition, ns};

use crate::hub::Hub;
use crate::ids::SessionId;

/// The error for a stanza the user's own privacy list or blocklist stops
/// (XEP-0016 "Blocked Entity Attempts to Communicate", XEP-0191 §3.3):
/// `not-acceptable`, with `<blocked xmlns='urn:xmpp:blocking:errors'/>` when a
/// blocklist entry matched.
pub(crate) fn blocked_error(blocklist_entry: bool) -> StanzaError {
    let error = StanzaError::new(StanzaErrorCondition::NotAcceptable);
    if blocklist_entry {
        error.with_app_condition(Element::new(
            "blocked",
            Namespace::from_static(ns::BLOCKING_ERRORS),
        ))
    } else {
        error
    }
}

impl Hub {
    /// Sends `session` the error reply to `stanza` (which it sent, so `from` is its
    /// full JID): addresses swapped, same id. Nothing is sent for an error stanza
    /// or an IQ response, which must never be answered (RFC 6120 §8.3.1).
    pub(crate) fn bounce(&mut self, session: SessionId, stanza: &Stanza, error: StanzaError) {
        let reply = match stanza {
            Stanza::Message(m) => m.error_reply(error).map(Stanza::Message),
            Stanza::Presence(p) => p.error_reply(error).map(Stanza::Presence),
            Stanza::Iq(iq) => iq.error_reply(error).map(Stanza::Iq),
        };
        if let Some(reply) = reply {
            self.deliver(session, reply);
        }
    }

    /// [`Hub::bounce_with`] to `session` if there is one (the sender may be gone).
    pub(crate) fn bounce_to(
        &mut self,
        session: Option<SessionId>,
        stanza: &Stanza,
        condition: StanzaErrorCondition,
    ) {
        if let Some(session) = session {
            self.bounce_with(session, stanza, condition);
        }
    }

    /// [`Hub::bounce`] with just a condition.
    pub(crate) fn bounce_with(
        &mut self,
        session: SessionId,
        stanza: &Stanza,
        condition: StanzaErrorCondition,
    ) {
        self.bounce(session, stanza, StanzaError::new(condition));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_jid::Jid;
    use xmpp_stanza::{Iq, Message, MessageType};

    #[test]
    fn blocked_condition() {
        assert!(blocked_error(false).app_condition().is_none());
        let e = blocked_error(true);
        assert_eq!(e.condition, StanzaErrorCondition::NotAcceptable);
        assert!(
            e.app_condition()
                .is_some_and(|c| c.is("blocked", ns::BLOCKING_ERRORS))
        );
    }

    #[test]
    fn bounces_swap_addresses_and_never_answer_errors_or_responses() {
        let mut h = Hub::new(
            crate::config::RouterConfig::new(xmpp_jid::BareJid::new("example.com").unwrap()),
            crate::store::Store::default(),
        );
        let mut msg = Message::chat(Jid::new("b@example.com").unwrap(), "x").with_id("1");
        msg.from = Some(Jid::new("a@example.com/r").unwrap());
        h.bounce_with(
            SessionId(1),
            &Stanza::Message(msg.clone()),
            StanzaErrorCondition::ServiceUnavailable,
        );
        let Some(crate::output::RouterOutput::Deliver {
            stanza: Stanza::Message(m),
            ..
        }) = h.out.pop()
        else {
            panic!("no bounce");
        };
        assert_eq!(m.to, msg.from);
        assert_eq!(m.from, msg.to);
        assert_eq!(m.kind, Some(MessageType::Error));
        msg.kind = Some(MessageType::Error);
        h.bounce_with(
            SessionId(1),
            &Stanza::Message(msg),
            StanzaErrorCondition::ServiceUnavailable,
        );
        let result = Iq::new("2", xmpp_stanza::IqPayload::Result(None));
        h.bounce_with(
            SessionId(1),
            &Stanza::Iq(result),
            StanzaErrorCondition::ServiceUnavailable,
        );
        assert_eq!(h.queued(), 0);
    }
}
