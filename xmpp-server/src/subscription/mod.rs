//! Presence subscriptions (RFC 6121 §3): the table-driven state machine ([`table`])
//! applied to stored roster items and pending requests, with everything the RFC
//! attaches to a transition — roster pushes, routing to the contact (whose server
//! is this one), delivery or storage of requests, automatic replies,
//! pre-approval (§3.4), and the presence sent or withdrawn when a subscription
//! starts or ends.

pub mod table;

use xmpp_jid::{BareJid, FullJid, Jid};
use xmpp_stanza::{Presence, PresenceType, Stanza, StanzaErrorCondition};

use crate::change::{Change, RosterEntry, RosterSubscription};
use crate::hub::{Hub, Target};
use crate::ids::SessionId;
use crate::privacy::{Class, Verdict};
use crate::reply::blocked_error;
use table::{SubKind, SubState};

impl SubKind {
    fn presence_type(self) -> PresenceType {
        match self {
            SubKind::Subscribe => PresenceType::Subscribe,
            SubKind::Subscribed => PresenceType::Subscribed,
            SubKind::Unsubscribe => PresenceType::Unsubscribe,
            SubKind::Unsubscribed => PresenceType::Unsubscribed,
        }
    }
}

/// A subscription presence of `kind` from `from` to `to` (bare JIDs).
pub(crate) fn subscription_presence(kind: SubKind, from: &BareJid, to: &BareJid) -> Presence {
    let mut p = Presence::of_type(kind.presence_type());
    p.from = Some(Jid::from(from.clone()));
    p.to = Some(Jid::from(to.clone()));
    p
}

impl Hub {
    /// `user`'s subscription state with `contact` (Appendix A.1).
    pub(crate) fn sub_state(&self, user: &BareJid, contact: &BareJid) -> SubState {
        let Some(account) = self.store.account(user) else {
            return SubState::None;
        };
        let entry = account.roster.get(contact);
        SubState::from_flags(
            entry.is_some_and(|e| e.subscription.to()),
            entry.is_some_and(|e| e.subscription.from()),
            entry.is_some_and(|e| e.ask),
            account.pending_in.contains_key(contact),
        )
    }

    /// Whether `user` pre-approved `contact`'s subscription request.
    fn pre_approved(&self, user: &BareJid, contact: &BareJid) -> bool {
        self.store
            .account(user)
            .and_then(|a| a.roster.get(contact))
            .is_some_and(|e| e.approved)
    }

    /// Stores `user`'s new state with `contact`: the roster item's subscription and
    /// `ask` (creating the item when the state needs one; an approval is consumed
    /// once the contact is subscribed) and the pending request (`request` is the
    /// stanza to keep when one starts). Pushes a changed item.
    pub(crate) fn set_sub_state(
        &mut self,
        user: &BareJid,
        contact: &BareJid,
        next: SubState,
        request: Option<Presence>,
    ) {
        let Some(account) = self.store.account(user) else {
            return;
        };
        let current = account.roster.get(contact).cloned();
        let pending = account.pending_in.contains_key(contact);
        let needs_item = next.to() || next.from() || next.pending_out();
        let updated = match current.clone() {
            Some(entry) => Some(entry),
            None if needs_item => Some(RosterEntry::new(contact.clone())),
            None => None,
        }
        .map(|mut e| {
            e.subscription = RosterSubscription::from_flags(next.to(), next.from());
            e.ask = next.pending_out();
            if next.from() {
                e.approved = false;
            }
            e
        });
        if let Some(entry) = updated
            && Some(&entry) != current.as_ref()
        {
            self.roster_set(user, entry);
        }
        match (next.pending_in(), pending, request) {
            (true, false, Some(request)) => self.commit(Change::PendingInSet {
                user: user.clone(),
                contact: contact.clone(),
                request,
            }),
            (false, true, _) => self.commit(Change::PendingInRemoved {
                user: user.clone(),
                contact: contact.clone(),
            }),
            _ => {}
        }
    }

    /// Whether `user` has no item for `contact` and no room for a new one.
    fn roster_full_without(&self, user: &BareJid, contact: &BareJid) -> bool {
        self.store.account(user).is_some_and(|acc| {
            !acc.roster.contains_key(contact)
                && acc.roster.len() >= self.config.limits.max_roster_items
        })
    }

    /// Sets or clears the pre-approval flag on `user`'s item for `contact`
    /// (creating the item to pre-approve, §3.4).
    fn set_approved(&mut self, user: &BareJid, contact: &BareJid, approved: bool) {
        let current = self
            .store
            .account(user)
            .and_then(|a| a.roster.get(contact))
            .cloned();
        let mut entry = match (current.clone(), approved) {
            (Some(e), _) => e,
            (None, true) => RosterEntry::new(contact.clone()),
            (None, false) => return,
        };
        entry.approved = approved;
        if Some(&entry) != current.as_ref() {
            self.roster_set(user, entry);
        }
    }

