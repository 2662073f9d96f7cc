//! The host thread: one OS thread owns the router (through `xmpp_server::Host`) and
//! the store. Connections send it [`Input`]s on one shared channel; it feeds them
//! to the host and carries out the actions in order — a change is persisted before
//! any later action, and a command is queued for its connection without ever
//! waiting for it (a connection whose queue is full is closed instead of slowing
//! the rest).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use tracing::{debug, info, warn};
use xmpp_core::{ServerCommand, ServerEvent};
use xmpp_sasl::{Entropy, Password};
use xmpp_server::{
    AccountError, Action, AuthThrottleConfig, Change, DurableStore, Host, SessionId, Timestamp,
};

use crate::auth_gate::AuthGate;
use crate::metrics::Metrics;
use xmpp_stanza::{Stanza, StreamError, StreamErrorCondition};

/// How long a graceful stop waits for sessions to close after `system-shutdown`.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The command queue of one connection, as the host thread holds it.
#[derive(Debug)]
pub(crate) struct Outbox {
    /// Commands for the connection's driver.
    pub(crate) commands: mpsc::Sender<ServerCommand>,
    /// Set when the queue overflowed: the driver closes the stream with
    /// `resource-constraint` once the host drops `commands`.
    pub(crate) overflow: Arc<AtomicBool>,
}

/// What the host thread is told.
#[derive(Debug)]
pub(crate) enum Input {
    /// A connection was accepted.
    Open {
        /// Its session id (never reused).
        session: SessionId,
        /// The client's address.
        peer: IpAddr,
        /// Where its commands go.
        outbox: Outbox,
    },
    /// An event of a connection.
    Event {
        /// The session.
        session: SessionId,
        /// The event.
        event: ServerEvent,
    },
    /// A connection ended.
    Closed {
        /// The session.
        session: SessionId,
        /// Stanzas routed to it that never reached the client.
        unsent: Vec<Stanza>,
    },
    /// Create the account, or set its password if it exists.
    SetUser {
        /// The user name (localpart).
        name: String,
        /// The password (only SCRAM keys derived from it are kept).
        password: Password,
        /// The outcome.
        reply: oneshot::Sender<Result<(), AccountError>>,
    },
    /// The whole durable state, as the router holds it.
    Snapshot {
        /// The answer.
        reply: oneshot::Sender<Vec<Change>>,
    },
    /// A few times a second: release held credential requests, look for
    /// administration changes in the store, check the shutdown deadline.
    Tick,
    /// Close every session with `system-shutdown` and stop once they are closed
    /// (or after a grace period).
    Shutdown,
}

/// Counters the host thread keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostStats {
    /// Changes persisted.
    pub persisted: u64,
    /// Commands queued for connections.
    pub commands: u64,
    /// Connections closed because their queue overflowed.
    pub overflows: u64,
    /// Account changes picked up from the store's administration log.
    pub admin_updates: u64,
    /// Credential requests held because their address or account had failed
    /// recently (password guessing slowed down).
    pub auth_delayed: u64,
    /// Stanzas that could not be handed to their session's connection, routed
    /// again (to other resources, offline storage, or back to the sender).
    pub rerouted: u64,
}

/// Why the host thread stopped early.
pub(crate) type StoreFailure = Box<dyn std::error::Error + Send + Sync>;

/// The host thread's state.
struct HostLoop<E, S> {
    host: Host<E>,
    store: S,
    gate: AuthGate,
    metrics: Arc<Metrics>,
    outboxes: BTreeMap<SessionId, Outbox>,
    stats: HostStats,
    stopping: Option<Instant>,
}

/// Runs the host until a shutdown completes or every sender is gone. Returns its
/// counters, or the store error that stopped it.
pub(crate) fn run<E: Entropy, S: DurableStore>(
    host: Host<E>,
    store: S,
    auth: AuthThrottleConfig,
    metrics: Arc<Metrics>,
    mut inputs: mpsc::Receiver<Input>,
) -> Result<HostStats, StoreFailure> {
    let domain = host.router().config().domain.domain().to_owned();
    let mut state = HostLoop {
        host,
        store,
        gate: AuthGate::new(&domain, auth),
        metrics,
        outboxes: BTreeMap::new(),
        stats: HostStats::default(),
        stopping: None,
    };
    while let Some(input) = futures::executor::block_on(inputs.next()) {
        state.handle_input(Instant::now(), input)?;
        state.carry_out()?;
        if let Some(deadline) = state.stopping
            && (state.outboxes.is_empty() || Instant::now() >= deadline)
        {
            info!(left = state.outboxes.len(), "host stopped; sessions closed");
            break;
        }
    }
    Ok(state.stats)
}

