//! The tokio runtime: [`Tokio`], its plain-or-TLS [`TokioTransport`] (tokio-rustls),
//! and the entry points [`connect`] and [`serve`](crate::serve).

use std::future::Future;
use std::io;
use std::time::Instant;

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector, TlsStream};
use xmpp_core::TlsInfo;

use xmpp_adapter::{
    Client, ConnectConfig, Error, Events, Listener, Runtime, ServeOptions, Session,
};
use xmpp_adapter::{SessionEvents, TlsSide, Transport, connect_with, serve_with};
use xmpp_adapter::{client_tls_info, server_name, server_tls_info};

/// A listening tokio TCP socket ([`Runtime::bind`]).
#[derive(Debug)]
pub struct TokioListener(pub TcpListener);

impl Listener for TokioListener {
    type Transport = TokioTransport;

    async fn accept(&mut self) -> io::Result<(TokioTransport, SocketAddr)> {
        let (stream, peer) = self.0.accept().await?;
        stream.set_nodelay(true)?;
        Ok((TokioTransport::Plain(stream), peer))
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// The tokio runtime, for the generic entry points
/// ([`connect_with`], [`serve_with`](crate::serve_with)).
#[derive(Debug)]
pub struct Tokio;

/// Connects with tokio; returns once online. See [`connect_with`].
pub async fn connect(config: ConnectConfig) -> Result<(Client, Events), Error> {
    connect_with::<Tokio>(config).await
}

/// Serves an accepted TCP stream with tokio. See [`serve_with`].
pub async fn serve(
    stream: TcpStream,
    config: std::sync::Arc<xmpp_core::ServerConfig>,
    options: ServeOptions,
) -> Result<(Session, SessionEvents), Error> {
    stream.set_nodelay(true).map_err(Error::io("accept"))?;
    serve_with::<Tokio>(TokioTransport::Plain(stream), config, options).await
}

impl Runtime for Tokio {
    type Transport = TokioTransport;
    type Listener = TokioListener;
    type Dns = hickory_resolver::net::runtime::TokioRuntimeProvider;

    async fn bind(addr: SocketAddr) -> io::Result<TokioListener> {
        Ok(TokioListener(TcpListener::bind(addr).await?))
    }

    fn connect(host: &str, port: u16) -> impl Future<Output = io::Result<TokioTransport>> + Send {
        let host = host.to_owned();
        async move {
            let stream = TcpStream::connect((host.as_str(), port)).await?;
            stream.set_nodelay(true)?;
            Ok(TokioTransport::Plain(stream))
        }
    }

    fn sleep_until(at: Instant) -> impl Future<Output = ()> + Send {
        tokio::time::sleep_until(at.into())
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(task);
    }

    fn dns() -> Self::Dns {
        Self::Dns::default()
    }
}

/// A TCP stream, plain or with TLS.
#[derive(Debug)]
#[non_exhaustive]
pub enum TokioTransport {
    /// Plain TCP (before STARTTLS).
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
    /// Gone (a handshake failed midway).
    Closed,
}

impl From<TcpStream> for TokioTransport {
    fn from(stream: TcpStream) -> Self {
        TokioTransport::Plain(stream)
    }
}

impl Transport for TokioTransport {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            TokioTransport::Plain(s) => s.read(buf).await,
            TokioTransport::Tls(s) => s.read(buf).await,
            TokioTransport::Closed => Ok(0),
        }
    }

    async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            TokioTransport::Plain(s) => s.write_all(buf).await,
            TokioTransport::Tls(s) => {
                s.write_all(buf).await?;
                s.flush().await
            }
            TokioTransport::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }

    async fn shutdown(&mut self) -> io::Result<()> {
        match self {
            TokioTransport::Plain(s) => s.shutdown().await,
            TokioTransport::Tls(s) => s.shutdown().await,
            TokioTransport::Closed => Ok(()),
        }
    }

    async fn start_tls(&mut self, side: &TlsSide, name: &str) -> Result<TlsInfo, Error> {
        let TokioTransport::Plain(tcp) = std::mem::replace(self, TokioTransport::Closed) else {
            return Err(Error::AlreadyTls);
        };
        let (stream, info) = match side {
            TlsSide::Client(config) => {
                let name = server_name(name)?;
                let s = TlsConnector::from(config.clone()).connect(name, tcp).await;
                let s = s.map_err(Error::tls_handshake)?;
                let info = client_tls_info(s.get_ref().1);
                (TlsStream::from(s), info)
            }
            TlsSide::Server(server) => {
                let s = TlsAcceptor::from(server.config.clone()).accept(tcp).await;
                let s = s.map_err(Error::tls_handshake)?;
                let info = server_tls_info(s.get_ref().1, server);
                (TlsStream::from(s), info)
            }
        };
        *self = TokioTransport::Tls(Box::new(stream));
        Ok(info)
    }
}
