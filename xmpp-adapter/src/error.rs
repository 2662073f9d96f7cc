//! [`Error`]: everything that can stop a connection, by kind, with the typed error of
//! the layer that failed (the core's [`ConfigError`], rustls', hickory's, the OS's) as
//! its source.

use std::fmt;
use std::io;
use std::path::PathBuf;

use hickory_resolver::net::NetError;
use rustls::pki_types::InvalidDnsNameError;
use xmpp_core::srv::{ConnectTarget, TargetTls};
use xmpp_core::{AuthError, CloseReason, CommandError, ConfigError, TlsRole};
use xmpp_jid::JidError;

use crate::tls;

/// Why connecting, or a connection, failed. Configuration, IO, DNS, TLS,
/// authentication, stream and policy failures are separate variants; each keeps the
/// typed error it came from as its [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The core refused the configuration (an account JID without localpart, an
    /// invalid resource).
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The account given to [`ConnectConfig::new`](crate::ConnectConfig::new) is not
    /// a JID.
    #[error("JID {jid:?}: {source}")]
    Jid {
        /// The string given.
        jid: String,
        /// Why it is not a JID.
        #[source]
        source: JidError,
    },
    /// A server address given to
    /// [`ConnectConfig::server_addr`](crate::ConnectConfig::server_addr) is not
    /// `HOST:PORT`.
    #[error("server address {0:?}: expected HOST:PORT")]
    ServerAddress(String),
    /// A file of the configuration (the CA file, a certificate chain, a private key)
    /// cannot be read, or holds nothing usable (no PEM certificate, no key, a
    /// certificate rustls cannot use as a trust anchor).
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why it is unusable: the operating system's error, or
        /// [`io::ErrorKind::InvalidData`] for the content.
        #[source]
        source: io::Error,
    },
    /// rustls refused the TLS configuration (a certificate chain and a key that do not
    /// belong together, a key it cannot use, no protocol version).
    #[error("TLS configuration: {0}")]
    TlsConfig(#[source] rustls::Error),
    /// The XMPP domain cannot be used as a TLS server name (SNI and certificate check).
    #[error("{name:?} is not a valid TLS server name")]
    ServerName {
        /// The name.
        name: String,
        /// rustls' reason.
        #[source]
        source: InvalidDnsNameError,
    },
    /// An operating-system operation failed (a socket, the random source).
    #[error("{during}: {source}")]
    Io {
        /// What was being done.
        during: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The DNS resolver could not be set up, or failed otherwise than with "no SRV
    /// records" (for which the fallback to the domain applies).
    #[error("DNS lookup for {domain} failed: {source}")]
    Dns {
        /// The domain looked up.
        domain: String,
        /// The resolver's error.
        #[source]
        source: NetError,
    },
    /// The domain's SRV records say the service is not offered (a single record with
    /// the target `.`, RFC 2782).
    #[error("{domain} does not offer the XMPP client service (SRV target \".\")")]
    ServiceNotOffered {
        /// The domain looked up.
        domain: String,
    },
    /// Every connection target failed: each target tried, in order, with its error.
    #[error("no server reachable: {}", Attempts(.0))]
    Unreachable(Vec<(ConnectTarget, Error)>),
    /// The TLS handshake failed: rustls' reason (the server's certificate is not valid
    /// for the domain or has expired, a protocol error, an alert from the peer, a
    /// handshake signature that does not verify).
    #[error("TLS: {0}")]
    Tls(#[source] rustls::Error),
    /// The server's certificate is not trusted: it is not one of the certificates of
    /// the CA file (a pinned certificate) and not signed by one of them (or, without a
    /// CA file, by a Mozilla root). `source` is rustls' verdict, typically
    /// [`rustls::Error::InvalidCertificate`] with
    /// [`UnknownIssuer`](rustls::CertificateError::UnknownIssuer).
    #[error("TLS: {}", tls::Untrusted { ca_file: ca_file.as_deref(), source })]
    UntrustedCertificate {
        /// The CA file the client trusted; `None` for the Mozilla roots.
        ca_file: Option<PathBuf>,
        /// rustls' verdict on the certificate.
        #[source]
        source: rustls::Error,
    },
    /// The core asked for a TLS handshake in a role that has no TLS configuration (a
    /// server without a certificate, a client without a client configuration).
    #[error("no TLS configuration for the {role:?} role")]
    NoTlsConfig {
        /// The role of the handshake asked for.
        role: TlsRole,
    },
    /// A TLS handshake was asked on a transport that is already TLS (or closed).
    #[error("TLS can only start on a plain TCP transport")]
    AlreadyTls,
    /// A connect or TLS handshake did not finish in time.
    #[error("timed out: {0}")]
    Timeout(&'static str),
    /// Authentication failed; [`AuthError::condition`] is the server's SASL condition.
    #[error("authentication failed: {0}")]
    Auth(AuthError),
    /// The stream ended with a stream error (ours or the peer's), a protocol violation,
    /// a redirect, a timeout or a lost connection.
    #[error("stream: {0}")]
    Stream(CloseReason),
    /// The negotiation could not meet our policy (TLS not offered or refused, binding
    /// or session refused).
    #[error("policy: {0}")]
    Policy(CloseReason),
    /// The core refused a command (the application misused the connection).
    #[error("command refused: {0}")]
    Command(#[from] CommandError),
    /// [`Client::iq`](crate::Client::iq) was given a `result` or `error` IQ, which
    /// gets no response (send it with [`Client::send`](crate::Client::send)).
    #[error("only get and set IQs are requests")]
    NotARequest,
    /// The connection has finished; nothing can be sent on it any more.
    #[error("the connection is closed")]
    Closed,
}

impl Error {
    /// The error for a connection that closed with `reason`; `None` for a graceful
    /// close.
    pub fn from_close(reason: CloseReason) -> Option<Error> {
        match reason {
            CloseReason::Local | CloseReason::Peer => None,
            CloseReason::AuthFailed(e) => Some(Error::Auth(e)),
            r @ (CloseReason::TlsNotOffered
            | CloseReason::TlsFailed
            | CloseReason::BindFailed(_)
            | CloseReason::SessionFailed(_)
            | CloseReason::BindNotOffered) => Some(Error::Policy(r)),
            r => Some(Error::Stream(r)),
        }
    }

    /// A function making an [`Error::Io`] that says what was being done, for
    /// `map_err`: `stream.set_nodelay(true).map_err(Error::io("accept"))`.
    pub fn io(during: &'static str) -> impl FnOnce(io::Error) -> Error {
        move |source| Error::Io { during, source }
    }

    /// The error for a failed TLS handshake: [`Error::UntrustedCertificate`] when the
    /// client's verifier (from [`client_config`](crate::client_config)) could not
    /// trust the server's certificate, [`Error::Tls`] for every other rustls error.
    pub fn tls(error: rustls::Error) -> Error {
        match tls::untrusted(&error) {
            Some((ca_file, source)) => Error::UntrustedCertificate { ca_file, source },
            None => Error::Tls(error),
        }
    }

    /// The error for a TLS handshake that failed with `error` from tokio-rustls or
    /// futures-rustls, for `map_err`: [`Error::tls`] of the rustls error they keep
    /// inside it, or [`Error::Io`] (`"TLS handshake"`) when the socket failed.
    pub fn tls_handshake(error: io::Error) -> Error {
        let rustls = error
            .get_ref()
            .and_then(|e| e.downcast_ref::<rustls::Error>());
        match rustls {
            Some(e) => Error::tls(e.clone()),
            None => Error::Io {
                during: "TLS handshake",
                source: error,
            },
        }
    }
}

/// [`Error::Unreachable`]'s attempts, for its message: `host:port (how): error; …`.
struct Attempts<'a>(&'a [(ConnectTarget, Error)]);

impl fmt::Display for Attempts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (target, error)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            let how = match target.tls {
                TargetTls::Direct => "direct TLS",
                TargetTls::StartTls => "STARTTLS",
            };
            write!(f, "{}:{} ({how}): {error}", target.host, target.port)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Error>();
    }

    #[test]
    fn unreachable_lists_every_attempt() {
        let target = |port, tls| ConnectTarget {
            host: "xmpp.example.test".into(),
            port,
            tls,
        };
        let refused = || Error::io("connect")(io::ErrorKind::ConnectionRefused.into());
        let error = Error::Unreachable(vec![
            (target(5223, TargetTls::Direct), refused()),
            (target(5222, TargetTls::StartTls), Error::Timeout("connect")),
        ]);
        assert_eq!(
            error.to_string(),
            "no server reachable: xmpp.example.test:5223 (direct TLS): connect: connection \
             refused; xmpp.example.test:5222 (STARTTLS): timed out: connect"
        );
    }

    #[test]
    fn a_handshake_error_keeps_the_rustls_error() {
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure);
        let io = io::Error::new(io::ErrorKind::InvalidData, alert.clone());
        assert!(matches!(Error::tls_handshake(io), Error::Tls(e) if e == alert));
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert!(matches!(
            Error::tls_handshake(reset),
            Error::Io {
                during: "TLS handshake",
                ..
            }
        ));
    }
}
