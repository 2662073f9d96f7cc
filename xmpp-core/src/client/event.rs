//! What a [`ClientConnection`](crate::ClientConnection) tells the application
//! ([`ClientEvent`]) and what it accepts ([`ClientCommand`]).

use std::time::Duration;

use xmpp_jid::FullJid;
use xmpp_sasl::Mechanism;
use xmpp_stanza::{CompactStr, InvalidStanza, Iq, Stanza, StreamError, StreamFeatures};

/// An event of the client connection.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// SASL authentication succeeded with `mechanism`, and the server proved it knows
    /// the password (SCRAM server signature checked).
    Authenticated {
        /// The mechanism used.
        mechanism: Mechanism,
    },
    /// The session is established: a resource is bound (and the legacy session
    /// started, if the server required one). Stanzas may be sent now.
    Online {
        /// The full JID the server bound.
        jid: FullJid,
        /// The stream features after authentication (roster versioning, …).
        features: Box<StreamFeatures>,
    },
    /// A stanza from the server (other than the response to a tracked IQ request).
    Stanza(Box<Stanza>),
    /// A stanza from the server that is not valid (RFC 6120 §8); the connection did
    /// not answer it: the application may send
    /// [`InvalidStanza::error_reply`].
    InvalidStanza(Box<InvalidStanza>),
    /// The response to an IQ request sent with [`ClientCommand::Send`] or
    /// [`ClientCommand::SendIq`], or its timeout. Requests still waiting when the
    /// connection closes get no event: [`Output::Closed`](crate::Output::Closed) ends
    /// them all.
    IqResponse {
        /// The request's id.
        id: CompactStr,
        /// What came back.
        response: IqResponse,
    },
}

/// What became of a tracked IQ request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IqResponse {
    /// A `type='result'` response.
    Result(Box<Iq>),
    /// A `type='error'` response (its [`IqPayload::Error`](xmpp_stanza::IqPayload::Error)
    /// holds the stanza error).
    Error(Box<Iq>),
    /// No response within the request's timeout; a late response will arrive as an
    /// ordinary [`ClientEvent::Stanza`].
    Timeout,
}

/// A command to the client connection.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ClientCommand {
    /// Sends a stanza as given (nothing is stamped: the server stamps `from`). An IQ
    /// request (`get`/`set`) is tracked by its id and answered with
    /// [`ClientEvent::IqResponse`] within the configured IQ timeout.
    Send(Box<Stanza>),
    /// Sends an IQ; a request is tracked with this timeout (`None`: the configured
    /// one).
    SendIq {
        /// The IQ.
        iq: Box<Iq>,
        /// Its timeout.
        timeout: Option<Duration>,
    },
    /// Closes the stream gracefully: sends `</stream:stream>` and waits for the
    /// server's (stanzas arriving meanwhile are still delivered).
    Close,
    /// Closes the stream with a stream error of our own.
    CloseWithError(Box<StreamError>),
}

impl ClientCommand {
    /// [`ClientCommand::Send`] of any stanza.
    pub fn send(stanza: impl Into<Stanza>) -> ClientCommand {
        ClientCommand::Send(Box::new(stanza.into()))
    }
}
