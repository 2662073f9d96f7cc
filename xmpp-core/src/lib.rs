//! XMPP core (work in progress).

pub mod stream;

pub use stream::Limits;