    /// A subscription presence sent by session `a` (RFC 6121 §3.1.2, §3.1.5,
    /// §3.2.2, §3.3.2): stamped with the user's bare JID, addressed to the
    /// contact's bare JID, processed by table A.2 and, if routed, by the contact's
    /// side (table A.3).
    pub(crate) fn outbound_subscription(
        &mut self,
        a: SessionId,
        jid: &FullJid,
        kind: SubKind,
        mut presence: Presence,
        to: &Jid,
    ) {
        let user = jid.to_bare();
        let contact = match self.target(to) {
            Target::Account(bare) => bare,
            Target::Resource(full) => full.to_bare(),
            Target::Server => return,
            Target::Remote => {
                self.bounce_with(
                    a,
                    &Stanza::Presence(presence),
                    StanzaErrorCondition::RemoteServerNotFound,
                );
                return;
            }
        };
        if contact == user {
            // One's own presence needs no subscription.
            return;
        }
        let contact_jid = Jid::from(contact.clone());
        if let Verdict::Deny { blocked } = self.verdict(&user, Some(a), &contact_jid, Class::Other)
        {
            self.bounce(a, &Stanza::Presence(presence), blocked_error(blocked));
            return;
        }
        presence.from = Some(Jid::from(user.clone()));
        presence.to = Some(contact_jid);
        let state = self.sub_state(&user, &contact);
        let step = table::outbound(state, kind);
        let pre_approval = !step.route
            && kind == SubKind::Subscribed
            && matches!(
                state,
                SubState::None | SubState::NonePendingOut | SubState::To
            );
        let creates_item = (pre_approval
            || (step.route && (step.next.to() || step.next.from() || step.next.pending_out())))
            && self.roster_full_without(&user, &contact);
        if creates_item {
            // The roster limit holds for items the server creates too (§3.1.2,
            // §3.4), or a client could grow its stored roster without bound.
            self.bounce_with(
                a,
                &Stanza::Presence(presence),
                StanzaErrorCondition::ResourceConstraint,
            );
            return;
        }
        if !step.route {
            match kind {
                // §3.4: approving before being asked is a pre-approval.
                SubKind::Subscribed if pre_approval => {
                    self.set_approved(&user, &contact, true);
                }
                // Table A.2.4 note: an `unsubscribed` here cancels a pre-approval.
                SubKind::Unsubscribed if self.pre_approved(&user, &contact) => {
                    self.set_approved(&user, &contact, false);
                }
                _ => {}
            }
            return;
        }
        self.set_sub_state(&user, &contact, step.next, None);
        if kind == SubKind::Unsubscribed && state.from() {
            // §3.2.2: the contact stops seeing the user.
            self.send_unavailable_to_contact(&user, &contact);
        }
        self.inbound_subscription(&contact, &user, kind, presence);
        if kind == SubKind::Subscribed {
            // §3.1.5: the new subscriber gets the user's current presence.
            self.send_presence_to_contact(&user, &contact);
        }
    }

    /// A subscription presence of `kind` from `sender` arriving for local account
    /// `user` (RFC 6121 §3.1.3, §3.1.6, §3.2.3, §3.3.3; table A.3).
    pub(crate) fn inbound_subscription(
        &mut self,
        user: &BareJid,
        sender: &BareJid,
        kind: SubKind,
        stanza: Presence,
    ) {
        if !self.exists(user) {
            if kind == SubKind::Subscribe {
                // §3.1.3: no such contact — deny on its behalf.
                let reply = subscription_presence(SubKind::Unsubscribed, user, sender);
                self.inbound_subscription(sender, user, SubKind::Unsubscribed, reply);
            }
            return;
        }
        let sender_jid = Jid::from(sender.clone());
        let state = self.sub_state(user, sender);
        if !self.allows(user, None, &sender_jid, Class::Other) {
            // Blocked (XEP-0016, XEP-0191): no delivery and no reply. A cancellation
            // still ends the subscription (§3.2.3, §3.3.3), or the two sides would
            // disagree and an unblock would resume presence the contact cancelled.
            if matches!(kind, SubKind::Unsubscribe | SubKind::Unsubscribed) {
                let step = table::inbound(state, kind);
                self.set_sub_state(user, sender, step.next, None);
            }
            return;
        }
        if kind == SubKind::Subscribe
            && self.pre_approved(user, sender)
            && matches!(
                state,
                SubState::None | SubState::NonePendingOut | SubState::To
            )
        {
            // §3.4: approve on the user's behalf without bothering the user.
            let next = SubState::from_flags(state.to(), true, state.pending_out(), false);
            self.set_sub_state(user, sender, next, None);
            let reply = subscription_presence(SubKind::Subscribed, user, sender);
            self.inbound_subscription(sender, user, SubKind::Subscribed, reply);
            self.send_presence_to_contact(user, sender);
            return;
        }
        let step = table::inbound(state, kind);
        let starts_request =
            kind == SubKind::Subscribe && step.next.pending_in() && !state.pending_in();
        if starts_request {
            let pending = self.store.account(user).map_or(0, |a| a.pending_in.len());
            if pending >= self.config.limits.max_pending_subscriptions {
                return;
            }
        }
        let request = starts_request.then(|| stanza.clone());
        self.set_sub_state(user, sender, step.next, request);
        if step.deliver {
            for b in self.sessions.available_of(user) {
                if self.allows(user, Some(b), &sender_jid, Class::Other) {
                    self.deliver(b, stanza.clone());
                }
            }
        }
        if step.auto_reply_subscribed {
            let reply = subscription_presence(SubKind::Subscribed, user, sender);
            self.inbound_subscription(sender, user, SubKind::Subscribed, reply);
        }
        if kind == SubKind::Unsubscribe && state.from() {
            // §3.3.3: the former subscriber stops seeing the user.
            self.send_unavailable_to_contact(user, sender);
        }
    }

    /// Delivers the subscription requests waiting for `user` to its newly
    /// available session `a` (§3.1.3: until the user approves or denies them).
    pub(crate) fn redeliver_pending_requests(&mut self, a: SessionId, user: &BareJid) {
        let requests: Vec<(BareJid, Presence)> = self
            .store
            .account(user)
            .map(|acc| {
                acc.pending_in
                    .iter()
                    .map(|(c, p)| (c.clone(), p.clone()))
                    .collect()
            })
            .unwrap_or_default();
        for (contact, request) in requests {
            if self.allows(user, Some(a), &Jid::from(contact), Class::Other) {
                self.deliver(a, request);
            }
        }
    }
}
