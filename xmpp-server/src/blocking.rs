//! The blocking command (XEP-0191): blocklist retrieval, block, unblock and
//! unblock-all, with pushes to the resources that requested the blocklist.
//!
//! As XEP-0191 §2 asks of a server that also offers privacy lists, the blocklist
//! is stored in the default privacy list: each blocked JID is a `jid` item denying
//! every stanza, placed before the list's other items. When the account has no
//! default list, blocking creates one (named `blocklist`, or `blocklist-N` if that
//! name is taken). Enforcement is therefore the privacy lists' (see
//! [`crate::privacy`]).

use std::collections::BTreeSet;

use xmpp_jid::{BareJid, FullJid, Jid};
use xmpp_stanza::{
    Blocking, CompactStr, Element, Iq, IqPayload, PrivacyItem, PrivacyItemType, PrivacyList,
    PrivacyStanzas, Stanza, StanzaErrorCondition,
};

use crate::change::Change;
use crate::hub::Hub;
use crate::ids::SessionId;
use crate::privacy::eval::is_block_item;

/// The blocked JIDs of a list, in item order.
fn blocked_jids(list: &PrivacyList) -> Vec<Jid> {
    list.items
        .iter()
        .filter(|i| is_block_item(i))
        .filter_map(|i| i.value.as_deref().and_then(|v| Jid::new(v).ok()))
        .collect()
}

fn block_item(jid: &Jid, order: u32) -> PrivacyItem {
    PrivacyItem {
        kind: Some(PrivacyItemType::Jid),
        value: Some(CompactStr::from(jid.as_str())),
        allow: false,
        order,
        stanzas: PrivacyStanzas::default(),
    }
}

/// `list` with block items for `jids` in front of its items, renumbered only when
/// there is no room below the first order.
fn with_blocked(list: &PrivacyList, jids: &[Jid]) -> PrivacyList {
    let mut items = list.items.clone();
    items.sort_by_key(|i| i.order);
    let count = u32::try_from(jids.len()).unwrap_or(u32::MAX);
    let first = items.first().map_or(count, |i| i.order);
    let mut out: Vec<PrivacyItem>;
    if first >= count {
        let start = first - count;
        out = jids
            .iter()
            .zip(start..)
            .map(|(j, order)| block_item(j, order))
            .collect();
        out.extend(items);
    } else {
        out = jids.iter().map(|j| block_item(j, 0)).collect();
        out.extend(items);
        for (item, order) in out.iter_mut().zip(0u32..) {
            item.order = order;
        }
    }
    PrivacyList {
        name: list.name.clone(),
        items: out,
    }
}

impl Hub {
    /// The account's blocklist (the blocked JIDs of its default privacy list).
    pub(crate) fn blocklist(&self, user: &BareJid) -> Vec<Jid> {
        self.store
            .account(user)
            .and_then(|acc| acc.default_privacy_list())
            .map(blocked_jids)
            .unwrap_or_default()
    }

    /// A `urn:xmpp:blocking` request from session `a` to its own account.
    pub(crate) fn handle_blocking_iq(
        &mut self,
        a: SessionId,
        jid: &FullJid,
        iq: Iq,
        payload: &Element,
    ) {
        let command = match Blocking::try_from(payload) {
            Ok(c) => c,
            Err(e) => {
                self.bounce_with(a, &Stanza::Iq(iq), e.condition());
                return;
            }
        };
        let user = jid.to_bare();
        let result = match (&iq.payload, command) {
            (IqPayload::Get(_), Blocking::Blocklist(_)) => {
                if let Some(session) = self.sessions.get_mut(a) {
                    session.blocklist_interest = true;
                }
                Ok(Some(Element::from(Blocking::Blocklist(
                    self.blocklist(&user),
                ))))
            }
            (IqPayload::Set(_), Blocking::Block(jids)) => self.block(&user, jids).map(|()| None),
            (IqPayload::Set(_), Blocking::Unblock(jids)) => {
                self.unblock(&user, jids).map(|()| None)
            }
            _ => Err(StanzaErrorCondition::BadRequest),
        };
        match result {
            Ok(payload) => {
                if let Some(reply) = iq.result_reply(payload) {
                    self.deliver(a, reply);
                }
            }
            Err(condition) => self.bounce_with(a, &Stanza::Iq(iq), condition),
        }
    }

    /// The default list to hold the blocklist, creating (and making default) an
    /// empty one when there is none.
    fn blocklist_holder(&mut self, user: &BareJid) -> Result<PrivacyList, StanzaErrorCondition> {
        let account = self
            .store
            .account(user)
            .ok_or(StanzaErrorCondition::ItemNotFound)?;
        if let Some(list) = account.default_privacy_list() {
            return Ok(list.clone());
        }
        if account.privacy_lists.len() >= self.config.limits.max_privacy_lists {
            return Err(StanzaErrorCondition::ResourceConstraint);
        }
        let name = std::iter::once("blocklist".to_owned())
            .chain((1..=account.privacy_lists.len() + 1).map(|n| format!("blocklist-{n}")))
            .find(|n| !account.privacy_lists.contains_key(n))
            .ok_or(StanzaErrorCondition::ResourceConstraint)?;
        Ok(PrivacyList {
            name: CompactStr::from(name),
            items: Vec::new(),
        })
    }

