//! A stanza qualified by a namespace other than the stream's content namespace ends
//! the stream with `invalid-namespace` (RFC 6120 §4.8.3, §4.9.3.10): a client-to-server
//! stream carries `jabber:client` stanzas in both directions, so `<message
//! xmlns='jabber:server'/>` (or a stanza name in any other namespace) from either peer
//! is refused — by the server and by the client — at every byte split of the input.
//! Other first-level elements in other namespaces (stream management's, say) are
//! refused as before: `unsupported-stanza-type` where nothing expects them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{Pair, client_config, server_config};
use xmpp_core::*;
use xmpp_sasl::InsecureSeededEntropy;
use xmpp_stanza::StreamErrorCondition as C;

/// What the peer's input made our side do.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    written: Vec<u8>,
    events: usize,
    closed: Option<CloseReason>,
}

fn drain<Conn: Connection>(c: &mut Conn) -> Outcome {
    let mut outcome = Outcome {
        written: Vec::new(),
        events: 0,
        closed: None,
    };
    loop {
        match c.poll_output() {
            Output::Transmit(bytes) => outcome.written.extend_from_slice(&bytes),
            Output::Event(_) => outcome.events += 1,
            Output::Closed(r) => outcome.closed = Some(r),
            Output::Wait(_) => return outcome,
            Output::StartTls { .. } => panic!("unexpected StartTls"),
        }
    }
}

/// Feeds `input` to `c` in two pieces cut at `at` (0: whole).
fn feed<Conn: Connection>(c: &mut Conn, now: Instant, input: &[u8], at: usize) -> Outcome {
    let (head, tail) = input.split_at(at);
    for piece in [head, tail] {
        if !piece.is_empty() {
            c.handle_input(now, piece);
        }
    }
    drain(c)
}

/// A client and a server, both online; `seed` varies the stream ids.
fn online(seed: u64) -> Pair {
    let mut pair = Pair::new(client_config(), server_config(), seed);
    pair.run();
    assert!(pair.client_online());
    pair
}

const ERROR: &[u8] = b"<stream:error><invalid-namespace \
    xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>";

/// The outcome must be the stream error, our close and `invalid-namespace` as the
/// reason, with no event for the application.
fn assert_invalid_namespace(outcome: &Outcome, what: &str) {
    assert_eq!(
        String::from_utf8_lossy(&outcome.written),
        String::from_utf8_lossy(ERROR),
        "{what}"
    );
    assert_eq!(outcome.events, 0, "{what}");
    match &outcome.closed {
        Some(CloseReason::Violation(Violation::Read(e))) => {
            assert_eq!(e.kind(), ReadErrorKind::StanzaNamespace, "{what}");
            assert_eq!(e.condition(), C::InvalidNamespace, "{what}");
        }
        other => panic!("{what}: closed with {other:?}"),
    }
}

/// The three stanza kinds, in `ns`, as a peer of either role might send them.
fn stanzas(ns: &str) -> Vec<String> {
    vec![
        format!(
            "<message xmlns='{ns}' from='romeo@example.net/orchard' \
             to='juliet@example.com/balcony' type='chat'><body>hi</body></message>"
        ),
        format!("<presence xmlns='{ns}' from='romeo@example.net/orchard'/>"),
        format!(
            "<iq xmlns='{ns}' from='example.com' to='juliet@example.com/balcony' id='p1' \
             type='get'><ping xmlns='urn:xmpp:ping'/></iq>"
        ),
    ]
}

#[test]
fn the_server_refuses_jabber_server_stanzas_at_every_byte_split() {
    let foreign = stanzas("jabber:server").remove(0);
    let input = foreign.as_bytes();
    let whole = {
        let mut pair = online(5);
        let now = pair.now;
        feed(&mut pair.server, now, input, 0)
    };
    assert_invalid_namespace(&whole, "whole");
    for at in 1..input.len() {
        let mut pair = online(5);
        let now = pair.now;
        assert_eq!(
            feed(&mut pair.server, now, input, at),
            whole,
            "split at {at}"
        );
    }
}

