//! The tokio adapter for the sans-IO XMPP core: it moves the bytes of an
//! [`xmpp_core::ClientConnection`] (or `ServerConnection`) over TCP and rustls and
//! holds no protocol logic of its own — no XML, no SASL, no negotiation.
//!
//! * `connect` ([`connect_with`] on any [`Runtime`]) resolves the domain (DNS SRV `_xmpps-client._tcp` and
//!   `_xmpp-client._tcp`, ordered by the core's RFC 2782 selection, every target tried
//!   in order, the domain on 5222 as the fallback — or an explicit `host:port`),
//!   connects with timeouts and returns once the session is online: a [`Client`] to send
//!   stanzas and IQ requests, and [`Events`], a `futures::Stream` of [`Event`]s.
//! * TLS is rustls on the ring provider: Mozilla roots or a CA file, SNI and the
//!   certificate check against the XMPP domain, channel-binding data
//!   (`tls-exporter`, `tls-server-end-point`) extracted for SCRAM `-PLUS`.
//! * Logs (tracing, a span per connection and attempt) never contain stanza bytes,
//!   passwords or SASL payloads.
//!
//! ```no_run
//! use futures::StreamExt;
//! use xmpp_jid::Jid;
//! use xmpp_stanza::Message;
//! use xmpp_tokio::{ConnectConfig, Event};
//!
//! # #[cfg(feature = "tokio-runtime")]
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
//!
//! The runtime-neutral parts (everything but the `tokio-runtime` feature) are shared
//! with `xmpp-smol`, which implements [`Runtime`] for smol: both adapters run the very
//! same driver loop.

mod client;
mod config;
mod connect;
mod dns;
mod driver;
mod entropy;
mod error;
mod runtime;
mod server;
mod tls;
#[cfg(feature = "tokio-runtime")]
mod tokio_rt;

pub use client::{Client, Event, Events};
pub use config::{ConnectConfig, Security};
pub use connect::connect_with;
pub use entropy::OsEntropy;
pub use error::Error;
pub use runtime::{Runtime, TlsSide, Transport};
pub use server::{ServeOptions, Session, SessionEvent, SessionEvents, serve_with};
pub use tls::{ServerTlsConfig, client_config, server_name, tls_info, with_alpn};
#[cfg(feature = "tokio-runtime")]
pub use tokio_rt::{Tokio, TokioTransport, connect, serve};
pub use xmpp_sasl::tls_server_end_point as server_end_point;
