//! The smol adapter for the sans-IO XMPP core: async-net sockets, futures-rustls, and
//! hickory-resolver on a small smol glue ([`SmolDns`]).
//!
//! It implements [`xmpp_adapter::Runtime`] for smol ([`Smol`]) and runs the very same
//! runtime-neutral driver loop, rustls configuration, channel-binding extraction and
//! connection setup (`xmpp-adapter`'s) as `xmpp-tokio`: both adapters behave
//! identically, byte for byte, and no tokio is linked. No XML, no SASL, no
//! negotiation logic here either.
//!
//! ```no_run
//! use futures::StreamExt;
//! use xmpp_smol::{ConnectConfig, Event};
//!
//! # fn main() -> Result<(), xmpp_smol::Error> {
//! smol::block_on(async {
//!     let config = ConnectConfig::new("juliet@example.com", "secret")?;
//!     let (client, mut events) = xmpp_smol::connect(config).await?;
//!     client.close().await?;
//!     while let Some(event) = events.next().await {
//!         println!("{event:?}");
//!     }
//!     Ok(())
//! })
//! # }
//! ```

mod dns;
mod transport;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Instant;

pub use dns::SmolDns;
pub use transport::SmolTransport;
pub use xmpp_adapter::drive;
pub use xmpp_adapter::{
    App, Client, ConnectConfig, Error, Event, Events, Listener, OsEntropy, Runtime, Security,
    ServeOptions, ServerTlsConfig, Session, SessionEvent, SessionEvents, TlsSide, Transport,
    client_config, client_tls_info, connect_with, serve_with, server_end_point, server_name,
    server_tls_info, tls_info, with_alpn, with_timeout,
};

/// The smol runtime, for the generic entry points of `xmpp-adapter`.
#[derive(Debug)]
pub struct Smol;

/// Connects with smol; returns once online. See [`connect_with`].
pub async fn connect(config: ConnectConfig) -> Result<(Client, Events), Error> {
    connect_with::<Smol>(config).await
}

/// Serves an accepted TCP stream with smol. See [`serve_with`].
pub async fn serve(
    stream: async_net::TcpStream,
    config: std::sync::Arc<xmpp_core::ServerConfig>,
    options: ServeOptions,
) -> Result<(Session, SessionEvents), Error> {
    stream.set_nodelay(true).map_err(|source| Error::Io {
        during: "accept",
        source,
    })?;
    serve_with::<Smol>(SmolTransport::Plain(stream), config, options).await
}

/// A listening smol TCP socket ([`Runtime::bind`]).
#[derive(Debug)]
pub struct SmolListener(pub async_net::TcpListener);

impl Listener for SmolListener {
    type Transport = SmolTransport;

    async fn accept(&mut self) -> io::Result<(SmolTransport, SocketAddr)> {
        let (stream, peer) = self.0.accept().await?;
        stream.set_nodelay(true)?;
        Ok((SmolTransport::Plain(stream), peer))
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

impl Runtime for Smol {
    type Transport = SmolTransport;
    type Listener = SmolListener;
    type Dns = SmolDns;

    async fn bind(addr: SocketAddr) -> io::Result<SmolListener> {
        Ok(SmolListener(async_net::TcpListener::bind(addr).await?))
    }

    fn connect(host: &str, port: u16) -> impl Future<Output = io::Result<SmolTransport>> + Send {
        let host = host.to_owned();
        async move {
            let stream = async_net::TcpStream::connect((host.as_str(), port)).await?;
            stream.set_nodelay(true)?;
            Ok(SmolTransport::Plain(stream))
        }
    }

    async fn sleep_until(at: Instant) {
        smol::Timer::at(at).await;
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        smol::spawn(task).detach();
    }

    fn dns() -> SmolDns {
        SmolDns
    }
}
