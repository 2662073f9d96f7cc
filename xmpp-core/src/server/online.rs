//! The server once online: the client's stanzas checked (`from`, RFC 6120
//! §8.1.2.1), stamped and reported; stanzas out on command; the close handshake.

use std::time::Instant;

use xmpp_jid::{FullJid, Jid};
use xmpp_stanza::{Element, Iq, IqPayload, Stanza, StanzaErrorCondition, ns};

use super::negotiate::Phase;
use super::{ServerConnection, ServerEvent};
use crate::connection::role::Shared;
use crate::connection::{CommandError, Violation};

/// Checks the `from` of a first-level element sent by the client bound as `own`,
/// and stamps `own` on it (RFC 6120 §8.1.2.1): a `from` that is neither `own` nor
/// its bare JID (after JID preparation) is [`Violation::InvalidFrom`], to be
/// answered with the `invalid-from` stream error (§4.9.3.9); without a `from`, or
/// with either of those, the element leaves with `from` = `own`.
///
/// This is the one check of a client's `from`: a [`ServerConnection`] applies it to
/// every stanza before reporting it ([`ServerEvent::Stanza`] always carries the
/// stamped full JID), and a router handed unchecked elements applies the same
/// function. It does not look at anything else in the element.
///
/// ```
/// use xmpp_core::Violation;
/// use xmpp_core::server::stamp_from;
/// use xmpp_jid::FullJid;
/// use xmpp_stanza::{Element, Namespace};
///
/// let own = FullJid::new("juliet@example.com/balcony").unwrap();
/// let mut message = Element::new("message", Namespace::CLIENT);
/// message.set_attr("from", "juliet@example.com");
/// assert_eq!(stamp_from(&mut message, &own), Ok(()));
/// assert_eq!(message.attr("from"), Some("juliet@example.com/balcony"));
/// message.set_attr("from", "romeo@example.com/orchard");
/// assert_eq!(stamp_from(&mut message, &own), Err(Violation::InvalidFrom));
/// ```
pub fn stamp_from(element: &mut Element, own: &FullJid) -> Result<(), Violation> {
    if let Some(from) = element.attr("from") {
        let ours = Jid::new(from)
            .is_ok_and(|f| f.as_str() == own.as_str() || f.as_str() == own.to_bare().as_str());
        if !ours {
            return Err(Violation::InvalidFrom);
        }
    }
    element.set_attr("from", own.as_str());
    Ok(())
}

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
        if let Err(violation) = stamp_from(&mut element, &own) {
            self.reject(violation);
            return;
        }
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
