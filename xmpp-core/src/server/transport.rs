//! [`ServerTransport`]: how one accepted connection's transport is secured.

use crate::connection::TlsInfo;

/// How one accepted connection's transport is secured, given to
/// [`ServerConnection::new`](crate::ServerConnection::new).
///
/// This is a property of the connection, not of the server: a server listening
/// both for STARTTLS (RFC 6120 §5) and for direct TLS (XEP-0368) shares one
/// [`ServerConfig`](crate::ServerConfig) among all its connections and tells each
/// connection how it was accepted. A direct-TLS connection's handshake result
/// (its [`TlsInfo`], with the channel-binding data of that one TLS session) thus
/// stays with that connection.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerTransport {
    /// The connection begins in plaintext and must be secured with STARTTLS:
    /// STARTTLS is offered as mandatory-to-negotiate (`<required/>`), nothing else
    /// is offered before it, and SASL waits for TLS (RFC 6120 §5.3.1, §5.4). The
    /// choice for a normal client port (5222).
    StartTls,
    /// The transport has been TLS from the first byte (XEP-0368 direct TLS, RFC 6120
    /// §5 still governing the stream inside); the handshake already completed with
    /// this result, so STARTTLS is not offered and SASL (with channel binding from
    /// this [`TlsInfo`]) starts right away.
    DirectTls(TlsInfo),
    /// **INSECURE — for tests on loopback only.** No TLS at all: SASL is offered on
    /// the plaintext stream, exposing credentials and stanzas to anyone on the path
    /// (PLAIN only with
    /// [`SaslPolicy::insecure_allow_plain_without_tls`](crate::SaslPolicy::insecure_allow_plain_without_tls)).
    /// A `<starttls/>` from the client is refused (RFC 6120 §5.4.2.2).
    InsecurePlaintext,
}
