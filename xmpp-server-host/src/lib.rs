//! The XMPP server host, generic over an [`xmpp_adapter::Runtime`]: it binds the
//! listeners, accepts connections, runs a [`ServerConnection`](xmpp_core::ServerConnection)
//! driver for each with the host as its application, and owns the IO-free router
//! (`xmpp_server::Host`) and the store on one thread of its own.
//!
//! ```text
//!  socket ─► driver (ServerConnection) ─events─► host thread (Host + Router + store)
//!  socket ◄─ driver (ServerConnection) ◄─commands─┘      one channel in, one queue per session
//! ```
//!
//! A stanza from one client to another crosses two queues: the host thread's
//! input channel (shared by all connections) and the recipient's command queue.
//! Changes are persisted (by a [`DurableStore`]) before any later action is carried
//! out, so nothing is acknowledged that a crash could lose.
//!
//! | module | job |
//! |---|---|
//! | [`settings`] | [`ServerSettings`]: one source for the router's and the connections' configuration |
//! | `host_loop` | the host thread: inputs in order, actions carried out, account updates from the store, graceful stop |
//! | `throttle` | per-connection stanza and byte rates, enforced by reading more slowly |
//! | `auth_gate` | credential requests held while the source address or account is throttled after failures |
//! | `connection` | accept loops, the per-connection [`App`](xmpp_adapter::App), unauthenticated-connection bounds |
//! | [`metrics`] | counters and gauges, rendered as OpenMetrics |
//! | `metrics_http` | the `/metrics` endpoint on the host's runtime |
//! | [`server`] | [`Server`]: start, administration, certificate reload, shutdown |
//!
//! `xmppd` runs it on tokio with the SQLite store; tests run it on tokio or smol
//! with [`MemoryStore`].

#![forbid(unsafe_code)]

mod auth_gate;
mod connection;
mod error;
mod host_loop;
pub mod metrics;
mod metrics_http;
pub mod server;
pub mod settings;
mod throttle;

pub use error::{ServerError, SettingsError};
pub use host_loop::HostStats;
pub use metrics::Metrics;
pub use server::Server;
pub use settings::ServerSettings;
pub use throttle::Rates;
pub use xmpp_server::{DurableStore, MemoryStore};
