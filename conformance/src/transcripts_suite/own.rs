//! Replays of the project's own transcripts (`vectors/extra/transcripts/`): cases the
//! RFC transcripts do not show, authored from the RFC rules each file cites.

use xmpp_core::{CloseReason, ReadErrorKind, ResourceConflict, Violation};
use xmpp_stanza::StreamErrorCondition;

use super::checks::expect;
use super::compare::Payloads;
use super::parse::Unit;
use super::replay::Outcome;
use super::scenarios::{Case, Role, Select};
use super::setups::{Stop, client_at, server_at};

fn never(_: &[Unit]) -> Option<&'static str> {
    None
}

/// Closed for a stanza outside the stream's content namespace: `invalid-namespace`
/// (RFC 6120 §4.8.3, §4.9.3.10).
fn closed_for_stanza_namespace(o: &Outcome, _: &[Unit]) -> Result<(), String> {
    let ok = match &o.closed {
        Some(CloseReason::Violation(Violation::Read(e))) => {
            e.kind() == ReadErrorKind::StanzaNamespace
                && e.condition() == StreamErrorCondition::InvalidNamespace
        }
        _ => false,
    };
    expect(ok, || format!("{:?}", o.closed))
}

/// The cases, in file order.
pub const CASES: &[Case] = &[
    Case {
        file: "c2s-stanza-namespace.txt",
        role: Role::Server,
        name: "a jabber:server stanza from the client ends the stream",
        select: Select::Indices(&[0, 1, 2]),
        setup: |_| server_at("juliet@example.com/balcony", Stop::Online),
        payloads: Payloads::Exact,
        skip: never,
        check: closed_for_stanza_namespace,
    },
    Case {
        file: "c2s-stanza-namespace.txt",
        role: Role::Client,
        name: "a jabber:server stanza from the server ends the stream",
        select: Select::Indices(&[3, 4, 5]),
        setup: |_| {
            client_at(
                "juliet@example.com/balcony",
                Stop::Online,
                ResourceConflict::default(),
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: closed_for_stanza_namespace,
    },
];
