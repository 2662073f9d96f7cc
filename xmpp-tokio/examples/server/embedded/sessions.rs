//! Connections: the accept loop, and for each accepted stream the adapter's `serve`
//! (in a short-lived task) plus two small tasks that live as long as the connection
//! — one forwards the connection's events to the host thread,
//! the other hands the host thread's commands to the connection one by one. Events
//! and commands flow independently, so neither side can block the other.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc};
use xmpp_core::{ServerCommand, ServerConfig};
use xmpp_server::SessionId;
use xmpp_stanza::{StreamError, StreamErrorCondition};
use xmpp_tokio::{ServeOptions, ServerTlsConfig, Session, SessionEvent, SessionEvents};

use super::host_thread::{Input, OUTBOX, Outbox};

/// What every accepted connection is served with.
#[derive(Clone)]
pub struct Acceptor {
    /// The core's configuration, shared by all connections.
    pub config: Arc<ServerConfig>,
    /// The certificate for STARTTLS.
    pub tls: ServerTlsConfig,
    /// The host thread.
    pub inputs: mpsc::Sender<Input>,
}

/// Accepts connections until the listener fails or the host thread is gone.
pub async fn accept_loop(listener: TcpListener, acceptor: Acceptor) {
    let next = Arc::new(AtomicU64::new(1));
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            // EMFILE and friends: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        if acceptor.inputs.is_closed() {
            return;
        }
        let session = SessionId(next.fetch_add(1, Ordering::Relaxed));
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let options = ServeOptions {
                tls: Some(acceptor.tls.clone()),
                direct_tls: false,
                tls_timeout: Duration::from_secs(10),
            };
            let Ok((handle, events)) = xmpp_tokio::serve(stream, acceptor.config, options).await
            else {
                return;
            };
            let (commands, queue) = mpsc::channel(OUTBOX);
            let overflow = Arc::new(Notify::new());
            let outbox = Outbox {
                commands,
                overflow: overflow.clone(),
            };
            let open = Input::Open { session, outbox };
            if acceptor.inputs.send(open).await.is_err() {
                return;
            }
            tokio::spawn(pump_commands(handle, queue, overflow));
            // Its own task, so this one (sized for `serve`'s TLS handshake, ~3.6 kB)
            // ends here instead of living as long as the connection.
            tokio::spawn(forward_events(session, events, acceptor.inputs));
        });
    }
}

/// The connection's events to the host thread, then its close.
async fn forward_events(
    session: SessionId,
    mut events: SessionEvents,
    inputs: mpsc::Sender<Input>,
) {
    while let Some(event) = events.next().await {
        let input = match event {
            SessionEvent::Core(event) => Input::Event { session, event },
            _ => break,
        };
        if inputs.send(input).await.is_err() {
            return;
        }
    }
    let _ = inputs.send(Input::Closed { session }).await;
}

/// The host thread's commands to the connection, in order. Ends when the host thread
/// drops the queue (the session is gone) or after closing an overflowing stream.
async fn pump_commands(
    session: Session,
    mut queue: mpsc::Receiver<ServerCommand>,
    overflow: Arc<Notify>,
) {
    loop {
        tokio::select! {
            biased;
            () = overflow.notified() => {
                let error = StreamError::new(StreamErrorCondition::ResourceConstraint)
                    .with_text(Some("en"), "too many stanzas waiting: the client does not read");
                let _ = session.command(ServerCommand::CloseWithError(Box::new(error))).await;
                return;
            }
            command = queue.recv() => {
                let Some(command) = command else { return };
                // A connection that closed meanwhile refuses commands; nothing to do.
                let _ = session.command(command).await;
            }
        }
    }
}
