//! Property tests of the connections:
//!
//! * arbitrary bytes — alone, or after a valid stream header, in any chunking —
//!   never panic either role, and end (with EOF at the latest) in exactly one
//!   `Closed`, after which nothing more comes out;
//! * the chunk size of the transport never changes what a client/server pair writes
//!   or reports.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use proptest::prelude::*;
use xmpp_core::*;
use xmpp_jid::BareJid;
use xmpp_sasl::InsecureSeededEntropy;

const CLIENT_HEADER: &[u8] = b"<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
    xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
const SERVER_HEADER: &[u8] = b"<?xml version='1.0'?><stream:stream from='example.com' id='x' \
    version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/// Feeds `bytes` in pieces of the given sizes, drains after each, then EOF; counts
/// the `Closed` outputs and checks nothing follows the first.
fn feed_all<C: Connection>(conn: &mut C, bytes: &[u8], sizes: &[usize]) -> usize {
    let now = Instant::now();
    let mut closed = 0;
    let mut drain = |conn: &mut C| {
        for _ in 0..10_000 {
            match conn.poll_output() {
                Output::Closed(_) => closed += 1,
                Output::Wait(_) => return,
                _ => assert_eq!(closed, 0, "output after Closed"),
            }
        }
        panic!("the output queue did not drain");
    };
    let mut rest = bytes;
    let mut cut = sizes.iter().cycle();
    while !rest.is_empty() {
        let n = cut
            .next()
            .copied()
            .unwrap_or(rest.len())
            .clamp(1, rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        conn.handle_input(now, piece);
        drain(conn);
    }
    conn.handle_timeout(now + Duration::from_secs(1));
    drain(conn);
    conn.handle_eof(now);
    drain(conn);
    closed
}

fn new_server() -> ServerConnection {
    let config = ServerConfig::new("example.com").unwrap();
    ServerConnection::new(
        Arc::new(config),
        ServerTransport::DirectTls(fake_tls()),
        Box::new(InsecureSeededEntropy::new(1)),
        Instant::now(),
    )
}

fn new_client() -> ClientConnection {
    let config = ClientConfig::new(BareJid::new("juliet@example.com").unwrap(), "pw")
        .unwrap()
        .with_tls(TlsMode::DirectTls(fake_tls()));
    ClientConnection::new(
        config,
        Box::new(InsecureSeededEntropy::new(1)),
        Instant::now(),
    )
    .unwrap()
}

/// Bytes that look somewhat like XMPP, so that the machines get past the reader.
fn xmppish() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>",
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldABwdw==</auth>",
        "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
        "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>",
        "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>=</challenge>",
        "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
        "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
        "<iq type='set' id='1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
        "<iq type='result' id='1'/>",
        "<message><body>hi</body></message>",
        "<presence/>",
        "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
        "</stream:stream>",
        " ",
        "<",
        "&amp;",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_end_in_one_close(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        after_header in any::<bool>(),
        sizes in prop::collection::vec(1usize..40, 1..6),
    ) {
        let mut server_input = if after_header { CLIENT_HEADER.to_vec() } else { Vec::new() };
        server_input.extend_from_slice(&bytes);
        prop_assert_eq!(feed_all(&mut new_server(), &server_input, &sizes), 1);
        let mut client_input = if after_header { SERVER_HEADER.to_vec() } else { Vec::new() };
        client_input.extend_from_slice(&bytes);
        prop_assert_eq!(feed_all(&mut new_client(), &client_input, &sizes), 1);
    }

    #[test]
    fn xmpp_like_input_ends_in_one_close(
        body in xmppish(),
        sizes in prop::collection::vec(1usize..40, 1..6),
    ) {
        let mut input = CLIENT_HEADER.to_vec();
        input.extend_from_slice(&body);
        prop_assert_eq!(feed_all(&mut new_server(), &input, &sizes), 1);
        let mut input = SERVER_HEADER.to_vec();
        input.extend_from_slice(&body);
        prop_assert_eq!(feed_all(&mut new_client(), &input, &sizes), 1);
    }
}

/// A pair session's bytes and events, for comparison.
fn session(chunk: usize, seed: u64) -> (Vec<u8>, Vec<u8>, String, String) {
    let mut pair = Pair::new(client_config(), server_config(), seed);
    pair.chunk = chunk;
    pair.run();
    let to = xmpp_jid::Jid::new("romeo@example.net").unwrap();
    pair.client_command(ClientCommand::send(xmpp_stanza::Message::chat(to, "hi")));
    pair.client_command(ClientCommand::Close);
    assert_eq!(pair.client_closed, Some(CloseReason::Local));
    (
        pair.c2s_log,
        pair.s2c_log,
        format!("{:?}", pair.client_events),
        format!("{:?}", pair.server_events),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn chunking_never_changes_a_session(chunk in 1usize..64, seed in 1u64..4) {
        prop_assert_eq!(session(chunk, seed), session(usize::MAX, seed));
    }
}
