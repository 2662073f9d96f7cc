//! [`Router`]: the public face — inputs from sessions and the administrator,
//! outputs drained with [`Router::poll_output`], and loading and snapshotting
//! durable state.

use std::time::Instant;

use xmpp_jid::BareJid;
use xmpp_sasl::{Entropy, Mechanism, Password};
use xmpp_stanza::{Element, Stanza, StanzaError};

use crate::change::{Change, RosterEntry};
use crate::config::RouterConfig;
use crate::error::{AccountError, LoadError, RouterError};
use crate::flood::TokenBucket;
use crate::hub::Hub;
use crate::ids::{RequestId, SessionId};
use crate::output::RouterOutput;
use crate::session::{Phase, Session};
use crate::store::Store;
use crate::time::Timestamp;

/// The IO-free XMPP server core: owns accounts and sessions, routes stanzas, and
/// tells its host what to send, close, answer and persist. See the
/// [crate documentation](crate) for the contract and an example.
///
/// `E` is the injected randomness (server-generated resources, salts); the
/// router draws on nothing else.
pub struct Router<E> {
    hub: Hub,
    entropy: E,
}

impl<E> std::fmt::Debug for Router<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("domain", &self.hub.config.domain)
            .field("accounts", &self.hub.store.accounts.len())
            .field("queued_outputs", &self.hub.queued())
            .finish_non_exhaustive()
    }
}

impl<E: Entropy> Router<E> {
    /// A router with no accounts.
    pub fn new(config: RouterConfig, entropy: E) -> Router<E> {
        Router {
            hub: Hub::new(config, Store::default()),
            entropy,
        }
    }

    /// A router with the state that `changes` rebuild when applied in order: a log
    /// of every [`RouterOutput::Persist`] ever emitted, a [`Router::snapshot`], or rows
    /// read back from a database in that shape (accounts before what belongs to
    /// them). Emits nothing.
    pub fn load(
        config: RouterConfig,
        entropy: E,
        changes: impl IntoIterator<Item = Change>,
    ) -> Result<Router<E>, LoadError> {
        let mut store = Store::default();
        for (position, change) in changes.into_iter().enumerate() {
            let user = change.user();
            if user.domain() != config.domain.domain() || user.node().is_none() {
                return Err(LoadError::ForeignDomain {
                    position,
                    user: user.clone(),
                });
            }
            store
                .apply(&change)
                .map_err(|_| LoadError::UnknownAccount {
                    position,
                    user: change.user().clone(),
                })?;
        }
        Ok(Router {
            hub: Hub::new(config, store),
            entropy,
        })
    }

    /// The whole durable state as a compact sequence of changes (accounts in JID
    /// order, each followed by what belongs to it), such that
    /// [`Router::load`] of it rebuilds the same state.
    pub fn snapshot(&self) -> Vec<Change> {
        self.hub.store.snapshot()
    }

    /// The configuration.
    pub fn config(&self) -> &RouterConfig {
        &self.hub.config
    }

    /// The next output, or `None` when everything has been handed out. Call after
    /// every input until it returns `None`.
    pub fn poll_output(&mut self) -> Option<RouterOutput> {
        self.hub.out.pop()
    }

    // ----- administration -------------------------------------------------------

    /// Creates the account `username@domain` with SCRAM-SHA-1/-256/-512 keys
    /// derived from `password` (one salt from the entropy source; the password is
    /// not kept). Emits [`Change::AccountSet`].
    pub fn create_account(
        &mut self,
        username: &str,
        password: &Password,
    ) -> Result<BareJid, AccountError> {
        self.hub
            .create_account(username, password, &mut self.entropy)
    }

    /// Replaces the account's keys with ones derived from `password` (new salt).
    /// Sessions already authenticated stay. Emits [`Change::AccountSet`].
    pub fn set_password(
        &mut self,
        username: &str,
        password: &Password,
    ) -> Result<(), AccountError> {
        self.hub.set_password(username, password, &mut self.entropy)
    }

    /// Creates the account `user` or replaces its keys with `keys`, derived
    /// elsewhere: by an administration tool that wrote them to the database
    /// ([`DurableStore::account_updates`](crate::DurableStore::account_updates)).
    /// Sessions already authenticated stay. Emits [`Change::AccountSet`].
    pub fn set_account_keys(
        &mut self,
        user: &BareJid,
        keys: Vec<xmpp_sasl::scram::ScramKeys>,
    ) -> Result<(), AccountError> {
        self.hub.set_account_keys(user, keys)
    }

