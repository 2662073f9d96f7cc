//! The generic driver loop: one for both roles and both runtimes. It drains the
//! connection's outputs (writing, upgrading to TLS, handing events over), then waits
//! for whichever comes first — bytes, the deadline, or a request from the application.

use std::future::{Future, poll_fn};
use std::time::{Duration, Instant};

use futures::channel::{mpsc, oneshot};
use futures::{FutureExt, SinkExt, StreamExt};
use tracing::{Instrument, debug, debug_span, trace};
use xmpp_core::{Connection, Output};

use crate::Error;
use crate::runtime::{Runtime, TlsSide, Transport, timeout};

/// Bytes read per call from a busy peer.
const READ_BUFFER: usize = 4096;

/// Bytes read per call from a quiet one: an idle connection holds this much, not
/// [`READ_BUFFER`] (a server may hold many idle connections). A read that fills it
/// switches to [`READ_BUFFER`]; a small read switches back.
const SMALL_READ_BUFFER: usize = 512;

/// How long one write (or the final shutdown) may wait for the peer to read, by
/// default.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// Requests served while an event waits for room, between two writes: what they
/// queue cannot be written before the event is delivered, so without a bound an
/// application that sends without reading its events would grow the queue forever.
const REQUESTS_WHILE_BLOCKED: usize = 64;

/// The application's end of a driven connection: the seam a host plugs into each
/// connection's driver ([`drive`]) without tasks or channels of its own in between.
///
/// The driver calls [`App::request`] for each request taken from its request
/// channel, [`App::event`] for each event of the connection — and puts what it
/// returns on the event channel, waiting for room (backpressure) — and
/// [`App::finish`] once, for the last event.
pub trait App<C: Connection>: Send {
    /// What the application sends the driver.
    type Request: Send;
    /// What the application's event channel carries.
    type Event: Send;
    /// Applies a request; `None`: every request sender is gone.
    fn request(&mut self, conn: &mut C, now: Instant, request: Option<Self::Request>);
    /// What to put on the event channel for an event of the connection, if anything.
    fn event(&mut self, event: C::Event) -> Option<Self::Event>;
    /// The last event: the connection finished (`None` after a graceful close).
    fn finish(&mut self, error: Option<Error>) -> Self::Event;
    /// Everything the connection produced so far was written to the transport
    /// (called after every successful write): what was handed to it before has left.
    fn flushed(&mut self) {}
    /// A request still queued when the connection finished, never applied (called
    /// for each, in order, before [`App::finish`]).
    fn unsent(&mut self, request: Self::Request) {
        drop(request);
    }
    /// `n` bytes were read from the peer (called before the connection sees them).
    fn bytes_read(&mut self, now: Instant, n: usize) {
        let _ = (now, n);
    }
    /// When the transport may be read again: `None` (or a time not after `now`) to
    /// read at once. A rate limit returns a later time, and the peer is read more
    /// slowly — TCP pushes back — instead of being cut off.
    fn read_resume_at(&mut self, now: Instant) -> Option<Instant> {
        let _ = now;
        None
    }
}

/// What woke the driver's wait.
enum Woke<Q> {
    Read(std::io::Result<usize>),
    Request(Option<Q>),
    Timer,
}

/// How [`drive`] runs a connection.
#[derive(Clone, Debug)]
pub struct DriveOptions {
    /// The TLS configuration for STARTTLS (`None`: a plaintext test connection).
    pub tls: Option<TlsSide>,
    /// Time allowed for a TLS handshake.
    pub handshake_timeout: Duration,
    /// How long one write may wait for the peer to read before the connection fails
    /// ([`WRITE_TIMEOUT`] by default).
    pub write_timeout: Duration,
}

/// Drives `conn` over `transport` with runtime `R` until it closes: bytes in and
/// out, the STARTTLS upgrade with `options.tls`, timers, `app`'s requests from
/// `requests` and its events onto `events` (the last one [`App::finish`]'s). The
/// future completes when the connection has closed and its last event is delivered.
///
/// [`serve_with`](crate::serve_with) and [`connect_with`](crate::connect_with) are
/// this loop with channel handles as the application; a server host implements
/// [`App`] itself and shares one event channel among all its connections.
///
/// Not an `async fn`: the returned future is the driver loop itself, so the
/// arguments are not kept a second time in a wrapper's state (a server holds one
/// such future per connection).
pub fn drive<R, C, A>(
    transport: R::Transport,
    conn: C,
    options: DriveOptions,
    requests: mpsc::Receiver<A::Request>,
    events: mpsc::Sender<A::Event>,
    app: A,
) -> impl Future<Output = ()> + Send
where
    R: Runtime,
    C: Connection + Send,
    C::Event: Send,
    A: App<C>,
{
    let driver = Driver::<R, C, A> {
        conn,
        transport,
        tls: options.tls,
        handshake_timeout: options.handshake_timeout,
        write_timeout: options.write_timeout,
        requests,
        events,
        app,
    };
    driver.run()
}

