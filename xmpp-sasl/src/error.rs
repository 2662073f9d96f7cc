//! The crate's error type and the RFC 6120 §6.5 condition each error maps to.

use core::fmt;

use crate::SaslCondition;
use crate::saslprep::SaslprepError;

/// Which SASL message an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageKind {
    /// The PLAIN message (`authzid NUL authcid NUL password`).
    PlainMessage,
    /// SCRAM `client-first-message`.
    ScramClientFirst,
    /// SCRAM `server-first-message`.
    ScramServerFirst,
    /// SCRAM `client-final-message`.
    ScramClientFinal,
    /// SCRAM `server-final-message`.
    ScramServerFinal,
    /// DIGEST-MD5 `digest-challenge`.
    DigestChallenge,
    /// DIGEST-MD5 `digest-response`.
    DigestResponse,
    /// DIGEST-MD5 `response-auth` (`rspauth=…`).
    DigestResponseAuth,
    /// The additional data of `<success/>`.
    SuccessData,
    /// A challenge arriving when the mechanism expects none.
    Challenge,
    /// A response arriving when the mechanism expects none.
    Response,
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MessageKind::PlainMessage => "PLAIN message",
            MessageKind::ScramClientFirst => "SCRAM client-first-message",
            MessageKind::ScramServerFirst => "SCRAM server-first-message",
            MessageKind::ScramClientFinal => "SCRAM client-final-message",
            MessageKind::ScramServerFinal => "SCRAM server-final-message",
            MessageKind::DigestChallenge => "DIGEST-MD5 challenge",
            MessageKind::DigestResponse => "DIGEST-MD5 response",
            MessageKind::DigestResponseAuth => "DIGEST-MD5 rspauth",
            MessageKind::SuccessData => "success additional data",
            MessageKind::Challenge => "challenge",
            MessageKind::Response => "response",
        })
    }
}

/// Which identity or secret an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// The authentication identity (user name).
    Username,
    /// The password.
    Password,
    /// The authorization identity.
    Authzid,
    /// The DIGEST-MD5 realm.
    Realm,
    /// A nonce.
    Nonce,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Username => "username",
            Field::Password => "password",
            Field::Authzid => "authzid",
            Field::Realm => "realm",
            Field::Nonce => "nonce",
        })
    }
}

/// What exactly was wrong with a malformed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformation {
    /// The message is empty but must carry data.
    Empty,
    /// The message is not UTF-8.
    NotUtf8,
    /// A required attribute (SCRAM: one letter) is missing or out of order.
    MissingAttribute {
        /// The attribute letter.
        name: char,
    },
    /// An attribute is not of the form `letter=value`, or has an invalid value.
    InvalidAttribute {
        /// The attribute letter (`?` if the name itself was unreadable).
        name: char,
    },
    /// The SCRAM gs2 header is not `n,` / `y,` / `p=name,` followed by an optional `a=authzid,`.
    InvalidGs2Header,
    /// A `=` in a SCRAM name is not followed by `2C` or `3D`.
    InvalidEscape,
    /// The mandatory-extension attribute `m=` is present; no extensions are supported.
    UnsupportedMandatoryExtension,
    /// A nonce is empty or contains a character other than printable ASCII without `,`.
    InvalidNonce,
    /// The iteration count is not a positive decimal number that fits 32 bits.
    InvalidIterationCount,
    /// The SCRAM proof or signature does not have the hash's length.
    WrongDigestLength,
    /// The PLAIN message is not three NUL-separated fields.
    WrongFieldCount,
    /// The DIGEST-MD5 directive list does not follow RFC 2831's `name=value,…` syntax.
    InvalidDirectiveSyntax,
    /// A required DIGEST-MD5 directive is missing.
    MissingDirective {
        /// The directive name.
        name: &'static str,
    },
    /// A DIGEST-MD5 directive that may appear once appears twice.
    DuplicateDirective {
        /// The directive name.
        name: &'static str,
    },
    /// A DIGEST-MD5 directive has a value this implementation cannot accept.
    InvalidDirective {
        /// The directive name.
        name: &'static str,
    },
    /// The DIGEST-MD5 message has more directives than the limit.
    TooManyDirectives,
    /// The gs2 channel-binding flag does not fit the mechanism (`p=` without `-PLUS`, or a
    /// `-PLUS` mechanism without `p=`).
    ChannelBindingFlagMismatch,
    /// Data arrived where the mechanism allows none.
    UnexpectedData,
}