    /// Deletes the account: closes its sessions (`not-authorized`), cancels its
    /// subscriptions with local contacts, and emits [`Change::AccountDeleted`].
    pub fn delete_account(&mut self, username: &str) -> Result<(), AccountError> {
        self.hub.delete_account(username)
    }

    /// The accounts, in JID order.
    pub fn accounts(&self) -> Vec<BareJid> {
        self.hub.store.accounts.keys().cloned().collect()
    }

    /// An account's roster items, in contact order (`None`: no such account).
    pub fn roster(&self, user: &BareJid) -> Option<Vec<RosterEntry>> {
        self.hub
            .store
            .account(user)
            .map(|a| a.roster.values().cloned().collect())
    }

    /// An account's roster version (`None`: no such account).
    pub fn roster_version(&self, user: &BareJid) -> Option<u64> {
        self.hub.store.account(user).map(|a| a.roster_version)
    }

    /// An account's blocklist (XEP-0191), in the order blocked.
    pub fn blocklist(&self, user: &BareJid) -> Vec<xmpp_jid::Jid> {
        self.hub.blocklist(user)
    }

    /// How many messages are stored offline for an account.
    pub fn offline_count(&self, user: &BareJid) -> usize {
        self.hub.store.account(user).map_or(0, |a| a.offline.len())
    }

    /// How many sessions (in any phase, including closing ones) the router holds.
    pub fn session_count(&self) -> usize {
        self.hub.sessions.ids().len()
    }

    // ----- session inputs -------------------------------------------------------

    /// A connection was accepted; `session` names it from now on.
    pub fn open_session(&mut self, now: Instant, session: SessionId) -> Result<(), RouterError> {
        if self.hub.sessions.contains(session) {
            return Err(RouterError::SessionExists(session));
        }
        let flood = self
            .hub
            .config
            .limits
            .flood
            .map(|limit| TokenBucket::new(limit, now));
        self.hub.sessions.insert(session, Session::new(flood));
        Ok(())
    }

    /// The session's SASL machine asks for `authcid`'s credentials for
    /// `mechanism` (RFC 6120 §6.4, [`ServerEvent::CredentialsRequested`]); answered
    /// by [`RouterOutput::Credentials`] carrying `request` back. `request` is the
    /// connection's own id ([`RequestId`]; [`RequestId::from_raw`] when no
    /// connection stands behind the session).
    ///
    /// [`ServerEvent::CredentialsRequested`]: xmpp_core::ServerEvent::CredentialsRequested
    pub fn credentials_requested(
        &mut self,
        now: Instant,
        session: SessionId,
        request: RequestId,
        mechanism: Mechanism,
        authcid: &str,
        authzid: Option<&str>,
    ) -> Result<(), RouterError> {
        let _ = now;
        self.phase(session)?;
        let answer = self.hub.credentials(mechanism, authcid, authzid);
        self.hub.out.push(RouterOutput::Credentials {
            session,
            request,
            answer,
        });
        Ok(())
    }

    /// The session, authenticated as `username`, asks to bind `resource` (RFC 6120
    /// §7.7), or one the router generates when it is `None` (§7.6: random from the
    /// injected entropy, never one of the account's bound resources;
    /// [`ServerEvent::BindRequested`]); answered by [`RouterOutput::Bind`] carrying
    /// `request` (the connection's id) back, possibly preceded by closing an older
    /// session with the same full JID (`conflict`, §7.7.2.2).
    ///
    /// [`ServerEvent::BindRequested`]: xmpp_core::ServerEvent::BindRequested
    pub fn bind_requested(
        &mut self,
        now: Instant,
        session: SessionId,
        request: RequestId,
        username: &str,
        resource: Option<&str>,
    ) -> Result<(), RouterError> {
        let _ = now;
        match self.phase(session)? {
            Phase::Opened => {}
            Phase::Closing => return Ok(()),
            Phase::Bound | Phase::Online => return Err(RouterError::WrongPhase(session)),
        }
        let result = self
            .hub
            .bind(session, username, resource, &mut self.entropy)
            .map_err(StanzaError::new);
        self.hub.out.push(RouterOutput::Bind {
            session,
            request,
            result,
        });
        Ok(())
    }

