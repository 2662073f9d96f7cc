//! Why a connection ended: [`CloseReason`], with the peer violations
//! ([`Violation`]) and authentication failures ([`AuthError`]) it can carry.

use std::fmt;

use xmpp_sasl::{Mechanism, SaslCondition, SaslError};
use xmpp_stanza::{CompactStr, Namespace, StanzaErrorCondition, StreamError, StreamErrorCondition};

use super::timers::TimerKind;
use crate::ReadError;

/// Why the connection closed, carried by [`Output::Closed`](crate::Output::Closed).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// We closed the stream (a close command) and the peer closed its stream in
    /// return: the normal end.
    Local,
    /// The peer closed its stream first (`</stream:stream>`); we closed ours.
    Peer,
    /// The peer closed the stream with a stream error (RFC 6120 §4.9); `see-other-host`
    /// comes as [`CloseReason::SeeOtherHost`] instead.
    PeerError(Box<StreamError>),
    /// The peer redirected us with `see-other-host` (RFC 6120 §4.9.3.19): reconnect to
    /// `host` (a domain or IP literal, optionally with `:port`).
    SeeOtherHost {
        /// Where to reconnect.
        host: CompactStr,
    },
    /// The peer broke the protocol; unless it happened while TLS was starting, the
    /// stream error [`Violation::condition`] was sent first.
    Violation(Violation),
    /// We closed the stream with this stream error: on the application's command
    /// (for example `conflict` when a session is replaced), or `internal-server-error`
    /// when an element we built could not be serialized (a bug, not the peer's fault).
    LocalError(StreamErrorCondition),
    /// The transport ended (EOF) without the peer closing its stream.
    ConnectionLost,
    /// A timer ran out: [`TimerKind::Negotiation`] or [`TimerKind::ReadIdle`] (the
    /// stream was closed with `connection-timeout`), or
    /// [`TimerKind::CloseHandshake`] (the peer never closed its stream).
    Timeout(TimerKind),
    /// Client: authentication failed (see [`AuthError`]).
    AuthFailed(AuthError),
    /// Client: the configuration requires TLS but the server did not offer
    /// STARTTLS.
    TlsNotOffered,
    /// Client: the server answered `<starttls/>` with `<failure/>` (RFC 6120 §5.4.2.2).
    TlsFailed,
    /// Client: resource binding failed with this stanza error condition (after the
    /// retries the configuration allows, e.g. on `conflict`).
    BindFailed(StanzaErrorCondition),
    /// Client: the legacy session request (RFC 3921 §3) failed with this condition.
    SessionFailed(StanzaErrorCondition),
    /// Client: after authentication the server did not offer resource binding.
    BindNotOffered,
}

impl CloseReason {
    /// The `see-other-host` target, if the peer redirected us.
    pub fn see_other_host(&self) -> Option<&str> {
        match self {
            CloseReason::SeeOtherHost { host } => Some(host),
            _ => None,
        }
    }

    /// Whether the stream ended as intended by one side (a close handshake), not by an
    /// error, a timeout or a lost connection.
    pub fn is_graceful(&self) -> bool {
        matches!(self, CloseReason::Local | CloseReason::Peer)
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::Local => f.write_str("closed"),
            CloseReason::Peer => f.write_str("closed by the peer"),
            CloseReason::PeerError(e) => write!(f, "stream error from the peer: {}", e.condition),
            CloseReason::SeeOtherHost { host } => write!(f, "redirected to {host}"),
            CloseReason::Violation(v) => write!(f, "peer violated the protocol: {v}"),
            CloseReason::LocalError(c) => write!(f, "closed with stream error {c}"),
            CloseReason::ConnectionLost => f.write_str("connection lost"),
            CloseReason::Timeout(kind) => write!(f, "timed out ({kind:?})"),
            CloseReason::AuthFailed(e) => write!(f, "authentication failed: {e}"),
            CloseReason::TlsNotOffered => f.write_str("TLS required but STARTTLS not offered"),
            CloseReason::TlsFailed => f.write_str("the server refused STARTTLS"),
            CloseReason::BindFailed(c) => write!(f, "resource binding failed: {c}"),
            CloseReason::SessionFailed(c) => write!(f, "session establishment failed: {c}"),
            CloseReason::BindNotOffered => f.write_str("resource binding not offered"),
        }
    }
}

