//! What the router asks its host to do: [`RouterOutput`], drained in order with
//! [`Router::poll_output`](crate::Router::poll_output), and the queue behind it.

use std::collections::VecDeque;

use xmpp_jid::FullJid;
use xmpp_sasl::CredentialAnswer;
use xmpp_stanza::{Stanza, StanzaError, StreamError};

use crate::change::Change;
use crate::ids::{RequestId, SessionId};

/// One thing for the host to do. Outputs must be carried out in the order they are
/// polled; in particular a [`Persist`](RouterOutput::Persist) must be durable before any
/// later output is acted on (see the crate documentation for why).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum RouterOutput {
    /// Make this change durable (for example in one SQL transaction) before acting
    /// on any later output.
    Persist(Change),
    /// Send this stanza to the session's client (its `from` is already stamped by
    /// the router).
    Deliver {
        /// The session.
        session: SessionId,
        /// The stanza.
        stanza: Stanza,
    },
    /// Close the session with this stream error. The router has already forgotten
    /// the session's resource and broadcast its unavailable presence; the host
    /// still reports the close with
    /// [`Router::session_closed`](crate::Router::session_closed).
    Close {
        /// The session.
        session: SessionId,
        /// The stream error to send before closing.
        error: StreamError,
    },
    /// The answer to a credential request
    /// ([`Router::credentials_requested`](crate::Router::credentials_requested)),
    /// built from stored SCRAM keys.
    Credentials {
        /// The session.
        session: SessionId,
        /// The request answered.
        request: RequestId,
        /// The answer for the SASL server machine.
        answer: CredentialAnswer,
    },
    /// The answer to a bind request
    /// ([`Router::bind_requested`](crate::Router::bind_requested)): the bound full
    /// JID, or the stanza error to return.
    Bind {
        /// The session.
        session: SessionId,
        /// The request answered.
        request: RequestId,
        /// The bound JID or the error.
        result: Result<FullJid, StanzaError>,
    },
}

/// The ordered output queue.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    queue: VecDeque<RouterOutput>,
}

impl Outbox {
    pub(crate) fn push(&mut self, output: RouterOutput) {
        self.queue.push_back(output);
    }

    pub(crate) fn deliver(&mut self, session: SessionId, stanza: impl Into<Stanza>) {
        self.queue.push_back(RouterOutput::Deliver {
            session,
            stanza: stanza.into(),
        });
    }

    pub(crate) fn pop(&mut self) -> Option<RouterOutput> {
        self.queue.pop_front()
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}
