//! [`CommandError`]: the application misused a connection; [`ConfigError`]: a
//! configuration that cannot work.

use std::fmt;

use xmpp_stanza::SerializeError;

/// Why [`Connection::handle_command`](crate::Connection::handle_command) refused a
/// command. Only misuse by the application gets here; nothing was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommandError {
    /// Stanzas can only be sent once the session is online.
    NotOnline,
    /// The connection is closing or closed.
    Closed,
    /// The stanza cannot be written as XML (an invalid name or a character XML 1.0
    /// forbids).
    Unserializable(SerializeError),
    /// An IQ request needs a non-empty `id` to be matched with its response.
    MissingIqId,
    /// An IQ request with this `id` is already waiting for its response.
    DuplicateIqId,
    /// Server: no credential or bind request with this id is pending (it was already
    /// answered, or the client gave up on it — harmless after an `<abort/>`).
    UnknownRequest,
    /// Server: the JID given for a bind request is not one of the authenticated user's.
    ForeignJid,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::NotOnline => f.write_str("the session is not online yet"),
            CommandError::Closed => f.write_str("the connection is closing or closed"),
            CommandError::Unserializable(e) => write!(f, "cannot serialize the stanza: {e}"),
            CommandError::MissingIqId => f.write_str("an IQ request needs an id"),
            CommandError::DuplicateIqId => f.write_str("an IQ with this id is already pending"),
            CommandError::UnknownRequest => f.write_str("no such request is pending"),
            CommandError::ForeignJid => {
                f.write_str("the JID does not belong to the authenticated user")
            }
        }
    }
}

impl std::error::Error for CommandError {}

impl From<SerializeError> for CommandError {
    fn from(e: SerializeError) -> Self {
        CommandError::Unserializable(e)
    }
}

/// Why a connection configuration was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigError {
    /// Client: the account JID has no localpart, so there is no user name to
    /// authenticate with.
    NoLocalpart,
    /// Client: the requested resource is not a valid resourcepart.
    InvalidResource,
    /// Server: the domain is not a valid domainpart (or has a localpart or resource).
    InvalidDomain,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NoLocalpart => f.write_str("the account JID has no localpart"),
            ConfigError::InvalidResource => f.write_str("the requested resource is invalid"),
            ConfigError::InvalidDomain => f.write_str("the server domain is invalid"),
        }
    }
}

impl std::error::Error for ConfigError {}
