//! The host thread: one OS thread owns the router (through `xmpp_server::Host`) and
//! the store. Connection tasks send it [`Input`]s; it feeds them to the host and
//! carries out the actions in order — a change is committed to SQLite before any
//! later action, and a command is queued for its connection without ever waiting
//! for it (a connection whose queue is full is closed instead of slowing the rest).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{Notify, mpsc, oneshot};
use xmpp_core::{ServerCommand, ServerEvent};
use xmpp_sasl::Password;
use xmpp_server::{AccountError, Action, Change, Host, SessionId, Timestamp};
use xmpp_stanza::{StreamError, StreamErrorCondition};
use xmpp_tokio::OsEntropy;

use super::store::{Store, StoreError};

/// Commands waiting for one connection.
pub const OUTBOX: usize = 4096;

/// The command queue of one connection, as the host thread holds it.
pub struct Outbox {
    /// Commands for the connection's command task.
    pub commands: mpsc::Sender<ServerCommand>,
    /// Signalled (once) when the queue overflowed: the task closes the stream.
    pub overflow: Arc<Notify>,
}

/// What the host thread is told.
pub enum Input {
    /// A connection was accepted.
    Open {
        /// Its session id (never reused).
        session: SessionId,
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
    /// Close every session with `system-shutdown` and stop.
    Shutdown,
}

/// Counters the host thread keeps.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// Changes committed.
    pub persisted: u64,
    /// Commands queued for connections.
    pub commands: u64,
    /// Connections closed because their queue overflowed.
    pub overflows: u64,
}

/// Runs the host until [`Input::Shutdown`] or until every sender is gone. Returns its
/// counters, or the store error that stopped it.
pub fn run(
    mut host: Host<OsEntropy>,
    mut store: Store,
    mut inputs: mpsc::Receiver<Input>,
) -> Result<Stats, StoreError> {
    let mut outboxes: BTreeMap<SessionId, Outbox> = BTreeMap::new();
    let mut stats = Stats::default();
    while let Some(input) = inputs.blocking_recv() {
        let now = Instant::now();
        let stop = matches!(input, Input::Shutdown);
        match input {
            Input::Open { session, outbox } => {
                if host.open(now, session).is_ok() {
                    outboxes.insert(session, outbox);
                }
            }
            Input::Event { session, event } => {
                // Errors here are glue bugs (an unknown session); the event is dropped.
                let _ = host.event(now, wall_clock(), session, event);
            }
            Input::Closed { session } => {
                outboxes.remove(&session);
                let _ = host.closed(now, session);
            }
            Input::SetUser {
                name,
                password,
                reply,
            } => {
                let router = host.router_mut();
                let result = match router.create_account(&name, &password) {
                    Err(AccountError::AccountExists(_)) => router.set_password(&name, &password),
                    other => other.map(|_| ()),
                };
                let _ = reply.send(result);
            }
            Input::Snapshot { reply } => {
                let _ = reply.send(host.router().snapshot());
            }
            Input::Shutdown => {
                let error = StreamError::new(StreamErrorCondition::SystemShutdown)
                    .with_text(Some("en"), "the server is shutting down");
                for outbox in outboxes.values() {
                    let close = ServerCommand::CloseWithError(Box::new(error.clone()));
                    let _ = outbox.commands.try_send(close);
                }
            }
        }
        carry_out(&mut host, &mut store, &mut outboxes, &mut stats)?;
        if stop {
            break;
        }
    }
    Ok(stats)
}

/// Carries out every pending action, in order.
fn carry_out(
    host: &mut Host<OsEntropy>,
    store: &mut Store,
    outboxes: &mut BTreeMap<SessionId, Outbox>,
    stats: &mut Stats,
) -> Result<(), StoreError> {
    while let Some(action) = host.poll() {
        match action {
            Action::Persist(change) => {
                store.persist(&change)?;
                stats.persisted += 1;
            }
            Action::Command { session, command } => {
                let Some(outbox) = outboxes.get(&session) else {
                    continue; // closed meanwhile
                };
                stats.commands += 1;
                if let Err(mpsc::error::TrySendError::Full(_)) = outbox.commands.try_send(command) {
                    // A client that does not read: close it rather than buffer without
                    // end; its close comes back as Input::Closed.
                    stats.overflows += 1;
                    outbox.overflow.notify_one();
                    outboxes.remove(&session);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Wall-clock milliseconds (XEP-0203 stamps of offline messages).
fn wall_clock() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    Timestamp::from_unix_millis(millis)
}
