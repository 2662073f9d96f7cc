//! Stanzas the host could not hand to a session's connection: its queue was full (a
//! client that does not read) or the connection ended with them still queued.
//! Nothing routed is lost on the way: the session stops receiving (it is closed
//! with `resource-constraint` if it still runs), and each stanza is routed again
//! as if that resource had never been there — a message to the account's other
//! resources or to offline storage (RFC 6121 §8.5.3.2.1, §8.5.2.2.1), an IQ
//! request answered with an error (RFC 6121 §8.5.3.2.2) — or, if none of that is
//! possible, bounced to its sender with an error.

use xmpp_jid::Jid;
use xmpp_stanza::{MessageType, Stanza, StanzaErrorCondition, StreamError, StreamErrorCondition};

use crate::hub::Hub;
use crate::ids::SessionId;
use crate::time::Timestamp;

impl Hub {
    /// `stanza` was routed to `session` and never reached its client.
    pub(crate) fn handle_undelivered(
        &mut self,
        session: SessionId,
        stanza: Stanza,
        wall: Timestamp,
    ) {
        // The priority it had when the stanza was routed to it: resources at least
        // that high received their own copy of a bare-JID message.
        let priority = self.sessions.get(session).map(|s| s.priority);
        let error = StreamError::new(StreamErrorCondition::ResourceConstraint).with_text(
            Some("en"),
            "too many stanzas waiting: the client does not read",
        );
        self.close_session(session, error);
        let sender = |hub: &Hub, from: Option<&Jid>| {
            let full = from.cloned()?.try_into_full().ok()?;
            hub.sessions.online(&full)
        };
        match stanza {
            Stanza::Message(msg) => {
                let Some(to) = msg.to.clone() else { return };
                let user = to.to_bare();
                if !self.exists(&user) || msg.message_type() == MessageType::Error {
                    return;
                }
                let a = sender(self, msg.from.as_ref());
                if to.is_bare() {
                    // A copy of a bare-JID message: other resources as high as this
                    // one got theirs.
                    let got_copy = self.sessions.available_of(&user).into_iter().any(|b| {
                        b != session
                            && self
                                .sessions
                                .get(b)
                                .is_some_and(|s| Some(s.priority) >= priority)
                    });
                    if got_copy {
                        return;
                    }
                }
                let from = msg
                    .from
                    .clone()
                    .unwrap_or_else(|| Jid::from(self.config.domain.clone()));
                self.message_to_bare(a, &user, &from, msg, wall);
            }
            Stanza::Iq(iq) if iq.payload.is_request() => {
                let a = sender(self, iq.from.as_ref());
                self.bounce_to(
                    a,
                    &Stanza::Iq(iq),
                    StanzaErrorCondition::RecipientUnavailable,
                );
            }
            // IQ responses and presence are not stored or answered (RFC 6121 §8.5.3.2.2,
            // §4.6.2: presence to an unavailable resource is dropped).
            Stanza::Iq(_) | Stanza::Presence(_) => {}
        }
    }
}
