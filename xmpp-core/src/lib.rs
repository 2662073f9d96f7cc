//! XMPP core, sans IO: the byte-fed XML stream reader and writer, and the stream
//! negotiation state machines for both roles built on them.
//!
//! An XMPP connection is one long XML document per direction — `<stream:stream …>`,
//! then stanzas for hours, then `</stream:stream>` — arriving in arbitrary chunks.
//! This crate performs no IO, reads no clock and never panics on peer input.
//!
//! # Connections: the pump
//!
//! [`ClientConnection`] (initiating entity) and [`ServerConnection`] (receiving
//! entity, `jabber:client`) run the whole of RFC 6120 stream negotiation — stream
//! headers, STARTTLS, SASL (through `xmpp-sasl`), restarts, resource binding, the
//! legacy session — and then carry stanzas, keepalives, errors and the close. Both
//! implement [`Connection`]: inputs go in through `handle_*` calls, everything that
//! must happen comes out of one ordered queue.
//!
//! ```text
//!   socket bytes ─► handle_input(now, &[u8])    ┌──────────────────────┐   poll_output() until Wait:
//!   socket EOF ───► handle_eof(now)             │  ClientConnection    │ ─► Transmit(bytes)  write them
//!   deadline ─────► handle_timeout(now)      ─► │  ServerConnection    │ ─► StartTls{..}     flush, handshake,
//!   TLS done ─────► handle_tls_established(..)  │ (reader, writer,     │                       handle_tls_established
//!   application ──► handle_command(now, cmd)    │  timer table, queue) │ ─► Event(..)        to the application
//!                     (Err only for misuse)     └──────────────────────┘ ─► Closed(reason)   flush, close socket
//!                                                                        ─► Wait(deadline)   sleep until input,
//!                                                                                              deadline or command
//! ```
//!
//! **The run-loop rule:** after every `handle_*` call, drain
//! [`poll_output`](Connection::poll_output) until [`Output::Wait`], acting on each
//! output in order. The order is what makes STARTTLS safe: `<proceed/>` is a
//! `Transmit` before the `StartTls` that asks for the handshake, and
//! `</stream:stream>` a `Transmit` before `Closed`. Then wait for whichever comes
//! first: input, the deadline (call `handle_timeout`), or a command.
//!
//! Time is the caller's: every call takes `now` (a [`std::time::Instant`]; a virtual
//! clock works as well), deadlines are `now` plus configured durations, and the bytes
//! written never depend on the instants. Randomness (stream ids, SCRAM nonces, stanza
//! ids) comes from the [`xmpp_sasl::Entropy`] given at construction. So the same
//! inputs give the same outputs, byte for byte, however the input is chunked.
//!
//! Peer misbehaviour is never an error return: the connection queues the stream
//! error it answers with, then `Closed` with a [`CloseReason`] naming the
//! [`Violation`] and its RFC 6120 condition. Decisions go back to the application as
//! events and come in as commands — the server asks for credentials
//! ([`ServerEvent::CredentialsRequested`]) and binding ([`ServerEvent::BindRequested`])
//! and waits, so stores may be asynchronous.
//!
//! A driver loop, generic over the role (in an adapter, `Transmit` goes to the
//! socket and `Wait` becomes a `select!` over read, sleep and the command channel):
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//! use xmpp_core::*;
//! use xmpp_jid::BareJid;
//! use xmpp_sasl::{Account, CredentialAnswer, InsecureSeededEntropy};
//!
//! /// One drain of a connection: what it wrote, asked and reported.
//! struct Drained<E> {
//!     bytes: Vec<u8>,
//!     start_tls: bool,
//!     events: Vec<E>,
//!     closed: Option<CloseReason>,
//! }
//!
//! /// The run-loop rule: poll until `Wait`, acting on each output in order.
//! fn drain<C: Connection>(conn: &mut C) -> Drained<C::Event> {
//!     let mut d = Drained { bytes: Vec::new(), start_tls: false, events: Vec::new(), closed: None };
//!     loop {
//!         match conn.poll_output() {
//!             Output::Transmit(bytes) => d.bytes.extend(bytes), // write to the socket
//!             Output::StartTls { .. } => d.start_tls = true,    // flush, then TLS handshake
//!             Output::Event(e) => d.events.push(e),             // to the application
//!             Output::Closed(reason) => d.closed = Some(reason), // flush, close the socket
//!             Output::Wait(_deadline) => return d,               // sleep until input/deadline/command
//!         }
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let now = Instant::now(); // a virtual clock would do: nothing here reads one
//! let jid = BareJid::new("juliet@example.com")?;
//! let config = ClientConfig::new(jid, "r0m30myr0m30")?.with_resource("balcony");
//! // Seeded entropy is for tests only: give real connections an OS-backed source.
//! let mut client = ClientConnection::new(config, Box::new(InsecureSeededEntropy::new(1)), now)?;
//! let mut server = ServerConnection::new(
//!     Arc::new(ServerConfig::new("example.com")?),
//!     ServerTransport::StartTls,
//!     Box::new(InsecureSeededEntropy::new(2)),
//!     now,
//! );
//! // TLS is faked: the "handshake" completes as soon as both sides asked for it.
//! let (mut client_tls, mut server_tls) = (false, false);
//! let (mut bound, mut client_closed, mut server_closed) = (None, None, None);
//! for _ in 0..100 {
//!     let c = drain(&mut client);
//!     client_tls |= c.start_tls;
//!     for event in c.events {
//!         if let ClientEvent::Online { jid, .. } = event {
//!             bound = Some(jid);
//!             client.handle_command(now, ClientCommand::Close)?;
//!         }
//!     }
//!     server.handle_input(now, &c.bytes);
//!     let s = drain(&mut server);
//!     server_tls |= s.start_tls;
//!     for event in s.events {
//!         let answer = match event {
//!             ServerEvent::CredentialsRequested { id, .. } => {
//!                 let account = Account::with_password("r0m30myr0m30");
//!                 ServerCommand::ProvideCredentials { id, answer: CredentialAnswer::Found(account) }
//!             }
//!             ServerEvent::BindRequested { id, user, requested } => {
//!                 // No resource asked for: the answer chooses one (RFC 6120 §7.6).
//!                 let jid = match requested { Some(jid) => jid, None => user.with_resource("assigned")? };
//!                 ServerCommand::Bind { id, result: Ok(jid) }
//!             }
//!             _ => continue,
//!         };
//!         server.handle_command(now, answer)?; // its output comes with the next drain
//!     }
//!     client.handle_input(now, &s.bytes);
//!     if client_tls && server_tls {
//!         (client_tls, server_tls) = (false, false);
//!         server.handle_tls_established(now, TlsInfo::new(TlsVersion::Tls13));
//!         client.handle_tls_established(now, TlsInfo::new(TlsVersion::Tls13));
//!     }
//!     client_closed = client_closed.or(c.closed);
//!     server_closed = server_closed.or(s.closed);
//!     if client_closed.is_some() && server_closed.is_some() {
//!         break;
//!     }
//! }
//! assert_eq!(bound.map(|j| j.to_string()).as_deref(), Some("juliet@example.com/balcony"));
//! // We closed; the server answered with its close tag.
//! assert_eq!(client_closed, Some(CloseReason::Local));
//! assert_eq!(server_closed, Some(CloseReason::Peer));
//! # Ok(())
//! # }
//! ```
//!
//! The other modules: [`srv`] orders DNS SRV targets (RFC 2782, XEP-0368) for the
//! adapters to try; [`stanza_id`] draws ids for the application's IQ requests.
//!
//! # Reading: [`StreamReader`]
//!
//! ```text
//!  bytes (any chunking) ──► UTF-8 hold-back ──► framer ──► tree builder ──► StreamEvent
//!                           (split chars)      (scan once,   (xmpp-stanza,   StreamOpened
//!                                               limits,       per complete   Element
//!                                               <! <? refused) element)      StreamClosed
//! ```
//!
//! The framer finds where the stream header, each top-level element and the close
//! tag end, keeping its state between reads so every byte is classified once; it
//! refuses comments, processing instructions and DTDs on sight and enforces the
//! [`Limits`] (stanza size — 256 KiB, or 8 KiB before authentication — depth,
//! attributes, namespace declarations) before buffering. A complete element goes to
//! [`xmpp_stanza::TreeBuilder`] — straight from the input when it arrived in one
//! piece — which checks well-formedness and namespaces. Every violation is a
//! [`ReadError`] with the RFC 6120 §4.9.3 condition to close the stream with and
//! its byte offset.
//!
//! [`StreamReader::read`] returns after each event with the number of bytes it
//! consumed, so a stream restart after `<proceed/>` or `<success/>` happens at
//! exactly the right byte ([`StreamReader::reset`]), and the bytes after it can be
//! examined (STARTTLS injection defence) or given to the restarted reader.
//!
//! ```
//! use xmpp_core::{ReaderConfig, StreamEvent, StreamReader};
//!
//! let mut reader = StreamReader::new(ReaderConfig::c2s());
//! let input = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
//!     xmlns:stream='http://etherx.jabber.org/streams' from='example.com' version='1.0'>\
//!     <message from='juliet@example.com'><body>Wherefore art thou?</body></message> ";
//! let mut stanzas = 0;
//! for byte in input.chunks(1) {
//!     for event in reader.feed(byte) {
//!         if let StreamEvent::Element(e) = event.unwrap() {
//!             assert_eq!(e.attr("from"), Some("juliet@example.com"));
//!             stanzas += 1;
//!         }
//!     }
//! }
//! assert_eq!(stanzas, 1);
//! ```
//!
//! # Writing: [`StreamWriter`]
//!
//! Writes the stream header for either role and content namespace, then elements
//! serialized once relative to the stream's namespace context (no per-stanza
//! redeclarations), stream errors and the close tag, into caller-supplied buffers.

pub mod client;
pub mod connection;
pub mod server;
pub mod srv;
pub mod stream;

pub use client::{
    ClientCommand, ClientConfig, ClientConnection, ClientEvent, ClientTimeouts, IqResponse,
    ResourceConflict, TlsMode,
};
pub use connection::ids::stanza_id;
pub use connection::{
    AuthError, CloseReason, CommandError, ConfigError, Connection, Output, TimerKind, TlsInfo,
    TlsRole, TlsVersion, Violation,
};
pub use server::{
    RequestId, SaslPolicy, ServerCommand, ServerConfig, ServerConnection, ServerEvent,
    ServerTimeouts, ServerTransport,
};
pub use stream::{
    Limits, ReadError, ReadErrorKind, ReaderConfig, Step, StreamAttributes, StreamEvent,
    StreamEvents, StreamHeader, StreamReader, StreamVersion, StreamWriter, WriteError,
};
