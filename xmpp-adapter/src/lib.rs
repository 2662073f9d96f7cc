//! The runtime-neutral half of the XMPP adapters `xmpp-tokio` and `xmpp-smol`: it moves
//! the bytes of an [`xmpp_core::ClientConnection`] (or `ServerConnection`) over any
//! async runtime that implements the small [`Runtime`] trait (TCP connect, a timer,
//! spawning, hickory's DNS provider, and a plain-or-TLS [`Transport`]). It holds no
//! protocol logic of its own — no XML, no SASL, no negotiation.
//!
//! * [`connect_with`] resolves the domain (DNS SRV `_xmpps-client._tcp` and
//!   `_xmpp-client._tcp`, ordered by the core's RFC 2782 selection, every target tried
//!   in order, the domain on 5222 as the fallback — or an explicit `host:port`),
//!   connects with timeouts and returns once the session is online: a [`Client`] to send
//!   stanzas and IQ requests, and [`Events`], a `futures::Stream` of [`Event`]s.
//! * [`serve_with`] drives a `ServerConnection` over an accepted stream: a [`Session`]
//!   for commands and [`SessionEvents`] for its events.
//! * TLS is rustls on the ring provider: Mozilla roots or a CA file, SNI and the
//!   certificate check against the XMPP domain, channel-binding data
//!   (`tls-exporter`, `tls-server-end-point`) extracted for SCRAM `-PLUS`.
//! * Logs (tracing, a span per connection and attempt) never contain stanza bytes,
//!   passwords or SASL payloads.
//!
//! Both adapters run this very driver loop, so they behave identically, byte for byte;
//! an adapter for another runtime implements [`Runtime`] and [`Transport`] (about 150
//! lines for tokio) and gets the same client and server APIs.
//!
//! ```no_run
//! use futures::StreamExt;
//! use xmpp_adapter::{ConnectConfig, Event, Runtime};
//!
//! async fn run<R: Runtime>() -> Result<(), xmpp_adapter::Error> {
//!     let config = ConnectConfig::new("juliet@example.com", "secret")?;
//!     let (client, mut events) = xmpp_adapter::connect_with::<R>(config).await?;
//!     client.close().await?;
//!     while let Some(event) = events.next().await {
//!         if let Event::Closed(error) = event {
//!             println!("closed: {error:?}");
//!         }
//!     }
//!     Ok(())
//! }
//! ```

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

pub use client::{Client, Event, Events};
pub use config::{ConnectConfig, Security};
pub use connect::connect_with;
pub use driver::{App, DriveOptions, WRITE_TIMEOUT, drive};
pub use entropy::OsEntropy;
pub use error::Error;
pub use runtime::with_timeout;
pub use runtime::{Listener, Runtime, TlsSide, Transport};
pub use server::{ServeOptions, Session, SessionEvent, SessionEvents, serve_with};
pub use tls::{
    ServerTlsConfig, client_config, client_tls_info, server_name, server_tls_info, tls_info,
    with_alpn,
};
pub use xmpp_core::srv::{ConnectTarget, TargetTls};
pub use xmpp_sasl::tls_server_end_point as server_end_point;
