//! Durable state as plain data: the [`Change`] records the router emits for its host
//! to persist, and the records they carry ([`RosterEntry`], [`RosterSubscription`],
//! [`OfflineMessage`]).
//!
//! Every mutation of durable state inside the router is made by applying a `Change`
//! to its in-memory store and queuing the same `Change` as
//! [`RouterOutput::Persist`](crate::RouterOutput::Persist); loading the emitted sequence into a
//! fresh router ([`Router::load`](crate::Router::load)) therefore rebuilds exactly
//! the same state. Each change is an idempotent upsert or delete keyed by the
//! account and one more key, so it maps onto one SQL statement on one row.

use xmpp_jid::BareJid;
use xmpp_sasl::scram::ScramKeys;
use xmpp_stanza::{Message, Presence, PrivacyList};

use crate::time::Timestamp;

/// One durable change. Hosts persist each in order (one transaction each is
/// enough) before handing out the outputs that follow it.
///
/// Deliberately exhaustive: this is the persistence schema, and every store must
/// handle every kind. A new kind is a compile error in each store's `match`
/// instead of a failure at run time.
///
/// Keys for an SQL schema: accounts by `user`; roster items by `(user, contact)`;
/// pending subscription requests by `(user, contact)`; privacy lists by
/// `(user, name)`; offline messages by `(user, id)` (ids are unique server-wide and
/// increase).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// An account was created or its password changed: store these SCRAM keys
    /// (salt, iteration count, StoredKey, ServerKey per hash; never a password).
    /// Other data of an existing account is unaffected.
    AccountSet {
        /// The account.
        user: BareJid,
        /// One set of keys per SCRAM hash.
        keys: Vec<ScramKeys>,
    },
    /// The account was deleted, with everything stored for it (roster, roster
    /// version, pending requests, privacy lists and default, offline messages).
    AccountDeleted {
        /// The account.
        user: BareJid,
    },
    /// A roster item was added or changed; the account's roster version is now
    /// `version`.
    RosterItemSet {
        /// The account whose roster it is.
        user: BareJid,
        /// The whole item (not a delta).
        item: RosterEntry,
        /// The roster version after the change (RFC 6121 §2.6).
        version: u64,
    },
    /// A roster item was removed; the account's roster version is now `version`.
    RosterItemRemoved {
        /// The account whose roster it is.
        user: BareJid,
        /// The contact removed.
        contact: BareJid,
        /// The roster version after the change.
        version: u64,
    },
    /// The account's roster version is `version` (emitted by
    /// [`Router::snapshot`](crate::Router::snapshot) so that a version survives a
    /// roster that became empty; versions never go back).
    RosterVersion {
        /// The account.
        user: BareJid,
        /// The roster version.
        version: u64,
    },
    /// A subscription request from `contact` waits for the user's answer (RFC 6121
    /// §3.1.3: the server keeps the complete stanza and delivers it again when the
    /// user next becomes available).
    PendingInSet {
        /// The account asked.
        user: BareJid,
        /// Who asks.
        contact: BareJid,
        /// The `subscribe` presence as received (from `contact`, to `user`).
        request: Presence,
    },
    /// The request from `contact` was answered or withdrawn.
    PendingInRemoved {
        /// The account asked.
        user: BareJid,
        /// Who asked.
        contact: BareJid,
    },
    /// A privacy list (XEP-0016) was created or replaced. The blocklist of XEP-0191
    /// is kept as the `jid`/`deny` items of the default list, so blocking and
    /// unblocking arrive as this change too.
    PrivacyListSet {
        /// The account.
        user: BareJid,
        /// The whole list, items in processing order.
        list: PrivacyList,
    },
    /// A privacy list was removed.
    PrivacyListRemoved {
        /// The account.
        user: BareJid,
        /// The list's name.
        name: String,
    },
    /// The account's default privacy list is now `name` (`None`: no default).
    DefaultPrivacyListSet {
        /// The account.
        user: BareJid,
        /// The default list's name.
        name: Option<String>,
    },
    /// A message was stored for delivery when the user next becomes available.
    OfflineStored {
        /// The recipient account.
        user: BareJid,
        /// The message and its id and arrival time.
        message: OfflineMessage,
    },
    /// A stored message was delivered (emitted after the delivery, so a crash in
    /// between delivers it twice rather than never) or dropped with its account.
    OfflineDeleted {
        /// The recipient account.
        user: BareJid,
        /// The message's id.
        id: u64,
    },
}