impl fmt::Display for Malformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformation::Empty => f.write_str("empty"),
            Malformation::NotUtf8 => f.write_str("not UTF-8"),
            Malformation::MissingAttribute { name } => write!(f, "missing attribute {name}="),
            Malformation::InvalidAttribute { name } => write!(f, "invalid attribute {name}="),
            Malformation::InvalidGs2Header => f.write_str("invalid gs2 header"),
            Malformation::InvalidEscape => f.write_str("invalid =XX escape in a name"),
            Malformation::UnsupportedMandatoryExtension => {
                f.write_str("unsupported mandatory extension m=")
            }
            Malformation::InvalidNonce => f.write_str("invalid nonce"),
            Malformation::InvalidIterationCount => f.write_str("invalid iteration count"),
            Malformation::WrongDigestLength => f.write_str("proof or signature of wrong length"),
            Malformation::WrongFieldCount => f.write_str("not three NUL-separated fields"),
            Malformation::InvalidDirectiveSyntax => f.write_str("invalid directive syntax"),
            Malformation::MissingDirective { name } => write!(f, "missing directive {name}"),
            Malformation::DuplicateDirective { name } => write!(f, "duplicate directive {name}"),
            Malformation::InvalidDirective { name } => write!(f, "unacceptable directive {name}"),
            Malformation::TooManyDirectives => f.write_str("too many directives"),
            Malformation::ChannelBindingFlagMismatch => {
                f.write_str("channel-binding flag does not fit the mechanism")
            }
            Malformation::UnexpectedData => f.write_str("unexpected data"),
        }
    }
}

/// An error reported by a SCRAM server in `server-final-message` (`e=…`, RFC 5802 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScramServerError {
    /// `invalid-encoding`.
    InvalidEncoding,
    /// `extensions-not-supported`.
    ExtensionsNotSupported,
    /// `invalid-proof`.
    InvalidProof,
    /// `channel-bindings-dont-match`.
    ChannelBindingsDontMatch,
    /// `server-does-support-channel-binding`.
    ServerDoesSupportChannelBinding,
    /// `channel-binding-not-supported`.
    ChannelBindingNotSupported,
    /// `unsupported-channel-binding-type`.
    UnsupportedChannelBindingType,
    /// `unknown-user`.
    UnknownUser,
    /// `invalid-username-encoding`.
    InvalidUsernameEncoding,
    /// `no-resources`.
    NoResources,
    /// `other-error`, and every unrecognized value (as RFC 5802 §7 requires).
    OtherError,
}

impl ScramServerError {
    /// Parses an `e=` value; unrecognized values become [`ScramServerError::OtherError`].
    pub fn from_value(value: &str) -> Self {
        match value {
            "invalid-encoding" => Self::InvalidEncoding,
            "extensions-not-supported" => Self::ExtensionsNotSupported,
            "invalid-proof" => Self::InvalidProof,
            "channel-bindings-dont-match" => Self::ChannelBindingsDontMatch,
            "server-does-support-channel-binding" => Self::ServerDoesSupportChannelBinding,
            "channel-binding-not-supported" => Self::ChannelBindingNotSupported,
            "unsupported-channel-binding-type" => Self::UnsupportedChannelBindingType,
            "unknown-user" => Self::UnknownUser,
            "invalid-username-encoding" => Self::InvalidUsernameEncoding,
            "no-resources" => Self::NoResources,
            _ => Self::OtherError,
        }
    }

