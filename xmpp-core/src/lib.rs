//! XMPP core: the byte-fed XML stream reader and writer (and, to come, the
//! sans-IO stream negotiation state machines).

pub mod stream;

pub use stream::{
    Event, Events, Limits, ReadError, ReadErrorKind, ReaderConfig, Step, StreamAttributes,
    StreamHeader, StreamReader, StreamVersion, StreamWriter, WriteError,
};
