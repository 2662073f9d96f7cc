//! [`Runtime`]: what an async runtime lends the shared code — TCP connect, a timer,
//! spawning, hickory's DNS connection provider — and its plain-or-TLS [`Transport`].

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use hickory_resolver::ConnectionProvider;

use rustls::ClientConfig;
use xmpp_core::{TlsInfo, TlsRole};

use crate::{Error, ServerTlsConfig};

/// An async runtime, as the driver loop, connection setup and a server's accept
/// loop need it. Implemented by `xmpp_tokio::Tokio` and `xmpp_smol::Smol`.
pub trait Runtime: Send + Sync + 'static {
    /// The plain-or-TLS transport.
    type Transport: Transport;
    /// A listening TCP socket.
    type Listener: Listener<Transport = Self::Transport>;
    /// hickory-resolver's view of the runtime.
    type Dns: ConnectionProvider;

    /// Opens a TCP connection to `host:port` (resolving A/AAAA; every address is tried).
    fn connect(host: &str, port: u16) -> impl Future<Output = io::Result<Self::Transport>> + Send;
    /// Binds a listening TCP socket to `addr`.
    fn bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>> + Send;
    /// Completes at `at`.
    fn sleep_until(at: Instant) -> impl Future<Output = ()> + Send;
    /// Runs `task` in the background.
    fn spawn(task: impl Future<Output = ()> + Send + 'static);
    /// The DNS connection provider for a hickory resolver.
    fn dns() -> Self::Dns;
}

/// A listening TCP socket of a runtime: accepted connections arrive as plain
/// transports with `TCP_NODELAY` set.
pub trait Listener: Send + 'static {
    /// The transport of accepted connections.
    type Transport: Transport;
    /// Waits for the next connection; returns it with the peer's address.
    fn accept(&mut self) -> impl Future<Output = io::Result<(Self::Transport, SocketAddr)>> + Send;
    /// The address the socket is bound to (the port chosen for port 0).
    fn local_addr(&self) -> io::Result<SocketAddr>;
}

/// A byte stream that can be upgraded to TLS in place: the plain-or-TLS transport of a
/// runtime.
pub trait Transport: Send + 'static {
    /// Reads some bytes; 0 means end of file. Must be cancel-safe.
    fn read<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    /// Writes all of `buf` and flushes.
    fn write_all<'a>(
        &'a mut self,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    /// Closes the write side (TLS close_notify first, if any).
    fn shutdown(&mut self) -> impl Future<Output = io::Result<()>> + Send + '_;
    /// Runs a TLS handshake on the plain stream and returns its [`TlsInfo`] with the
    /// channel-binding data ([`tls_info`](crate::tls_info)).
    fn start_tls<'a>(
        &'a mut self,
        tls: &'a TlsSide,
        server_name: &'a str,
    ) -> impl Future<Output = Result<TlsInfo, Error>> + Send + 'a;
}

/// The TLS configuration of one side of a connection.
#[derive(Clone, Debug)]
pub enum TlsSide {
    /// A client: the configuration from [`client_config`](crate::client_config).
    Client(Arc<ClientConfig>),
    /// A server.
    Server(ServerTlsConfig),
}

impl TlsSide {
    /// The handshake role this side takes.
    pub fn role(&self) -> TlsRole {
        match self {
            TlsSide::Client(_) => TlsRole::Client,
            TlsSide::Server(_) => TlsRole::Server,
        }
    }
}

/// `fut`'s output, or [`Error::Timeout`] naming `what` after `after`, on runtime `R`.
pub async fn with_timeout<R: Runtime, T>(
    after: Duration,
    what: &'static str,
    fut: impl Future<Output = T>,
) -> Result<T, Error> {
    timeout::<R, T>(after, what, fut).await
}

/// `fut`'s output, or [`Error::Timeout`] naming `what` after `after`.
pub(crate) async fn timeout<R: Runtime, T>(
    after: Duration,
    what: &'static str,
    fut: impl Future<Output = T>,
) -> Result<T, Error> {
    let deadline = Instant::now().checked_add(after);
    let timer = async {
        match deadline {
            Some(at) => R::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    futures::select_biased! {
        value = fut.fuse() => Ok(value),
        () = timer.fuse() => Err(Error::Timeout(what)),
    }
}
