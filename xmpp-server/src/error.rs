//! The router's errors: misuse of an input ([`RouterError`]), a refused account
//! operation ([`AccountError`]) and saved state that cannot be loaded
//! ([`LoadError`]). Peer misbehaviour is never an error value: it becomes output
//! (a stanza error or a stream error and close).

use std::fmt;

use xmpp_jid::{BareJid, JidError};
use xmpp_sasl::SaslError;

use crate::ids::SessionId;

/// The host called an input in a way the session's state does not allow — a bug in
/// the glue, not something a peer can cause.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouterError {
    /// No session with this id was opened (or it was already reported closed).
    UnknownSession(SessionId),
    /// [`Router::open_session`](crate::Router::open_session) with an id that is in use.
    SessionExists(SessionId),
    /// The session has no bound resource yet (online reported before a successful
    /// bind), or is already bound (a second bind).
    WrongPhase(SessionId),
}

impl fmt::Display for RouterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouterError::UnknownSession(id) => write!(f, "unknown {id}"),
            RouterError::SessionExists(id) => write!(f, "{id} is already open"),
            RouterError::WrongPhase(id) => {
                write!(f, "{id} is not in the phase this input needs")
            }
        }
    }
}

impl std::error::Error for RouterError {}

/// Why an account operation was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccountError {
    /// The user name is not a valid JID localpart.
    InvalidUsername(JidError),
    /// An account with this name exists already.
    AccountExists(BareJid),
    /// No account with this name exists.
    NoSuchAccount(BareJid),
    /// The password could not be turned into SCRAM keys (empty after SASLprep,
    /// prohibited characters, or a zero iteration count in the configuration).
    Password(SaslError),
    /// The JID is not an account of the served domain (no localpart, or another
    /// domain).
    NotLocal(BareJid),
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountError::InvalidUsername(e) => write!(f, "invalid user name: {e}"),
            AccountError::AccountExists(jid) => write!(f, "account {jid} exists already"),
            AccountError::NoSuchAccount(jid) => write!(f, "no account {jid}"),
            AccountError::Password(e) => write!(f, "unusable password: {e}"),
            AccountError::NotLocal(jid) => write!(f, "{jid} is not an account of this server"),
        }
    }
}

impl std::error::Error for AccountError {}

/// Saved state that cannot be loaded; `position` is the index of the offending
/// [`Change`](crate::Change) in the sequence given to
/// [`Router::load`](crate::Router::load).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadError {
    /// The change concerns an account that does not exist at that point.
    UnknownAccount {
        /// Index of the change.
        position: usize,
        /// The account named.
        user: BareJid,
    },
    /// The change names an account of another domain than the configured one.
    ForeignDomain {
        /// Index of the change.
        position: usize,
        /// The account named.
        user: BareJid,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::UnknownAccount { position, user } => {
                write!(f, "change {position} concerns unknown account {user}")
            }
            LoadError::ForeignDomain { position, user } => {
                write!(
                    f,
                    "change {position} names {user}, outside the served domain"
                )
            }
        }
    }
}

impl std::error::Error for LoadError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_went_wrong() {
        let user = BareJid::new("a@example.com").unwrap();
        assert_eq!(
            RouterError::UnknownSession(SessionId(4)).to_string(),
            "unknown session#4"
        );
        assert_eq!(
            LoadError::UnknownAccount {
                position: 2,
                user: user.clone()
            }
            .to_string(),
            "change 2 concerns unknown account a@example.com"
        );
        assert_eq!(
            AccountError::AccountExists(user).to_string(),
            "account a@example.com exists already"
        );
    }
}
