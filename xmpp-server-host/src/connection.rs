//! Connections: the accept loops, and for each accepted stream a driver with the
//! host as its application ([`HostApp`]) — events go straight onto the host
//! thread's channel and commands come straight from the host thread's per-session
//! queue: no bridge tasks, no reply per command.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use futures::SinkExt;
use futures::channel::mpsc;
use tracing::{Instrument, debug, info_span, warn};
use xmpp_adapter::{
    App, DriveOptions, Error, Listener, OsEntropy, Runtime, ServerTlsConfig, TlsSide, Transport,
};
use xmpp_core::{
    Connection, ServerCommand, ServerConfig, ServerConnection, ServerEvent, ServerTransport,
};
use xmpp_server::SessionId;
use xmpp_stanza::{Stanza, StreamError, StreamErrorCondition};

use crate::host_loop::{Input, Outbox};
use crate::metrics::Metrics;
use crate::throttle::{Rates, ReadThrottle};

/// How accepted connections start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListenKind {
    /// Plain TCP, then STARTTLS (RFC 6120 §5).
    StartTls,
    /// TLS from the first byte (XEP-0368).
    DirectTls,
}

/// What every accepted connection is served with; shared by the accept loops.
pub(crate) struct Acceptor {
    /// The core's configuration, shared by all connections.
    pub(crate) config: Arc<ServerConfig>,
    /// The certificate; replaced on reload, read once per connection.
    pub(crate) tls: Arc<RwLock<ServerTlsConfig>>,
    /// The host thread.
    pub(crate) inputs: mpsc::Sender<Input>,
    /// Per-connection command queue bound.
    pub(crate) outbox: usize,
    /// TLS handshake timeout.
    pub(crate) tls_timeout: Duration,
    /// How long a write may wait for a client that does not read.
    pub(crate) write_timeout: Duration,
    /// Per-connection read rates.
    pub(crate) rates: Rates,
    /// Unauthenticated connections.
    pub(crate) unauthenticated: Arc<Unauthenticated>,
    /// The next session id.
    pub(crate) next: AtomicU64,
    /// The server's metrics.
    pub(crate) metrics: Arc<Metrics>,
}

impl Acceptor {
    /// The current certificate.
    pub(crate) fn tls(&self) -> ServerTlsConfig {
        self.tls
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Accepts connections on `listener` until the host thread is gone.
pub(crate) async fn accept_loop<R: Runtime>(
    mut listener: R::Listener,
    kind: ListenKind,
    acceptor: Arc<Acceptor>,
) {
    loop {
        let (transport, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // EMFILE and friends: back off instead of spinning.
                debug!(%e, "accept failed");
                R::sleep_until(Instant::now() + Duration::from_millis(50)).await;
                continue;
            }
        };
        if acceptor.inputs.is_closed() {
            return;
        }
        let Some(ticket) = Unauthenticated::admit(&acceptor.unauthenticated, peer.ip()) else {
            debug!(%peer, "too many unauthenticated connections: refused");
            acceptor.metrics.connection_refused();
            continue; // dropping the transport closes the socket
        };
        let session = SessionId(acceptor.next.fetch_add(1, Ordering::Relaxed));
        let span = info_span!("c2s", session = session.0, %peer);
        let serving = serve::<R>(
            transport,
            peer.ip(),
            kind,
            acceptor.clone(),
            session,
            ticket,
        );
        R::spawn(serving.instrument(span));
    }
}

/// Serves one connection: the direct-TLS handshake if any, then the driver.
async fn serve<R: Runtime>(
    mut transport: R::Transport,
    peer: IpAddr,
    kind: ListenKind,
    acceptor: Arc<Acceptor>,
    session: SessionId,
    ticket: Ticket,
) {
    let _open = Metrics::open(&acceptor.metrics);
    let tls = acceptor.tls();
    let side = TlsSide::Server(tls);
    let security = if kind == ListenKind::DirectTls {
        let handshake = transport.start_tls(&side, acceptor.config.domain());
        match xmpp_adapter::with_timeout::<R, _>(acceptor.tls_timeout, "TLS handshake", handshake)
            .await
        {
            Ok(Ok(info)) => ServerTransport::DirectTls(info),
            Ok(Err(e)) | Err(e) => {
                debug!(%e, "direct TLS handshake failed");
                return;
            }
        }
    } else {
        ServerTransport::StartTls
    };
    let entropy = match OsEntropy::new() {
        Ok(entropy) => entropy,
        Err(e) => {
            warn!(%e, "no entropy for a connection");
            return;
        }
    };
    let conn = ServerConnection::new(
        acceptor.config.clone(),
        security,
        Box::new(entropy),
        Instant::now(),
    );
    let (commands, requests) = mpsc::channel(acceptor.outbox);
    let overflow = Arc::new(AtomicBool::new(false));
    let outbox = Outbox {
        commands,
        overflow: overflow.clone(),
    };
    let mut inputs = acceptor.inputs.clone();
    let open = Input::Open {
        session,
        peer,
        outbox,
    };
    if inputs.send(open).await.is_err() {
        return;
    }
    let app = HostApp {
        session,
        overflow,
        ticket: Some(ticket),
        throttle: ReadThrottle::new(acceptor.rates, Instant::now()),
        metrics: acceptor.metrics.clone(),
        online: false,
        in_flight: Vec::new(),
        unsent: Vec::new(),
    };
    let options = DriveOptions {
        tls: Some(side),
        handshake_timeout: acceptor.tls_timeout,
        write_timeout: acceptor.write_timeout,
    };
    xmpp_adapter::drive::<R, _, _>(transport, conn, options, requests, inputs, app).await;
}

/// The host's end of one connection's driver.
struct HostApp {
    session: SessionId,
    overflow: Arc<AtomicBool>,
    /// Held while the connection is not authenticated.
    ticket: Option<Ticket>,
    throttle: ReadThrottle,
    /// Messages handed to the connection since its last complete write: if the
    /// connection fails before the next one, they did not reach the client.
    in_flight: Vec<Stanza>,
    /// Stanzas that never reached the client, handed back to the router at the end.
    unsent: Vec<Stanza>,
    metrics: Arc<Metrics>,
    /// Counted in the online-sessions gauge.
    online: bool,
}

impl App<ServerConnection> for HostApp {
    type Request = ServerCommand;
    type Event = Input;

