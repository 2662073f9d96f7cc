//! Presence (RFC 6121 §4): initial presence with its broadcast and probes,
//! subsequent presence, unavailable presence (also on disconnect), directed
//! presence and its cleanup, and answers to probes — each filtered by the privacy
//! lists of both ends.

use xmpp_jid::{BareJid, FullJid, Jid};
use xmpp_stanza::{Presence, PresenceType, Stanza, StanzaErrorCondition};

use crate::hub::{Hub, Target};
use crate::ids::SessionId;
use crate::privacy::{Class, Verdict};
use crate::reply::blocked_error;
use crate::subscription::table::SubKind;

impl Hub {
    /// Whether `a`'s broadcast presence reaches session `b` (RFC 6121 §4.2.2,
    /// §4.4.2): both available, different accounts, `b`'s account subscribed to
    /// `a`'s (or `a` sent `b` directed presence), and neither end's privacy list
    /// stopping it (`presence-out` at `a`, `presence-in` at `b`).
    pub(crate) fn presence_edge(&self, a: SessionId, b: SessionId) -> bool {
        let (Some(sa), Some(sb)) = (self.sessions.get(a), self.sessions.get(b)) else {
            return false;
        };
        if !sa.is_available() || !sb.is_available() {
            return false;
        }
        let (Some(ja), Some(jb)) = (sa.jid.as_ref(), sb.jid.as_ref()) else {
            return false;
        };
        let (ua, ub) = (ja.to_bare(), jb.to_bare());
        if ua == ub {
            return false;
        }
        let subscribed = self
            .store
            .account(&ua)
            .and_then(|acc| acc.roster.get(&ub))
            .is_some_and(|e| e.subscription.from());
        let directed = sa.directed.contains(&Jid::from(ub.clone()))
            || sa.directed.contains(&Jid::from(jb.clone()));
        (subscribed || directed)
            && self.allows(&ua, Some(a), &Jid::from(ub.clone()), Class::PresenceOut)
            && self.allows(&ub, Some(b), &Jid::from(ja.clone()), Class::PresenceIn)
    }

    /// The sessions of contacts subscribed to `a`'s account that receive its
    /// broadcast presence.
    fn broadcast_targets(&self, a: SessionId, user: &BareJid) -> Vec<SessionId> {
        let Some(account) = self.store.account(user) else {
            return Vec::new();
        };
        account
            .roster
            .values()
            .filter(|e| e.subscription.from())
            .flat_map(|e| self.sessions.available_of(&e.jid))
            .filter(|b| self.presence_edge(a, *b))
            .collect()
    }

    /// Delivers `presence` (from `a`) to session `b`, addressed to `b`'s account.
    fn send_presence(&mut self, b: SessionId, presence: &Presence, to: Jid) {
        let mut p = presence.clone();
        p.to = Some(to);
        self.deliver(b, p);
    }

    /// Handles a presence stanza from session `a` (stamped: `from` is `a`'s full JID,
    /// or its bare JID for subscription types).
    pub(crate) fn handle_presence(&mut self, a: SessionId, jid: &FullJid, presence: Presence) {
        match (presence.kind, presence.to.clone()) {
            (None, None) => self.broadcast_available(a, jid, presence),
            (Some(PresenceType::Unavailable), None) => {
                self.go_unavailable(a, jid, Some(presence), true)
            }
            (None | Some(PresenceType::Unavailable), Some(to)) => {
                self.directed_presence(a, jid, presence, &to)
            }
            (Some(PresenceType::Probe), Some(to)) => self.client_probe(a, jid, &to),
            (Some(PresenceType::Error), Some(to)) => {
                self.route_presence_error(a, jid, presence, &to)
            }
            (Some(kind), Some(to)) => {
                let sub = match kind {
                    PresenceType::Subscribe => SubKind::Subscribe,
                    PresenceType::Subscribed => SubKind::Subscribed,
                    PresenceType::Unsubscribe => SubKind::Unsubscribe,
                    _ => SubKind::Unsubscribed,
                };
                self.outbound_subscription(a, jid, sub, presence, &to);
            }
            (Some(PresenceType::Subscribe | PresenceType::Subscribed), None)
            | (Some(PresenceType::Unsubscribe | PresenceType::Unsubscribed), None)
            | (Some(PresenceType::Probe), None) => {
                // Subscription requests and probes need an addressee.
                self.bounce_with(
                    a,
                    &Stanza::Presence(presence),
                    StanzaErrorCondition::BadRequest,
                );
            }
            (Some(PresenceType::Error), None) => {}
        }
    }

