//! Stanzas arriving from sessions, before any routing: the session must be online
//! and within its flood limit. `from` (RFC 6120 §8.1.2.1) is checked once, at the
//! stream boundary: typed stanzas come from a `ServerConnection` that already
//! checked and stamped it, and are trusted; unchecked elements go through the same
//! function the connection uses, [`xmpp_core::server::stamp_from`]. Elements that
//! are not valid stanzas are answered with the stanza error their defect calls for,
//! or close the stream when they are not stanzas at all. Also closing sessions and
//! cleaning up after them.

use std::time::Instant;

use xmpp_core::server::stamp_from;
use xmpp_jid::{FullJid, Jid};
use xmpp_stanza::{
    Element, InvalidStanza, Iq, IqPayload, Message, MessageType, Namespace, Presence, PresenceType,
    Stanza, StanzaError, StreamError, StreamErrorCondition, may_answer_with_error,
};

use crate::hub::Hub;
use crate::ids::SessionId;
use crate::output::RouterOutput;
use crate::session::Phase;
use crate::time::Timestamp;

/// What to do with traffic from a session.
enum Admission {
    /// Route it, from this full JID.
    Accept(FullJid),
    /// Drop it silently (the session is being closed).
    Ignore,
}

impl Hub {
    /// Closes `session` with `error`: the host is told, the resource is freed and
    /// its unavailable presence broadcast at once; the session stays as a
    /// tombstone until the host reports the close.
    pub(crate) fn close_session(&mut self, session: SessionId, error: StreamError) {
        let Some(phase) = self.sessions.get(session).map(|s| s.phase) else {
            return;
        };
        if phase == Phase::Closing {
            return;
        }
        self.out.push(RouterOutput::Close { session, error });
        self.session_gone(session);
        if let Some(s) = self.sessions.get_mut(session) {
            s.phase = Phase::Closing;
        }
    }

    /// Cleanup for a session that ends: unavailable presence to everyone who saw
    /// it (RFC 6121 §4.5.2) and to directed-presence recipients (§4.6.3), and the
    /// resource freed.
    pub(crate) fn session_gone(&mut self, session: SessionId) {
        if let Some(jid) = self.session_jid(session)
            && self
                .sessions
                .get(session)
                .is_some_and(|s| s.phase == Phase::Online)
        {
            self.go_unavailable(session, &jid, None, false);
        }
        self.sessions.unbind(session);
    }

    /// Checks that `session` may send a stanza now.
    fn admit(&mut self, now: Instant, session: SessionId) -> Admission {
        let Some(s) = self.sessions.get_mut(session) else {
            return Admission::Ignore;
        };
        match s.phase {
            Phase::Closing => return Admission::Ignore,
            Phase::Opened | Phase::Bound => {
                // RFC 6120 §4.9.3.12: stanzas before the stream is set up.
                self.close_session(
                    session,
                    StreamError::new(StreamErrorCondition::NotAuthorized),
                );
                return Admission::Ignore;
            }
            Phase::Online => {}
        }
        if let Some(bucket) = s.flood.as_mut()
            && !bucket.take(now)
        {
            // RFC 6120 §4.9.3.14: rate limits are local service policy.
            let error = StreamError::new(StreamErrorCondition::PolicyViolation)
                .with_text(Some("en"), "too many stanzas");
            self.close_session(session, error);
            return Admission::Ignore;
        }
        match s.jid.clone() {
            Some(jid) => Admission::Accept(jid),
            None => Admission::Ignore,
        }
    }

    /// A typed stanza from `session`, whose `from` its connection checked and
    /// stamped (RFC 6120 §8.1.2.1) — or left empty, by a host that builds stanzas
    /// itself: stamped here then.
    pub(crate) fn stanza_from_session(
        &mut self,
        now: Instant,
        wall: Timestamp,
        session: SessionId,
        mut stanza: Stanza,
    ) {
        let Admission::Accept(jid) = self.admit(now, session) else {
            return;
        };
        match stanza.from() {
            Some(from) if *from == jid => {}
            other => {
                debug_assert!(
                    other.is_none(),
                    "stanza_received with from={other:?} for {jid}: not stamped by a \
                     ServerConnection (unchecked input goes to element_received)"
                );
                // Release builds stamp over a glue bug rather than route it.
                stanza.set_from(Some(Jid::from(jid.clone())));
            }
        }
        self.route_from_session(session, &jid, stanza, wall);
    }

    /// Routes a stanza from `session`, bound as `jid`, with `from` stamped.
    fn route_from_session(
        &mut self,
        session: SessionId,
        jid: &FullJid,
        stanza: Stanza,
        wall: Timestamp,
    ) {
        match stanza {
            Stanza::Message(m) => self.handle_message(session, jid, m, wall),
            Stanza::Presence(p) => self.handle_presence(session, jid, p),
            Stanza::Iq(iq) => self.handle_iq(session, jid, iq),
        }
    }

    /// An element from `session` that no connection checked: checked here as the
    /// connection would, in the same order — a stanza at all (§4.9.3.10,
    /// §4.9.3.24), then `from` ([`stamp_from`], §8.1.2.1), then valid (§8.3).
    pub(crate) fn element_from_session(
        &mut self,
        now: Instant,
        wall: Timestamp,
        session: SessionId,
        mut element: Element,
    ) {
        let Admission::Accept(jid) = self.admit(now, session) else {
            return;
        };
        if !Stanza::is_stanza(&element) {
            let condition = if matches!(element.name(), "message" | "presence" | "iq") {
                StreamErrorCondition::InvalidNamespace
            } else {
                StreamErrorCondition::UnsupportedStanzaType
            };
            self.close_session(session, StreamError::new(condition));
            return;
        }
        if let Err(violation) = stamp_from(&mut element, &jid) {
            // §4.9.3.9: a client may not claim another address.
            self.close_session(session, StreamError::new(violation.condition()));
            return;
        }
        match Stanza::try_from(element) {
            Ok(stanza) => self.route_from_session(session, &jid, stanza, wall),
            Err(invalid) => self.answer_invalid(session, jid, &invalid),
        }
    }

    /// A stanza that failed validation: answered with the error its defect maps to
    /// (RFC 6120 §8.3). Invalid error stanzas and IQ results are dropped.
    fn answer_invalid(&mut self, session: SessionId, jid: FullJid, invalid: &InvalidStanza) {
        let element = invalid.element();
        // Errors are never answered (RFC 6120 §8.3.1), nor IQ responses with
        // another response (§8.2.3), however malformed.
        if !may_answer_with_error(element) {
            return;
        }
        let error = StanzaError::new(invalid.condition());
        let from = element.attr("to").and_then(|t| Jid::new(t).ok());
        let to = Some(Jid::from(jid));
        let id = element.attr("id").map(Into::into);
        let ns = Namespace::CLIENT;
        let reply = match element.name() {
            "message" => Stanza::Message(Message {
                ns,
                from,
                to,
                id,
                kind: Some(MessageType::Error),
                error: Some(error),
                ..Message::new()
            }),
            "presence" => Stanza::Presence(Presence {
                ns,
                from,
                to,
                id,
                error: Some(error),
                ..Presence::of_type(PresenceType::Error)
            }),
            _ => Stanza::Iq(Iq {
                ns,
                from,
                to,
                id: id.unwrap_or_default(),
                lang: None,
                payload: IqPayload::Error {
                    error,
                    other: Vec::new(),
                },
                attrs: Vec::new(),
            }),
        };
        self.deliver(session, reply);
    }
}