/// One driven connection: the core, its transport, and the application's channels.
pub(crate) struct Driver<R: Runtime, C, A: App<C>>
where
    C: Connection,
{
    pub(crate) conn: C,
    pub(crate) transport: R::Transport,
    pub(crate) tls: Option<TlsSide>,
    pub(crate) handshake_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) requests: mpsc::Receiver<A::Request>,
    pub(crate) events: mpsc::Sender<A::Event>,
    pub(crate) app: A,
}

impl<R, C, A> Driver<R, C, A>
where
    R: Runtime,
    C: Connection + Send,
    C::Event: Send,
    A: App<C>,
{
    /// Runs the connection until it closes; the application's event stream ends with
    /// [`App::finish`]'s event.
    pub(crate) async fn run(mut self) {
        // Small per-connection buffers: a server may hold many idle connections.
        let mut buf = vec![0u8; SMALL_READ_BUFFER];
        let mut out = Vec::new();
        let error = loop {
            let deadline = match self.drain(&mut out).await {
                Ok(Some(deadline)) => deadline,
                Ok(None) => break None,
                Err(e) => break Some(e),
            };
            // A due deadline first: a peer that keeps the transport readable must not
            // keep the timers from firing.
            if deadline.is_some_and(|at| at <= Instant::now()) {
                self.conn.handle_timeout(Instant::now());
                continue;
            }
            // A rate limit of the application: no read until then.
            let now = Instant::now();
            let paused = self.app.read_resume_at(now).filter(|at| *at > now);
            let wake = match (deadline, paused) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let timer = async {
                match wake {
                    Some(at) => R::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            // Unbiased: neither a flooding peer nor a busy application starves the
            // other. Every branch is cancel-safe (an unfinished read consumed nothing).
            let woke = {
                let read = self.transport.read(&mut buf).fuse();
                let mut read = std::pin::pin!(if paused.is_some() {
                    futures::future::Fuse::terminated()
                } else {
                    read
                });
                futures::select! {
                    read = read => Woke::Read(read),
                    // A terminated `requests` (every sender gone) is not polled again.
                    request = self.requests.next() => Woke::Request(request),
                    () = timer.fuse() => Woke::Timer,
                }
            };
            match woke {
                Woke::Read(Ok(0)) => self.conn.handle_eof(Instant::now()),
                Woke::Read(Ok(n)) => {
                    trace!(bytes = n, "read");
                    let now = Instant::now();
                    self.app.bytes_read(now, n);
                    self.conn
                        .handle_input(now, buf.get(..n).unwrap_or_default());
                    if n == buf.len() && n < READ_BUFFER {
                        buf = vec![0u8; READ_BUFFER];
                    } else if n < SMALL_READ_BUFFER && buf.len() > SMALL_READ_BUFFER {
                        buf = vec![0u8; SMALL_READ_BUFFER];
                    }
                }
                Woke::Read(Err(e)) => break Some(Error::io("read")(e)),
                Woke::Request(request) => self.serve(request),
                // Woken for the deadline, or only to read again.
                Woke::Timer => {
                    if deadline.is_some_and(|at| at <= Instant::now()) {
                        self.conn.handle_timeout(Instant::now());
                    }
                }
            }
        };
        if let Some(e) = &error {
            debug!(error = %e, "connection failed");
        }
        let shutdown = self.transport.shutdown();
        let _ = timeout::<R, _>(self.write_timeout, "shutdown", shutdown).await;
        // What was queued for the connection and never applied goes back.
        self.requests.close();
        while let Ok(request) = self.requests.try_recv() {
            self.app.unsent(request);
        }
        let last = self.app.finish(error);
        // A dropped event stream only means nobody listens any more.
        let _ = self.events.send(last).await;
    }

    /// Applies one request (or the end of them).
    fn serve(&mut self, request: Option<A::Request>) {
        self.app.request(&mut self.conn, Instant::now(), request);
    }

    /// Drains outputs until `Wait`: bytes are gathered into `out` and written before
    /// anything that depends on them (TLS, waiting, closing). `Some(deadline)` to
    /// wait for; `None` once the connection closed.
    async fn drain(&mut self, out: &mut Vec<u8>) -> Result<Option<Option<Instant>>, Error> {
        let mut budget = REQUESTS_WHILE_BLOCKED;
        loop {
            match self.conn.poll_output() {
                // The core coalesces a burst into one buffer: take it as it is.
                Output::Transmit(bytes) if out.is_empty() => *out = bytes,
                Output::Transmit(bytes) => out.extend_from_slice(&bytes),
                Output::Event(event) => {
                    if let Some(event) = self.app.event(event) {
                        self.deliver(event, &mut budget).await;
                    }
                }
                Output::StartTls { role, server_name } => {
                    self.flush(out).await?;
                    let Some(tls) = self.tls.as_ref().filter(|t| t.role() == role) else {
                        return Err(Error::NoTlsConfig { role });
                    };
                    let span = debug_span!("starttls", ?role, name = %server_name);
                    // Boxed: the handshake's state is large and needed once, and an
                    // unboxed future would size every connection's task by it.
                    let handshake = Box::pin(self.transport.start_tls(tls, &server_name));
                    let handshake = handshake.instrument(span);
                    let info = timeout::<R, _>(self.handshake_timeout, "TLS handshake", handshake)
                        .await??;
                    debug!(version = ?info.version, bindings = ?info.binding_types(), "TLS established");
                    self.conn.handle_tls_established(Instant::now(), info);
                }
                Output::Closed(reason) => {
                    // The reason matters more than its last words: a peer that is
                    // gone before our stream error is written still broke the rules.
                    if let Err(e) = self.flush(out).await {
                        debug!(error = %e, "the last write failed");
                    }
                    debug!(%reason, "closed");
                    return Error::from_close(reason).map_or(Ok(None), Err);
                }
                Output::Wait(deadline) => {
                    self.flush(out).await?;
                    return Ok(Some(deadline));
                }
            }
        }
    }

    /// Puts `event` on the event stream, waiting for room (backpressure) — and
    /// serving up to `budget` of the application's requests meanwhile: a task that
    /// awaits a call on its handle before it reads the events again is answered.
    async fn deliver(&mut self, event: A::Event, budget: &mut usize) {
        loop {
            let request = {
                let room = poll_fn(|cx| self.events.poll_ready(cx));
                let mut requests = futures::future::Fuse::terminated();
                if *budget > 0 {
                    requests = self.requests.next().fuse();
                }
                futures::select_biased! {
                    ready = room.fuse() => {
                        if ready.is_ok() {
                            let _ = self.events.start_send(event);
                        }
                        return;
                    }
                    request = requests => request,
                }
            };
            *budget = budget.saturating_sub(1);
            self.serve(request);
        }
    }
}

/// Sends the driver the request `request` makes with a reply channel, and awaits the
/// reply; [`Error::Closed`] when the connection has finished.
pub(crate) async fn call<Q, T>(
    requests: &mpsc::Sender<Q>,
    request: impl FnOnce(oneshot::Sender<T>) -> Q,
) -> Result<T, Error> {
    let (reply, answer) = oneshot::channel();
    let sent = requests.clone().send(request(reply)).await;
    sent.map_err(|_| Error::Closed)?;
    answer.await.map_err(|_| Error::Closed)
}

impl<R, C, A> Driver<R, C, A>
where
    R: Runtime,
    C: Connection,
    A: App<C>,
{
    /// Writes the gathered bytes (never their content to the log: they hold SASL
    /// data) and tells the application. A peer that stops reading fails the
    /// connection after the write timeout.
    async fn flush(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        if !out.is_empty() {
            trace!(bytes = out.len(), "write");
            let write = self.transport.write_all(out);
            timeout::<R, _>(self.write_timeout, "write", write)
                .await?
                .map_err(Error::io("write"))?;
            // Nothing is kept between bursts: the next one usually arrives as the
            // core's own buffer (taken as it is), and an idle connection holds none.
            *out = Vec::new();
        }
        self.app.flushed();
        Ok(())
    }
}