    /// Available presence without `to`: initial (RFC 6121 §4.2) or subsequent (§4.4).
    fn broadcast_available(&mut self, a: SessionId, jid: &FullJid, mut presence: Presence) {
        let user = jid.to_bare();
        presence.to = None;
        let priority = presence.priority.unwrap_or(0);
        let Some(session) = self.sessions.get_mut(a) else {
            return;
        };
        let initial = session.presence.is_none();
        session.presence = Some(Box::new(presence.clone()));
        session.priority = priority;

        // The user's own available resources, this one included (§4.2.2, §4.4.2).
        for own in self.sessions.available_of(&user) {
            self.send_presence(own, &presence, Jid::from(user.clone()));
        }
        for b in self.broadcast_targets(a, &user) {
            let to = self.session_jid(b).map(|j| Jid::from(j.to_bare()));
            if let Some(to) = to {
                self.send_presence(b, &presence, to);
            }
        }
        if initial {
            self.answer_initial_probes(a, jid);
            self.redeliver_pending_requests(a, &user);
        }
        if priority >= 0 {
            self.flush_offline(a, &user);
        }
    }

    /// The presence a newly available resource learns (§4.2.2 probes, answered
    /// locally): each available resource of contacts it is subscribed to, and the
    /// user's own other resources.
    fn answer_initial_probes(&mut self, a: SessionId, jid: &FullJid) {
        let user = jid.to_bare();
        let mut senders: Vec<SessionId> = self
            .sessions
            .available_of(&user)
            .into_iter()
            .filter(|o| *o != a)
            .collect();
        if let Some(account) = self.store.account(&user) {
            for entry in account.roster.values().filter(|e| e.subscription.to()) {
                for b in self.sessions.available_of(&entry.jid) {
                    if self.presence_edge(b, a) {
                        senders.push(b);
                    }
                }
            }
        }
        for b in senders {
            if let Some(p) = self.last_presence(b) {
                self.send_presence(a, &p, Jid::from(jid.clone()));
            }
        }
    }

    /// Unavailable presence from `a` (§4.5): sent by the client (`explicit`, with
    /// its status) or generated when the session ends. Goes to everyone who saw
    /// the resource available and to every entity it sent directed presence to.
    pub(crate) fn go_unavailable(
        &mut self,
        a: SessionId,
        jid: &FullJid,
        presence: Option<Presence>,
        explicit: bool,
    ) {
        let user = jid.to_bare();
        let mut unavailable =
            presence.unwrap_or_else(|| Presence::of_type(PresenceType::Unavailable));
        unavailable.kind = Some(PresenceType::Unavailable);
        unavailable.from = Some(Jid::from(jid.clone()));
        unavailable.to = None;
        let was_available = self.sessions.get(a).is_some_and(|s| s.is_available());
        if was_available {
            let targets = self.broadcast_targets(a, &user);
            for own in self.sessions.available_of(&user) {
                if own != a || explicit {
                    self.send_presence(own, &unavailable, Jid::from(user.clone()));
                }
            }
            for b in targets {
                if let Some(to) = self.session_jid(b).map(|j| Jid::from(j.to_bare())) {
                    self.send_presence(b, &unavailable, to);
                }
            }
        }
        if let Some(s) = self.sessions.get_mut(a) {
            s.presence = None;
        }
        let directed = self.sessions.take_directed(a);
        for target in directed {
            // A target blocked since (XEP-0191 §3.3, XEP-0016 presence-out) was
            // already sent unavailable presence when the list changed.
            if self.allows(&user, Some(a), &target, Class::PresenceOut) {
                self.deliver_directed(&user, jid, &unavailable, &target);
            }
        }
    }