    /// The `e=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidEncoding => "invalid-encoding",
            Self::ExtensionsNotSupported => "extensions-not-supported",
            Self::InvalidProof => "invalid-proof",
            Self::ChannelBindingsDontMatch => "channel-bindings-dont-match",
            Self::ServerDoesSupportChannelBinding => "server-does-support-channel-binding",
            Self::ChannelBindingNotSupported => "channel-binding-not-supported",
            Self::UnsupportedChannelBindingType => "unsupported-channel-binding-type",
            Self::UnknownUser => "unknown-user",
            Self::InvalidUsernameEncoding => "invalid-username-encoding",
            Self::NoResources => "no-resources",
            Self::OtherError => "other-error",
        }
    }
}

/// Everything that can go wrong in a SASL exchange, on either side.
///
/// [`SaslError::condition`] gives the RFC 6120 §6.5 condition a server sends in `<failure/>`
/// (on the client side it classifies the error for the application; a client answers a
/// failed exchange with `<abort/>`). Errors never contain passwords or message payloads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaslError {
    /// A payload's base64 text is invalid (RFC 6120 §6.5.4).
    IncorrectEncoding,
    /// A message is larger than [`MAX_MESSAGE_LEN`](crate::MAX_MESSAGE_LEN); checked before
    /// it is decoded or copied.
    MessageTooLarge {
        /// The length received (bytes of base64 text or of raw message).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A message violates the mechanism's syntax.
    Malformed {
        /// Which message.
        message: MessageKind,
        /// What was wrong.
        what: Malformation,
    },
    /// SASLprep rejected a user name, password or authzid.
    Saslprep {
        /// Which field.
        field: Field,
        /// Why.
        error: SaslprepError,
    },
    /// A user name, password or nonce is empty (before or after SASLprep).
    EmptyField {
        /// Which field.
        field: Field,
    },
    /// The requested mechanism is unknown, disabled or not offered (§6.5.7).
    InvalidMechanism,
    /// The mechanism may only be used over TLS (§6.5.4): PLAIN without TLS.
    EncryptionRequired,
    /// A message or call arrived in a state that does not expect it (for example a second
    /// response after success, or a response while credentials are being looked up).
    UnexpectedStep,
    /// Authentication failed: wrong password, unknown user, or no secret usable with this
    /// mechanism. One variant for all three, so logs and peers cannot tell them apart.
    AuthenticationFailed,
    /// A nonce does not continue the one sent earlier (SCRAM `r=`, DIGEST-MD5 `nonce`).
    NonceMismatch,
    /// The channel-binding data in `c=` does not match this connection (RFC 5802 §6).
    ChannelBindingMismatch,
    /// The client sent gs2 flag `y` (it supports channel binding but thinks the server does
    /// not) to a server that offered `-PLUS`: a downgrade attack (RFC 5802 §6).
    ChannelBindingDowngrade,
    /// The client asked for a channel-binding type the server has no data for.
    UnsupportedChannelBindingType,
    /// The authorization identity is not permitted for this user (§6.5.6).
    InvalidAuthzid,
    /// The account is disabled (§6.5.2).
    AccountDisabled,
    /// The credentials have expired (§6.5.3).
    CredentialsExpired,
    /// The application's policy requires a stronger mechanism for this account (§6.5.9).
    MechanismTooWeak,
    /// The credential store could not be consulted now (§6.5.11).
    TemporaryFailure,
    /// The exchange was aborted (§6.5.1).
    Aborted,
    /// Client: the server's SCRAM signature or DIGEST-MD5 `rspauth` is wrong, so the server
    /// does not know the password (no mutual authentication).
    ServerSignatureMismatch,
    /// Client: the server reported success without proving it knows the password.
    MissingServerVerification,
    /// Client: the server's iteration count is below the configured minimum.
    IterationCountTooLow {
        /// The count the server asked for.
        iterations: u32,
        /// The minimum accepted.
        minimum: u32,
    },
    /// Client: the server's iteration count is above the configured maximum (a server
    /// could otherwise make the client spin for hours).
    IterationCountTooHigh {
        /// The count the server asked for.
        iterations: u32,
        /// The maximum accepted.
        maximum: u32,
    },
    /// Client: the SCRAM server reported an error in `server-final-message`.
    ServerReportedError {
        /// The error value.
        error: ScramServerError,
    },
    /// Client: no offered mechanism is acceptable under the client's policy.
    NoAcceptableMechanism,
    /// Client: only PLAIN is acceptable but the stream is not encrypted and plaintext
    /// authentication without TLS was not explicitly allowed.
    PlainRequiresTls,
    /// A `-PLUS` mechanism was chosen without channel-binding data, or a binding with an
    /// unusable type name was given.
    ChannelBindingUnavailable,
    /// A configuration value is out of range (for example zero iterations, an empty salt,
    /// a key of the wrong length).
    InvalidParameter,
}

