//! Bad input end to end against the embedded server: garbage, stanzas before
//! authentication, oversized stanzas before and after authentication, malformed XML
//! and floods each get the RFC 6120 stream error and a closed connection, while two
//! well-behaved clients keep talking and the store is unchanged (also after a
//! restart from its file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmpp_testkit::inproc::{self, DOMAIN, chat};
use xmpp_testkit::processes;
use xmpp_tokio::Tokio;

async fn client(
    port: u16,
    ca: &std::path::Path,
    user: &str,
    resource: &str,
) -> (xmpp_tokio::Client, xmpp_tokio::Events) {
    inproc::client::<Tokio>(port, ca, user, resource).await
}

async fn next_body(events: &mut xmpp_tokio::Events) -> Option<String> {
    inproc::next_body::<Tokio>(events).await
}
use std::time::Duration;

use futures::StreamExt;
use xmpp_server::FloodLimit;
use xmpp_store_sqlite::Store;
use xmpp_testkit::raw::Raw;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// One misbehaving connection: `attack` drives it and checks the stream error.
async fn logged_in_raw(port: u16, ca: &std::path::Path) -> Raw {
    let mut raw = Raw::connect(port, DOMAIN).await;
    raw.starttls(ca).await;
    raw.login("mallory", "pw-mallory", "evil").await;
    raw
}

