//! Credentials: what a client authenticates with, and what a server's application answers
//! when the server machine asks for a user's stored secrets.

use std::borrow::Cow;

use crate::error::Field;
use crate::saslprep::saslprep_query;
use crate::scram::{ScramHash, ScramKeys};
use crate::{Mechanism, Password, SaslError};

/// Whether user names and passwords go through SASLprep (RFC 4013).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Preparation {
    /// Apply SASLprep, treating strings as queries (unassigned code points allowed), as
    /// RFC 5802 and RFC 4616 prescribe. The default.
    #[default]
    Saslprep,
    /// Use strings exactly as given: for test vectors that say so, and for interoperating
    /// with peers that skip SASLprep.
    Exact,
}

impl Preparation {
    /// Prepares `s`, naming `field` in errors; an empty result is an error.
    pub(crate) fn prepare<'a>(self, s: &'a str, field: Field) -> Result<Cow<'a, str>, SaslError> {
        let prepared = match self {
            Preparation::Saslprep => {
                saslprep_query(s).map_err(|error| SaslError::Saslprep { field, error })?
            }
            Preparation::Exact => Cow::Borrowed(s),
        };
        if prepared.is_empty() {
            return Err(SaslError::EmptyField { field });
        }
        Ok(prepared)
    }
}

/// What a client authenticates with: user name (authcid), password and optional
/// authorization identity. `Debug` redacts the password.
///
/// ```
/// use xmpp_sasl::ClientCredentials;
/// let c = ClientCredentials::new("juliet", "r0m30myr0m30").with_authzid("juliet@example.com");
/// assert!(!format!("{c:?}").contains("r0m30"));
/// ```
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub(crate) username: String,
    pub(crate) password: Password,
    pub(crate) authzid: Option<String>,
    pub(crate) preparation: Preparation,
}

impl ClientCredentials {
    /// Credentials for `username` (in XMPP the localpart of the JID) and `password`.
    pub fn new(username: impl Into<String>, password: impl Into<Password>) -> Self {
        ClientCredentials {
            username: username.into(),
            password: password.into(),
            authzid: None,
            preparation: Preparation::Saslprep,
        }
    }

    /// Requests authorization as `authzid` (in XMPP a bare JID); an empty string means none.
    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        let authzid = authzid.into();
        self.authzid = if authzid.is_empty() {
            None
        } else {
            Some(authzid)
        };
        self
    }

    /// Uses the user name and password exactly as given, without SASLprep.
    pub fn without_saslprep(mut self) -> Self {
        self.preparation = Preparation::Exact;
        self
    }

    /// The user name as given.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The authorization identity, if any.
    pub fn authzid(&self) -> Option<&str> {
        self.authzid.as_deref()
    }
}

/// The server machine's request for a user's stored secrets, answered with
/// [`SaslServer::provide`](crate::SaslServer::provide). The identities are as the client sent
/// them after SASLprep (user name) and unescaping.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialRequest {
    /// The mechanism in use; tells the store which SCRAM hash's keys are wanted.
    pub mechanism: Mechanism,
    /// The authentication identity (user name).
    pub authcid: String,
    /// The requested authorization identity, if any. The application decides whether
    /// `authcid` may act as it ([`Account::permit_authzid`]).
    pub authzid: Option<String>,
    /// The DIGEST-MD5 realm the client used, if any.
    pub realm: Option<String>,
}

/// The application's answer to a [`CredentialRequest`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CredentialAnswer {
    /// The account exists.
    Found(Account),
    /// No such user. Follows exactly the path of a wrong password: SCRAM answers with a
    /// decoy challenge and fails with `not-authorized` after the client's proof.
    UnknownUser,
    /// Policy requires a stronger mechanism for this user: fails at once with
    /// `mechanism-too-weak`.
    MechanismTooWeak,
    /// The credential store is unavailable: fails at once with `temporary-auth-failure`.
    TemporaryFailure,
}

impl CredentialAnswer {
    /// The account to verify the client's proof against — `None` for an unknown user,
    /// which every mechanism then fails exactly like a wrong secret — or the error
    /// for the answers that end the exchange at once.
    pub(crate) fn into_account(self) -> Result<Option<Account>, SaslError> {
        match self {
            CredentialAnswer::Found(account) => Ok(Some(account)),
            CredentialAnswer::UnknownUser => Ok(None),
            CredentialAnswer::MechanismTooWeak => Err(SaslError::MechanismTooWeak),
            CredentialAnswer::TemporaryFailure => Err(SaslError::TemporaryFailure),
        }
    }
}

