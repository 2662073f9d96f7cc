//! [`Host`]: the IO-free glue between many `xmpp_core::ServerConnection`s and one
//! [`Router`] — connection events in, connection commands and durable changes out —
//! so that every runtime (tokio, smol, a test loop) drives the router the same way.
//!
//! It implements the mapping table of the [crate documentation](crate): the
//! connection's request ids ([`xmpp_core::RequestId`]) go to the router and come
//! back in its answers unchanged (a request is named by `(SessionId, RequestId)`),
//! a bind request that names no resource lets the router choose it (RFC 6120 §7.6),
//! and each router [`RouterOutput`] becomes one [`Action`] in the same order — so the
//! ordering rule for [`RouterOutput::Persist`] carries over unchanged: make each
//! [`Action::Persist`] durable before acting on any later action.

use std::time::Instant;

use xmpp_core::{ServerCommand, ServerEvent};
use xmpp_jid::FullJid;
use xmpp_sasl::Entropy;
use xmpp_stanza::{Element, Stanza};

use crate::change::Change;
use crate::error::RouterError;
use crate::ids::SessionId;
use crate::output::RouterOutput;
use crate::router::Router;
use crate::time::Timestamp;

/// What the host's runtime must do next, in order.
#[derive(Debug)]
#[non_exhaustive]
pub enum Action {
    /// Make this change durable before acting on any later action.
    Persist(Box<Change>),
    /// Hand this command to the session's connection
    /// (`ServerConnection::handle_command`). A connection that has closed meanwhile
    /// refuses it; that is expected and harmless.
    Command {
        /// The session.
        session: SessionId,
        /// The command.
        command: ServerCommand,
    },
}

/// A [`Router`] with the bookkeeping that connects it to `ServerConnection`s.
///
/// ```
/// use std::time::Instant;
/// use xmpp_jid::BareJid;
/// use xmpp_sasl::{InsecureSeededEntropy, Password};
/// use xmpp_server::{Action, Host, Router, RouterConfig, SessionId};
///
/// let mut config = RouterConfig::new(BareJid::new("example.com").unwrap());
/// config.scram_iterations = 64; // tests only
/// let mut host = Host::new(Router::new(config, InsecureSeededEntropy::new(1)));
/// host.router_mut().create_account("juliet", &Password::new("secret")).unwrap();
/// assert!(matches!(host.poll_output(), Some(Action::Persist(_))));
/// let session = SessionId(1);
/// host.handle_open(Instant::now(), session).unwrap();
/// // ... feed `host.handle_event(now, wall, session, event)` for each ServerEvent of that
/// // connection, carry out `host.poll_output()` until None, and report the close:
/// host.handle_closed(Instant::now(), session).unwrap();
/// assert_eq!(host.router().session_count(), 0);
/// ```
pub struct Host<E> {
    router: Router<E>,
}

impl<E> std::fmt::Debug for Host<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("router", &self.router)
            .finish_non_exhaustive()
    }
}

impl<E: Entropy> Host<E> {
    /// Glue around `router` (new, or loaded with [`Router::load`]).
    pub fn new(router: Router<E>) -> Host<E> {
        Host { router }
    }

    /// The router (accounts, rosters, counts).
    pub fn router(&self) -> &Router<E> {
        &self.router
    }

    /// The router, for administration (accounts). Drain [`Host::poll_output`] afterwards.
    pub fn router_mut(&mut self) -> &mut Router<E> {
        &mut self.router
    }

    /// The stream features connections should advertise with binding
    /// (`ServerConfig::with_bind_features`): what the router implements beyond
    /// RFC 6120 — roster versioning and subscription pre-approval.
    pub fn bind_features() -> Vec<Element> {
        crate::disco::bind_features()
    }

    /// A connection was accepted; `session` (chosen by the runtime, never reused
    /// while the session lives — a counter will do) names it from now on.
    pub fn handle_open(&mut self, now: Instant, session: SessionId) -> Result<(), RouterError> {
        self.router.open_session(now, session)
    }

    /// An event of the session's connection. `wall` is the wall-clock time (stamped
    /// on messages stored offline). Events that need nothing from the router
    /// (`Authenticated`) are ignored.
    pub fn handle_event(
        &mut self,
        now: Instant,
        wall: Timestamp,
        session: SessionId,
        event: ServerEvent,
    ) -> Result<(), RouterError> {
        match event {
            ServerEvent::CredentialsRequested {
                id,
                mechanism,
                authcid,
                authzid,
            } => self.router.credentials_requested(
                now,
                session,
                id,
                mechanism,
                &authcid,
                authzid.as_deref(),
            ),
            ServerEvent::BindRequested {
                id,
                user,
                requested,
            } => {
                // No resource requested: the router chooses one (RFC 6120 §7.6).
                let resource = requested.as_ref().map(FullJid::resource);
                let username = user.node().unwrap_or_default();
                self.router
                    .bind_requested(now, session, id, username, resource)
            }
            ServerEvent::Online { .. } => self.router.session_online(now, session),
            ServerEvent::Stanza(stanza) => self.router.stanza_received(now, wall, session, *stanza),
            _ => Ok(()),
        }
    }

    /// `stanza`, handed out in an [`Action::Command`] `Send` for `session`, never
    /// reached the client (its queue was full, or the connection ended with it
    /// queued): see [`Router::stanza_undelivered`]. Nothing routed is lost.
    pub fn handle_undelivered(
        &mut self,
        now: Instant,
        wall: Timestamp,
        session: SessionId,
        stanza: Stanza,
    ) {
        self.router.stanza_undelivered(now, wall, session, stanza);
    }

    /// The session's connection is gone, for whatever reason.
    pub fn handle_closed(&mut self, now: Instant, session: SessionId) -> Result<(), RouterError> {
        self.router.session_closed(now, session)
    }

    /// The next action, or `None` when everything has been handed out. `None` is the
    /// drained sentinel: there is nothing more until the next `handle_*` input. Call
    /// after every input until it returns `None`, and carry the actions out in order.
    pub fn poll_output(&mut self) -> Option<Action> {
        loop {
            let action = match self.router.poll_output()? {
                RouterOutput::Persist(change) => Action::Persist(Box::new(change)),
                RouterOutput::Deliver { session, stanza } => Action::Command {
                    session,
                    command: ServerCommand::Send(Box::new(stanza)),
                },
                RouterOutput::Close { session, error } => Action::Command {
                    session,
                    command: ServerCommand::CloseWithError(Box::new(error)),
                },
                RouterOutput::Credentials {
                    session,
                    request,
                    answer,
                } => {
                    if !self.router.has_session(session) {
                        continue; // reported closed meanwhile: no one to answer
                    }
                    Action::Command {
                        session,
                        command: ServerCommand::ProvideCredentials {
                            id: request,
                            answer,
                        },
                    }
                }
                RouterOutput::Bind {
                    session,
                    request,
                    result,
                } => {
                    if !self.router.has_session(session) {
                        continue;
                    }
                    Action::Command {
                        session,
                        command: ServerCommand::Bind {
                            id: request,
                            result: result.map_err(|e| e.condition),
                        },
                    }
                }
            };
            return Some(action);
        }
    }
}
