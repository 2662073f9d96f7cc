//! [`ReaderConfig`]: what a stream reader expects of the peer's stream.

use xmpp_stanza::{Namespace, TokenizerKind};

use super::limits::Limits;

/// What the stream reader expects: the content namespace and the limits; and which
/// tokenizer its tree builder runs on.
///
/// ```
/// use xmpp_core::{Limits, ReaderConfig};
/// use xmpp_stanza::{Namespace, TokenizerKind};
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
    /// The tokenizer under the tree builder: [`TokenizerKind::Fast`] (the default)
    /// or the reference it is tested against, [`TokenizerKind::Xmlparser`]. Both
    /// give the same events and errors; the reference is several times slower.
    pub tokenizer: TokenizerKind,
}

impl ReaderConfig {
    /// A reader for a stream with content namespace `content_namespace`.
    pub fn new(content_namespace: Namespace, limits: Limits) -> ReaderConfig {
        ReaderConfig {
            content_namespace,
            limits,
            tokenizer: TokenizerKind::default(),
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

    /// This configuration with another tokenizer under the tree builder.
    ///
    /// ```
    /// use xmpp_core::{ReaderConfig, StreamEvent, StreamReader};
    /// use xmpp_stanza::TokenizerKind;
    ///
    /// let stream = b"<stream:stream xmlns='jabber:client' \
    ///     xmlns:stream='http://etherx.jabber.org/streams'><presence/>";
    /// let reference = ReaderConfig::c2s().with_tokenizer(TokenizerKind::Xmlparser);
    /// let events = |config| -> Vec<_> { StreamReader::new(config).feed(stream).collect() };
    /// assert_eq!(events(ReaderConfig::c2s()), events(reference));
    /// ```
    pub fn with_tokenizer(self, tokenizer: TokenizerKind) -> ReaderConfig {
        ReaderConfig { tokenizer, ..self }
    }
}

impl Default for ReaderConfig {
    /// [`ReaderConfig::c2s`].
    fn default() -> Self {
        ReaderConfig::c2s()
    }
}
