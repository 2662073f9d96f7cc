//! Stanzas flow once a resource is bound (RFC 6120 §7.1). A server may route a few to
//! the client while binding runs, but one that sends more than
//! [`ClientConfig::with_max_stanzas_before_online`] is misbehaving: the client ends
//! the stream with `policy-violation` (RFC 6120 §4.9.3.14) — the stream error, then
//! `Closed` with the violation — at every byte split of the input. Up to the maximum
//! the stanzas are delivered and binding completes as usual.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Instant;

use common::client_config;
use xmpp_core::*;
use xmpp_sasl::{ClientPolicy, InsecureSeededEntropy, Mechanism};

/// What the server's input made the client do.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    written: Vec<u8>,
    stanzas: usize,
    online: bool,
    closed: Option<CloseReason>,
}

fn drain(c: &mut ClientConnection) -> Outcome {
    let mut outcome = Outcome {
        written: Vec::new(),
        stanzas: 0,
        online: false,
        closed: None,
    };
    loop {
        match c.poll_output() {
            Output::Transmit(bytes) => outcome.written.extend_from_slice(&bytes),
            Output::Event(ClientEvent::Stanza(_)) => outcome.stanzas += 1,
            Output::Event(ClientEvent::Online { .. }) => outcome.online = true,
            Output::Event(_) => {}
            Output::Closed(r) => outcome.closed = Some(r),
            Output::Wait(_) => return outcome,
            Output::StartTls { .. } => panic!("unexpected StartTls"),
        }
    }
}

/// Feeds `input` in two pieces cut at `at` (0: whole).
fn feed(c: &mut ClientConnection, now: Instant, input: &[u8], at: usize) -> Outcome {
    let (head, tail) = input.split_at(at);
    for piece in [head, tail] {
        if !piece.is_empty() {
            c.handle_input(now, piece);
        }
    }
    drain(c)
}

const HEADER: &str = "<?xml version='1.0'?><stream:stream from='example.com' id='s1' \
    version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

const ERROR: &str = "<stream:error><policy-violation \
    xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>";

const MESSAGE: &str =
    "<message from='example.com' to='juliet@example.com'><body>early</body></message>";

/// A client with at most `max` stanzas before online (`None`: the default), scripted
/// through PLAIN without TLS up to the bind request; returns it and the request's id.
fn binding(max: Option<usize>) -> (ClientConnection, Instant, String) {
    let now = Instant::now();
    let policy = ClientPolicy::new()
        .allow_only(&[Mechanism::Plain])
        .insecure_allow_plain_without_tls();
    let mut config = client_config()
        .with_tls(TlsMode::InsecureAllowPlaintext)
        .with_policy(policy);
    if let Some(max) = max {
        config = config.with_max_stanzas_before_online(max);
    }
    let mut client =
        ClientConnection::new(config, Box::new(InsecureSeededEntropy::new(1)), now).unwrap();
    drain(&mut client);
    let sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
    let features = format!(
        "{HEADER}<stream:features><mechanisms xmlns='{sasl}'>\
         <mechanism>PLAIN</mechanism></mechanisms></stream:features>"
    );
    let auth = feed(&mut client, now, features.as_bytes(), 0);
    assert!(String::from_utf8_lossy(&auth.written).contains("<auth"));
    feed(
        &mut client,
        now,
        format!("<success xmlns='{sasl}'/>").as_bytes(),
        0,
    );
    let bind = "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>";
    let features = format!("{HEADER}<stream:features>{bind}</stream:features>");
    let request = feed(&mut client, now, features.as_bytes(), 0);
    let request = String::from_utf8(request.written).unwrap();
    assert!(request.contains("xmpp-bind"), "{request}");
    let id = request
        .split("id='")
        .nth(1)
        .or_else(|| request.split("id=\"").nth(1))
        .and_then(|rest| rest.split(['\'', '"']).next())
        .unwrap()
        .to_owned();
    assert!(!client.is_online() && !client.is_closed());
    (client, now, id)
}

#[test]
fn one_stanza_too_many_before_bind_ends_the_stream_at_every_byte_split() {
    const MAX: usize = 3;
    let input = MESSAGE.repeat(MAX + 1);
    let input = input.as_bytes();
    let whole = {
        let (mut client, now, _) = binding(Some(MAX));
        feed(&mut client, now, input, 0)
    };
    assert_eq!(String::from_utf8_lossy(&whole.written), ERROR);
    assert_eq!(whole.stanzas, MAX, "the first {MAX} are delivered");
    assert!(!whole.online);
    assert_eq!(
        whole.closed,
        Some(CloseReason::Violation(
            Violation::TooManyStanzasBeforeOnline
        ))
    );
    for at in 1..input.len() {
        let (mut client, now, _) = binding(Some(MAX));
        assert_eq!(feed(&mut client, now, input, at), whole, "split at {at}");
        assert!(client.is_closed());
    }
}

#[test]
fn up_to_the_maximum_binding_completes_and_online_stanzas_are_not_counted() {
    const MAX: usize = 3;
    let (mut client, now, id) = binding(Some(MAX));
    let early = feed(&mut client, now, MESSAGE.repeat(MAX).as_bytes(), 0);
    assert_eq!(early.stanzas, MAX);
    assert_eq!(early.closed, None);
    assert!(early.written.is_empty());
    let result = format!(
        "<iq type='result' id='{id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
         <jid>juliet@example.com/balcony</jid></bind></iq>"
    );
    let bound = feed(&mut client, now, result.as_bytes(), 0);
    assert!(bound.online && client.is_online());
    let later = feed(&mut client, now, MESSAGE.repeat(10 * MAX).as_bytes(), 0);
    assert_eq!(later.stanzas, 10 * MAX);
    assert_eq!(later.closed, None);
}

#[test]
fn the_default_maximum_is_64() {
    assert_eq!(client_config().max_stanzas_before_online(), 64);
    let (mut client, now, _) = binding(None);
    let fine = feed(&mut client, now, MESSAGE.repeat(64).as_bytes(), 0);
    assert_eq!((fine.stanzas, fine.closed), (64, None));
    let over = feed(&mut client, now, MESSAGE.as_bytes(), 0);
    assert_eq!(String::from_utf8_lossy(&over.written), ERROR);
    assert_eq!(
        over.closed,
        Some(CloseReason::Violation(
            Violation::TooManyStanzasBeforeOnline
        ))
    );
}
