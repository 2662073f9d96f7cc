//! The tokio adapter for the sans-IO XMPP core: tokio TCP sockets and timers,
//! tokio-rustls and hickory-resolver on tokio, implementing
//! [`xmpp_adapter::Runtime`] ([`Tokio`]). The driver loop, the client and server APIs,
//! the rustls configuration and the connection setup are `xmpp-adapter`'s, re-exported
//! here, and shared with `xmpp-smol`: no XML, no SASL, no negotiation logic here.
//!
//! * [`connect`] resolves the domain (DNS SRV `_xmpps-client._tcp` and
//!   `_xmpp-client._tcp`, ordered by the core's RFC 2782 selection, every target tried
//!   in order, the domain on 5222 as the fallback — or an explicit `host:port`),
//!   connects with timeouts and returns once the session is online: a [`Client`] to send
//!   stanzas and IQ requests, and [`Events`], a `futures::Stream` of [`Event`]s.
//! * [`serve`] drives a `ServerConnection` over an accepted [`tokio::net::TcpStream`].
//! * TLS is rustls on the ring provider: Mozilla roots or a CA file, SNI and the
//!   certificate check against the XMPP domain, channel-binding data
//!   (`tls-exporter`, `tls-server-end-point`) extracted for SCRAM `-PLUS`.
//!
//! ```no_run
//! use futures::StreamExt;
//! use xmpp_jid::Jid;
//! use xmpp_stanza::Message;
//! use xmpp_tokio::{ConnectConfig, Event};
//!
//! # async fn run() -> Result<(), xmpp_tokio::Error> {
//! let config = ConnectConfig::new("juliet@example.com", "secret")?;
//! let (client, mut events) = xmpp_tokio::connect(config).await?;
//! let romeo = Jid::new("romeo@example.net").expect("valid JID");
//! client.send(Message::chat(romeo, "Art thou not Romeo?")).await?;
//! client.close().await?;
//! while let Some(event) = events.next().await {
//!     if let Event::Closed(error) = event {
//!         println!("closed: {error:?}");
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod tokio_rt;

pub use tokio_rt::{Tokio, TokioListener, TokioTransport, connect, serve};
pub use xmpp_adapter::drive;
pub use xmpp_adapter::{
    App, Client, ConnectConfig, Error, Event, Events, Listener, OsEntropy, Runtime, Security,
    ServeOptions, ServerTlsConfig, Session, SessionEvent, SessionEvents, TlsSide, Transport,
    client_config, client_tls_info, connect_with, serve_with, server_end_point, server_name,
    server_tls_info, tls_info, with_alpn, with_timeout,
};