/// The state of an account, checked only after the client has proved it knows the password
/// (so the state is never revealed to someone who does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AccountStatus {
    /// Usable.
    #[default]
    Active,
    /// Disabled: `account-disabled`.
    Disabled,
    /// The password has expired: `credentials-expired`.
    CredentialsExpired,
}

/// A user's stored secrets and account state, as the application answers a
/// [`CredentialRequest`]. `Debug` redacts every secret.
///
/// ```
/// use xmpp_sasl::{Account, Password};
/// use xmpp_sasl::scram::{ScramHash, ScramKeys};
/// let keys = ScramKeys::derive(ScramHash::Sha256, &Password::new("pencil"), b"0123456789abcdef", 4096)?;
/// let account = Account::with_scram_keys(keys).permit_authzid();
/// # let _ = account;
/// # Ok::<(), xmpp_sasl::SaslError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Account {
    pub(crate) password: Option<Password>,
    pub(crate) scram_keys: Vec<ScramKeys>,
    pub(crate) status: AccountStatus,
    pub(crate) authzid_permitted: bool,
}

impl Account {
    /// An account whose password is stored (needed for DIGEST-MD5; works for every
    /// mechanism, SCRAM then derives keys per exchange).
    pub fn with_password(password: impl Into<Password>) -> Self {
        Account {
            password: Some(password.into()),
            ..Account::default()
        }
    }

    /// An account with SCRAM keys for one hash; add more with [`and_scram_keys`](Self::and_scram_keys).
    /// PLAIN is verified against these too.
    pub fn with_scram_keys(keys: ScramKeys) -> Self {
        Account {
            scram_keys: vec![keys],
            ..Account::default()
        }
    }

    /// Adds SCRAM keys for another hash.
    pub fn and_scram_keys(mut self, keys: ScramKeys) -> Self {
        self.scram_keys.push(keys);
        self
    }

    /// Sets the account state (default [`AccountStatus::Active`]).
    pub fn status(mut self, status: AccountStatus) -> Self {
        self.status = status;
        self
    }

    /// Allows this user to act as the authorization identity of the request. Without it a
    /// request that names an authzid fails with `invalid-authzid` (after authentication).
    pub fn permit_authzid(mut self) -> Self {
        self.authzid_permitted = true;
        self
    }

    pub(crate) fn keys_for(&self, hash: ScramHash) -> Option<&ScramKeys> {
        self.scram_keys.iter().find(|k| k.hash() == hash)
    }

    /// Checks status and authorization after a successful proof.
    pub(crate) fn check_after_proof(&self, authzid: Option<&str>) -> Result<(), SaslError> {
        match self.status {
            AccountStatus::Disabled => return Err(SaslError::AccountDisabled),
            AccountStatus::CredentialsExpired => return Err(SaslError::CredentialsExpired),
            AccountStatus::Active => {}
        }
        if authzid.is_some() && !self.authzid_permitted {
            return Err(SaslError::InvalidAuthzid);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preparation_and_empty_checks() {
        assert_eq!(
            Preparation::Saslprep
                .prepare("I\u{AD}X", Field::Username)
                .unwrap(),
            "IX"
        );
        assert_eq!(
            Preparation::Exact
                .prepare("I\u{AD}X", Field::Username)
                .unwrap(),
            "I\u{AD}X"
        );
        assert_eq!(
            Preparation::Saslprep.prepare("\u{AD}", Field::Password),
            Err(SaslError::EmptyField {
                field: Field::Password
            })
        );
        assert_eq!(
            Preparation::Exact.prepare("", Field::Username),
            Err(SaslError::EmptyField {
                field: Field::Username
            })
        );
    }

    #[test]
    fn account_checks_order() {
        let a = Account::with_password("x");
        assert_eq!(a.check_after_proof(None), Ok(()));
        assert_eq!(
            a.check_after_proof(Some("z")),
            Err(SaslError::InvalidAuthzid)
        );
        assert_eq!(
            a.clone().permit_authzid().check_after_proof(Some("z")),
            Ok(())
        );
        assert_eq!(
            a.clone()
                .status(AccountStatus::Disabled)
                .check_after_proof(None),
            Err(SaslError::AccountDisabled)
        );
        assert_eq!(
            a.status(AccountStatus::CredentialsExpired)
                .check_after_proof(Some("z")),
            Err(SaslError::CredentialsExpired)
        );
        let shown = format!("{:?}", Account::with_password("sekrit"));
        assert!(!shown.contains("sekrit"));
        assert_eq!(
            ClientCredentials::new("u", "p").with_authzid("").authzid(),
            None
        );
    }
}
