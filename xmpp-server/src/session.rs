//! Client sessions as the router sees them ([`Session`], [`Phase`]) and the registry
//! that finds them by id, by account and by full JID ([`Sessions`]).

use std::collections::{BTreeMap, BTreeSet};

use xmpp_jid::{BareJid, FullJid, Jid};
use xmpp_stanza::Presence;

use crate::flood::TokenBucket;
use crate::ids::SessionId;

/// Where a session is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Opened; authenticating or binding.
    Opened,
    /// A resource is bound; the connection is not online yet.
    Bound,
    /// Online: stanzas flow ("connected resource", RFC 6121 §1.3).
    Online,
    /// The router closed it and waits for the host to report the close.
    Closing,
}

/// One session.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub(crate) phase: Phase,
    /// The bound full JID (set from `Bound` on).
    pub(crate) jid: Option<FullJid>,
    /// The last available presence broadcast (stamped, without `to`); `None` while
    /// the resource is not available.
    pub(crate) presence: Option<Box<Presence>>,
    /// The priority of that presence.
    pub(crate) priority: i8,
    /// The session requested the roster ("interested resource", RFC 6121 §2.1.6).
    pub(crate) roster_interest: bool,
    /// The session asked for the roster with a version (RFC 6121 §2.6).
    pub(crate) roster_versioning: bool,
    /// The session requested the blocklist (XEP-0191 pushes go to it).
    pub(crate) blocklist_interest: bool,
    /// The session used the privacy list protocol.
    pub(crate) privacy_interest: bool,
    /// The active privacy list (XEP-0016), by name.
    pub(crate) active_list: Option<String>,
    /// Entities this session sent directed available presence to (RFC 6121 §4.6).
    pub(crate) directed: BTreeSet<Jid>,
    pub(crate) flood: Option<TokenBucket>,
}

impl Session {
    pub(crate) fn new(flood: Option<TokenBucket>) -> Session {
        Session {
            phase: Phase::Opened,
            jid: None,
            presence: None,
            priority: 0,
            roster_interest: false,
            roster_versioning: false,
            blocklist_interest: false,
            privacy_interest: false,
            active_list: None,
            directed: BTreeSet::new(),
            flood,
        }
    }

    /// Online and has sent initial presence ("available resource").
    pub(crate) fn is_available(&self) -> bool {
        self.phase == Phase::Online && self.presence.is_some()
    }

    pub(crate) fn is_online(&self) -> bool {
        self.phase == Phase::Online
    }
}

/// The bare part of a full JID's normalised string, without copying it.
fn bare_str(jid: &FullJid) -> &str {
    let full = jid.as_str();
    let end = full.len().saturating_sub(jid.resource().len() + 1);
    full.get(..end).unwrap_or(full)
}

/// All sessions, with an index from account to bound resources.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sessions {
    by_id: BTreeMap<SessionId, Session>,
    by_user: BTreeMap<BareJid, BTreeMap<String, SessionId>>,
    /// Reverse index of directed presence: account addressed → sessions that sent
    /// it directed presence.
    directed_to: BTreeMap<BareJid, BTreeSet<SessionId>>,
}

impl Sessions {
    pub(crate) fn insert(&mut self, id: SessionId, session: Session) {
        self.by_id.insert(id, session);
    }

    pub(crate) fn contains(&self, id: SessionId) -> bool {
        self.by_id.contains_key(&id)
    }

    pub(crate) fn get(&self, id: SessionId) -> Option<&Session> {
        self.by_id.get(&id)
    }

    pub(crate) fn get_mut(&mut self, id: SessionId) -> Option<&mut Session> {
        self.by_id.get_mut(&id)
    }

    /// Records `id` as bound to `jid`.
    pub(crate) fn bind(&mut self, id: SessionId, jid: FullJid) {
        self.by_user
            .entry(jid.to_bare())
            .or_default()
            .insert(jid.resource().to_owned(), id);
        if let Some(s) = self.by_id.get_mut(&id) {
            s.jid = Some(jid);
            s.phase = Phase::Bound;
        }
    }

    /// Forgets the resource of `id` (the session itself stays until removed).
    pub(crate) fn unbind(&mut self, id: SessionId) {
        let Some(jid) = self.by_id.get(&id).and_then(|s| s.jid.clone()) else {
            return;
        };
        let bare = jid.to_bare();
        if let Some(resources) = self.by_user.get_mut(&bare) {
            if resources.get(jid.resource()) == Some(&id) {
                resources.remove(jid.resource());
            }
            if resources.is_empty() {
                self.by_user.remove(&bare);
            }
        }
    }

    pub(crate) fn remove(&mut self, id: SessionId) -> Option<Session> {
        self.unbind(id);
        self.take_directed(id);
        self.by_id.remove(&id)
    }

