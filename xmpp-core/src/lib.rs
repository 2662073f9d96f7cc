//! XMPP core: the byte-fed XML stream reader and writer, and the sans-IO stream
//! negotiation state machines for both roles.

pub mod client;
pub mod connection;
pub mod stream;

pub use client::{
    ClientCommand, ClientConfig, ClientConnection, ClientEvent, ClientTimeouts, ConfigError,
    IqResponse, ResourceConflict, TlsMode,
};
pub use connection::ids::stanza_id;
pub use connection::{
    AuthError, CloseReason, CommandError, Connection, Output, TimerKind, TlsInfo, TlsRole,
    TlsVersion, Violation,
};
pub use stream::{
    Event, Events, Limits, ReadError, ReadErrorKind, ReaderConfig, Step, StreamAttributes,
    StreamHeader, StreamVersion, StreamReader, StreamWriter, WriteError,
};
