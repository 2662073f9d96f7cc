//! Roster management (RFC 6121 §2): get with versioning (§2.6), set and remove
//! with their error cases (§2.3.3, §2.5.3), the subscription cancellations a
//! removal implies (§2.5.2), and roster pushes to interested resources (§2.1.6).

use xmpp_jid::{BareJid, FullJid, Jid};
use xmpp_stanza::{
    CompactStr, Element, Iq, IqPayload, Roster, RosterItem, Stanza, StanzaErrorCondition,
    Subscription,
};

use crate::change::{Change, RosterEntry, RosterSubscription};
use crate::hub::Hub;
use crate::ids::SessionId;
use crate::subscription::subscription_presence;
use crate::subscription::table::SubKind;

/// The wire form of a stored roster item.
pub(crate) fn to_item(entry: &RosterEntry) -> RosterItem {
    let mut item = RosterItem::new(Jid::from(entry.jid.clone()));
    item.name = entry.name.as_deref().map(CompactStr::from);
    item.subscription = Some(match entry.subscription {
        RosterSubscription::None => Subscription::None,
        RosterSubscription::To => Subscription::To,
        RosterSubscription::From => Subscription::From,
        RosterSubscription::Both => Subscription::Both,
    });
    item.ask = entry.ask;
    item.approved = entry.approved.then_some(true);
    item.groups = entry
        .groups
        .iter()
        .map(|g| CompactStr::from(g.as_str()))
        .collect();
    item
}

impl Hub {
    fn roster_version(&self, user: &BareJid) -> u64 {
        self.store.account(user).map_or(0, |a| a.roster_version)
    }

    /// Stores a new or changed item (bumping the version) and pushes it.
    pub(crate) fn roster_set(&mut self, user: &BareJid, entry: RosterEntry) {
        let version = self.roster_version(user).saturating_add(1);
        let item = to_item(&entry);
        self.commit(Change::RosterItemSet {
            user: user.clone(),
            item: entry,
            version,
        });
        self.push_roster(user, item);
    }

    /// Removes an item (bumping the version) and pushes the removal.
    fn roster_remove(&mut self, user: &BareJid, contact: &BareJid) {
        let version = self.roster_version(user).saturating_add(1);
        self.commit(Change::RosterItemRemoved {
            user: user.clone(),
            contact: contact.clone(),
            version,
        });
        let mut item = RosterItem::new(Jid::from(contact.clone()));
        item.subscription = Some(Subscription::Remove);
        self.push_roster(user, item);
    }

    /// A roster push of `item` to every interested resource of `user` (§2.1.6),
    /// with the version for those that use versioning (§2.6.3).
    fn push_roster(&mut self, user: &BareJid, item: RosterItem) {
        let ver = CompactStr::from(self.roster_version(user).to_string());
        for b in self.sessions.online_of(user) {
            let Some(session) = self.sessions.get(b) else {
                continue;
            };
            if !session.roster_interest {
                continue;
            }
            let versioned = session.roster_versioning;
            let Some(to) = session.jid.clone() else {
                continue;
            };
            let roster = Roster {
                ver: versioned.then(|| ver.clone()),
                items: vec![item.clone()],
                ..Roster::default()
            };
            let id = self.push_id();
            self.deliver(b, Iq::set(id, Element::from(roster)).with_to(Jid::from(to)));
        }
    }

    /// `jabber:iq:roster` get or set from session `a` to its own account.
    pub(crate) fn handle_roster_iq(
        &mut self,
        a: SessionId,
        jid: &FullJid,
        iq: Iq,
        query: &Element,
    ) {
        let roster = match Roster::try_from(query) {
            Ok(r) => r,
            Err(e) => {
                self.bounce_with(a, &Stanza::Iq(iq), e.condition());
                return;
            }
        };
        match iq.payload {
            IqPayload::Get(_) => self.roster_get(a, jid, &iq, roster),
            IqPayload::Set(_) => self.roster_update(a, jid, &iq, roster),
            IqPayload::Result(_) | IqPayload::Error { .. } => {}
        }
    }

    /// §2.2 and §2.6: the full roster, or an empty result when the client's
    /// version is current.
    fn roster_get(&mut self, a: SessionId, jid: &FullJid, iq: &Iq, request: Roster) {
        let user = jid.to_bare();
        let versioned = request.ver.is_some();
        if let Some(session) = self.sessions.get_mut(a) {
            session.roster_interest = true;
            session.roster_versioning = versioned;
        }
        let version = self.roster_version(&user).to_string();
        let payload = if request.ver.as_deref() == Some(version.as_str()) {
            None
        } else {
            let items = self
                .store
                .account(&user)
                .map(|acc| acc.roster.values().map(to_item).collect())
                .unwrap_or_default();
            Some(Element::from(Roster {
                ver: versioned.then(|| CompactStr::from(version)),
                items,
                ..Roster::default()
            }))
        };
        if let Some(reply) = iq.result_reply(payload) {
            self.deliver(a, reply);
        }
    }