impl Change {
    /// The account the change concerns.
    pub fn user(&self) -> &BareJid {
        match self {
            Change::AccountSet { user, .. }
            | Change::AccountDeleted { user }
            | Change::RosterItemSet { user, .. }
            | Change::RosterItemRemoved { user, .. }
            | Change::RosterVersion { user, .. }
            | Change::PendingInSet { user, .. }
            | Change::PendingInRemoved { user, .. }
            | Change::PrivacyListSet { user, .. }
            | Change::PrivacyListRemoved { user, .. }
            | Change::DefaultPrivacyListSet { user, .. }
            | Change::OfflineStored { user, .. }
            | Change::OfflineDeleted { user, .. } => user,
        }
    }
}

/// The subscription state of a roster item (RFC 6121 §2.1.2.5), without the
/// pending flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum RosterSubscription {
    /// Neither side receives the other's presence.
    #[default]
    None,
    /// The user receives the contact's presence.
    To,
    /// The contact receives the user's presence.
    From,
    /// Both directions.
    Both,
}

impl RosterSubscription {
    /// The state with the two directions given.
    pub fn from_flags(to: bool, from: bool) -> RosterSubscription {
        match (to, from) {
            (false, false) => RosterSubscription::None,
            (true, false) => RosterSubscription::To,
            (false, true) => RosterSubscription::From,
            (true, true) => RosterSubscription::Both,
        }
    }

    /// Whether the user receives the contact's presence.
    pub fn to(self) -> bool {
        matches!(self, RosterSubscription::To | RosterSubscription::Both)
    }

    /// Whether the contact receives the user's presence.
    pub fn from(self) -> bool {
        matches!(self, RosterSubscription::From | RosterSubscription::Both)
    }

    /// The `subscription` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            RosterSubscription::None => "none",
            RosterSubscription::To => "to",
            RosterSubscription::From => "from",
            RosterSubscription::Both => "both",
        }
    }
}

/// One roster item as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterEntry {
    /// The contact.
    pub jid: BareJid,
    /// The handle the user gave the contact.
    pub name: Option<String>,
    /// The groups, distinct, in the order the user gave them.
    pub groups: Vec<String>,
    /// The subscription state.
    pub subscription: RosterSubscription,
    /// `ask='subscribe'`: the user's subscription request is pending ("Pending Out").
    pub ask: bool,
    /// The user pre-approved a subscription request from the contact (RFC 6121 §3.4).
    pub approved: bool,
}

impl RosterEntry {
    /// An item with no name, no groups and no subscription.
    pub fn new(jid: BareJid) -> RosterEntry {
        RosterEntry {
            jid,
            name: None,
            groups: Vec::new(),
            subscription: RosterSubscription::None,
            ask: false,
            approved: false,
        }
    }
}

/// A message stored for a user who was not available.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfflineMessage {
    /// Server-wide unique, increasing id (delivery order).
    pub id: u64,
    /// When it arrived; delivered as its XEP-0203 delay stamp.
    pub stamp: Timestamp,
    /// The message as routed (`from` the sender's full JID, `to` the user).
    pub message: Message,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_flags() {
        for (to, from, s) in [
            (false, false, "none"),
            (true, false, "to"),
            (false, true, "from"),
            (true, true, "both"),
        ] {
            let sub = RosterSubscription::from_flags(to, from);
            assert_eq!((sub.to(), sub.from(), sub.as_str()), (to, from, s));
        }
    }

    #[test]
    fn every_change_names_its_account() {
        let user = BareJid::new("a@example.com").unwrap();
        let c = Change::OfflineDeleted {
            user: user.clone(),
            id: 3,
        };
        assert_eq!(c.user(), &user);
    }
}