    /// Records that `id` sent directed available presence to `to`.
    pub(crate) fn add_directed(&mut self, id: SessionId, to: Jid) {
        let Some(session) = self.by_id.get_mut(&id) else {
            return;
        };
        self.directed_to.entry(to.to_bare()).or_default().insert(id);
        session.directed.insert(to);
    }

    /// Forgets directed presence from `id` to `to`.
    pub(crate) fn remove_directed(&mut self, id: SessionId, to: &Jid) {
        let Some(session) = self.by_id.get_mut(&id) else {
            return;
        };
        session.directed.remove(to);
        let bare = to.to_bare();
        let still = session.directed.iter().any(|t| t.to_bare() == bare);
        if !still {
            self.unindex_directed(id, &bare);
        }
    }

    /// Forgets and returns every directed presence target of `id`.
    pub(crate) fn take_directed(&mut self, id: SessionId) -> BTreeSet<Jid> {
        let Some(session) = self.by_id.get_mut(&id) else {
            return BTreeSet::new();
        };
        let targets = std::mem::take(&mut session.directed);
        for target in &targets {
            self.unindex_directed(id, &target.to_bare());
        }
        targets
    }

    fn unindex_directed(&mut self, id: SessionId, bare: &BareJid) {
        if let Some(senders) = self.directed_to.get_mut(bare) {
            senders.remove(&id);
            if senders.is_empty() {
                self.directed_to.remove(bare);
            }
        }
    }

    /// The sessions that sent directed presence to `user` (bare or full JID).
    pub(crate) fn directed_to(&self, user: &BareJid) -> Vec<SessionId> {
        self.directed_to
            .get(user)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The session bound to exactly `jid`, in any phase.
    pub(crate) fn bound(&self, jid: &FullJid) -> Option<SessionId> {
        self.by_user
            .get(bare_str(jid))
            .and_then(|r| r.get(jid.resource()))
            .copied()
    }

    /// How many resources `user` has bound.
    pub(crate) fn resource_count(&self, user: &BareJid) -> usize {
        self.by_user.get(user).map_or(0, BTreeMap::len)
    }

    /// The online session bound to exactly `jid`.
    pub(crate) fn online(&self, jid: &FullJid) -> Option<SessionId> {
        self.bound(jid)
            .filter(|id| self.by_id.get(id).is_some_and(Session::is_online))
    }

    /// The sessions bound for `user`, in resource order.
    pub(crate) fn of_user(&self, user: &BareJid) -> Vec<SessionId> {
        self.by_user
            .get(user)
            .map(|r| r.values().copied().collect())
            .unwrap_or_default()
    }

    /// The online sessions of `user`, in resource order.
    pub(crate) fn online_of(&self, user: &BareJid) -> Vec<SessionId> {
        self.of_user(user)
            .into_iter()
            .filter(|id| self.by_id.get(id).is_some_and(Session::is_online))
            .collect()
    }

    /// The available sessions of `user`, in resource order.
    pub(crate) fn available_of(&self, user: &BareJid) -> Vec<SessionId> {
        self.of_user(user)
            .into_iter()
            .filter(|id| self.by_id.get(id).is_some_and(Session::is_available))
            .collect()
    }

    /// Every session, in id order.
    pub(crate) fn ids(&self) -> Vec<SessionId> {
        self.by_id.keys().copied().collect()
    }

    /// The full JID of an online session.
    pub(crate) fn jid(&self, id: SessionId) -> Option<&FullJid> {
        self.by_id.get(&id).and_then(|s| s.jid.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_part_of_a_full_jid() {
        let jid = FullJid::new("juliet@example.com/a/b@c").unwrap();
        assert_eq!(bare_str(&jid), "juliet@example.com");
        let mut sessions = Sessions::default();
        sessions.insert(SessionId(1), Session::new(None));
        sessions.bind(SessionId(1), jid.clone());
        assert_eq!(sessions.bound(&jid), Some(SessionId(1)));
        assert_eq!(sessions.resource_count(&jid.to_bare()), 1);
        let nurse = Jid::new("nurse@example.com/kitchen").unwrap();
        let nurse_bare = nurse.to_bare();
        sessions.add_directed(SessionId(1), nurse.clone());
        sessions.add_directed(SessionId(1), Jid::from(nurse_bare.clone()));
        assert_eq!(sessions.directed_to(&nurse_bare), [SessionId(1)]);
        sessions.remove_directed(SessionId(1), &nurse);
        assert_eq!(sessions.directed_to(&nurse_bare), [SessionId(1)]);
        sessions.remove(SessionId(1));
        assert_eq!(sessions.bound(&jid), None);
        assert_eq!(sessions.resource_count(&jid.to_bare()), 0);
        assert!(sessions.directed_to(&nurse_bare).is_empty());
    }
}
