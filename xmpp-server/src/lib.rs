//! The IO-free core of an XMPP server (RFC 6120 / RFC 6121): a [`Router`] that
//! owns accounts and client sessions and implements the server's side of instant
//! messaging and presence — routing (RFC 6121 §8), the roster with versioning
//! (§2), the presence subscription state machine with pre-approval (§3 and
//! Appendix A), presence broadcast, probes and directed presence (§4), offline
//! messages (XEP-0160/XEP-0203), the blocking command (XEP-0191), privacy lists
//! (XEP-0016), service discovery (XEP-0030) and ping (XEP-0199).
//!
//! It performs no IO, reads no clock and draws no randomness of its own: time comes
//! in as arguments, random bytes from the injected [`xmpp_sasl::Entropy`], and
//! everything it wants done comes out of [`Router::poll_output`].
//!
//! # The pump
//!
//! ```text
//!            host (sockets, TLS, ServerConnection per client, database)
//!   inputs ──────────────────────────────┐        ┌──────────────── outputs, in order
//!   open_session(now, id)                │        │  Persist(Change)      → store durably first
//!   credentials_requested(now, id, ..)   ▼        │  Credentials{..}      → answer the SASL machine
//!   bind_requested(now, id, ..)      ┌────────┐   │  Bind{..}             → answer the bind request
//!   session_online(now, id)          │ Router │───┤  Deliver{id, stanza}  → send to that client
//!   stanza_received(now, wall, id, ..)└────────┘   │  Close{id, error}     → stream error, close
//!   session_closed(now, id)                       └─ (None: drained)
//!   create_account / set_password / delete_account (administration)
//! ```
//!
//! After every input, call [`Router::poll_output`] until it returns `None` and carry
//! the outputs out **in order**. A thin glue maps a `ServerConnection`'s events
//! (credentials requested, bind requested, online, stanza, closed) to these inputs
//! and the outputs to its commands; the router knows nothing of streams.
//!
//! * [`SessionId`] is the host's number for a session; a request of a session is
//!   named by the connection's own [`xmpp_core::RequestId`], echoed back in the
//!   answer ([`RequestId::from_raw`](xmpp_core::RequestId::from_raw) makes one when
//!   no connection stands behind the session).
//! * `now` is a monotonic [`Instant`](std::time::Instant) (flood control);
//!   `wall` a [`Timestamp`] (XEP-0203 stamps on stored messages).
//! * `from` (RFC 6120 §8.1.2.1) is checked once, at the stream boundary, by
//!   [`xmpp_core::server::stamp_from`]: a `ServerConnection` applies it before
//!   reporting a stanza, so [`Router::stanza_received`] trusts the stamped `from`
//!   (and stamps one that is absent); [`Router::element_received`], which takes
//!   unchecked elements, applies the same function. A stanza claiming another
//!   address closes its session with `invalid-from`, so a forged `from` never
//!   leaves.
//! * Peer misbehaviour (invalid stanzas, stanzas before binding, floods) is
//!   answered with a stanza error or a stream error and close; it never disturbs
//!   other sessions or the store. [`RouterError`] is only for glue bugs.
//!
//! # Glue to a `ServerConnection`
//!
//! | connection event or need | router input / output |
//! |---|---|
//! | connection accepted | [`Router::open_session`] |
//! | SASL needs credentials (request id, mechanism, authcid, authzid) | [`Router::credentials_requested`] → [`RouterOutput::Credentials`] with an [`xmpp_sasl::CredentialAnswer`] |
//! | bind requested (request id, authenticated user, resource or none) | [`Router::bind_requested`] → [`RouterOutput::Bind`] (and [`RouterOutput::Close`] with `conflict` for a session it replaces) |
//! | online | [`Router::session_online`] |
//! | a stanza (typed) or a first-level element (unchecked) | [`Router::stanza_received`] / [`Router::element_received`] → [`RouterOutput::Deliver`] to any session |
//! | closed, for any reason | [`Router::session_closed`] |
//! | — | [`RouterOutput::Close`]: send the stream error, close |
//! | stream features after binding | advertise [`STREAM_FEATURES`] |
//!
//! [`Host`] implements this table for `xmpp_core::ServerConnection`s: feed it each
//! connection's events, carry out its [`Action`]s in order (each one a
//! `ServerCommand` for one connection, or a change to persist), and report closes.
//! Runtimes only move bytes and commands.
//!
//! # Durability: the ordering contract
//!
//! The router keeps its state in memory and reports every durable change as
//! [`RouterOutput::Persist`]: accounts and their SCRAM keys (never passwords), roster
//! items and the roster version, pending subscription requests with their stanza,
//! privacy lists (which also hold the blocklist) and the default list, offline
//! messages stored and deleted.
//!
//! **Every `Persist` is emitted before any output that acknowledges or reveals the
//! change** — the roster push and the IQ result of a roster set, the result of a
//! block command, the absence of an error for a message stored offline. A host that
//! makes each `Persist` durable (say, one SQLite transaction) before acting on the
//! outputs after it therefore never acknowledges state it could lose. Deleting a
//! delivered offline message is the one change that follows its output (the
//! delivery), so a crash in between delivers the message twice rather than never.
//!
//! At start-up the host hands the saved state back with [`Router::load`]: either
//! every `Change` ever emitted, in order, or [`Router::snapshot`]'s compact form
//! (or database rows turned back into `Change`s). Each `Change` is an idempotent
//! upsert or delete keyed by account and one more key; see [`Change`].
//!
//! # Example: two sessions
//!
//! ```
//! use std::time::Instant;
//! use xmpp_jid::{BareJid, Jid};
//! use xmpp_sasl::{CredentialAnswer, InsecureSeededEntropy, Mechanism, Password};
//! use xmpp_core::RequestId;
//! use xmpp_server::{RouterOutput, Router, RouterConfig, SessionId, Timestamp};
//! use xmpp_stanza::{Message, Stanza};
//!
//! let mut config = RouterConfig::new(BareJid::new("example.com").unwrap());
//! config.scram_iterations = 64; // keep the doctest fast; use >= 4096 in production
//! // Tests only: production hosts inject an OS-backed `Entropy`.
//! let mut router = Router::new(config, InsecureSeededEntropy::new(1));
//! let now = Instant::now();
//! let wall = Timestamp::from_unix_millis(1_700_000_000_000);
//!
//! router.create_account("juliet", &Password::new("r0m30myr0m30")).unwrap();
//! router.create_account("romeo", &Password::new("j4l13t")).unwrap();
//! let mut persisted = Vec::new();
//! let mut drain = |router: &mut Router<_>| {
//!     let mut rest = Vec::new();
//!     while let Some(output) = router.poll_output() {
//!         match output {
//!             RouterOutput::Persist(change) => persisted.push(change), // store it durably here
//!             other => rest.push(other),
//!         }
//!     }
//!     rest
//! };
//! drain(&mut router);
//!
//! // Each connection: SASL asks for credentials, then binding, then online.
//! for (id, user) in [(1, "juliet"), (2, "romeo")] {
//!     let session = SessionId(id);
//!     router.open_session(now, session).unwrap();
//!     router
//!         .credentials_requested(now, session, RequestId::from_raw(1), Mechanism::ScramSha256, user, None)
//!         .unwrap();
//!     let out = drain(&mut router);
//!     assert!(matches!(&out[..], [RouterOutput::Credentials { answer: CredentialAnswer::Found(_), .. }]));
//!     router.bind_requested(now, session, RequestId::from_raw(2), user, Some("home")).unwrap();
//!     let out = drain(&mut router);
//!     let [RouterOutput::Bind { result: Ok(jid), .. }] = &out[..] else { panic!("{out:?}") };
//!     assert_eq!(jid.as_str(), format!("{user}@example.com/home"));
//!     router.session_online(now, session).unwrap();
//! }
//!
//! // Romeo writes to Juliet's full JID; the router stamps `from` and delivers.
//! let msg = Message::chat(Jid::new("juliet@example.com/home").unwrap(), "Art thou there?");
//! router.stanza_received(now, wall, SessionId(2), Stanza::Message(msg)).unwrap();
//! let out = drain(&mut router);
//! let [RouterOutput::Deliver { session, stanza: Stanza::Message(m) }] = &out[..] else { panic!("{out:?}") };
//! assert_eq!(*session, SessionId(1));
//! assert_eq!(m.from.as_ref().map(Jid::as_str), Some("romeo@example.com/home"));
//! assert_eq!(m.body(), Some("Art thou there?"));
//!
//! // A restart: the persisted changes rebuild the accounts.
//! let restarted = Router::load(router.config().clone(), InsecureSeededEntropy::new(2), persisted).unwrap();
//! assert_eq!(restarted.accounts().len(), 2);
//! ```

mod accounts;
pub use crate::accounts::derive_account_keys;
mod auth_throttle;
mod bind;
mod blocking;
mod change;
mod config;
mod disco;
mod durable;
mod error;
mod flood;
mod host;
mod hub;
mod ids;
mod inbound;
mod iq;
mod offline;
mod output;
mod presence;
mod privacy;
mod reply;
mod roster;
mod router;
mod routing;
mod session;
mod store;
pub mod subscription;
mod time;
mod undelivered;

pub use crate::auth_throttle::{AuthThrottle, AuthThrottleConfig};
pub use crate::change::{Change, OfflineMessage, RosterEntry, RosterSubscription};
pub use crate::config::{FloodLimit, RouterConfig, RouterLimits};
pub use crate::disco::{SERVER_FEATURES, STREAM_FEATURES, bind_features};
pub use crate::durable::{AccountUpdate, DurableStore, MemoryStore};
pub use crate::error::{AccountError, LoadError, RouterError};
pub use crate::host::{Action, Host};
pub use crate::ids::SessionId;
pub use crate::output::RouterOutput;
pub use crate::router::Router;
pub use crate::time::Timestamp;
