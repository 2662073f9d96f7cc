//! Privacy lists (XEP-0016) and their enforcement: which list applies to a stanza
//! (the session's active list, else the account's default list), the verdict for a
//! peer, the `jabber:iq:privacy` protocol ([`iq`]) and the presence that must be
//! sent or withdrawn when a list change alters who sees whom ([`visibility`]).

pub(crate) mod eval;
pub(crate) mod iq;
pub(crate) mod visibility;

use xmpp_jid::{BareJid, Jid};
use xmpp_stanza::PrivacyList;

use crate::hub::Hub;
use crate::ids::SessionId;

pub(crate) use eval::{Class, Verdict};

impl Hub {
    /// The list that applies to `user`'s traffic through `session`: its active list,
    /// else the account's default list (XEP-0016 business rules 1 and 2). Without a
    /// session (offline storage, subscriptions, IQs to the bare JID) the default list.
    pub(crate) fn applicable_list(
        &self,
        user: &BareJid,
        session: Option<SessionId>,
    ) -> Option<&PrivacyList> {
        let account = self.store.account(user)?;
        let active = session
            .and_then(|id| self.sessions.get(id))
            .and_then(|s| s.active_list.as_ref())
            .and_then(|name| account.privacy_lists.get(name));
        active.or_else(|| account.default_privacy_list())
    }

    /// The verdict for traffic of `class` between `user` (through `session`) and
    /// `peer`. Traffic between a user's own resources is never blocked (XEP-0016
    /// §2, note on the 'action' attribute).
    pub(crate) fn verdict(
        &self,
        user: &BareJid,
        session: Option<SessionId>,
        peer: &Jid,
        class: Class,
    ) -> Verdict {
        if peer.node() == user.node() && peer.domain() == user.domain() {
            return Verdict::Allow;
        }
        let Some(list) = self.applicable_list(user, session) else {
            return Verdict::Allow;
        };
        let entry = self
            .store
            .account(user)
            .and_then(|a| a.roster.get(&peer.to_bare()));
        eval::decide(list, peer, entry, class)
    }

    /// Whether `user`'s traffic of `class` with `peer` is allowed.
    pub(crate) fn allows(
        &self,
        user: &BareJid,
        session: Option<SessionId>,
        peer: &Jid,
        class: Class,
    ) -> bool {
        self.verdict(user, session, peer, class).is_allow()
    }
}
