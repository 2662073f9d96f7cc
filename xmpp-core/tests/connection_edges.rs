//! Edges of the connections' contract: timers that re-arm themselves, the number of
//! SASL attempts a stream allows, and what arrives after our close. (Stanzas in a
//! namespace other than the stream's: `stanza_namespace.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Pair, client_config, server_config};
use xmpp_core::*;
use xmpp_sasl::InsecureSeededEntropy;

/// Runs `f` on a thread and fails the test if it does not return within `limit`
/// (instead of hanging the suite).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not return within {limit:?}"))
}

#[test]
fn a_zero_keepalive_interval_means_no_keepalives() {
    let written = within(Duration::from_secs(10), || {
        let mut timeouts = ClientTimeouts::default();
        timeouts.keepalive = Some(Duration::ZERO);
        let mut pair = Pair::new(client_config().with_timeouts(timeouts), server_config(), 3);
        pair.run();
        assert!(pair.client_online());
        let before = pair.c2s_log.len();
        let now = pair.now;
        pair.client.handle_timeout(now);
        let mut written = 0;
        loop {
            match pair.client.poll_output() {
                Output::Transmit(bytes) => written += bytes.len(),
                Output::Wait(_) => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(pair.c2s_log.len(), before);
        written
    });
    assert_eq!(written, 0, "a zero interval disables keepalives");
}

const HEADER: &str = "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
    xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
/// PLAIN for juliet / r0m30myr0m30.
const AUTH: &str = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMG15cjBtMzA=</auth>";
const ABORT: &str = "<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>";

/// Drains `c` until `Wait`: its events and the close reason, if any.
fn drain<C: Connection>(c: &mut C) -> (Vec<C::Event>, Option<CloseReason>) {
    let (mut events, mut closed) = (Vec::new(), None);
    loop {
        match c.poll_output() {
            Output::Event(e) => events.push(e),
            Output::Closed(r) => closed = Some(r),
            Output::Wait(_) => return (events, closed),
            _ => {}
        }
    }
}

fn direct_tls_server(now: Instant) -> ServerConnection {
    let config = ServerConfig::new("example.com").unwrap();
    ServerConnection::new(
        Arc::new(config),
        ServerTransport::DirectTls(TlsInfo::new(TlsVersion::Tls13)),
        Box::new(InsecureSeededEntropy::new(1)),
        now,
    )
}

#[test]
fn aborted_sasl_attempts_count_towards_the_limit() {
    // Each <auth/> asks the application for credentials (a database lookup); an
    // abort must not let one stream start exchanges without end (RFC 6120 §6.4.5).
    let now = Instant::now();
    let mut s = direct_tls_server(now);
    s.handle_input(now, HEADER.as_bytes());
    drain(&mut s);
    let mut lookups = 0;
    for _ in 0..10 {
        s.handle_input(now, format!("{AUTH}{ABORT}").as_bytes());
        let (events, closed) = drain(&mut s);
        lookups += events
            .iter()
            .filter(|e| matches!(e, ServerEvent::CredentialsRequested { .. }))
            .count();
        if let Some(reason) = closed {
            assert_eq!(
                reason,
                CloseReason::Violation(Violation::TooManyAuthFailures)
            );
            assert_eq!(lookups, 3, "the default allows three attempts");
            return;
        }
    }
    panic!("ten aborted exchanges ({lookups} credential lookups) and the stream is still open");
}

/// The server's header and features offering PLAIN, on a direct-TLS stream.
const SERVER_OPEN: &str = "<?xml version='1.0'?><stream:stream from='example.com' id='s1' \
    version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\
    <stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
    <mechanism>PLAIN</mechanism></mechanisms></stream:features>";

#[test]
fn what_the_server_sent_before_it_saw_our_close_is_no_violation() {
    // RFC 6120 §4.4: after sending </stream:stream> an entity goes on processing
    // what arrives until the peer's close; a <success/> already in flight when the
    // application closed mid-negotiation does not turn a close into a violation.
    let now = Instant::now();
    let config = client_config().with_tls(TlsMode::DirectTls(TlsInfo::new(TlsVersion::Tls13)));
    let mut c =
        ClientConnection::new(config, Box::new(InsecureSeededEntropy::new(1)), now).unwrap();
    c.handle_input(now, SERVER_OPEN.as_bytes());
    drain(&mut c);
    c.handle_command(now, ClientCommand::Close).unwrap();
    drain(&mut c);
    c.handle_input(
        now,
        b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:stream>",
    );
    let (_, closed) = drain(&mut c);
    assert_eq!(closed, Some(CloseReason::Local));
}

#[test]
fn what_the_client_sent_before_it_saw_our_close_is_no_violation() {
    // The server application closes a stream mid-negotiation (shutting down); the
    // client's <auth/> was already on its way.
    let now = Instant::now();
    let mut s = direct_tls_server(now);
    s.handle_input(now, HEADER.as_bytes());
    drain(&mut s);
    s.handle_command(now, ServerCommand::Close).unwrap();
    drain(&mut s);
    s.handle_input(now, format!("{AUTH}</stream:stream>").as_bytes());
    let (events, closed) = drain(&mut s);
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(closed, Some(CloseReason::Local));
}

#[test]
fn nothing_is_written_after_our_close() {
    // The server application closes before the client's header arrives: our header
    // and </stream:stream> go out, and the client's header must not make the server
    // answer with another header and features after its close.
    let now = Instant::now();
    let mut s = direct_tls_server(now);
    s.handle_command(now, ServerCommand::Close).unwrap();
    let mut written = Vec::new();
    let take = |s: &mut ServerConnection, written: &mut Vec<u8>| loop {
        match s.poll_output() {
            Output::Transmit(bytes) => written.extend(bytes),
            Output::Wait(_) => return,
            other => panic!("{other:?}"),
        }
    };
    take(&mut s, &mut written);
    let text = String::from_utf8(written.clone()).unwrap();
    assert!(text.ends_with("</stream:stream>"), "{text}");
    written.clear();
    s.handle_input(now, HEADER.as_bytes());
    take(&mut s, &mut written);
    assert_eq!(String::from_utf8(written).unwrap(), "");
}