#[test]
fn the_client_refuses_jabber_server_stanzas_at_every_byte_split() {
    let foreign = stanzas("jabber:server").remove(2);
    let input = foreign.as_bytes();
    let whole = {
        let mut pair = online(6);
        let now = pair.now;
        feed(&mut pair.client, now, input, 0)
    };
    assert_invalid_namespace(&whole, "whole");
    for at in 1..input.len() {
        let mut pair = online(6);
        let now = pair.now;
        assert_eq!(
            feed(&mut pair.client, now, input, at),
            whole,
            "split at {at}"
        );
    }
}

#[test]
fn every_stanza_kind_in_any_other_namespace_is_refused_by_both_roles() {
    let namespaces = [
        "jabber:server",
        "jabber:component:accept",
        "urn:example:not-a-content-namespace",
    ];
    for ns in namespaces {
        for stanza in stanzas(ns) {
            let mut pair = online(7);
            let now = pair.now;
            let outcome = feed(&mut pair.server, now, stanza.as_bytes(), 0);
            assert_invalid_namespace(&outcome, &format!("server, {stanza}"));

            let mut pair = online(8);
            let outcome = feed(&mut pair.client, now, stanza.as_bytes(), 0);
            assert_invalid_namespace(&outcome, &format!("client, {stanza}"));
        }
    }
    // A prefix changes nothing: the namespace is what counts.
    let prefixed = "<s:message xmlns:s='jabber:server' to='romeo@example.net'/>";
    let mut pair = online(9);
    let now = pair.now;
    let outcome = feed(&mut pair.server, now, prefixed.as_bytes(), 0);
    assert_invalid_namespace(&outcome, prefixed);
}

#[test]
fn a_prefixed_jabber_client_stanza_is_still_a_stanza() {
    let mut pair = online(10);
    let now = pair.now;
    let stanza = "<c:message xmlns:c='jabber:client' to='romeo@example.net' type='chat'>\
        <c:body>hi</c:body></c:message>";
    let outcome = feed(&mut pair.server, now, stanza.as_bytes(), 0);
    assert_eq!(outcome.closed, None);
    assert_eq!(outcome.events, 1, "the stanza is handed to the application");
}

#[test]
fn before_authentication_too() {
    // The namespace rule does not depend on the negotiation state: a jabber:server
    // stanza right after the header is invalid-namespace, not the not-authorized a
    // jabber:client stanza gets there.
    let now = Instant::now();
    let mut server = ServerConnection::new(
        Arc::new(server_config()),
        ServerTransport::StartTls,
        Box::new(InsecureSeededEntropy::new(1)),
        now,
    );
    let header = "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
        xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
    server.handle_input(now, header.as_bytes());
    drain(&mut server);
    let foreign = "<presence xmlns='jabber:server'/>";
    let outcome = feed(&mut server, now, foreign.as_bytes(), 0);
    assert_invalid_namespace(&outcome, "pre-auth server");

    let mut client = ClientConnection::new(
        client_config(),
        Box::new(InsecureSeededEntropy::new(1)),
        now,
    )
    .unwrap();
    drain(&mut client);
    let header = "<?xml version='1.0'?><stream:stream from='example.com' id='s1' \
        version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
    client.handle_input(now, header.as_bytes());
    drain(&mut client);
    let outcome = feed(&mut client, now, foreign.as_bytes(), 0);
    assert_invalid_namespace(&outcome, "pre-auth client");
}

#[test]
fn stream_management_elements_are_refused_as_before() {
    // Neither role negotiates XEP-0198 here: its first-level elements are no stanzas,
    // so the namespace rule leaves them alone and they stay unexpected elements
    // (unsupported-stanza-type), as they were.
    for (name, seed) in [("enable", 11), ("r", 12), ("a", 13)] {
        let element = format!("<{name} xmlns='urn:xmpp:sm:3'/>");
        let mut pair = online(seed);
        let now = pair.now;
        let server = feed(&mut pair.server, now, element.as_bytes(), 0);
        let client = feed(&mut pair.client, now, element.as_bytes(), 0);
        for (role, outcome) in [("server", server), ("client", client)] {
            match &outcome.closed {
                Some(CloseReason::Violation(v @ Violation::UnexpectedElement { .. })) => {
                    assert_eq!(v.condition(), C::UnsupportedStanzaType, "{role} {name}");
                }
                other => panic!("{role} {name}: closed with {other:?}"),
            }
        }
    }
}