impl<E: Entropy, S: DurableStore> HostLoop<E, S> {
    fn handle_input(&mut self, now: Instant, input: Input) -> Result<(), StoreFailure> {
        match input {
            Input::Open {
                session,
                peer,
                outbox,
            } => {
                if self.stopping.is_some() {
                    return Ok(()); // the driver sees its queue gone and closes
                }
                if self.host.handle_open(now, session).is_ok() {
                    self.outboxes.insert(session, outbox);
                    self.gate.handle_open(session, peer);
                }
            }
            Input::Event { session, event } => match self.gate.handle_event(now, session, event) {
                Some(event) => self.event(now, session, event),
                None => {
                    self.stats.auth_delayed += 1;
                    self.metrics.auth_delayed();
                }
            },
            Input::Closed { session, unsent } => {
                self.outboxes.remove(&session);
                self.gate.handle_closed(session);
                let wall = wall_clock();
                for stanza in unsent {
                    self.stats.rerouted += 1;
                    self.metrics.rerouted();
                    self.host.handle_undelivered(now, wall, session, stanza);
                }
                let _ = self.host.handle_closed(now, session);
            }
            Input::SetUser {
                name,
                password,
                reply,
            } => {
                let router = self.host.router_mut();
                let result = match router.create_account(&name, &password) {
                    Err(AccountError::AccountExists(_)) => router.set_password(&name, &password),
                    other => other.map(|_| ()),
                };
                let _ = reply.send(result);
            }
            Input::Snapshot { reply } => {
                let _ = reply.send(self.host.router().snapshot());
            }
            Input::Tick => {
                for (session, event) in self.gate.handle_timeout(now) {
                    self.event(now, session, event);
                }
                self.apply_account_updates()?;
            }
            Input::Shutdown => {
                let error = StreamError::new(StreamErrorCondition::SystemShutdown)
                    .with_text(Some("en"), "the server is shutting down");
                for outbox in self.outboxes.values_mut() {
                    let close = ServerCommand::CloseWithError(Box::new(error.clone()));
                    let _ = outbox.commands.try_send(close);
                }
                self.stopping = Some(now + SHUTDOWN_GRACE);
            }
        }
        Ok(())
    }

    /// Feeds an event of a connection to the host.
    fn event(&mut self, now: Instant, session: SessionId, event: ServerEvent) {
        // Errors here are glue bugs (an unknown session); the event is dropped.
        if let Err(e) = self.host.handle_event(now, wall_clock(), session, event) {
            debug!(%e, "event for an unknown session");
        }
    }

    /// Accounts created, changed or deleted by `xmppd user …` meanwhile.
    fn apply_account_updates(&mut self) -> Result<(), StoreFailure> {
        let updates = self.store.account_updates().map_err(boxed)?;
        for update in updates {
            self.stats.admin_updates += 1;
            let router = self.host.router_mut();
            let result = match update.keys {
                Some(keys) => router.set_account_keys(&update.user, keys),
                None => match update.user.node() {
                    Some(name) => match router.delete_account(name) {
                        Err(AccountError::NoSuchAccount(_)) => Ok(()),
                        other => other,
                    },
                    None => Err(AccountError::NotLocal(update.user.clone())),
                },
            };
            match result {
                Ok(()) => info!(user = %update.user, "account updated by administration"),
                Err(e) => warn!(user = %update.user, %e, "administration update ignored"),
            }
        }
        Ok(())
    }

    /// Carries out every pending action, in order.
    fn carry_out(&mut self) -> Result<(), StoreFailure> {
        while let Some(action) = self.host.poll_output() {
            match action {
                Action::Persist(change) => {
                    let started = Instant::now();
                    self.store.persist(&change).map_err(boxed)?;
                    self.metrics.store_write(started.elapsed());
                    self.stats.persisted += 1;
                }
                Action::Command { session, command } => self.queue(session, command),
                _ => {}
            }
        }
        Ok(())
    }

    /// Queues `command` for the session's connection. A full queue (a client that
    /// does not read) closes the session; a stanza that finds no room, or no queue
    /// any more, goes back to the router, which routes it elsewhere, stores it or
    /// bounces it — never drops it.
    fn queue(&mut self, session: SessionId, command: ServerCommand) {
        let command = match self.outboxes.get_mut(&session) {
            None => command,
            Some(outbox) => {
                self.stats.commands += 1;
                match outbox.commands.try_send(command) {
                    Ok(()) => return,
                    Err(e) => {
                        if e.is_full() {
                            self.stats.overflows += 1;
                            self.metrics.overflow();
                            warn!(
                                session = session.0,
                                "command queue full: closing the session"
                            );
                            outbox.overflow.store(true, Ordering::Release);
                        }
                        // Full, or the connection is gone and its Closed is on the way.
                        self.outboxes.remove(&session);
                        e.into_inner()
                    }
                }
            }
        };
        if let ServerCommand::Send(stanza) = command {
            self.stats.rerouted += 1;
            self.metrics.rerouted();
            self.host
                .handle_undelivered(Instant::now(), wall_clock(), session, *stanza);
        }
    }
}

fn boxed<T: std::error::Error + Send + Sync + 'static>(e: T) -> StoreFailure {
    Box::new(e)
}

/// Wall-clock milliseconds (XEP-0203 stamps of offline messages).
fn wall_clock() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    Timestamp::from_unix_millis(millis)
}
