//! Stanzas arriving from sessions, before any routing: the session must be online,
//! within its flood limit, and must not claim someone else's address; `from` is
//! then stamped by the server (RFC 6120 §8.1.2.1). Elements that are not valid
//! stanzas are answered with the stanza error their defect calls for, or close the
//! stream when they are not stanzas at all. Also closing sessions and cleaning up
//! after them.

use std::time::Instant;

use xmpp_jid::{FullJid, Jid};
use xmpp_stanza::{
    Element, InvalidStanza, Iq, IqPayload, Message, MessageType, Namespace, Presence, PresenceType,
    Stanza, StanzaError, StreamError, StreamErrorCondition, may_answer_with_error,
};

use crate::hub::Hub;
use crate::ids::SessionId;
use crate::output::Output;
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
        self.out.push(Output::Close { session, error });
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

    /// A typed stanza from `session`.
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
        if let Some(from) = stanza.from()
            && *from != jid
            && *from != jid.to_bare()
        {
            // RFC 6120 §8.1.2.1, §4.9.3.9: a client may not claim another address.
            self.close_session(session, StreamError::new(StreamErrorCondition::InvalidFrom));
            return;
        }
        stanza.set_from(Some(Jid::from(jid.clone())));
        match stanza {
            Stanza::Message(m) => self.handle_message(session, &jid, m, wall),
            Stanza::Presence(p) => self.handle_presence(session, &jid, p),
            Stanza::Iq(iq) => self.handle_iq(session, &jid, iq),
        }
    }

    /// An element from `session` that may or may not be a valid stanza.
    pub(crate) fn element_from_session(
        &mut self,
        now: Instant,
        wall: Timestamp,
        session: SessionId,
        element: Element,
    ) {
        match Stanza::try_from(element) {
            Ok(stanza) => self.stanza_from_session(now, wall, session, stanza),
            Err(invalid) => self.invalid_from_session(now, session, invalid),
        }
    }

    /// A stanza that failed validation: answered with the error its defect maps to
    /// (RFC 6120 §8.3), or the stream closed when it is not a stanza at all
    /// (§4.9.3.10, §4.9.3.24). Invalid error stanzas and IQ results are dropped.
    fn invalid_from_session(&mut self, now: Instant, session: SessionId, invalid: InvalidStanza) {
        let Admission::Accept(jid) = self.admit(now, session) else {
            return;
        };
        let element = invalid.element();
        if !Stanza::is_stanza(element) {
            let condition = if matches!(element.name(), "message" | "presence" | "iq") {
                StreamErrorCondition::InvalidNamespace
            } else {
                StreamErrorCondition::UnsupportedStanzaType
            };
            self.close_session(session, StreamError::new(condition));
            return;
        }
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