    /// The session's connection is online with the bound resource: stanzas may
    /// now flow both ways.
    pub fn session_online(&mut self, now: Instant, session: SessionId) -> Result<(), RouterError> {
        let _ = now;
        match self.phase(session)? {
            Phase::Bound => {}
            Phase::Closing => return Ok(()),
            Phase::Opened | Phase::Online => return Err(RouterError::WrongPhase(session)),
        }
        if let Some(s) = self.hub.sessions.get_mut(session) {
            s.phase = Phase::Online;
        }
        Ok(())
    }

    /// A stanza from the session's client. `wall` is the current wall-clock time
    /// (stamped on the message if it is stored offline).
    ///
    /// `from` is trusted, not checked again (RFC 6120 §8.1.2.1): it is either the
    /// session's full JID, as a `ServerConnection` stamps every stanza of
    /// [`ServerEvent::Stanza`] after checking it with
    /// [`stamp_from`](xmpp_core::server::stamp_from) (what [`Host`](crate::Host)
    /// feeds), or absent — for hosts that build stanzas themselves and feed this
    /// method directly (tests, benchmarks, a bridge); the router stamps it then.
    /// Any other `from` is a bug in the glue: a debug assertion fails, and release
    /// builds stamp the session's JID over it. Input no connection checked goes to
    /// [`Router::element_received`].
    ///
    /// [`ServerEvent::Stanza`]: xmpp_core::ServerEvent::Stanza
    pub fn stanza_received(
        &mut self,
        now: Instant,
        wall: Timestamp,
        session: SessionId,
        stanza: Stanza,
    ) -> Result<(), RouterError> {
        self.phase(session)?;
        self.hub.stanza_from_session(now, wall, session, stanza);
        Ok(())
    }

    /// A first-level element from the session's client that has not been checked
    /// as a stanza, checked here in the order a `ServerConnection` checks it: a
    /// non-stanza closes the session with a stream error (RFC 6120 §4.9.3.10,
    /// §4.9.3.24); a `from` other than the session's full or bare JID closes it with
    /// `invalid-from` ([`stamp_from`](xmpp_core::server::stamp_from), the
    /// connection's own check, §8.1.2.1), and `from` is stamped; an invalid stanza
    /// is answered with the stanza error its defect calls for (§8.3); a valid one is
    /// routed like [`Router::stanza_received`].
    pub fn element_received(
        &mut self,
        now: Instant,
        wall: Timestamp,
        session: SessionId,
        element: Element,
    ) -> Result<(), RouterError> {
        self.phase(session)?;
        self.hub.element_from_session(now, wall, session, element);
        Ok(())
    }

    /// `stanza`, routed to `session` (an [`RouterOutput::Deliver`]), never reached its
    /// client: the host's queue for the connection was full (a client that does not
    /// read), or the connection ended with it still queued. The session is closed
    /// with `resource-constraint` if it still runs and receives nothing more, and the
    /// stanza is routed again as if that resource were gone: a message to the
    /// account's other resources or to offline storage, an IQ request answered with
    /// `recipient-unavailable`; bounced to its sender when it cannot be stored.
    /// Nothing routed is lost. Unknown sessions are fine (already closed).
    pub fn stanza_undelivered(
        &mut self,
        now: Instant,
        wall: Timestamp,
        session: SessionId,
        stanza: Stanza,
    ) {
        let _ = now;
        self.hub.handle_undelivered(session, stanza, wall);
    }

    /// The session's connection is gone (for whatever reason, including a close
    /// the router asked for). Broadcasts unavailable presence if it was available
    /// and forgets the session. Unknown sessions are ignored.
    pub fn session_closed(&mut self, now: Instant, session: SessionId) -> Result<(), RouterError> {
        let _ = now;
        if self.hub.sessions.contains(session) {
            self.hub.session_gone(session);
            self.hub.sessions.remove(session);
        }
        Ok(())
    }

    /// Whether `session` is open (in any phase, until reported closed).
    pub(crate) fn has_session(&self, session: SessionId) -> bool {
        self.hub.sessions.contains(session)
    }

    fn phase(&self, session: SessionId) -> Result<Phase, RouterError> {
        self.hub
            .sessions
            .get(session)
            .map(|s| s.phase)
            .ok_or(RouterError::UnknownSession(session))
    }
}