    fn request(
        &mut self,
        conn: &mut ServerConnection,
        now: Instant,
        request: Option<ServerCommand>,
    ) {
        let command = match request {
            Some(ServerCommand::Send(stanza)) => {
                // A message or IQ request is kept until written: if the connection
                // refuses it or fails first, it goes back to the router (presence and
                // IQ responses are not stored or answered anyway).
                let keep = match &*stanza {
                    Stanza::Message(_) => true,
                    Stanza::Iq(iq) => iq.payload.is_request(),
                    Stanza::Presence(_) => false,
                };
                let copy = keep.then(|| (*stanza).clone());
                self.metrics.stanza_sent(&stanza);
                match conn.handle_command(now, ServerCommand::Send(stanza)) {
                    Ok(()) => self.in_flight.extend(copy),
                    Err(_) => self.unsent.extend(copy),
                }
                return;
            }
            // A connection that closed meanwhile refuses other commands; nothing to do.
            Some(command) => command,
            // The host dropped the queue: it overflowed, or the host is stopping.
            None if self.overflow.load(Ordering::Acquire) => {
                let error = StreamError::new(StreamErrorCondition::ResourceConstraint).with_text(
                    Some("en"),
                    "too many stanzas waiting: the client does not read",
                );
                ServerCommand::CloseWithError(Box::new(error))
            }
            None => ServerCommand::Close,
        };
        let _ = conn.handle_command(now, command);
    }

    fn event(&mut self, event: ServerEvent) -> Option<Input> {
        match &event {
            ServerEvent::Authenticated { mechanism, .. } => {
                self.ticket = None;
                self.metrics.auth_succeeded(*mechanism);
            }
            ServerEvent::AuthFailed { mechanism, .. } => self.metrics.auth_failed(*mechanism),
            ServerEvent::Online { .. } => {
                self.online = true;
                self.metrics.session_online(true);
            }
            ServerEvent::Stanza(stanza) => {
                self.throttle.stanza(Instant::now());
                self.metrics.stanza_received(stanza);
            }
            _ => {}
        }
        Some(Input::Event {
            session: self.session,
            event,
        })
    }

    fn finish(&mut self, error: Option<Error>) -> Input {
        self.ticket = None;
        if std::mem::take(&mut self.online) {
            self.metrics.session_online(false);
        }
        if let Some(e) = error {
            debug!(%e, "connection ended");
        }
        let mut unsent = std::mem::take(&mut self.in_flight);
        unsent.append(&mut self.unsent);
        Input::Closed {
            session: self.session,
            unsent,
        }
    }

    fn flushed(&mut self) {
        self.in_flight.clear();
    }

    fn unsent(&mut self, request: ServerCommand) {
        if let ServerCommand::Send(stanza) = request {
            self.unsent.push(*stanza);
        }
    }

    fn bytes_read(&mut self, now: Instant, n: usize) {
        self.throttle.bytes(now, n);
    }

    fn read_resume_at(&mut self, now: Instant) -> Option<Instant> {
        self.throttle.resume_at(now)
    }
}

/// Counts unauthenticated connections, in total and per IP address.
#[derive(Debug)]
pub(crate) struct Unauthenticated {
    total_limit: usize,
    per_address_limit: usize,
    counts: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One unauthenticated connection; dropping it releases its place.
#[derive(Debug)]
pub(crate) struct Ticket {
    owner: Arc<Unauthenticated>,
    addr: IpAddr,
}

impl Unauthenticated {
    /// Bounds of `total` and `per_address`.
    pub(crate) fn new(total: usize, per_address: usize) -> Unauthenticated {
        Unauthenticated {
            total_limit: total,
            per_address_limit: per_address,
            counts: Mutex::new((0, HashMap::new())),
        }
    }

    /// A place for a new connection from `addr`, if both bounds allow.
    pub(crate) fn admit(this: &Arc<Unauthenticated>, addr: IpAddr) -> Option<Ticket> {
        let mut counts = this.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let (total, per_address) = &mut *counts;
        let here = per_address.get(&addr).copied().unwrap_or(0);
        if *total >= this.total_limit || here >= this.per_address_limit {
            return None;
        }
        *total += 1;
        per_address.insert(addr, here + 1);
        Some(Ticket {
            owner: this.clone(),
            addr,
        })
    }

    /// Connections not yet authenticated.
    pub(crate) fn count(&self) -> usize {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner).0
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut counts = self
            .owner
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (total, per_address) = &mut *counts;
        *total = total.saturating_sub(1);
        if let Some(n) = per_address.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                per_address.remove(&self.addr);
            }
        }
    }
}

/// The address a listener is bound to, for the READY line.
pub(crate) fn bound_addr<L: Listener>(listener: &L, asked: SocketAddr) -> SocketAddr {
    listener.local_addr().unwrap_or(asked)
}
