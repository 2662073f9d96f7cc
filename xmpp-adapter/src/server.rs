//! The server side: [`serve_with`] drives a [`ServerConnection`] over an accepted
//! TCP stream; the application gets its events as a stream ([`SessionEvents`]) and
//! answers with commands through a [`Session`].

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::channel::{mpsc, oneshot};
use futures::{Stream, StreamExt};
use tracing::{Instrument, info_span};
use xmpp_core::{
    Connection, ServerCommand, ServerConfig, ServerConnection, ServerEvent, ServerTransport,
    TlsRole,
};

use crate::driver::{self, App, Driver};
use crate::runtime::TlsSide;
use crate::runtime::timeout;
use crate::{Error, OsEntropy, Runtime, ServerTlsConfig, Transport};

/// What a served connection reports, in order.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionEvent {
    /// An event of the core (credential and bind requests to answer, stanzas, …).
    Core(ServerEvent),
    /// The connection ended: `None` after a graceful close. Always the last event.
    Closed(Option<Error>),
}

/// The command handle of a served connection; cheap to clone. When every clone is
/// dropped the stream is closed gracefully.
#[derive(Clone, Debug)]
pub struct Session {
    commands: mpsc::Sender<(ServerCommand, oneshot::Sender<Result<(), Error>>)>,
}

impl Session {
    /// Hands `command` to the connection and returns its verdict.
    pub async fn command(&self, command: ServerCommand) -> Result<(), Error> {
        driver::call(&self.commands, |reply| (command, reply)).await?
    }
}

/// The events of a served connection, a [`Stream`] ending after
/// [`SessionEvent::Closed`]. The connection waits while 64 events are unread.
#[derive(Debug)]
pub struct SessionEvents(mpsc::Receiver<SessionEvent>);

impl Stream for SessionEvents {
    type Item = SessionEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<SessionEvent>> {
        self.0.poll_next_unpin(cx)
    }
}

/// How [`serve_with`] treats the accepted stream.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The TLS certificate. **`None` is INSECURE — for tests on loopback only:** the
    /// connection runs in plaintext ([`ServerTransport::InsecurePlaintext`]), SASL
    /// included.
    pub tls: Option<ServerTlsConfig>,
    /// TLS from the first byte (XEP-0368) instead of STARTTLS.
    pub direct_tls: bool,
    /// Time allowed for the TLS handshake.
    pub tls_timeout: Duration,
}

/// Serves one accepted connection with runtime `R`: runs the direct-TLS handshake if
/// asked, then drives a [`ServerConnection`] in the background.
///
/// Its tracing span (`xmpp_session`) nests in the caller's: call it inside a span
/// naming the peer address to have every record of the session carry it.
pub async fn serve_with<R: Runtime>(
    mut transport: R::Transport,
    config: Arc<ServerConfig>,
    options: ServeOptions,
) -> Result<(Session, SessionEvents), Error> {
    let span = info_span!("xmpp_session", domain = config.domain());
    let tls = options.tls.clone().map(TlsSide::Server);
    let security = if options.direct_tls {
        let side = tls.as_ref().ok_or(Error::NoTlsConfig {
            role: TlsRole::Server,
        })?;
        let handshake = transport.start_tls(side, config.domain());
        let info = timeout::<R, _>(options.tls_timeout, "TLS handshake", handshake).await??;
        ServerTransport::DirectTls(info)
    } else if tls.is_some() {
        ServerTransport::StartTls
    } else {
        ServerTransport::InsecurePlaintext
    };
    let conn = ServerConnection::new(
        config,
        security,
        Box::new(OsEntropy::new()?),
        Instant::now(),
    );
    let (commands, command_rx) = mpsc::channel(64);
    let (events, rx) = mpsc::channel(64);
    let driver = Driver::<R, _, _> {
        conn,
        transport,
        tls,
        handshake_timeout: options.tls_timeout,
        write_timeout: crate::driver::WRITE_TIMEOUT,
        requests: command_rx,
        events,
        app: ServerApp,
    };
    R::spawn(driver.run().instrument(span));
    Ok((Session { commands }, SessionEvents(rx)))
}

/// The server application's end of the driver.
struct ServerApp;

impl App<ServerConnection> for ServerApp {
    type Request = (ServerCommand, oneshot::Sender<Result<(), Error>>);
    type Event = SessionEvent;

    fn request(
        &mut self,
        conn: &mut ServerConnection,
        now: Instant,
        request: Option<Self::Request>,
    ) {
        match request {
            Some((command, reply)) => {
                let _ = reply.send(conn.handle_command(now, command).map_err(Error::from));
            }
            // Every handle is gone: close gracefully.
            None => drop(conn.handle_command(now, ServerCommand::Close)),
        }
    }

    fn event(&mut self, event: ServerEvent) -> Option<SessionEvent> {
        Some(SessionEvent::Core(event))
    }

    fn finish(&mut self, error: Option<Error>) -> SessionEvent {
        SessionEvent::Closed(error)
    }
}
