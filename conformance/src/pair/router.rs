//! The server side's application in the pair: answers credential requests from a
//! small account table, binding requests by a policy, and IQs to the server
//! (roster get), recording the stanzas it receives.

use std::collections::VecDeque;

use xmpp_core::{CommandError, ServerCommand, ServerEvent};
use xmpp_jid::Jid;
use xmpp_sasl::scram::{ScramHash, ScramKeys};
use xmpp_sasl::{Account, CredentialAnswer, Password};
use xmpp_stanza::{
    Element, Iq, IqPayload, Roster, RosterItem, Stanza, StanzaError, StanzaErrorCondition,
    Subscription, ns,
};

use super::TEST_ITERATIONS;

/// The resource the pair's server binds when the client asks for none (RFC 6120
/// §7.6; a real server draws a random one).
pub const ASSIGNED_RESOURCE: &str = "assigned";

/// The server-side application of the pair.
pub struct Router {
    /// Accounts by user name, in insertion order.
    pub accounts: Vec<(String, Account)>,
    /// Errors to refuse the next bind requests with, in order.
    pub bind_errors: VecDeque<StanzaErrorCondition>,
    /// Whether IQs addressed to the server are answered.
    pub answer_iqs: bool,
    /// Commands the server refused (a harness or connection bug).
    pub errors: Vec<CommandError>,
}

/// An account whose password is `password`: SCRAM keys for every hash (salt fixed,
/// [`TEST_ITERATIONS`] iterations) and the password itself (for DIGEST-MD5).
pub fn account(password: &str) -> Account {
    let pw = Password::new(password);
    let mut account = Account::with_password(pw.clone());
    for hash in [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512] {
        if let Ok(keys) = ScramKeys::derive(hash, &pw, b"conformance-salt", TEST_ITERATIONS) {
            account = account.and_scram_keys(keys);
        }
    }
    account
}

impl Router {
    /// A router with the account `juliet` / `password`.
    pub fn with_juliet(password: &str) -> Router {
        Router::with_account("juliet", password)
    }

    /// A router with one account.
    pub fn with_account(name: &str, password: &str) -> Router {
        Router::with_accounts(vec![(name.to_owned(), account(password))])
    }

    /// A router with these accounts.
    pub fn with_accounts(accounts: Vec<(String, Account)>) -> Router {
        Router {
            accounts,
            bind_errors: VecDeque::new(),
            answer_iqs: true,
            errors: Vec::new(),
        }
    }

    /// The commands answering `event`.
    pub fn answer(&mut self, event: &ServerEvent) -> Vec<ServerCommand> {
        match event {
            ServerEvent::CredentialsRequested { id, authcid, .. } => {
                let answer = self
                    .accounts
                    .iter()
                    .find(|(name, _)| name == authcid)
                    .map_or(CredentialAnswer::UnknownUser, |(_, a)| {
                        CredentialAnswer::Found(a.clone())
                    });
                vec![ServerCommand::ProvideCredentials { id: *id, answer }]
            }
            ServerEvent::BindRequested {
                id,
                user,
                requested,
            } => {
                let result = match (self.bind_errors.pop_front(), requested) {
                    (Some(condition), _) => Err(condition),
                    (None, Some(jid)) => Ok(jid.clone()),
                    // RFC 6120 §7.6: the client left the resource to the server.
                    (None, None) => user
                        .with_resource(ASSIGNED_RESOURCE)
                        .map_err(|_| StanzaErrorCondition::InternalServerError),
                };
                vec![ServerCommand::Bind { id: *id, result }]
            }
            ServerEvent::Stanza(stanza) => match &**stanza {
                Stanza::Iq(iq) if self.answer_iqs && iq.payload.is_request() && iq.to.is_none() => {
                    vec![ServerCommand::send(answer_iq(iq))]
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

/// The server's answer to an IQ addressed to it: a roster for a roster get,
/// `service-unavailable` for anything else (RFC 6120 §8.4).
fn answer_iq(iq: &Iq) -> Iq {
    let is_roster_get = matches!(&iq.payload, IqPayload::Get(q) if q.is("query", ns::ROSTER));
    let mut reply = if is_roster_get {
        let mut roster = Roster::default();
        for (jid, name, subscription) in [
            ("romeo@example.net", "Romeo", Subscription::Both),
            ("nurse@example.com", "Nurse", Subscription::To),
        ] {
            if let Ok(jid) = Jid::new(jid) {
                let mut item = RosterItem::new(jid);
                item.name = Some(name.into());
                item.subscription = Some(subscription);
                roster.items.push(item);
            }
        }
        iq.result_reply(Some(Element::from(roster)))
    } else {
        iq.error_reply(StanzaError::new(StanzaErrorCondition::ServiceUnavailable))
    };
    // A request always has a reply; keep a bare result as a fallback.
    let mut out = reply
        .take()
        .unwrap_or_else(|| Iq::new(iq.id.clone(), IqPayload::Result(None)));
    // The server answers from itself: no `from` (RFC 6120 §10.3.3 allows either).
    out.from = None;
    out
}
