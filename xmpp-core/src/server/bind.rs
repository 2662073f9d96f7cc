//! Resource binding on the server (RFC 6120 §7): the connection checks the request
//! (a requested resourcepart must prepare, §7.7.2.1) and reports what the client
//! asked for; the application decides and, when the client asked for none, chooses
//! the resource (§7.6) ([`ServerEvent::BindRequested`],
//! [`ServerCommand::Bind`](super::ServerCommand::Bind)). The connection draws no
//! resource itself.

use std::time::Instant;

use xmpp_jid::FullJid;
use xmpp_stanza::{
    Bind, CompactStr, Element, Iq, IqPayload, StanzaError, StanzaErrorCondition, ns,
};

use super::negotiate::Phase;
use super::{RequestId, ServerConnection, ServerEvent};
use crate::connection::role::Shared;
use crate::connection::{CommandError, TimerKind, Violation};

/// A bind request the application is deciding.
#[derive(Debug)]
pub(super) struct PendingBind {
    request: RequestId,
    /// The IQ's id, for the answer.
    iq_id: CompactStr,
}

/// The bind payload of an IQ set, if that is what it is.
fn bind_request(iq: &Iq) -> Option<&Element> {
    match &iq.payload {
        IqPayload::Set(p) if p.is("bind", ns::XMPP_BIND) => Some(p),
        _ => None,
    }
}

impl ServerConnection {
    /// A stanza after authentication but before binding: only the bind request is
    /// allowed (RFC 6120 §7.1).
    pub(super) fn on_bind_stanza(&mut self, now: Instant, element: Element) {
        let Ok(iq) = Iq::try_from(element) else {
            self.reject(Violation::StanzaBeforeAuth);
            return;
        };
        let Some(payload) = bind_request(&iq) else {
            self.reject(Violation::StanzaBeforeAuth);
            return;
        };
        if matches!(self.phase, Phase::BindPending(_)) {
            self.answer_error(now, &iq, StanzaErrorCondition::UnexpectedRequest);
            return;
        }
        let Some(user) = self.user.clone() else {
            self.reject(Violation::StanzaBeforeAuth);
            return;
        };
        let requested = match Bind::try_from(payload) {
            // RFC 6120 §7.7.2.1: a resourcepart that does not prepare is a bad request.
            Ok(Bind::Request {
                resource: Some(resource),
            }) => match user.with_resource(&resource) {
                Ok(jid) => Some(jid),
                Err(_) => {
                    self.answer_error(now, &iq, StanzaErrorCondition::BadRequest);
                    return;
                }
            },
            // §7.6: the server generates the resource — whoever answers chooses it.
            Ok(Bind::Request { resource: None }) => None,
            Ok(Bind::Result { .. }) | Err(_) => {
                self.answer_error(now, &iq, StanzaErrorCondition::BadRequest);
                return;
            }
        };
        let request = self.request_id();
        self.phase = Phase::BindPending(Box::new(PendingBind {
            request,
            iq_id: iq.id.clone(),
        }));
        self.wire.event(ServerEvent::BindRequested {
            id: request,
            user,
            requested,
        });
    }

    /// Answers `iq` with a stanza error.
    pub(super) fn answer_error(&mut self, now: Instant, iq: &Iq, condition: StanzaErrorCondition) {
        let mut reply = Iq::new(
            iq.id.clone(),
            IqPayload::Error {
                error: StanzaError::new(condition),
                other: Vec::new(),
            },
        );
        reply.ns = iq.ns.clone();
        self.send_internal(now, &Element::from(reply));
    }

    /// The application's decision on a bind request.
    pub(super) fn answer_bind(
        &mut self,
        now: Instant,
        id: RequestId,
        result: Result<FullJid, StanzaErrorCondition>,
    ) -> Result<(), CommandError> {
        let Phase::BindPending(pending) = &self.phase else {
            return Err(CommandError::UnknownRequest);
        };
        if pending.request != id {
            return Err(CommandError::UnknownRequest);
        }
        if let Ok(jid) = &result
            && Some(jid.to_bare()) != self.user
        {
            return Err(CommandError::ForeignJid);
        }
        let iq_id = pending.iq_id.clone();
        self.phase = Phase::AwaitBind;
        match result {
            Ok(jid) => {
                let payload = Element::from(Bind::Result { jid: jid.clone() });
                let reply = Iq::new(iq_id, IqPayload::Result(Some(payload)));
                if self.send_internal(now, &Element::from(reply)) {
                    self.phase = Phase::Online;
                    self.jid = Some(jid.clone());
                    self.wire.timers.clear(TimerKind::Negotiation);
                    self.wire.start_keepalive(now);
                    self.wire.event(ServerEvent::Online { jid });
                }
            }
            Err(condition) => {
                let reply = Iq::new(
                    iq_id,
                    IqPayload::Error {
                        error: StanzaError::new(condition),
                        other: Vec::new(),
                    },
                );
                self.send_internal(now, &Element::from(reply));
            }
        }
        Ok(())
    }
}