#[test]
fn bad_input_closes_only_the_offender_and_leaves_the_store_intact() {
    runtime().block_on(async {
        let dir = processes::temp_dir("bad-input");
        let certs = processes::certs(&dir, DOMAIN);
        let db = dir.join("state.sqlite");
        let flood = FloodLimit {
            burst: 40,
            per_second: 200,
        };
        let running = inproc::start::<Tokio, _>(&certs, Store::open(&db).unwrap(), Some(flood)).await;
        let (port, ca) = (running.port, running.ca_file.clone());
        let (alice, mut alice_events) = client(port, &ca, "alice", "home").await;
        let (bob, mut bob_events) = client(port, &ca, "bob", "work").await;
        let before = running.server.snapshot().await.unwrap();
        let mut round = 0;
        let mut still_talking = async |label: &str| {
            round += 1;
            let body = format!("{label} {round}");
            alice.send(chat("bob", &body)).await.unwrap();
            assert_eq!(next_body(&mut bob_events).await.as_deref(), Some(body.as_str()));
            bob.send(chat("alice", &body)).await.unwrap();
            assert_eq!(next_body(&mut alice_events).await.as_deref(), Some(body.as_str()));
        };
        still_talking("start").await;

        // Garbage instead of a stream header.
        let mut raw = Raw::connect(port, DOMAIN).await;
        raw.send(b"\x16\x03\x01\x02\x00 this is not XML at all <<<>>>").await;
        raw.expect_stream_error("not-well-formed").await;
        still_talking("after garbage").await;

        // A stanza before authentication (after STARTTLS).
        let mut raw = Raw::connect(port, DOMAIN).await;
        raw.starttls(&ca).await;
        raw.header().await;
        raw.read_until("</stream:features>").await;
        raw.send(b"<message to='bob@example.test'><body>let me in</body></message>")
            .await;
        raw.expect_stream_error("not-authorized").await;
        still_talking("after a stanza before auth").await;

        // Before authentication the stanza limit is 8 KiB: a 64 KiB <auth/>.
        let mut raw = Raw::connect(port, DOMAIN).await;
        raw.starttls(&ca).await;
        raw.header().await;
        raw.read_until("</stream:features>").await;
        let big = format!(
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{}</auth>",
            "A".repeat(64 * 1024)
        );
        raw.send(big.as_bytes()).await;
        raw.expect_stream_error("policy-violation").await;
        still_talking("after an oversized auth").await;

        // After authentication the limit is 256 KiB: a 1 MiB message.
        let mut raw = logged_in_raw(port, &ca).await;
        let big = format!(
            "<message to='bob@example.test' type='chat'><body>{}</body></message>",
            "B".repeat(1024 * 1024)
        );
        raw.send(big.as_bytes()).await;
        raw.expect_stream_error("policy-violation").await;
        still_talking("after an oversized message").await;

        // Malformed XML after authentication: mismatched end tag.
        let mut raw = logged_in_raw(port, &ca).await;
        raw.send(b"<message to='bob@example.test'><body>x</message>").await;
        raw.expect_stream_error("not-well-formed").await;
        still_talking("after malformed XML").await;

        // A forged `from`.
        let mut raw = logged_in_raw(port, &ca).await;
        raw.send(b"<message from='alice@example.test/home' to='bob@example.test'><body>it is me, alice</body></message>")
            .await;
        raw.expect_stream_error("invalid-from").await;
        still_talking("after a forged from").await;

        // A flood: far more stanzas than the burst allows, as fast as possible (pings,
        // which change no durable state). The flooder is read more slowly, not cut
        // off: every ping is answered, at the rate (360 beyond the burst at 200/s,
        // less what one 4 KiB read may carry past the limit).
        let mut raw = logged_in_raw(port, &ca).await;
        let flood: String = (0..400)
            .map(|i| format!("<iq type='get' id='f{i}'><ping xmlns='urn:xmpp:ping'/></iq>"))
            .collect();
        let started = std::time::Instant::now();
        raw.send(flood.as_bytes()).await;
        raw.read_until("id='f399'").await;
        assert!(
            started.elapsed() >= Duration::from_millis(1400),
            "the flood was not slowed down: {:?}",
            started.elapsed()
        );
        assert!(!raw.eof, "the flooder was cut off");
        still_talking("during a flood").await;

        // A connection that never speaks after the TCP handshake does not bother anyone,
        // and nothing any of them sent changed the durable state.
        let _idle = Raw::connect(port, DOMAIN).await;
        still_talking("with an idle connection").await;
        let after = running.server.snapshot().await.unwrap();
        assert_eq!(before, after, "the bad input changed durable state");
        drop((alice, bob));
        running.server.shutdown().await.unwrap();

        // The file holds the same state.
        let store = xmpp_store_sqlite::Store::open(&db).unwrap();
        let mut store = store;
        let loaded = store.load().unwrap();
        let config = xmpp_server::RouterConfig::new(xmpp_jid::BareJid::new(DOMAIN).unwrap());
        let router = xmpp_server::Router::load(config, xmpp_tokio::OsEntropy::new().unwrap(), loaded)
            .unwrap();
        assert_eq!(router.snapshot(), before);
    });
}