/// A client-side authentication failure.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// The server answered `<failure/>`: its RFC 6120 §6.5 condition (`None` if it
    /// sent none we know) and descriptive text, if any.
    Rejected {
        /// The mechanism of the last attempt.
        mechanism: Mechanism,
        /// The condition the server sent.
        condition: Option<SaslCondition>,
        /// The server's `<text/>`, if any.
        text: Option<CompactStr>,
    },
    /// We refused the exchange: the server's proof was wrong
    /// ([`SaslError::ServerSignatureMismatch`]), its parameters out of bounds, or its
    /// messages malformed. We sent `<abort/>` or, after `<success/>`, closed.
    Refused {
        /// The mechanism in use.
        mechanism: Mechanism,
        /// What was wrong.
        error: SaslError,
    },
    /// No offered mechanism is acceptable under the client's policy
    /// ([`SaslError::NoAcceptableMechanism`], or [`SaslError::PlainRequiresTls`]).
    NoMechanism {
        /// The mechanisms the server offered.
        offered: Vec<CompactStr>,
        /// Why none was chosen.
        error: SaslError,
    },
}

impl AuthError {
    /// The §6.5 condition the server sent, for [`AuthError::Rejected`].
    pub fn condition(&self) -> Option<SaslCondition> {
        match self {
            AuthError::Rejected { condition, .. } => *condition,
            _ => None,
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Rejected {
                mechanism,
                condition,
                ..
            } => match condition {
                Some(c) => write!(f, "{} rejected: {}", mechanism.name(), c.as_str()),
                None => write!(f, "{} rejected", mechanism.name()),
            },
            AuthError::Refused { mechanism, error } => {
                write!(f, "{} refused: {error}", mechanism.name())
            }
            AuthError::NoMechanism { offered, error } => {
                let names: Vec<&str> = offered.iter().map(|m| m.as_str()).collect();
                write!(
                    f,
                    "no acceptable mechanism in [{}]: {error}",
                    names.join(" ")
                )
            }
        }
    }
}

/// A protocol violation by the peer, and the stream error condition it is answered
/// with (RFC 6120 §4.9.3).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// The stream reader rejected the bytes (malformed or restricted XML, limits, bad
    /// stream header, unsupported top-level element); the error names the condition
    /// and the byte offset.
    Read(ReadError),
    /// Bytes arrived after `<proceed/>` (client) or `<starttls/>` (server) before the
    /// TLS handshake, in the same read or later: a plaintext injection attempt
    /// (RFC 6120 §5.4.3.3). Nothing more is written — not even bytes queued but not
    /// yet handed out: the transport is abandoned.
    PlaintextBeforeTls,
    /// A stream-level element that makes no sense in the current state (a SASL or
    /// TLS element out of order, a second `<stream:features/>`, …): `policy-violation`
    /// for elements of the negotiation namespaces, `unsupported-stanza-type` for
    /// unknown ones.
    UnexpectedElement {
        /// Its local name.
        name: CompactStr,
        /// Its namespace.
        ns: Namespace,
    },
    /// A negotiation element that could not be understood (for example a bind result
    /// without a valid JID): `bad-format`.
    Malformed {
        /// Which element.
        element: &'static str,
    },
    /// A stanza before the stream was authenticated, or before a resource was bound
    /// (RFC 6120 §4.9.3.12, §7.1): `not-authorized`.
    StanzaBeforeAuth,
    /// A stanza from the client whose `from` is not the session's JID
    /// (RFC 6120 §8.1.2.1): `invalid-from`.
    InvalidFrom,
    /// The stream header's `to` is not a domain this server serves, or it changed on a
    /// restart: `host-unknown`.
    HostUnknown,
    /// The stream header's version is missing or below 1.0 (RFC 6120 §4.7.5):
    /// `unsupported-version`.
    UnsupportedVersion,
    /// The client failed (or aborted) authentication more often than the server
    /// allows (RFC 6120 §6.4.5): `policy-violation`.
    TooManyAuthFailures,
    /// The client asked for a feature this server does not offer (STARTTLS on a
    /// server without TLS): `unsupported-feature`.
    UnsupportedFeature,
    /// The server sent more stanzas before the client's session was online than
    /// [`ClientConfig::with_max_stanzas_before_online`](crate::ClientConfig::with_max_stanzas_before_online)
    /// allows (RFC 6120 §7.1): `policy-violation`.
    TooManyStanzasBeforeOnline,
}

