//! XMPP core, sans IO: the byte-fed XML stream reader and writer, and the stream
//! negotiation state machines for both roles built on them.
//!
//! An XMPP connection is one long XML document per direction — `<stream:stream …>`,
//! then stanzas for hours, then `</stream:stream>` — arriving in arbitrary chunks.
//! This crate performs no IO, reads no clock and never panics on peer input.
//!
//! # Reading: [`StreamReader`]
//!
//! ```text
//!  bytes (any chunking) ──► UTF-8 hold-back ──► framer ──► tree builder ──► Event
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
//! use xmpp_core::{Event, ReaderConfig, StreamReader};
//!
//! let mut reader = StreamReader::new(ReaderConfig::c2s());
//! let input = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
//!     xmlns:stream='http://etherx.jabber.org/streams' from='example.com' version='1.0'>\
//!     <message from='juliet@example.com'><body>Wherefore art thou?</body></message> ";
//! let mut stanzas = 0;
//! for byte in input.chunks(1) {
//!     for event in reader.feed(byte) {
//!         if let Event::Element(e) = event.unwrap() {
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
    ServerTimeouts, ServerTls,
};
pub use stream::{
    Event, Events, Limits, ReadError, ReadErrorKind, ReaderConfig, Step, StreamAttributes,
    StreamHeader, StreamReader, StreamVersion, StreamWriter, WriteError,
};