impl SaslError {
    /// The RFC 6120 §6.5 condition for this error.
    ///
    /// ```
    /// use xmpp_sasl::{SaslCondition, SaslError};
    /// assert_eq!(SaslError::ChannelBindingDowngrade.condition(), SaslCondition::NotAuthorized);
    /// ```
    pub fn condition(&self) -> SaslCondition {
        match self {
            SaslError::IncorrectEncoding => SaslCondition::IncorrectEncoding,
            SaslError::MessageTooLarge { .. }
            | SaslError::Malformed { .. }
            | SaslError::EmptyField { .. }
            | SaslError::UnexpectedStep => SaslCondition::MalformedRequest,
            SaslError::Saslprep { field, .. } => {
                if *field == Field::Authzid {
                    SaslCondition::InvalidAuthzid
                } else {
                    SaslCondition::MalformedRequest
                }
            }
            SaslError::InvalidMechanism | SaslError::NoAcceptableMechanism => {
                SaslCondition::InvalidMechanism
            }
            SaslError::EncryptionRequired | SaslError::PlainRequiresTls => {
                SaslCondition::EncryptionRequired
            }
            SaslError::AuthenticationFailed
            | SaslError::NonceMismatch
            | SaslError::ChannelBindingMismatch
            | SaslError::ChannelBindingDowngrade
            | SaslError::UnsupportedChannelBindingType
            | SaslError::ServerSignatureMismatch
            | SaslError::MissingServerVerification
            | SaslError::ServerReportedError { .. }
            | SaslError::IterationCountTooHigh { .. } => SaslCondition::NotAuthorized,
            SaslError::InvalidAuthzid => SaslCondition::InvalidAuthzid,
            SaslError::AccountDisabled => SaslCondition::AccountDisabled,
            SaslError::CredentialsExpired => SaslCondition::CredentialsExpired,
            SaslError::MechanismTooWeak | SaslError::IterationCountTooLow { .. } => {
                SaslCondition::MechanismTooWeak
            }
            SaslError::TemporaryFailure
            | SaslError::ChannelBindingUnavailable
            | SaslError::InvalidParameter => SaslCondition::TemporaryAuthFailure,
            SaslError::Aborted => SaslCondition::Aborted,
        }
    }

    pub(crate) fn malformed(message: MessageKind, what: Malformation) -> Self {
        SaslError::Malformed { message, what }
    }
}

