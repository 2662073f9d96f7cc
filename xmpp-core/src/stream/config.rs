//! [`ReaderConfig`]: what a stream reader expects of the peer's stream.

use xmpp_stanza::Namespace;

use super::limits::Limits;

/// What the stream reader expects: the content namespace and the limits.
///
/// ```
/// use xmpp_core::{Limits, ReaderConfig};
/// use xmpp_stanza::Namespace;
///
/// let config = ReaderConfig::c2s().with_limits(Limits::pre_auth());
/// assert_eq!(config.content_namespace, Namespace::CLIENT);
/// assert_eq!(config.limits.max_stanza_bytes, 8 * 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReaderConfig {
    /// The content namespace (RFC 6120 §4.8.2) the peer's stream header must declare
    /// as its default namespace if it declares one: `jabber:client` on a
    /// client-to-server stream (in both directions), `jabber:server` between servers.
    /// Top-level elements in it must be `message`, `presence` or `iq`.
    pub content_namespace: Namespace,
    /// The limits enforced while scanning.
    pub limits: Limits,
}

impl ReaderConfig {
    /// A reader for a stream with content namespace `content_namespace`.
    pub fn new(content_namespace: Namespace, limits: Limits) -> ReaderConfig {
        ReaderConfig {
            content_namespace,
            limits,
        }
    }

    /// A client-to-server stream (`jabber:client`), [`Limits::c2s`].
    pub fn c2s() -> ReaderConfig {
        ReaderConfig::new(Namespace::CLIENT, Limits::c2s())
    }

    /// A server-to-server stream (`jabber:server`), [`Limits::c2s`].
    pub fn s2s() -> ReaderConfig {
        ReaderConfig::new(Namespace::SERVER, Limits::c2s())
    }

    /// This configuration with other limits.
    pub fn with_limits(self, limits: Limits) -> ReaderConfig {
        ReaderConfig { limits, ..self }
    }
}

impl Default for ReaderConfig {
    /// [`ReaderConfig::c2s`].
    fn default() -> Self {
        ReaderConfig::c2s()
    }
}
