//! The smol adapter for the sans-IO XMPP core: async-net sockets, futures-rustls, and
//! hickory-resolver on a small smol glue ([`SmolDns`]).
//!
//! It implements [`xmpp_tokio::Runtime`] for smol ([`Smol`]) and runs the very same
//! runtime-neutral driver loop, rustls configuration, channel-binding extraction and
//! connection setup as `xmpp-tokio` (built without its `tokio-runtime` feature, so no
//! tokio is linked): both adapters behave identically, byte for byte. No XML, no SASL,
//! no negotiation logic here either.
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
use std::time::Instant;

pub use dns::SmolDns;
pub use transport::SmolTransport;
pub use xmpp_tokio::{
    Client, ConnectConfig, Error, Event, Events, Security, ServeOptions, ServerTlsConfig, Session,
    SessionEvent, SessionEvents, connect_with, serve_with,
};

/// The smol runtime, for the generic entry points of `xmpp-tokio`.
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

impl xmpp_tokio::Runtime for Smol {
    type Transport = SmolTransport;
    type Dns = SmolDns;

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