impl fmt::Display for SaslError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaslError::IncorrectEncoding => f.write_str("incorrect base64 encoding"),
            SaslError::MessageTooLarge { len, max } => {
                write!(f, "SASL message of {len} bytes exceeds the limit of {max}")
            }
            SaslError::Malformed { message, what } => write!(f, "malformed {message}: {what}"),
            SaslError::Saslprep { field, error } => write!(f, "SASLprep of {field}: {error}"),
            SaslError::EmptyField { field } => write!(f, "empty {field}"),
            SaslError::InvalidMechanism => f.write_str("mechanism not supported or not offered"),
            SaslError::EncryptionRequired => f.write_str("mechanism requires TLS"),
            SaslError::UnexpectedStep => f.write_str("message or call out of order"),
            SaslError::AuthenticationFailed => f.write_str("authentication failed"),
            SaslError::NonceMismatch => f.write_str("nonce does not match"),
            SaslError::ChannelBindingMismatch => f.write_str("channel binding does not match"),
            SaslError::ChannelBindingDowngrade => f.write_str(
                "client claims the server lacks channel binding, but it offered it (downgrade)",
            ),
            SaslError::UnsupportedChannelBindingType => {
                f.write_str("channel-binding type not supported")
            }
            SaslError::InvalidAuthzid => f.write_str("authorization identity not permitted"),
            SaslError::AccountDisabled => f.write_str("account disabled"),
            SaslError::CredentialsExpired => f.write_str("credentials expired"),
            SaslError::MechanismTooWeak => f.write_str("mechanism too weak for this account"),
            SaslError::TemporaryFailure => f.write_str("temporary authentication failure"),
            SaslError::Aborted => f.write_str("authentication aborted"),
            SaslError::ServerSignatureMismatch => f.write_str(
                "server signature is wrong: the server could not prove it knows the password",
            ),
            SaslError::MissingServerVerification => {
                f.write_str("server reported success without proving it knows the password")
            }
            SaslError::IterationCountTooLow {
                iterations,
                minimum,
            } => write!(
                f,
                "server asked for {iterations} SCRAM iterations, below the minimum of {minimum}"
            ),
            SaslError::IterationCountTooHigh {
                iterations,
                maximum,
            } => write!(
                f,
                "server asked for {iterations} SCRAM iterations, above the maximum of {maximum}"
            ),
            SaslError::ServerReportedError { error } => {
                write!(f, "server reported SCRAM error {}", error.as_str())
            }
            SaslError::NoAcceptableMechanism => f.write_str("no acceptable mechanism offered"),
            SaslError::PlainRequiresTls => f.write_str(
                "only PLAIN is acceptable and the stream is not encrypted (plaintext over an \
                 unencrypted stream was not allowed)",
            ),
            SaslError::ChannelBindingUnavailable => {
                f.write_str("channel-binding data unavailable for the chosen mechanism")
            }
            SaslError::InvalidParameter => f.write_str("parameter out of range"),
        }
    }
}

impl std::error::Error for SaslError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_condition_is_reachable() {
        let errors = [
            SaslError::Aborted,
            SaslError::AccountDisabled,
            SaslError::CredentialsExpired,
            SaslError::EncryptionRequired,
            SaslError::IncorrectEncoding,
            SaslError::InvalidAuthzid,
            SaslError::InvalidMechanism,
            SaslError::UnexpectedStep,
            SaslError::MechanismTooWeak,
            SaslError::AuthenticationFailed,
            SaslError::TemporaryFailure,
        ];
        let conditions: Vec<_> = errors.iter().map(SaslError::condition).collect();
        assert_eq!(conditions, SaslCondition::ALL);
    }

    #[test]
    fn server_error_values_round_trip() {
        for v in [
            "invalid-encoding",
            "extensions-not-supported",
            "invalid-proof",
            "channel-bindings-dont-match",
            "server-does-support-channel-binding",
            "channel-binding-not-supported",
            "unsupported-channel-binding-type",
            "unknown-user",
            "invalid-username-encoding",
            "no-resources",
            "other-error",
        ] {
            assert_eq!(ScramServerError::from_value(v).as_str(), v);
        }
        assert_eq!(
            ScramServerError::from_value("brand-new"),
            ScramServerError::OtherError
        );
    }

    #[test]
    fn display_mentions_the_specifics() {
        let e = SaslError::IterationCountTooLow {
            iterations: 1000,
            minimum: 4096,
        };
        assert!(e.to_string().contains("1000") && e.to_string().contains("4096"));
        let e = SaslError::malformed(
            MessageKind::ScramServerFirst,
            Malformation::MissingAttribute { name: 's' },
        );
        assert_eq!(
            e.to_string(),
            "malformed SCRAM server-first-message: missing attribute s="
        );
        assert_eq!(
            SaslError::Saslprep {
                field: Field::Authzid,
                error: SaslprepError::Bidi
            }
            .condition(),
            SaslCondition::InvalidAuthzid
        );
    }
}