    /// Stores `list` as the default list and sends the pushes and presence changes.
    fn store_blocklist(&mut self, user: &BareJid, list: PrivacyList, push: Blocking) {
        let before = self.visibility(user);
        let name = list.name.to_string();
        let is_default = self
            .store
            .account(user)
            .is_some_and(|acc| acc.default_list.as_deref() == Some(name.as_str()));
        self.commit(Change::PrivacyListSet {
            user: user.clone(),
            list,
        });
        if !is_default {
            self.commit(Change::DefaultPrivacyListSet {
                user: user.clone(),
                name: Some(name.clone()),
            });
        }
        self.push_blocking(user, push);
        self.push_privacy_list(user, &name, true);
        let after = self.visibility(user);
        self.apply_visibility(&before, &after);
    }

    /// XEP-0191 §3.3 "User Blocks Contact".
    fn block(&mut self, user: &BareJid, jids: Vec<Jid>) -> Result<(), StanzaErrorCondition> {
        let list = self.blocklist_holder(user)?;
        let already: BTreeSet<Jid> = blocked_jids(&list).into_iter().collect();
        let mut new: Vec<Jid> = Vec::new();
        for j in &jids {
            if !already.contains(j) && !new.contains(j) {
                new.push(j.clone());
            }
        }
        if list.items.len() + new.len() > self.config.limits.max_privacy_items {
            return Err(StanzaErrorCondition::ResourceConstraint);
        }
        let updated = with_blocked(&list, &new);
        self.store_blocklist(user, updated, Blocking::Block(jids));
        Ok(())
    }

    /// XEP-0191 §3.4 and §3.5: unblock some JIDs, or all when `jids` is empty.
    fn unblock(&mut self, user: &BareJid, jids: Vec<Jid>) -> Result<(), StanzaErrorCondition> {
        let Some(list) = self
            .store
            .account(user)
            .and_then(|acc| acc.default_privacy_list())
            .cloned()
        else {
            // Nothing is blocked; still tell the interested resources.
            self.push_blocking(user, Blocking::Unblock(jids));
            return Ok(());
        };
        let unblocks = |item: &PrivacyItem| {
            is_block_item(item)
                && (jids.is_empty()
                    || item
                        .value
                        .as_deref()
                        .and_then(|v| Jid::new(v).ok())
                        .is_some_and(|j| jids.contains(&j)))
        };
        let updated = PrivacyList {
            name: list.name.clone(),
            items: list
                .items
                .iter()
                .filter(|i| !unblocks(i))
                .cloned()
                .collect(),
        };
        self.store_blocklist(user, updated, Blocking::Unblock(jids));
        Ok(())
    }

    /// A block or unblock push to every resource that requested the blocklist.
    fn push_blocking(&mut self, user: &BareJid, push: Blocking) {
        for b in self.sessions.online_of(user) {
            let Some(session) = self.sessions.get(b) else {
                continue;
            };
            if !session.blocklist_interest {
                continue;
            }
            let Some(to) = session.jid.clone() else {
                continue;
            };
            let id = self.push_id();
            self.deliver(
                b,
                Iq::set(id, Element::from(push.clone())).with_to(Jid::from(to)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(s: &str) -> Jid {
        Jid::new(s).unwrap()
    }

    fn list(orders: &[u32]) -> PrivacyList {
        PrivacyList {
            name: "l".into(),
            items: orders
                .iter()
                .map(|o| PrivacyItem {
                    kind: None,
                    value: None,
                    allow: true,
                    order: *o,
                    stanzas: PrivacyStanzas::default(),
                })
                .collect(),
        }
    }

    #[test]
    fn block_items_go_first_without_renumbering_when_there_is_room() {
        let out = with_blocked(&list(&[10, 20]), &[jid("a@x"), jid("b@x")]);
        let orders: Vec<u32> = out.items.iter().map(|i| i.order).collect();
        assert_eq!(orders, [8, 9, 10, 20]);
        assert_eq!(blocked_jids(&out), [jid("a@x"), jid("b@x")]);
    }

    #[test]
    fn block_items_renumber_when_needed() {
        let out = with_blocked(&list(&[1, 5]), &[jid("a@x"), jid("b@x")]);
        let orders: Vec<u32> = out.items.iter().map(|i| i.order).collect();
        assert_eq!(orders, [0, 1, 2, 3]);
        assert!(is_block_item(&out.items[0]) && !is_block_item(&out.items[2]));
        let empty = with_blocked(&list(&[]), &[jid("a@x")]);
        assert_eq!(empty.items[0].order, 0);
    }
}