    /// §2.3 (add), §2.4 (update), §2.5 (remove).
    fn roster_update(&mut self, a: SessionId, jid: &FullJid, iq: &Iq, request: Roster) {
        let user = jid.to_bare();
        let refuse =
            |hub: &mut Hub, condition| hub.bounce_with(a, &Stanza::Iq(iq.clone()), condition);
        let [item] = request.items.as_slice() else {
            // §2.3.3: exactly one item.
            refuse(self, StanzaErrorCondition::BadRequest);
            return;
        };
        let Ok(contact) = item.jid.clone().try_into_bare() else {
            refuse(self, StanzaErrorCondition::BadRequest);
            return;
        };
        if contact == user {
            refuse(self, StanzaErrorCondition::NotAllowed);
            return;
        }
        if item.subscription == Some(Subscription::Remove) {
            self.roster_delete(a, &user, &contact, iq);
            return;
        }
        // The 'subscription' (other than "remove"), 'ask' and 'approved' attributes
        // are server-controlled and ignored in a roster set (§2.1.2).
        let limits = &self.config.limits;
        let too_long = |s: &str| s.len() > limits.max_roster_text_len;
        if item.name.as_deref().is_some_and(too_long) || item.groups.iter().any(|g| too_long(g)) {
            refuse(self, StanzaErrorCondition::NotAcceptable);
            return;
        }
        if item.groups.len() > limits.max_groups_per_item {
            refuse(self, StanzaErrorCondition::NotAcceptable);
            return;
        }
        let (current, count) = self
            .store
            .account(&user)
            .map(|acc| (acc.roster.get(&contact).cloned(), acc.roster.len()))
            .unwrap_or((None, 0));
        if current.is_none() && count >= limits.max_roster_items {
            refuse(self, StanzaErrorCondition::ResourceConstraint);
            return;
        }
        let mut entry = current
            .clone()
            .unwrap_or_else(|| RosterEntry::new(contact.clone()));
        entry.name = item.name.as_ref().map(|n| n.to_string());
        entry.groups = item.groups.iter().map(|g| g.to_string()).collect();
        if current.as_ref() != Some(&entry) {
            self.roster_set(&user, entry);
        }
        if let Some(reply) = iq.result_reply(None) {
            self.deliver(a, reply);
        }
    }

    /// §2.5.2: removing an item cancels the subscriptions both ways (and any
    /// pending request) before the item goes.
    fn roster_delete(&mut self, a: SessionId, user: &BareJid, contact: &BareJid, iq: &Iq) {
        let exists = self
            .store
            .account(user)
            .is_some_and(|acc| acc.roster.contains_key(contact));
        if !exists {
            self.bounce_with(
                a,
                &Stanza::Iq(iq.clone()),
                StanzaErrorCondition::ItemNotFound,
            );
            return;
        }
        self.cancel_subscriptions(user, contact);
        self.roster_remove(user, contact);
        if let Some(reply) = iq.result_reply(None) {
            self.deliver(a, reply);
        }
    }

    /// Sends `unsubscribe` and `unsubscribed` to `contact` on `user`'s behalf as the
    /// state requires and clears `user`'s pending request from it, leaving the
    /// roster item itself to the caller. Used by roster removal and account
    /// deletion.
    pub(crate) fn cancel_subscriptions(&mut self, user: &BareJid, contact: &BareJid) {
        let state = self.sub_state(user, contact);
        let local = self.is_local_domain(contact.domain());
        if state.from() {
            self.send_unavailable_to_contact(user, contact);
        }
        if state.pending_in() {
            self.commit(Change::PendingInRemoved {
                user: user.clone(),
                contact: contact.clone(),
            });
        }
        if !local {
            return;
        }
        if state.to() || state.pending_out() {
            let p = subscription_presence(SubKind::Unsubscribe, user, contact);
            self.inbound_subscription(contact, user, SubKind::Unsubscribe, p);
        }
        if state.from() || state.pending_in() {
            let p = subscription_presence(SubKind::Unsubscribed, user, contact);
            self.inbound_subscription(contact, user, SubKind::Unsubscribed, p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_items_become_wire_items() {
        let mut entry = RosterEntry::new(BareJid::new("romeo@example.net").unwrap());
        entry.name = Some("Romeo".into());
        entry.groups = vec!["Friends".into(), "Lovers".into()];
        entry.subscription = RosterSubscription::From;
        entry.ask = true;
        entry.approved = false;
        let item = to_item(&entry);
        let xml = Element::from(Roster {
            items: vec![item],
            ..Roster::default()
        })
        .to_xml_in(&xmpp_stanza::NsContext::client())
        .unwrap();
        assert_eq!(
            xml,
            "<query xmlns='jabber:iq:roster'><item jid='romeo@example.net' name='Romeo' \
             subscription='from' ask='subscribe'><group>Friends</group><group>Lovers</group></item></query>"
        );
        entry.approved = true;
        assert_eq!(to_item(&entry).approved, Some(true));
    }
}