    /// Directed presence (§4.6): available or unavailable presence with a `to`.
    fn directed_presence(&mut self, a: SessionId, jid: &FullJid, presence: Presence, to: &Jid) {
        let user = jid.to_bare();
        match self.target(to) {
            Target::Server => return,
            Target::Remote => {
                self.bounce_with(
                    a,
                    &Stanza::Presence(presence),
                    StanzaErrorCondition::RemoteServerNotFound,
                );
                return;
            }
            Target::Account(_) | Target::Resource(_) => {}
        }
        if let Verdict::Deny { blocked } = self.verdict(&user, Some(a), to, Class::PresenceOut) {
            self.bounce(a, &Stanza::Presence(presence), blocked_error(blocked));
            return;
        }
        let available = presence.kind.is_none();
        let covered = to.to_bare() == user
            || self
                .store
                .account(&user)
                .and_then(|acc| acc.roster.get(&to.to_bare()))
                .is_some_and(|e| e.subscription.from());
        if !covered {
            let limit = self.config.limits.max_directed_presences;
            let Some(session) = self.sessions.get(a) else {
                return;
            };
            if available {
                if !session.directed.contains(to) && session.directed.len() >= limit {
                    self.bounce_with(
                        a,
                        &Stanza::Presence(presence),
                        StanzaErrorCondition::ResourceConstraint,
                    );
                    return;
                }
                self.sessions.add_directed(a, to.clone());
            } else {
                self.sessions.remove_directed(a, to);
            }
        }
        self.deliver_directed(&user, jid, &presence, to);
    }

    /// Delivers a presence notification from `jid` to `to` (a local bare or full
    /// JID): all available resources of a bare JID, or the one online resource,
    /// each subject to its `presence-in` list. Unknown targets drop it silently
    /// (RFC 6121 §8.5.1, §8.5.3.2.2).
    fn deliver_directed(&mut self, user: &BareJid, jid: &FullJid, presence: &Presence, to: &Jid) {
        let mut p = presence.clone();
        p.from = Some(Jid::from(jid.clone()));
        p.to = Some(to.clone());
        let from = Jid::from(jid.clone());
        let recipients = match self.target(to) {
            Target::Account(bare) => self.sessions.available_of(&bare),
            Target::Resource(full) => self.sessions.online(&full).into_iter().collect(),
            Target::Server | Target::Remote => Vec::new(),
        };
        for b in recipients {
            let Some(owner) = self.session_jid(b).map(|j| j.to_bare()) else {
                continue;
            };
            if owner == *user || self.allows(&owner, Some(b), &from, Class::PresenceIn) {
                self.deliver(b, p.clone());
            }
        }
    }

    /// A presence error from a client goes only to an online full JID, and only
    /// where neither end's lists stop it (errors are never answered, so a denied
    /// one is dropped).
    fn route_presence_error(&mut self, a: SessionId, jid: &FullJid, presence: Presence, to: &Jid) {
        if let Target::Resource(full) = self.target(to)
            && let Some(b) = self.sessions.online(&full)
            && self.allows(&jid.to_bare(), Some(a), to, Class::Other)
            && self.allows(
                &full.to_bare(),
                Some(b),
                &Jid::from(jid.clone()),
                Class::Other,
            )
        {
            self.deliver(b, presence);
        }
    }

    /// A probe sent by a client (§4.3: normally only servers send them).
    fn client_probe(&mut self, a: SessionId, jid: &FullJid, to: &Jid) {
        let target = self.target(to);
        if matches!(target, Target::Account(_) | Target::Resource(_))
            && let Verdict::Deny { blocked } =
                self.verdict(&jid.to_bare(), Some(a), to, Class::Other)
        {
            // XEP-0191 §3.6, XEP-0016: an outbound stanza to a blocked entity.
            let mut probe = Presence::of_type(PresenceType::Probe);
            probe.from = Some(Jid::from(jid.clone()));
            probe.to = Some(to.clone());
            self.bounce(a, &Stanza::Presence(probe), blocked_error(blocked));
            return;
        }
        match target {
            Target::Account(contact) => self.answer_probe(a, jid, &contact),
            Target::Resource(full) => self.answer_probe(a, jid, &full.to_bare()),
            Target::Server => {}
            Target::Remote => {
                let mut probe = Presence::of_type(PresenceType::Probe);
                probe.from = Some(Jid::from(jid.clone()));
                probe.to = Some(to.clone());
                self.bounce_with(
                    a,
                    &Stanza::Presence(probe),
                    StanzaErrorCondition::RemoteServerNotFound,
                );
            }
        }
    }

