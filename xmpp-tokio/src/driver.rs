//! The generic driver loop: one for both roles and both runtimes. It drains the
//! connection's outputs (writing, upgrading to TLS, handing events over), then waits
//! for whichever comes first — bytes, the deadline, or a request from the application.

use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

use futures::channel::mpsc;
use futures::{FutureExt, StreamExt};
use tracing::{Instrument, debug, debug_span, trace};
use xmpp_core::{CloseReason, Connection, Output};

use crate::Error;
use crate::runtime::{Runtime, TlsSide, Transport, timeout};

/// Bytes read per call; also the write buffer capacity kept between bursts.
const READ_BUFFER: usize = 4096;

/// How long one write (or the final shutdown) may wait for the peer to read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// The application's end of a driven connection.
pub(crate) trait App<C: Connection>: Send {
    /// What the application sends the driver.
    type Request: Send;
    /// Applies a request.
    fn request(&mut self, conn: &mut C, now: Instant, request: Self::Request);
    /// Every request sender is gone.
    fn abandoned(&mut self, conn: &mut C, now: Instant);
    /// Hands an event over (may wait for room: backpressure).
    fn event(&mut self, event: C::Event) -> impl Future<Output = ()> + Send;
    /// The connection finished: `None` after a graceful close.
    fn finish(self, error: Option<Error>) -> impl Future<Output = ()> + Send;
}

/// Runs `conn` over `transport` until it closes; `app` gets its events and end.
pub(crate) async fn run<R, C, A>(
    mut conn: C,
    mut transport: R::Transport,
    tls: Option<TlsSide>,
    handshake_timeout: Duration,
    mut requests: mpsc::Receiver<A::Request>,
    mut app: A,
) where
    C: Connection + Send,
    C::Event: Send,
    R: Runtime,
    A: App<C>,
{
    // Small per-connection buffers: a server may hold many idle connections.
    let mut buf = vec![0u8; READ_BUFFER];
    let mut out = Vec::new();
    let error = loop {
        let deadline = match drain::<R, C, A>(
            &mut conn,
            &mut transport,
            &tls,
            handshake_timeout,
            &mut app,
            &mut out,
        )
        .await
        {
            Ok(Drained::Wait(deadline)) => deadline,
            Ok(Drained::Closed(reason)) => break Error::from_close(reason),
            Err(e) => break Some(e),
        };
        let timer = async {
            match deadline {
                Some(at) => R::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let wake = futures::select_biased! {
            read = transport.read(&mut buf).fuse() => Wake::Read(read),
            request = requests.next() => Wake::Request(request),
            () = timer.fuse() => Wake::Timer,
        };
        let now = Instant::now();
        match wake {
            Wake::Read(Ok(0)) => conn.handle_eof(now),
            Wake::Read(Ok(n)) => {
                trace!(bytes = n, "read");
                conn.handle_input(now, buf.get(..n).unwrap_or_default());
            }
            Wake::Read(Err(e)) => break Some(Error::io("read")(e)),
            Wake::Request(Some(request)) => app.request(&mut conn, now, request),
            // Every sender is gone; `requests` is terminated and not polled again.
            Wake::Request(None) => app.abandoned(&mut conn, now),
            Wake::Timer => conn.handle_timeout(now),
        }
    };
    if let Some(e) = &error {
        debug!(error = %e, "connection failed");
    }
    let _ = timeout::<R, _>(WRITE_TIMEOUT, "shutdown", transport.shutdown()).await;
    app.finish(error).await;
}

/// What woke the loop.
enum Wake<R> {
    Read(io::Result<usize>),
    Request(Option<R>),
    Timer,
}

/// How draining ended.
enum Drained {
    /// Nothing to do until the deadline, input or a request.
    Wait(Option<Instant>),
    /// The connection finished.
    Closed(CloseReason),
}

/// Drains outputs until `Wait`: bytes are gathered into `out` and written before
/// anything that depends on them (TLS, waiting, closing).
async fn drain<R, C, A>(
    conn: &mut C,
    transport: &mut R::Transport,
    tls: &Option<TlsSide>,
    handshake_timeout: Duration,
    app: &mut A,
    out: &mut Vec<u8>,
) -> Result<Drained, Error>
where
    C: Connection + Send,
    C::Event: Send,
    R: Runtime,
    A: App<C>,
{
    loop {
        match conn.poll_output() {
            Output::Transmit(bytes) => out.extend_from_slice(&bytes),
            Output::Event(event) => app.event(event).await,
            Output::StartTls { role, server_name } => {
                flush::<R>(transport, out).await?;
                let Some(tls) = tls.as_ref().filter(|t| t.role() == role) else {
                    return Err(Error::Tls(format!(
                        "no TLS configuration for the {role:?} role"
                    )));
                };
                let span = debug_span!("starttls", ?role, name = %server_name);
                let handshake = transport.start_tls(tls, &server_name).instrument(span);
                let info = timeout::<R, _>(handshake_timeout, "TLS handshake", handshake).await??;
                debug!(version = ?info.version, bindings = ?info.binding_types(), "TLS established");
                conn.handle_tls_established(Instant::now(), info);
            }
            Output::Closed(reason) => {
                flush::<R>(transport, out).await?;
                debug!(%reason, "closed");
                return Ok(Drained::Closed(reason));
            }
            Output::Wait(deadline) => {
                flush::<R>(transport, out).await?;
                return Ok(Drained::Wait(deadline));
            }
        }
    }
}

/// Writes the gathered bytes (never their content to the log: they hold SASL data).
/// A peer that stops reading fails the connection after [`WRITE_TIMEOUT`].
async fn flush<R: Runtime>(transport: &mut R::Transport, out: &mut Vec<u8>) -> Result<(), Error> {
    if !out.is_empty() {
        trace!(bytes = out.len(), "write");
        let write = transport.write_all(out);
        timeout::<R, _>(WRITE_TIMEOUT, "write", write)
            .await?
            .map_err(Error::io("write"))?;
        out.clear();
        out.shrink_to(READ_BUFFER);
    }
    Ok(())
}
