//! Offline messages (RFC 6121 §8.5.2.2.1, XEP-0160): storing a message for a user
//! with no available resource, and delivering the stored ones — with a XEP-0203
//! delay stamp — when the user next becomes available with a non-negative
//! priority.

use xmpp_jid::BareJid;
use xmpp_stanza::{Element, Message, Namespace, NsContext, Stanza};

use crate::change::{Change, OfflineMessage};
use crate::hub::Hub;
use crate::ids::SessionId;
use crate::time::Timestamp;

/// XEP-0203 delayed delivery.
const DELAY: &str = xmpp_stanza::ns::DELAY;
/// XEP-0085 chat state notifications.
const CHATSTATES: &str = xmpp_stanza::ns::CHATSTATES;

/// Whether a message carries nothing worth keeping: no body, no subject, and only
/// chat-state notifications (which are meaningless later).
pub(crate) fn is_transient(message: &Message) -> bool {
    message.bodies.is_empty()
        && message.subjects.is_empty()
        && message.payloads.iter().all(|p| *p.ns() == CHATSTATES)
}

/// The size of a message as serialised on a client stream: what storing it
/// offline costs. A message that does not serialise counts as `usize::MAX`, so
/// it is never stored.
pub(crate) fn message_bytes(message: &Message) -> usize {
    Element::from(Stanza::Message(message.clone()))
        .to_xml_in(&NsContext::client())
        .map_or(usize::MAX, |xml| xml.len())
}

/// `<delay xmlns='urn:xmpp:delay' from='domain' stamp='…'/>`.
fn delay(from: &str, stamp: Timestamp) -> Element {
    Element::new("delay", Namespace::from_static(DELAY))
        .with_attr("from", from)
        .with_attr("stamp", stamp.to_xep0082())
}

impl Hub {
    /// Stores `message` for `user`; `false` when the user's store is full (in
    /// messages or in bytes).
    pub(crate) fn store_offline(
        &mut self,
        user: &BareJid,
        message: Message,
        stamp: Timestamp,
    ) -> bool {
        let (stored, stored_bytes) = self
            .store
            .account(user)
            .map_or((usize::MAX, usize::MAX), |a| {
                (a.offline.len(), a.offline_bytes)
            });
        let limits = &self.config.limits;
        if stored >= limits.max_offline_messages
            || stored_bytes.saturating_add(message_bytes(&message)) > limits.max_offline_bytes
        {
            return false;
        }
        let id = self.store.next_offline_id;
        self.commit(Change::OfflineStored {
            user: user.clone(),
            message: OfflineMessage { id, stamp, message },
        });
        true
    }

    /// Delivers every stored message of `user` to session `a`, oldest first, each
    /// followed by its deletion (so a crash in between duplicates, never loses).
    pub(crate) fn flush_offline(&mut self, a: SessionId, user: &BareJid) {
        let stored: Vec<OfflineMessage> = self
            .store
            .account(user)
            .map(|acc| acc.offline.values().cloned().collect())
            .unwrap_or_default();
        let domain = self.config.domain.as_str().to_owned();
        for OfflineMessage {
            id,
            stamp,
            mut message,
        } in stored
        {
            message.payloads.push(delay(&domain, stamp));
            self.deliver(a, message);
            self.commit(Change::OfflineDeleted {
                user: user.clone(),
                id,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_jid::Jid;
    use xmpp_stanza::Node;

    #[test]
    fn chat_states_alone_are_transient() {
        let mut m = Message::new();
        m.payloads
            .push(Element::new("composing", Namespace::intern(CHATSTATES)));
        assert!(is_transient(&m));
        let body = Message::chat(Jid::new("a@b").unwrap(), "hi");
        assert!(!is_transient(&body));
        let mut other = Message::new();
        other
            .payloads
            .push(Element::new("x", Namespace::intern("urn:x")));
        assert!(!is_transient(&other));
    }

    #[test]
    fn delay_element() {
        let d = delay("example.com", Timestamp::from_unix_millis(0));
        assert_eq!(d.attr("stamp"), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(d.attr("from"), Some("example.com"));
        assert!(d.nodes().iter().all(|n: &Node| n.is_whitespace()));
    }
}
