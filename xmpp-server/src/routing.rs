//! Routing of messages and IQs (RFC 6121 §8, RFC 6120 §10): by target — remote
//! domain, the server, a bare JID or a full JID of the served domain — and by
//! stanza type, with the sender's privacy list checked on the way out and the
//! recipient's on the way in.

use xmpp_jid::{BareJid, FullJid, Jid};
use xmpp_stanza::{Iq, Message, MessageType, Stanza, StanzaErrorCondition};

use crate::hub::{Hub, Target};
use crate::ids::SessionId;
use crate::iq::Scope;
use crate::offline::is_transient;
use crate::privacy::{Class, Verdict};
use crate::reply::blocked_error;
use crate::time::Timestamp;

impl Hub {
    /// A message from session `a` (stamped). A message without `to` is for the
    /// sender's own bare JID (RFC 6120 §10.3.1).
    pub(crate) fn handle_message(
        &mut self,
        a: SessionId,
        jid: &FullJid,
        mut msg: Message,
        wall: Timestamp,
    ) {
        let user = jid.to_bare();
        let to = msg.to.clone().unwrap_or_else(|| Jid::from(user.clone()));
        msg.to = Some(to.clone());
        let target = self.target(&to);
        let recipient = match &target {
            Target::Remote => {
                self.bounce_with(
                    a,
                    &Stanza::Message(msg),
                    StanzaErrorCondition::RemoteServerNotFound,
                );
                return;
            }
            // The server offers no message service.
            Target::Server => {
                self.bounce_with(
                    a,
                    &Stanza::Message(msg),
                    StanzaErrorCondition::ServiceUnavailable,
                );
                return;
            }
            Target::Account(bare) => bare.clone(),
            Target::Resource(full) => full.to_bare(),
        };
        if let Verdict::Deny { blocked } = self.verdict(&user, Some(a), &to, Class::Other) {
            self.bounce(a, &Stanza::Message(msg), blocked_error(blocked));
            return;
        }
        if !self.exists(&recipient) {
            // §8.5.1: no such user.
            self.bounce_with(
                a,
                &Stanza::Message(msg),
                StanzaErrorCondition::ServiceUnavailable,
            );
            return;
        }
        let from = Jid::from(jid.clone());
        let kind = msg.message_type();
        if let Target::Resource(full) = &target {
            if let Some(b) = self.sessions.online(full) {
                // §8.5.3.1: the resource exists.
                if self.allows(&recipient, Some(b), &from, Class::Message) {
                    self.deliver(b, msg);
                } else {
                    self.bounce_with(
                        a,
                        &Stanza::Message(msg),
                        StanzaErrorCondition::ServiceUnavailable,
                    );
                }
                return;
            }
            // §8.5.3.2.1: no such resource.
            match kind {
                MessageType::Normal | MessageType::Chat => {}
                MessageType::Groupchat => {
                    self.bounce_with(
                        a,
                        &Stanza::Message(msg),
                        StanzaErrorCondition::ServiceUnavailable,
                    );
                    return;
                }
                MessageType::Headline | MessageType::Error => return,
            }
        }
        self.message_to_bare(Some(a), &recipient, &from, msg, wall);
    }

