//! [`SessionId`], the host's name for a session. Requests are named with the
//! connection's own [`xmpp_core::RequestId`], re-used here so that one id travels
//! from the `ServerConnection`'s event through the router's answer unchanged.

use std::fmt;

pub(crate) use xmpp_core::RequestId;

/// Names one client session (one `ServerConnection` in the host).
///
/// The host chooses the value when it calls
/// [`Router::open_session`](crate::Router::open_session) and uses it to find the
/// connection an [`RouterOutput`](crate::RouterOutput) is for. The router only compares ids; any
/// scheme that never reuses a live id works (a counter is simplest). A request of
/// the session (SASL credentials, RFC 6120 §6.4; binding, §7) is named by
/// `(SessionId, xmpp_core::RequestId)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session#{}", self.0)
    }
}
