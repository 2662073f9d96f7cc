//! The durable state in memory ([`Store`], [`AccountState`]): changed only by
//! applying a [`Change`], which is also how saved state is loaded, and turned back
//! into a compact sequence of changes by [`Store::snapshot`].

use std::collections::BTreeMap;

use xmpp_jid::BareJid;
use xmpp_sasl::scram::ScramKeys;
use xmpp_stanza::{Presence, PrivacyList};

use crate::change::{Change, OfflineMessage, RosterEntry};
use crate::offline::message_bytes;

/// Everything stored for one account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AccountState {
    pub(crate) keys: Vec<ScramKeys>,
    pub(crate) roster: BTreeMap<BareJid, RosterEntry>,
    pub(crate) roster_version: u64,
    pub(crate) pending_in: BTreeMap<BareJid, Presence>,
    pub(crate) privacy_lists: BTreeMap<String, PrivacyList>,
    pub(crate) default_list: Option<String>,
    pub(crate) offline: BTreeMap<u64, OfflineMessage>,
    /// The serialised size of `offline`, kept up to date by [`Store::apply`] (not
    /// stored: derived from the messages).
    pub(crate) offline_bytes: usize,
}

impl AccountState {
    /// The default privacy list, if one is set and exists.
    pub(crate) fn default_privacy_list(&self) -> Option<&PrivacyList> {
        self.default_list
            .as_ref()
            .and_then(|name| self.privacy_lists.get(name))
    }
}

/// Why a change could not be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ApplyError {
    UnknownAccount,
}

/// All accounts, by bare JID.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Store {
    pub(crate) accounts: BTreeMap<BareJid, AccountState>,
    /// The next offline message id (one more than the highest seen).
    pub(crate) next_offline_id: u64,
}

impl Store {
    pub(crate) fn account(&self, user: &BareJid) -> Option<&AccountState> {
        self.accounts.get(user)
    }

    /// Applies one change; every change is an idempotent upsert or delete.
    pub(crate) fn apply(&mut self, change: &Change) -> Result<(), ApplyError> {
        if let Change::AccountSet { user, keys } = change {
            self.accounts.entry(user.clone()).or_default().keys = keys.clone();
            return Ok(());
        }
        if let Change::AccountDeleted { user } = change {
            self.accounts.remove(user);
            return Ok(());
        }
        if let Change::OfflineStored { message, .. } = change {
            self.next_offline_id = self.next_offline_id.max(message.id.saturating_add(1));
        }
        let account = self
            .accounts
            .get_mut(change.user())
            .ok_or(ApplyError::UnknownAccount)?;
        match change {
            Change::AccountSet { .. } | Change::AccountDeleted { .. } => {}
            Change::RosterItemSet { item, version, .. } => {
                account.roster.insert(item.jid.clone(), item.clone());
                account.roster_version = account.roster_version.max(*version);
            }
            Change::RosterItemRemoved {
                contact, version, ..
            } => {
                account.roster.remove(contact);
                account.roster_version = account.roster_version.max(*version);
            }
            Change::RosterVersion { version, .. } => {
                account.roster_version = account.roster_version.max(*version);
            }
            Change::PendingInSet {
                contact, request, ..
            } => {
                account.pending_in.insert(contact.clone(), request.clone());
            }
            Change::PendingInRemoved { contact, .. } => {
                account.pending_in.remove(contact);
            }
            Change::PrivacyListSet { list, .. } => {
                let mut list = list.clone();
                list.items.sort_by_key(|i| i.order);
                account.privacy_lists.insert(list.name.to_string(), list);
            }
            Change::PrivacyListRemoved { name, .. } => {
                account.privacy_lists.remove(name);
            }
            Change::DefaultPrivacyListSet { name, .. } => {
                account.default_list = name.clone();
            }
            Change::OfflineStored { message, .. } => {
                if let Some(old) = account.offline.insert(message.id, message.clone()) {
                    account.offline_bytes = account
                        .offline_bytes
                        .saturating_sub(message_bytes(&old.message));
                }
                account.offline_bytes = account
                    .offline_bytes
                    .saturating_add(message_bytes(&message.message));
            }
            Change::OfflineDeleted { id, .. } => {
                if let Some(old) = account.offline.remove(id) {
                    account.offline_bytes = account
                        .offline_bytes
                        .saturating_sub(message_bytes(&old.message));
                }
            }
        }
        Ok(())
    }

    /// The whole state as changes that rebuild it when applied to an empty store:
    /// per account (in JID order) its keys, roster version, roster items, pending
    /// requests, privacy lists, default list and offline messages.
    pub(crate) fn snapshot(&self) -> Vec<Change> {
        let mut out = Vec::new();
        for (user, account) in &self.accounts {
            let user = || user.clone();
            out.push(Change::AccountSet {
                user: user(),
                keys: account.keys.clone(),
            });
            out.push(Change::RosterVersion {
                user: user(),
                version: account.roster_version,
            });
            for item in account.roster.values() {
                out.push(Change::RosterItemSet {
                    user: user(),
                    item: item.clone(),
                    version: account.roster_version,
                });
            }
            for (contact, request) in &account.pending_in {
                out.push(Change::PendingInSet {
                    user: user(),
                    contact: contact.clone(),
                    request: request.clone(),
                });
            }
            for list in account.privacy_lists.values() {
                out.push(Change::PrivacyListSet {
                    user: user(),
                    list: list.clone(),
                });
            }
            if account.default_list.is_some() {
                out.push(Change::DefaultPrivacyListSet {
                    user: user(),
                    name: account.default_list.clone(),
                });
            }
            for message in account.offline.values() {
                out.push(Change::OfflineStored {
                    user: user(),
                    message: message.clone(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::RosterSubscription;
    use crate::time::Timestamp;
    use xmpp_stanza::Message;

    fn jid(s: &str) -> BareJid {
        BareJid::new(s).unwrap()
    }

    #[test]
    fn changes_need_the_account_first() {
        let mut store = Store::default();
        let change = Change::RosterVersion {
            user: jid("a@x"),
            version: 3,
        };
        assert_eq!(store.apply(&change), Err(ApplyError::UnknownAccount));
        store
            .apply(&Change::AccountSet {
                user: jid("a@x"),
                keys: Vec::new(),
            })
            .unwrap();
        store.apply(&change).unwrap();
        assert_eq!(store.account(&jid("a@x")).unwrap().roster_version, 3);
    }

    #[test]
    fn snapshot_rebuilds_the_same_store() {
        let mut store = Store::default();
        let user = jid("a@x");
        let mut item = RosterEntry::new(jid("b@x"));
        item.subscription = RosterSubscription::Both;
        let changes = [
            Change::AccountSet {
                user: user.clone(),
                keys: Vec::new(),
            },
            Change::RosterItemSet {
                user: user.clone(),
                item,
                version: 4,
            },
            Change::RosterItemRemoved {
                user: user.clone(),
                contact: jid("b@x"),
                version: 5,
            },
            Change::OfflineStored {
                user: user.clone(),
                message: OfflineMessage {
                    id: 7,
                    stamp: Timestamp::from_unix_millis(1),
                    message: Message::new(),
                },
            },
        ];
        for c in &changes {
            store.apply(c).unwrap();
        }
        let mut rebuilt = Store::default();
        for c in store.snapshot() {
            rebuilt.apply(&c).unwrap();
        }
        assert_eq!(rebuilt, store);
        assert_eq!(rebuilt.account(&user).unwrap().roster_version, 5);
        assert_eq!(rebuilt.next_offline_id, 8);
    }
}