    /// §8.5.2: a message for a local account's bare JID. `to` is not rewritten.
    /// Errors go to session `a`, the sender's, if it is known.
    pub(crate) fn message_to_bare(
        &mut self,
        a: Option<SessionId>,
        user: &BareJid,
        from: &Jid,
        msg: Message,
        wall: Timestamp,
    ) {
        let kind = msg.message_type();
        match kind {
            MessageType::Error => return,
            MessageType::Groupchat => {
                self.bounce_to(
                    a,
                    &Stanza::Message(msg),
                    StanzaErrorCondition::ServiceUnavailable,
                );
                return;
            }
            MessageType::Normal | MessageType::Chat | MessageType::Headline => {}
        }
        let candidates: Vec<SessionId> = self
            .sessions
            .available_of(user)
            .into_iter()
            .filter(|b| self.sessions.get(*b).is_some_and(|s| s.priority >= 0))
            .collect();
        let allowed: Vec<SessionId> = candidates
            .iter()
            .copied()
            .filter(|b| self.allows(user, Some(*b), from, Class::Message))
            .collect();
        if !allowed.is_empty() {
            let recipients = if kind == MessageType::Headline {
                allowed
            } else {
                let top = allowed
                    .iter()
                    .filter_map(|b| self.sessions.get(*b).map(|s| s.priority))
                    .max()
                    .unwrap_or(0);
                allowed
                    .into_iter()
                    .filter(|b| self.sessions.get(*b).is_some_and(|s| s.priority == top))
                    .collect()
            };
            for b in recipients {
                self.deliver(b, msg.clone());
            }
            return;
        }
        if !candidates.is_empty() {
            // Every resource blocks the sender: look offline (XEP-0016).
            self.bounce_to(
                a,
                &Stanza::Message(msg),
                StanzaErrorCondition::ServiceUnavailable,
            );
            return;
        }
        // §8.5.2.2.1: no available resource with a non-negative priority.
        if kind == MessageType::Headline || is_transient(&msg) {
            return;
        }
        if !self.allows(user, None, from, Class::Message)
            || !self.store_offline(user, msg.clone(), wall)
        {
            self.bounce_to(
                a,
                &Stanza::Message(msg),
                StanzaErrorCondition::ServiceUnavailable,
            );
        }
    }

    /// An IQ from session `a` (stamped): answered by the server for the server
    /// itself and for bare JIDs (RFC 6121 §8.5.2.1.3), routed to full JIDs.
    pub(crate) fn handle_iq(&mut self, a: SessionId, jid: &FullJid, iq: Iq) {
        let user = jid.to_bare();
        let Some(to) = iq.to.clone() else {
            // RFC 6120 §10.3.3: handled on behalf of the sender's account.
            self.dispatch_iq(a, jid, iq, Scope::OwnAccount);
            return;
        };
        let request = iq.payload.is_request();
        match self.target(&to) {
            Target::Remote => {
                if request {
                    self.bounce_with(
                        a,
                        &Stanza::Iq(iq),
                        StanzaErrorCondition::RemoteServerNotFound,
                    );
                }
            }
            Target::Server => self.dispatch_iq(a, jid, iq, Scope::Server),
            Target::Account(bare) if bare == user => {
                self.dispatch_iq(a, jid, iq, Scope::OwnAccount)
            }
            Target::Account(bare) => {
                if !request {
                    return;
                }
                if let Verdict::Deny { blocked } = self.verdict(&user, Some(a), &to, Class::Other) {
                    self.bounce(a, &Stanza::Iq(iq), blocked_error(blocked));
                    return;
                }
                let from = Jid::from(jid.clone());
                if !self.exists(&bare) || !self.allows(&bare, None, &from, Class::Iq) {
                    self.bounce_with(a, &Stanza::Iq(iq), StanzaErrorCondition::ServiceUnavailable);
                    return;
                }
                self.dispatch_iq(a, jid, iq, Scope::OtherAccount(bare));
            }
            Target::Resource(full) => self.iq_to_resource(a, jid, iq, &full),
        }
    }

    /// §8.5.3: an IQ for a full JID goes to that resource, or fails.
    fn iq_to_resource(&mut self, a: SessionId, jid: &FullJid, iq: Iq, full: &FullJid) {
        let user = jid.to_bare();
        let owner = full.to_bare();
        let request = iq.payload.is_request();
        let to = Jid::from(full.clone());
        if let Verdict::Deny { blocked } = self.verdict(&user, Some(a), &to, Class::Other) {
            if request {
                self.bounce(a, &Stanza::Iq(iq), blocked_error(blocked));
            }
            return;
        }
        let from = Jid::from(jid.clone());
        match self.sessions.online(full) {
            Some(b) if self.allows(&owner, Some(b), &from, Class::Iq) => self.deliver(b, iq),
            _ if request => {
                self.bounce_with(a, &Stanza::Iq(iq), StanzaErrorCondition::ServiceUnavailable)
            }
            _ => {}
        }
    }
}
