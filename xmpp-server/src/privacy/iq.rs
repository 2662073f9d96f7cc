//! The `jabber:iq:privacy` protocol (XEP-0016 §2): retrieving list names and
//! lists, setting the session's active list and the account's default list,
//! creating, replacing and removing lists, with the `conflict` rules for lists in
//! use by other resources and privacy list pushes to every connected resource.

use xmpp_jid::{BareJid, FullJid, Jid};
use xmpp_stanza::{
    CompactStr, Element, Iq, IqPayload, Namespace, Privacy, PrivacyItemType, PrivacyList, Stanza,
    StanzaErrorCondition, ns,
};

use crate::change::Change;
use crate::hub::Hub;
use crate::ids::SessionId;

impl Hub {
    /// A `jabber:iq:privacy` get or set from session `a` to its own account.
    pub(crate) fn handle_privacy_iq(
        &mut self,
        a: SessionId,
        jid: &FullJid,
        iq: Iq,
        query: &Element,
    ) {
        let request = match Privacy::try_from(query) {
            Ok(p) => p,
            Err(e) => {
                self.bounce_with(a, &Stanza::Iq(iq), e.condition());
                return;
            }
        };
        if let Some(session) = self.sessions.get_mut(a) {
            session.privacy_interest = true;
        }
        let user = jid.to_bare();
        let result = match iq.payload {
            IqPayload::Get(_) => self.privacy_get(a, &user, request),
            IqPayload::Set(_) => self.privacy_set(a, &user, request),
            IqPayload::Result(_) | IqPayload::Error { .. } => return,
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

    /// "Retrieving One's Privacy Lists": the names (with the active and default
    /// list), or one list.
    fn privacy_get(
        &self,
        a: SessionId,
        user: &BareJid,
        request: Privacy,
    ) -> Result<Option<Element>, StanzaErrorCondition> {
        if request.active.is_some() || request.default.is_some() || request.lists.len() > 1 {
            return Err(StanzaErrorCondition::BadRequest);
        }
        let account = self
            .store
            .account(user)
            .ok_or(StanzaErrorCondition::ItemNotFound)?;
        let mut answer = Privacy::default();
        if let Some(wanted) = request.lists.first() {
            let list = account
                .privacy_lists
                .get(wanted.name.as_str())
                .ok_or(StanzaErrorCondition::ItemNotFound)?;
            answer.lists.push(list.clone());
        } else {
            let active = self.sessions.get(a).and_then(|s| s.active_list.clone());
            answer.active = active.map(|n| Some(CompactStr::from(n)));
            answer.default = account
                .default_list
                .as_ref()
                .map(|n| Some(CompactStr::from(n.as_str())));
            answer.lists = account
                .privacy_lists
                .values()
                .map(|l| PrivacyList {
                    name: l.name.clone(),
                    items: Vec::new(),
                })
                .collect();
        }
        Ok(Some(Element::from(answer)))
    }

    /// The other online sessions of `user` that `name` currently applies to (as
    /// their active list, or as the default when they have none).
    fn list_in_use_elsewhere(&self, a: SessionId, user: &BareJid, name: &str) -> bool {
        let default = self
            .store
            .account(user)
            .and_then(|acc| acc.default_list.as_deref());
        self.sessions.online_of(user).into_iter().any(|b| {
            b != a
                && self.sessions.get(b).is_some_and(|s| match &s.active_list {
                    Some(active) => active == name,
                    None => default == Some(name),
                })
        })
    }

    fn privacy_set(
        &mut self,
        a: SessionId,
        user: &BareJid,
        request: Privacy,
    ) -> Result<Option<Element>, StanzaErrorCondition> {
        let children = usize::from(request.active.is_some())
            + usize::from(request.default.is_some())
            + request.lists.len();
        if children != 1 {
            return Err(StanzaErrorCondition::BadRequest);
        }
        let exists = |hub: &Hub, name: &str| {
            hub.store
                .account(user)
                .is_some_and(|acc| acc.privacy_lists.contains_key(name))
        };
        let before = self.visibility(user);
        if let Some(active) = request.active {
            // "Managing Active Lists".
            if let Some(name) = &active
                && !exists(self, name)
            {
                return Err(StanzaErrorCondition::ItemNotFound);
            }
            if let Some(session) = self.sessions.get_mut(a) {
                session.active_list = active.map(|n| n.to_string());
            }
        } else if let Some(default) = request.default {
            // "Managing the Default List".
            if let Some(name) = &default
                && !exists(self, name)
            {
                return Err(StanzaErrorCondition::ItemNotFound);
            }
            let current = self
                .store
                .account(user)
                .and_then(|acc| acc.default_list.clone());
            let wanted = default.map(|n| n.to_string());
            if current != wanted
                && let Some(current) = &current
                && self.list_in_use_elsewhere(a, user, current)
            {
                return Err(StanzaErrorCondition::Conflict);
            }
            if current != wanted {
                self.commit(Change::DefaultPrivacyListSet {
                    user: user.clone(),
                    name: wanted,
                });
            }
        } else if let Some(list) = request.lists.into_iter().next() {
            let name = list.name.to_string();
            if list.items.is_empty() {
                self.remove_privacy_list(a, user, &name)?;
            } else {
                self.check_list(user, &list)?;
                self.commit(Change::PrivacyListSet {
                    user: user.clone(),
                    list,
                });
            }
            self.push_privacy_list(user, &name, false);
        }
        let after = self.visibility(user);
        self.apply_visibility(&before, &after);
        Ok(None)
    }

    /// "Removing a Privacy List".
    fn remove_privacy_list(
        &mut self,
        a: SessionId,
        user: &BareJid,
        name: &str,
    ) -> Result<(), StanzaErrorCondition> {
        let account = self
            .store
            .account(user)
            .ok_or(StanzaErrorCondition::ItemNotFound)?;
        if !account.privacy_lists.contains_key(name) {
            return Err(StanzaErrorCondition::ItemNotFound);
        }
        let was_default = account.default_list.as_deref() == Some(name);
        if self.list_in_use_elsewhere(a, user, name) {
            return Err(StanzaErrorCondition::Conflict);
        }
        self.commit(Change::PrivacyListRemoved {
            user: user.clone(),
            name: name.to_owned(),
        });
        if was_default {
            self.commit(Change::DefaultPrivacyListSet {
                user: user.clone(),
                name: None,
            });
        }
        if let Some(session) = self.sessions.get_mut(a)
            && session.active_list.as_deref() == Some(name)
        {
            session.active_list = None;
        }
        Ok(())
    }

    /// The limits, and XEP-0016 §2: a `group` item must name a roster group.
    fn check_list(&self, user: &BareJid, list: &PrivacyList) -> Result<(), StanzaErrorCondition> {
        let limits = &self.config.limits;
        let account = self
            .store
            .account(user)
            .ok_or(StanzaErrorCondition::ItemNotFound)?;
        if list.name.len() > limits.max_privacy_name_len
            || list.items.len() > limits.max_privacy_items
        {
            return Err(StanzaErrorCondition::NotAcceptable);
        }
        if !account.privacy_lists.contains_key(list.name.as_str())
            && account.privacy_lists.len() >= limits.max_privacy_lists
        {
            return Err(StanzaErrorCondition::ResourceConstraint);
        }
        for item in &list.items {
            if item.kind == Some(PrivacyItemType::Group) {
                let group = item.value.as_deref().unwrap_or_default();
                let known = account
                    .roster
                    .values()
                    .any(|e| e.groups.iter().any(|g| g == group));
                if !known {
                    return Err(StanzaErrorCondition::ItemNotFound);
                }
            }
        }
        Ok(())
    }

    /// A privacy list push (XEP-0016 business rule 10): the list name, to every
    /// connected resource — or, when `only_interested` (the change came from the
    /// blocking command), to those that used the privacy protocol.
    pub(crate) fn push_privacy_list(&mut self, user: &BareJid, name: &str, only_interested: bool) {
        let ns = Namespace::from_static(ns::PRIVACY);
        for b in self.sessions.online_of(user) {
            let Some(session) = self.sessions.get(b) else {
                continue;
            };
            if only_interested && !session.privacy_interest {
                continue;
            }
            let Some(to) = session.jid.clone() else {
                continue;
            };
            let query = Element::new("query", ns.clone())
                .with_child(Element::new("list", ns.clone()).with_attr("name", name));
            let id = self.push_id();
            self.deliver(b, Iq::set(id, query).with_to(Jid::from(to)));
        }
    }
}
