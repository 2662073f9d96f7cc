//! Keeping presence consistent when a privacy list, the blocklist or an active or
//! default list changes: who saw whom before and after is compared, and the
//! difference is sent — unavailable presence where visibility ends (XEP-0016
//! "Blocking Outbound Presence Notifications", XEP-0191 §3.3), the current
//! presence where it begins (XEP-0191 §3.4).

use std::collections::BTreeSet;

use xmpp_jid::{BareJid, Jid};
use xmpp_stanza::{Presence, PresenceType};

use crate::hub::{Hub, Target};
use crate::ids::SessionId;

/// Pairs (sender session, receiving session) along which presence flows.
pub(crate) type Edges = BTreeSet<(SessionId, SessionId)>;

impl Hub {
    /// Every presence edge into or out of `user`'s available sessions.
    pub(crate) fn visibility(&self, user: &BareJid) -> Edges {
        let own = self.sessions.available_of(user);
        let mut peers: BTreeSet<SessionId> = BTreeSet::new();
        if let Some(account) = self.store.account(user) {
            for contact in account.roster.keys() {
                peers.extend(self.sessions.available_of(contact));
            }
        }
        for a in &own {
            let Some(session) = self.sessions.get(*a) else {
                continue;
            };
            for target in &session.directed {
                match self.target(target) {
                    Target::Account(bare) => peers.extend(self.sessions.available_of(&bare)),
                    Target::Resource(full) => peers.extend(self.sessions.online(&full)),
                    Target::Server | Target::Remote => {}
                }
            }
        }
        // Sessions of other accounts that sent `user` directed presence.
        peers.extend(self.sessions.directed_to(user));
        let mut edges = Edges::new();
        for a in &own {
            for p in &peers {
                if self.presence_edge(*a, *p) {
                    edges.insert((*a, *p));
                }
                if self.presence_edge(*p, *a) {
                    edges.insert((*p, *a));
                }
            }
        }
        edges
    }

    /// Sends what changed between two visibility snapshots.
    pub(crate) fn apply_visibility(&mut self, before: &Edges, after: &Edges) {
        for (a, b) in before.difference(after) {
            let (Some(from), Some(to)) = (self.session_jid(*a), self.session_jid(*b)) else {
                continue;
            };
            let mut p = Presence::of_type(PresenceType::Unavailable);
            p.from = Some(Jid::from(from));
            p.to = Some(Jid::from(to.to_bare()));
            self.deliver(*b, p);
        }
        for (a, b) in after.difference(before) {
            let Some(to) = self.session_jid(*b) else {
                continue;
            };
            if let Some(mut p) = self.last_presence(*a) {
                p.to = Some(Jid::from(to.to_bare()));
                self.deliver(*b, p);
            }
        }
    }
}
