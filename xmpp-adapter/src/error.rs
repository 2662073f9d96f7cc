//! [`Error`]: everything that can stop a connection, by kind.

use std::io;

use xmpp_core::{AuthError, CloseReason, CommandError};

/// Why connecting, or a connection, failed. IO, DNS, TLS, authentication, stream and
/// policy failures are separate variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is unusable (unreadable CA file, bad JID, no randomness).
    #[error("configuration: {0}")]
    Config(String),
    /// A socket operation failed.
    #[error("{during}: {source}")]
    Io {
        /// What was being done.
        during: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The DNS lookup for the domain failed (other than "no SRV records").
    #[error("DNS lookup for {domain} failed: {reason}")]
    Dns {
        /// The domain looked up.
        domain: String,
        /// The resolver's explanation.
        reason: String,
    },
    /// Every connection target failed; one line per attempt, in order.
    #[error("no server reachable: {}", .0.join("; "))]
    Unreachable(Vec<String>),
    /// The TLS handshake failed (certificate not trusted, wrong name, protocol error).
    #[error("TLS: {0}")]
    Tls(String),
    /// A connect or TLS handshake did not finish in time.
    #[error("timed out: {0}")]
    Timeout(&'static str),
    /// Authentication failed; [`AuthError::condition`] is the server's SASL condition.
    #[error("authentication failed: {0}")]
    Auth(AuthError),
    /// The stream ended with a stream error (ours or the peer's), a protocol violation,
    /// a redirect, a timeout or a lost connection.
    #[error("stream: {0}")]
    Stream(CloseReason),
    /// The negotiation could not meet our policy (TLS not offered or refused, binding
    /// or session refused).
    #[error("policy: {0}")]
    Policy(CloseReason),
    /// The core refused a command (the application misused the connection).
    #[error("command refused: {0}")]
    Command(#[from] CommandError),
    /// [`Client::iq`](crate::Client::iq) was given a `result` or `error` IQ, which
    /// gets no response (send it with [`Client::send`](crate::Client::send)).
    #[error("only get and set IQs are requests")]
    NotARequest,
    /// The connection has finished; nothing can be sent on it any more.
    #[error("the connection is closed")]
    Closed,
}

impl Error {
    /// The error for a connection that closed with `reason`; `None` for a graceful
    /// close.
    pub fn from_close(reason: CloseReason) -> Option<Error> {
        match reason {
            CloseReason::Local | CloseReason::Peer => None,
            CloseReason::AuthFailed(e) => Some(Error::Auth(e)),
            r @ (CloseReason::TlsNotOffered
            | CloseReason::TlsFailed
            | CloseReason::BindFailed(_)
            | CloseReason::SessionFailed(_)
            | CloseReason::BindNotOffered) => Some(Error::Policy(r)),
            r => Some(Error::Stream(r)),
        }
    }

    /// A function making an [`Error::Io`] that says what was being done, for
    /// `map_err`: `stream.set_nodelay(true).map_err(Error::io("accept"))`.
    pub fn io(during: &'static str) -> impl FnOnce(io::Error) -> Error {
        move |source| Error::Io { during, source }
    }
}
