//! [`Hub`]: the router's state without its entropy source — configuration, durable
//! store, sessions and the output queue — and the small helpers every protocol
//! module uses (commit a change, deliver a stanza, mint push ids, classify JIDs).

use xmpp_jid::{BareJid, FullJid, Jid};
use xmpp_stanza::Stanza;

use crate::change::Change;
use crate::config::RouterConfig;
use crate::ids::SessionId;
use crate::output::{Outbox, RouterOutput};
use crate::session::Sessions;
use crate::store::Store;

/// Everything the router holds except its entropy source.
#[derive(Debug)]
pub(crate) struct Hub {
    pub(crate) config: RouterConfig,
    pub(crate) store: Store,
    pub(crate) sessions: Sessions,
    pub(crate) out: Outbox,
    next_push: u64,
}

/// Where a JID points, seen from this server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// The served domain itself.
    Server,
    /// A bare JID of the served domain (the account may not exist).
    Account(BareJid),
    /// A full JID of the served domain.
    Resource(FullJid),
    /// Another domain (there is no server-to-server yet).
    Remote,
}

impl Hub {
    pub(crate) fn new(mut config: RouterConfig, store: Store) -> Hub {
        // Only the domainpart names the service.
        config.domain = config.domain.domain_jid();
        Hub {
            config,
            store,
            sessions: Sessions::default(),
            out: Outbox::default(),
            next_push: 0,
        }
    }

    /// Applies a durable change to the store and queues it for the host. Every
    /// durable mutation goes through here, so the emitted changes rebuild the
    /// store exactly.
    pub(crate) fn commit(&mut self, change: Change) {
        if self.store.apply(&change).is_ok() {
            self.out.push(RouterOutput::Persist(change));
        }
    }

    /// Queues `stanza` for `session`.
    pub(crate) fn deliver(&mut self, session: SessionId, stanza: impl Into<Stanza>) {
        self.out.deliver(session, stanza);
    }

    /// A fresh id for a server-generated request (roster, blocklist and privacy
    /// pushes).
    pub(crate) fn push_id(&mut self) -> String {
        self.next_push = self.next_push.wrapping_add(1);
        format!("push{}", self.next_push)
    }

    /// Whether `domain` is the served domain.
    pub(crate) fn is_local_domain(&self, domain: &str) -> bool {
        domain == self.config.domain.domain()
    }

    /// Where `jid` points.
    pub(crate) fn target(&self, jid: &Jid) -> Target {
        if !self.is_local_domain(jid.domain()) {
            return Target::Remote;
        }
        if jid.node().is_none() {
            // `domain/resource` addresses the server too (RFC 6120 §8.5 leaves it to
            // the server); there are no server resources, so treat it as the server.
            return Target::Server;
        }
        match jid.clone().try_into_full() {
            Ok(full) => Target::Resource(full),
            Err(bare) => Target::Account(bare.into_bare()),
        }
    }

    /// Whether an account exists.
    pub(crate) fn exists(&self, user: &BareJid) -> bool {
        self.store.account(user).is_some()
    }

    /// The bound full JID of a session.
    pub(crate) fn session_jid(&self, session: SessionId) -> Option<FullJid> {
        self.sessions.jid(session).cloned()
    }

    /// The last available presence a session broadcast (a copy).
    pub(crate) fn last_presence(&self, session: SessionId) -> Option<xmpp_stanza::Presence> {
        self.sessions
            .get(session)
            .and_then(|s| s.presence.as_deref().cloned())
    }

    /// The number of queued outputs (for tests and the host's back-pressure).
    pub(crate) fn queued(&self) -> usize {
        self.out.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::RouterOutput;

    fn hub() -> Hub {
        Hub::new(
            RouterConfig::new(BareJid::new("example.com").unwrap()),
            Store::default(),
        )
    }

    #[test]
    fn targets() {
        let h = hub();
        let t = |s: &str| h.target(&Jid::new(s).unwrap());
        assert_eq!(t("example.com"), Target::Server);
        assert_eq!(t("example.com/admin"), Target::Server);
        assert_eq!(
            t("Juliet@Example.COM"),
            Target::Account(BareJid::new("juliet@example.com").unwrap())
        );
        assert_eq!(
            t("juliet@example.com/balcony"),
            Target::Resource(FullJid::new("juliet@example.com/balcony").unwrap())
        );
        assert_eq!(t("juliet@example.org"), Target::Remote);
        assert_eq!(t("sub.example.com"), Target::Remote);
    }

    #[test]
    fn commit_applies_and_queues_or_neither() {
        let mut h = hub();
        let user = BareJid::new("a@example.com").unwrap();
        h.commit(Change::RosterVersion {
            user: user.clone(),
            version: 1,
        });
        assert_eq!(h.queued(), 0, "a change the store refuses is not emitted");
        h.commit(Change::AccountSet {
            user: user.clone(),
            keys: Vec::new(),
        });
        assert!(h.exists(&user));
        assert!(matches!(
            h.out.pop(),
            Some(RouterOutput::Persist(Change::AccountSet { .. }))
        ));
        assert_ne!(h.push_id(), h.push_id());
    }
}