    /// The contact's server answering a probe from `jid`'s account (§4.3.2): the
    /// last presence of each available resource, or unavailable. A prober that is
    /// not subscribed (or an unknown contact, or one blocking the prober) learns
    /// nothing: no presence, and no `unsubscribed` either — between accounts of one
    /// server the states cannot disagree, and such an answer would cancel a request
    /// the prober still has pending (table A.3.4, "None + Pending Out"). What the
    /// prober's session itself does not accept (`presence-in`) is not sent either.
    fn answer_probe(&mut self, a: SessionId, jid: &FullJid, contact: &BareJid) {
        let user = jid.to_bare();
        let user_jid = Jid::from(user.clone());
        let subscribed = self
            .store
            .account(contact)
            .and_then(|acc| acc.roster.get(&user))
            .is_some_and(|e| e.subscription.from());
        if !subscribed || !self.allows(contact, None, &user_jid, Class::Other) {
            return;
        }
        let mut answered = false;
        for b in self.sessions.available_of(contact) {
            let from = self.session_jid(b).map(Jid::from);
            let received = from
                .as_ref()
                .is_some_and(|f| self.allows(&user, Some(a), f, Class::PresenceIn));
            if !received || !self.allows(contact, Some(b), &user_jid, Class::PresenceOut) {
                continue;
            }
            if let Some(p) = self.last_presence(b) {
                self.send_presence(a, &p, Jid::from(jid.clone()));
                answered = true;
            }
        }
        let contact_jid = Jid::from(contact.clone());
        if !answered && self.allows(&user, Some(a), &contact_jid, Class::PresenceIn) {
            let mut unavailable = Presence::of_type(PresenceType::Unavailable);
            unavailable.from = Some(contact_jid);
            unavailable.to = Some(Jid::from(jid.clone()));
            self.deliver(a, unavailable);
        }
    }

    /// Sends the current presence of every available resource of `user` to every
    /// available resource of `contact` that may see it (after `contact` gained a
    /// subscription, RFC 6121 §3.1.5).
    pub(crate) fn send_presence_to_contact(&mut self, user: &BareJid, contact: &BareJid) {
        for a in self.sessions.available_of(user) {
            let Some(p) = self.last_presence(a) else {
                continue;
            };
            for b in self.sessions.available_of(contact) {
                if self.presence_edge(a, b) {
                    self.send_presence(b, &p, Jid::from(contact.clone()));
                }
            }
        }
    }

    /// Sends unavailable presence from every available resource of `user` to every
    /// available resource of `contact` (when `contact` loses its subscription,
    /// RFC 6121 §3.2.2, §3.3.3), unless directed presence keeps it informed or a
    /// privacy list stopped the presence that way anyway (`presence-out` at
    /// `user`, `presence-in` at `contact`: a blocked entity's presence is never
    /// delivered, XEP-0191 §3.5).
    pub(crate) fn send_unavailable_to_contact(&mut self, user: &BareJid, contact: &BareJid) {
        let contact_jid = Jid::from(contact.clone());
        for a in self.sessions.available_of(user) {
            if !self.allows(user, Some(a), &contact_jid, Class::PresenceOut) {
                continue;
            }
            let Some(jid) = self.session_jid(a) else {
                continue;
            };
            let keeps = self
                .sessions
                .get(a)
                .is_some_and(|s| s.directed.contains(&Jid::from(contact.clone())));
            if keeps {
                continue;
            }
            let from = Jid::from(jid);
            let mut p = Presence::of_type(PresenceType::Unavailable);
            p.from = Some(from.clone());
            for b in self.sessions.available_of(contact) {
                if self.allows(contact, Some(b), &from, Class::PresenceIn) {
                    self.send_presence(b, &p, contact_jid.clone());
                }
            }
        }
    }
}
