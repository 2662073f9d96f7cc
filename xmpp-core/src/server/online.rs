//! The server once online: the client's stanzas checked (`from`, RFC 6120
//! §8.1.2.1), stamped and reported; stanzas out on command; the close handshake.

use std::time::Instant;

use xmpp_jid::Jid;
use xmpp_stanza::{Element, Iq, IqPayload, Stanza, StanzaErrorCondition, ns};

use super::negotiate::Phase;
use super::{ServerConnection, ServerEvent};
use crate::connection::role::Shared;
use crate::connection::{CommandError, Violation};

impl ServerConnection {
    /// A stanza from the online client.
    pub(super) fn on_stanza(&mut self, now: Instant, mut element: Element) {
        let Some(own) = self.jid.clone() else {
            self.reject(Violation::StanzaBeforeAuth);
            return;
        };
        // RFC 6120 §8.1.2.1: a `from` must be the session's (full or bare) JID; the
        // server stamps the full JID either way — before validating the rest, so that
        // an error reply is addressed to the session too.
        if let Some(from) = element.attr("from") {
            let ours = Jid::new(from)
                .is_ok_and(|f| f.as_str() == own.as_str() || f.as_str() == own.to_bare().as_str());
            if !ours {
                self.reject(Violation::InvalidFrom);
                return;
            }
        }
        element.set_attr("from", own.as_str());
        let stanza = match Stanza::try_from(element) {
            Ok(s) => s,
            Err(invalid) => {
                if let Some(reply) = invalid.error_reply() {
                    self.send_internal(now, &reply);
                }
                return;
            }
        };
        if let Stanza::Iq(iq) = &stanza
            && self.answer_session_iq(now, iq)
        {
            return;
        }
        self.wire.event(ServerEvent::Stanza(Box::new(stanza)));
    }

    /// Answers the legacy session request (RFC 3921 §3) and a second bind request
    /// (RFC 6120 binds one resource per stream); true if `iq` was one of them.
    fn answer_session_iq(&mut self, now: Instant, iq: &Iq) -> bool {
        let IqPayload::Set(payload) = &iq.payload else {
            return false;
        };
        let to_server = iq
            .to
            .as_ref()
            .is_none_or(|to| to.as_str() == self.config.domain());
        if !to_server {
            return false;
        }
        if payload.is("session", ns::XMPP_SESSION) {
            let mut reply = Iq::new(iq.id.clone(), IqPayload::Result(None));
            reply.ns = iq.ns.clone();
            self.send_internal(now, &Element::from(reply));
            return true;
        }
        if payload.is("bind", ns::XMPP_BIND) {
            self.answer_error(now, iq, StanzaErrorCondition::NotAllowed);
            return true;
        }
        false
    }

    /// Sends a stanza to the client.
    pub(super) fn send_stanza(&mut self, now: Instant, stanza: Stanza) -> Result<(), CommandError> {
        match self.phase {
            Phase::Online => {}
            Phase::Closing => return Err(CommandError::Closed),
            _ => return Err(CommandError::NotOnline),
        }
        self.send_for_app(now, &Element::from(stanza))
    }

    /// Starts the close handshake (RFC 6120 §4.4).
    pub(super) fn close(&mut self, now: Instant) -> Result<(), CommandError> {
        if !matches!(self.phase, Phase::Closing) {
            self.start_close(now, self.config.timeouts.close);
            self.phase = Phase::Closing;
        }
        Ok(())
    }
}
