//! The crate's error type and the RFC 6120 §6.5 condition each error maps to.

mod detail;

use core::fmt;

pub use detail::{Field, Malformation, MessageKind, Parameter};

use crate::SaslCondition;
use crate::saslprep::SaslprepError;
use crate::scram::ScramServerError;

/// Everything that can go wrong in a SASL exchange, on either side.
///
/// [`SaslError::condition`] gives the RFC 6120 §6.5 condition a server sends in `<failure/>`
/// (on the client side it classifies the error for the application; a client answers a
/// failed exchange with `<abort/>`). Errors never contain passwords or message payloads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaslError {
    /// A payload's base64 text is invalid (RFC 6120 §6.5.5).
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
    /// A configuration value is out of range (zero iterations, an empty salt, a key of
    /// the wrong length, a missing DIGEST-MD5 host).
    InvalidParameter {
        /// Which value, and what is wrong with it.
        parameter: Parameter,
    },
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
            | SaslError::InvalidParameter { .. } => SaslCondition::TemporaryAuthFailure,
            SaslError::Aborted => SaslCondition::Aborted,
        }
    }

    /// Whether a server refused the `client-first-message` for its gs2 channel-binding
    /// flag alone (RFC 5802 §6), before any credential was consulted — so no password
    /// was tried: [`UnsupportedChannelBindingType`](Self::UnsupportedChannelBindingType)
    /// (`p=` names a type this connection cannot verify, such as `tls-unique` on
    /// TLS 1.3, RFC 9266 §1) or [`ChannelBindingDowngrade`](Self::ChannelBindingDowngrade)
    /// (`y` although `-PLUS` was offered).
    ///
    /// Clients that bind only with `tls-unique` (slixmpp up to 1.8.4) get these for
    /// every offered SCRAM mechanism before they try PLAIN, so a server may leave them
    /// out of its password-guessing count; a downgrade refusal is also worth logging,
    /// as it is what a stripped `-PLUS` offer looks like.
    ///
    /// ```
    /// use xmpp_sasl::SaslError;
    /// assert!(SaslError::ChannelBindingDowngrade.is_channel_binding_refusal());
    /// assert!(SaslError::UnsupportedChannelBindingType.is_channel_binding_refusal());
    /// assert!(!SaslError::ChannelBindingMismatch.is_channel_binding_refusal());
    /// assert!(!SaslError::AuthenticationFailed.is_channel_binding_refusal());
    /// ```
    pub fn is_channel_binding_refusal(&self) -> bool {
        matches!(
            self,
            SaslError::UnsupportedChannelBindingType | SaslError::ChannelBindingDowngrade
        )
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
            SaslError::InvalidParameter { parameter } => {
                write!(f, "invalid parameter: {parameter}")
            }
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
