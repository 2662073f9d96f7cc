//! The RFC 6120 §6.5 SASL failure conditions.

use core::fmt;

/// A SASL failure condition from RFC 6120 §6.5, sent by the receiving entity as the child of
/// `<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`.
///
/// Every [`SaslError`](crate::SaslError) maps to one of these through
/// [`SaslError::condition`](crate::SaslError::condition); the core serializes it.
///
/// ```
/// use xmpp_sasl::SaslCondition;
/// assert_eq!(SaslCondition::NotAuthorized.as_str(), "not-authorized");
/// assert_eq!(SaslCondition::from_name("aborted"), Some(SaslCondition::Aborted));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SaslCondition {
    /// §6.5.1 `aborted`: the initiating entity aborted the exchange.
    Aborted,
    /// §6.5.2 `account-disabled`: the account is temporarily disabled.
    AccountDisabled,
    /// §6.5.3 `credentials-expired`: the credentials were right but have expired.
    CredentialsExpired,
    /// §6.5.4 `encryption-required`: the mechanism may only be used over a protected stream.
    EncryptionRequired,
    /// §6.5.5 `incorrect-encoding`: the base64 encoding of the data is wrong.
    IncorrectEncoding,
    /// §6.5.6 `invalid-authzid`: the authorization identity is invalid or not permitted.
    InvalidAuthzid,
    /// §6.5.7 `invalid-mechanism`: the mechanism is not supported or not offered.
    InvalidMechanism,
    /// §6.5.8 `malformed-request`: the data violates the mechanism's syntax.
    MalformedRequest,
    /// §6.5.9 `mechanism-too-weak`: policy requires a stronger mechanism for this entity.
    MechanismTooWeak,
    /// §6.5.10 `not-authorized`: authentication failed (wrong credentials, unknown user,
    /// channel-binding mismatch); deliberately vague.
    NotAuthorized,
    /// §6.5.11 `temporary-auth-failure`: a temporary error on the receiving side.
    TemporaryAuthFailure,
}

impl SaslCondition {
    /// Every condition, in RFC 6120 §6.5 order.
    pub const ALL: [SaslCondition; 11] = [
        SaslCondition::Aborted,
        SaslCondition::AccountDisabled,
        SaslCondition::CredentialsExpired,
        SaslCondition::EncryptionRequired,
        SaslCondition::IncorrectEncoding,
        SaslCondition::InvalidAuthzid,
        SaslCondition::InvalidMechanism,
        SaslCondition::MalformedRequest,
        SaslCondition::MechanismTooWeak,
        SaslCondition::NotAuthorized,
        SaslCondition::TemporaryAuthFailure,
    ];

    /// The element name of this condition as it appears inside `<failure/>`.
    pub fn as_str(self) -> &'static str {
        match self {
            SaslCondition::Aborted => "aborted",
            SaslCondition::AccountDisabled => "account-disabled",
            SaslCondition::CredentialsExpired => "credentials-expired",
            SaslCondition::EncryptionRequired => "encryption-required",
            SaslCondition::IncorrectEncoding => "incorrect-encoding",
            SaslCondition::InvalidAuthzid => "invalid-authzid",
            SaslCondition::InvalidMechanism => "invalid-mechanism",
            SaslCondition::MalformedRequest => "malformed-request",
            SaslCondition::MechanismTooWeak => "mechanism-too-weak",
            SaslCondition::NotAuthorized => "not-authorized",
            SaslCondition::TemporaryAuthFailure => "temporary-auth-failure",
        }
    }

    /// Parses an element name received inside `<failure/>`; `None` for unknown names
    /// (RFC 6120 says to treat those like `not-authorized`, which is the caller's choice).
    pub fn from_name(name: &str) -> Option<Self> {
        SaslCondition::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for SaslCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for c in SaslCondition::ALL {
            assert_eq!(SaslCondition::from_name(c.as_str()), Some(c));
        }
        let mut names: Vec<_> = SaslCondition::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 11);
        assert_eq!(SaslCondition::from_name("bad-auth"), None);
    }
}