impl Violation {
    /// The stream error condition sent for this violation.
    pub fn condition(&self) -> StreamErrorCondition {
        use StreamErrorCondition as C;
        match self {
            Violation::Read(e) => e.condition(),
            Violation::PlaintextBeforeTls => C::PolicyViolation,
            Violation::UnexpectedElement { ns, .. } => {
                if is_negotiation_ns(ns) {
                    C::PolicyViolation
                } else {
                    C::UnsupportedStanzaType
                }
            }
            Violation::Malformed { .. } => C::BadFormat,
            Violation::StanzaBeforeAuth => C::NotAuthorized,
            Violation::InvalidFrom => C::InvalidFrom,
            Violation::HostUnknown => C::HostUnknown,
            Violation::UnsupportedVersion => C::UnsupportedVersion,
            Violation::TooManyAuthFailures => C::PolicyViolation,
            Violation::UnsupportedFeature => C::UnsupportedFeature,
            Violation::TooManyStanzasBeforeOnline => C::PolicyViolation,
        }
    }
}

/// Whether `ns` is one of the namespaces stream negotiation uses.
fn is_negotiation_ns(ns: &Namespace) -> bool {
    use xmpp_stanza::ns;
    [
        ns::STREAM,
        ns::XMPP_TLS,
        ns::XMPP_SASL,
        ns::XMPP_BIND,
        ns::XMPP_SESSION,
        ns::CLIENT,
    ]
    .contains(&ns.as_str())
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Read(e) => write!(f, "{e}"),
            Violation::PlaintextBeforeTls => f.write_str("plaintext data before the TLS handshake"),
            Violation::UnexpectedElement { name, ns } => {
                write!(f, "unexpected <{name}/> in {}", ns.as_str())?;
                write!(f, " ({})", self.condition())
            }
            Violation::Malformed { element } => write!(f, "malformed <{element}/> (bad-format)"),
            Violation::StanzaBeforeAuth => {
                f.write_str("stanza before authentication and binding (not-authorized)")
            }
            Violation::InvalidFrom => f.write_str("stanza with a foreign 'from' (invalid-from)"),
            Violation::HostUnknown => {
                f.write_str("stream addressed to an unknown host (host-unknown)")
            }
            Violation::UnsupportedVersion => {
                f.write_str("stream version missing or below 1.0 (unsupported-version)")
            }
            Violation::TooManyAuthFailures => {
                f.write_str("too many authentication failures (policy-violation)")
            }
            Violation::UnsupportedFeature => {
                f.write_str("a required feature is not supported (unsupported-feature)")
            }
            Violation::TooManyStanzasBeforeOnline => {
                f.write_str("too many stanzas before the session was online (policy-violation)")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_violation_maps_to_its_condition() {
        use StreamErrorCondition as C;
        let cases = [
            (Violation::PlaintextBeforeTls, C::PolicyViolation),
            (
                Violation::UnexpectedElement {
                    name: "proceed".into(),
                    ns: Namespace::intern(xmpp_stanza::ns::XMPP_TLS),
                },
                C::PolicyViolation,
            ),
            (
                Violation::UnexpectedElement {
                    name: "r".into(),
                    ns: Namespace::intern("urn:xmpp:sm:3"),
                },
                C::UnsupportedStanzaType,
            ),
            (Violation::Malformed { element: "bind" }, C::BadFormat),
            (Violation::StanzaBeforeAuth, C::NotAuthorized),
            (Violation::InvalidFrom, C::InvalidFrom),
            (Violation::HostUnknown, C::HostUnknown),
            (Violation::UnsupportedVersion, C::UnsupportedVersion),
            (Violation::TooManyAuthFailures, C::PolicyViolation),
            (Violation::UnsupportedFeature, C::UnsupportedFeature),
            (Violation::TooManyStanzasBeforeOnline, C::PolicyViolation),
        ];
        for (v, c) in cases {
            assert_eq!(v.condition(), c, "{v}");
            assert!(v.to_string().len() > 10);
        }
    }

    #[test]
    fn reasons_describe_themselves() {
        let redirect = CloseReason::SeeOtherHost {
            host: "other.example:5222".into(),
        };
        assert_eq!(redirect.see_other_host(), Some("other.example:5222"));
        assert!(!redirect.is_graceful());
        assert!(CloseReason::Local.is_graceful());
        let auth = AuthError::Rejected {
            mechanism: Mechanism::ScramSha256,
            condition: Some(SaslCondition::NotAuthorized),
            text: None,
        };
        assert_eq!(auth.condition(), Some(SaslCondition::NotAuthorized));
        assert_eq!(
            CloseReason::AuthFailed(auth).to_string(),
            "authentication failed: SCRAM-SHA-256 rejected: not-authorized"
        );
    }
}
