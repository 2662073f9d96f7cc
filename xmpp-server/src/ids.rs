//! Opaque identifiers chosen by the host: [`SessionId`] and [`RequestId`].

use std::fmt;

/// Names one client session (one `ServerConnection` in the host).
///
/// The host chooses the value when it calls
/// [`Router::open_session`](crate::Router::open_session) and uses it to find the
/// connection an [`Output`](crate::Output) is for. The router only compares ids; any
/// scheme that never reuses a live id works (a counter is simplest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session#{}", self.0)
    }
}

/// Names one pending credential or bind request of a session, as the connection
/// numbered it; the router echoes it back in the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request#{}", self.0)
    }
}
