//! Why the server could not start, or stopped.

use std::io;
use std::net::SocketAddr;

/// A setting that cannot work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The domain is not a valid domain-only JID (RFC 7622 §3.2).
    #[error("the domain {0:?} is not a valid XMPP domain")]
    Domain(String),
    /// SCRAM keys need at least one PBKDF2 iteration.
    #[error("scram_iterations must be positive")]
    ScramIterations,
    /// No SASL mechanism is left to offer.
    #[error("no SASL mechanism to offer (with channel binding off, -PLUS mechanisms are dropped)")]
    NoMechanism,
    /// Nowhere to listen.
    #[error("no listen address")]
    NoListener,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The settings are unusable.
    #[error("configuration: {0}")]
    Settings(#[from] SettingsError),
    /// The store failed (loading, or persisting a change while running: the
    /// server stops, since nothing after an unpersisted change may be acted on).
    #[error("store: {0}")]
    Store(Box<dyn std::error::Error + Send + Sync>),
    /// The saved state does not load into the router.
    #[error("loading the saved state: {0}")]
    Load(#[from] xmpp_server::LoadError),
    /// An account could not be created or changed.
    #[error("account {user}: {source}")]
    Account {
        /// The user name.
        user: String,
        /// Why.
        source: xmpp_server::AccountError,
    },
    /// A listen address could not be bound.
    #[error("listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The socket error.
        source: io::Error,
    },
    /// The operating system's random source failed.
    #[error("entropy: {0}")]
    Entropy(xmpp_adapter::Error),
    /// The host thread could not be started.
    #[error("host thread: {0}")]
    Thread(io::Error),
    /// The host thread has stopped (after shutdown, or on a store failure reported
    /// by [`Server::finished`](crate::Server::finished)).
    #[error("the server has stopped")]
    Stopped,
}