#[test]
fn a_client_that_stops_reading_loses_nothing_and_slows_nobody() {
    runtime().block_on(async {
        let dir = processes::temp_dir("no-reader");
        let certs = processes::certs(&dir, DOMAIN);
        // A small queue (still larger than what offline storage holds, so the
        // flush at the next login fits) and a short write timeout keep the test
        // quick; the guarantee does not depend on them.
        let settings = inproc::settings(None)
            .with_outbox(1500)
            .with_write_timeout(Duration::from_secs(2));
        let running =
            inproc::start_with::<Tokio, _>(&certs, xmpp_server_host::MemoryStore, settings).await;
        let (port, ca) = (running.port, running.ca_file.clone());
        let (alice, mut alice_events) = client(port, &ca, "alice", "home").await;
        // Alice reads everything that comes back to her: bounces.
        let bounces = tokio::spawn(async move {
            let mut bounced = std::collections::BTreeSet::new();
            while let Some(event) = alice_events.next().await {
                if let xmpp_tokio::Event::Stanza(stanza) = event
                    && let xmpp_stanza::Stanza::Message(m) = *stanza
                    && m.message_type() == xmpp_stanza::MessageType::Error
                    && let Some(id) = m.id
                {
                    assert!(bounced.insert(id.to_string()), "bounced twice: {id}");
                }
            }
            bounced
        });
        let (bob, mut bob_events) = client(port, &ca, "bob", "work").await;
        // Mallory logs in, becomes available, and stops reading.
        let mut mallory = logged_in_raw(port, &ca).await;
        mallory.send(b"<presence/>").await;
        // Far more than the kernel buffers, the queue and offline storage hold.
        const SENT: usize = 8000;
        let body = "x".repeat(2000);
        let to = xmpp_jid::Jid::new(&format!("mallory@{DOMAIN}/evil")).unwrap();
        for i in 0..SENT {
            let text = format!("m{i}-{body}");
            let message = xmpp_stanza::Message::chat(to.clone(), text).with_id(format!("m{i}"));
            alice.send(message).await.unwrap();
        }
        // Alice's stream still works: the router never waited for mallory.
        alice.send(chat("bob", "still here")).await.unwrap();
        assert_eq!(
            next_body(&mut bob_events).await.as_deref(),
            Some("still here")
        );
        // The server gave up on mallory's connection (write timeout); what reached
        // its socket is what it can still read.
        let text = mallory.read_to_end().await;
        let mut on_socket = std::collections::BTreeSet::new();
        for piece in text.split("<message").skip(1) {
            if let Some(complete) = piece
                .split("</message>")
                .next()
                .filter(|_| piece.contains("</message>"))
                && let Some(start) = complete.find("id='m").or_else(|| complete.find("id=\"m"))
            {
                let id: String = complete[start + 4..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                assert!(on_socket.insert(id.clone()), "received twice: {id}");
            }
        }
        // Mallory comes back: the rest was stored offline.
        let (again, mut again_events) = client(port, &ca, "mallory", "again").await;
        let mut offline = std::collections::BTreeSet::new();
        while let Ok(Some(event)) =
            tokio::time::timeout(Duration::from_secs(3), again_events.next()).await
        {
            if let xmpp_tokio::Event::Stanza(stanza) = event
                && let xmpp_stanza::Stanza::Message(m) = *stanza
                && m.message_type() == xmpp_stanza::MessageType::Chat
                && let Some(id) = m.id
            {
                assert!(offline.insert(id.to_string()), "stored twice: {id}");
            }
        }
        // Alice leaves: her event stream ends, with every bounce she got.
        alice.close().await.unwrap();
        let bounced = bounces.await.unwrap();
        // Nothing lost: every message is on the socket, offline, or bounced.
        let all: std::collections::BTreeSet<String> = (0..SENT).map(|i| format!("m{i}")).collect();
        let mut seen = on_socket.clone();
        seen.extend(offline.iter().cloned());
        seen.extend(bounced.iter().cloned());
        assert_eq!(
            seen.len(),
            all.len(),
            "lost {:?}… (on the socket {}, offline {}, bounced {})",
            all.difference(&seen).take(5).collect::<Vec<_>>(),
            on_socket.len(),
            offline.len(),
            bounced.len()
        );
        // A message that reached the socket is rerouted as well only if it was in the
        // one write that never completed: the server cannot know how much of it the
        // client got (with TLS, the kernel took part of the records), so it delivers
        // twice rather than never. That write holds at most the stanzas a driver
        // handles while an event waits for the host (64), plus one.
        let twice =
            on_socket.intersection(&offline).count() + on_socket.intersection(&bounced).count();
        assert!(twice <= 65, "{twice} messages delivered twice");
        assert!(offline.is_disjoint(&bounced), "stored and bounced");
        assert!(
            !offline.is_empty() && !on_socket.is_empty(),
            "{} {}",
            offline.len(),
            on_socket.len()
        );
        drop((bob, again));
        let stats = running.server.shutdown().await.unwrap();
        assert_eq!(stats.overflows, 1, "{stats:?}");
        assert!(stats.rerouted > 0, "{stats:?}");
    });
}
