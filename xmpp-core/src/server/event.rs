//! What a [`ServerConnection`](crate::ServerConnection) tells the application
//! ([`ServerEvent`]) and what it accepts ([`ServerCommand`]).

use std::fmt;

use xmpp_jid::{BareJid, FullJid};
use xmpp_sasl::{ChannelBindingType, CredentialAnswer, Mechanism, SaslCondition, SaslError};
use xmpp_stanza::{Stanza, StanzaErrorCondition, StreamError};

/// Identifies a request the connection made with an event (credentials for SASL,
/// RFC 6120 §6.4; binding, §7), to be named in the answering command. Unique per
/// connection; a host serving many connections keys it by its own connection id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub(crate) u32);

impl RequestId {
    /// The id numbered `raw` — for code that answers requests without a
    /// [`ServerConnection`](crate::ServerConnection) behind them (tests, a router
    /// driven directly). A connection only accepts the ids it handed out in its
    /// events (RFC 6120 §6.4, §7); any other is refused as
    /// [`CommandError::UnknownRequest`](crate::CommandError::UnknownRequest).
    pub const fn from_raw(raw: u32) -> RequestId {
        RequestId(raw)
    }

    /// The id's number (what [`RequestId::from_raw`] takes), for logs and keys.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// An event of the server connection.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// The SASL exchange needs the user's stored credentials: answer with
    /// [`ServerCommand::ProvideCredentials`] (the lookup may take its time; nothing is
    /// sent meanwhile).
    CredentialsRequested {
        /// The request to answer.
        id: RequestId,
        /// The mechanism in use (which SCRAM hash's keys are wanted).
        mechanism: Mechanism,
        /// The authentication identity (user name, after SASLprep).
        authcid: String,
        /// The requested authorization identity, if any; permit it with
        /// [`Account::permit_authzid`](xmpp_sasl::Account::permit_authzid).
        authzid: Option<String>,
    },
    /// The client authenticated as `jid` (RFC 6120 §6.4.6; the stream restarts next).
    /// Comes right after the `<success/>` bytes.
    Authenticated {
        /// The authenticated account.
        jid: BareJid,
        /// The mechanism used.
        mechanism: Mechanism,
        /// The channel-binding type the exchange was bound to (a `-PLUS` mechanism,
        /// RFC 5802 §6), if any.
        channel_binding: Option<ChannelBindingType>,
    },
    /// An authentication attempt failed (RFC 6120 §6.4.5): one event per
    /// `<failure/>` the connection sends, for metrics and for throttling password
    /// guessing. Queued immediately **before** the bytes of that `<failure/>` (and of
    /// the stream error, if it was the last failure allowed). Never carries secrets or
    /// SASL payloads.
    ///
    /// Every failure is reported: wrong password or proof, unknown user (answered
    /// with a decoy, and reported exactly like a wrong password), channel-binding
    /// refusals, malformed messages or elements, unknown mechanisms, aborts (also an
    /// `<abort/>` with no exchange running), refused accounts. Password guesses are
    /// the ones whose `error` is [`SaslError::AuthenticationFailed`];
    /// [`SaslError::is_channel_binding_refusal`] ones tried no password (clients
    /// such as slixmpp 1.8.3 cause several per login, see
    /// [`SaslPolicy`](crate::SaslPolicy)). A connection that ends in the middle of an
    /// exchange reports no failure (it was not answered).
    AuthFailed {
        /// The mechanism of the attempt; `None` when no known mechanism was running
        /// (an unknown or missing mechanism name, an `<abort/>` or `<response/>`
        /// with no exchange).
        mechanism: Option<Mechanism>,
        /// The authentication identity the client claimed (after SASLprep), when the
        /// exchange got as far as naming one — see
        /// [`SaslServer::authcid`](xmpp_sasl::SaslServer::authcid). Not verified:
        /// the claim of whoever tried.
        authcid: Option<String>,
        /// The RFC 6120 §6.5 condition sent in `<failure/>`.
        condition: SaslCondition,
        /// The typed cause (`condition` is its
        /// [`condition`](SaslError::condition)). Failures of the XMPP element rather
        /// than of the SASL message are [`SaslError::IncorrectEncoding`] (bad
        /// base64), [`SaslError::InvalidMechanism`] (no mechanism named) or
        /// [`SaslError::Malformed`] with
        /// [`MessageKind::XmppElement`](xmpp_sasl::MessageKind::XmppElement);
        /// an authorization identity outside the served domain is
        /// [`SaslError::InvalidAuthzid`].
        error: SaslError,
    },
    /// The client asks to bind a resource (RFC 6120 §7): answer with
    /// [`ServerCommand::Bind`].
    ///
    /// The connection reports what the client asked for and draws nothing itself:
    /// when `requested` is `None` the answer chooses the resource (§7.6: random,
    /// and not one of the account's bound resources). A requested resourcepart
    /// that does not prepare was already answered with `bad-request` (§7.7.2.1)
    /// and is not reported.
    BindRequested {
        /// The request to answer.
        id: RequestId,
        /// The authenticated account (the bound JID must be one of its resources).
        user: BareJid,
        /// The client's resource (§7.7): `user` with the resourcepart it sent,
        /// after resourceprep — so `requested.to_bare() == user` — or `None` when
        /// it asked the server to generate one (§7.6).
        requested: Option<FullJid>,
    },
    /// A resource is bound: the session is online.
    Online {
        /// The session's full JID.
        jid: FullJid,
    },
    /// A valid stanza from the client, `from` stamped with the session's full JID
    /// (RFC 6120 §8.1.2.1). Invalid ones were answered with a stanza error and are
    /// not reported; legacy session requests are answered by the connection.
    Stanza(Box<Stanza>),
}

/// A command to the server connection.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ServerCommand {
    /// Answers [`ServerEvent::CredentialsRequested`].
    ProvideCredentials {
        /// The request answered.
        id: RequestId,
        /// The user's stored secrets, or why there are none.
        answer: CredentialAnswer,
    },
    /// Answers [`ServerEvent::BindRequested`]: the JID bound (the requested one or
    /// another of the same user), or the stanza error to refuse with (`conflict`,
    /// `not-allowed`, `resource-constraint`, …).
    Bind {
        /// The request answered.
        id: RequestId,
        /// The outcome.
        result: Result<FullJid, StanzaErrorCondition>,
    },
    /// Sends a stanza to the client as given (the router stamps addresses).
    Send(Box<Stanza>),
    /// Closes the stream gracefully.
    Close,
    /// Closes the stream with a stream error (e.g. `conflict` when another session
    /// takes over the resource, `system-shutdown`).
    CloseWithError(Box<StreamError>),
}

impl ServerCommand {
    /// [`ServerCommand::Send`] of any stanza.
    pub fn send(stanza: impl Into<Stanza>) -> ServerCommand {
        ServerCommand::Send(Box::new(stanza.into()))
    }
}
