//! What both roles share: the [`Connection`] trait a driver loop runs on, its
//! [`Output`]s, [`TlsInfo`], [`CloseReason`] and [`CommandError`], and the internal
//! machinery (output queue, timer table, input loop).
//!
//! | module | job |
//! |---|---|
//! | `output` | [`Output`] and the ordered output queue |
//! | `timers` | [`TimerKind`] and the fixed timer table |
//! | `tls` | [`TlsInfo`], [`TlsVersion`], [`TlsRole`] |
//! | `close` | [`CloseReason`], [`Violation`], [`AuthError`] |
//! | `error` | [`CommandError`] |
//! | `ids` | random ids from the entropy source |
//! | `wire` | reader + writer + queue + timers, and the input loop |
//! | `role` | what both roles do the same way: violations, closes, timers |

mod close;
mod error;
pub(crate) mod ids;
mod output;
pub(crate) mod role;
mod timers;
mod tls;
pub(crate) mod wire;

use std::time::Instant;

pub use close::{AuthError, CloseReason, Violation};
pub use error::{CommandError, ConfigError};
pub use output::Output;
pub use timers::TimerKind;
pub use tls::{TlsInfo, TlsRole, TlsVersion};

/// A sans-IO XMPP connection: bytes, time and commands in; bytes, events and a TLS
/// hand-off out. Both [`ClientConnection`](crate::ClientConnection) and
/// [`ServerConnection`](crate::ServerConnection) implement it, so one driver loop
/// serves both roles (see the [crate documentation](crate) for the loop).
///
/// Rules:
/// * after any `handle_*` call, drain [`poll_output`](Self::poll_output) until
///   [`Output::Wait`];
/// * `now` is the caller's clock; the connection never reads one. Deadlines it
///   reports are `now` values plus configured durations; the bytes it writes never
///   depend on the instants given;
/// * peer misbehaviour never comes back as an error: the connection queues the
///   stream error it answers with and then [`Output::Closed`].
pub trait Connection {
    /// What the application is told (events and requests to answer).
    type Event;
    /// What the application tells the connection.
    type Command;

    /// Bytes read from the transport, in any chunking.
    fn handle_input(&mut self, now: Instant, input: &[u8]);

    /// The transport reached end of file (the peer closed its side of the socket).
    fn handle_eof(&mut self, now: Instant);

    /// The deadline last reported by [`Output::Wait`] has passed (calling it early
    /// is harmless).
    fn handle_timeout(&mut self, now: Instant);

    /// The TLS handshake asked for by [`Output::StartTls`] completed; `info` carries
    /// the version and channel-binding data. Ignored when no handshake was asked for
    /// (direct TLS is given at construction instead).
    fn handle_tls_established(&mut self, now: Instant, info: TlsInfo);

    /// A command from the application; an error means misuse, and nothing happened.
    fn handle_command(&mut self, now: Instant, command: Self::Command) -> Result<(), CommandError>;

    /// The next output; [`Output::Wait`] when there is nothing more to do for now.
    fn poll_output(&mut self) -> Output<Self::Event>;

    /// Whether the connection has finished ([`Output::Closed`] was queued).
    fn is_closed(&self) -> bool;
}
