//! Killing the `server` binary (SIGKILL) in the middle of a load loses no
//! acknowledged message: alice streams messages to bob, who is offline, with a
//! ping after every few; a ping answered acknowledges every message before it
//! (the router handles a session's stanzas in order and commits each stored
//! message to SQLite before acting on anything after it). After the kill the
//! server restarts on the same file and bob must receive every acknowledged message.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use xmpp_core::IqResponse;
use xmpp_jid::Jid;
use xmpp_stanza::{Element, Iq, IqPayload, Message, Namespace, Presence, Stanza};
use xmpp_testkit::processes::{self, ServerProcess};
use xmpp_tokio::{ConnectConfig, Event};

const DOMAIN: &str = "example.test";

fn config(port: u16, certs: &std::path::Path, user: &str) -> ConnectConfig {
    ConnectConfig::new(&format!("{user}@{DOMAIN}/r"), &format!("pw-{user}"))
        .unwrap()
        .server("127.0.0.1", port)
        .ca_file(certs.join("ca.pem"))
        .connect_timeout(Duration::from_secs(5))
}

#[test]
fn a_killed_server_loses_no_acknowledged_message() {
    let dir = processes::temp_dir("crash");
    let certs = processes::certs(&dir, DOMAIN);
    let db = dir.join("state.sqlite");
    let db_arg = db.to_str().unwrap().to_owned();
    let users = ["--add-user", "alice:pw-alice", "--add-user", "bob:pw-bob"];
    let mut args = vec!["--db", db_arg.as_str(), "--flood", "off"];
    args.extend(users);
    let server = ServerProcess::start(xmppd(), &certs, DOMAIN, &args);
    let port = server.port;
    let acked = Arc::new(AtomicU64::new(0));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // Alice sends until the connection dies; `acked` is the number of messages
    // before the last answered ping.
    let sender = {
        let (acked, certs) = (acked.clone(), certs.clone());
        rt.spawn(async move {
            let (alice, _events) = xmpp_tokio::connect(config(port, &certs, "alice"))
                .await
                .unwrap();
            let bob = Jid::new(&format!("bob@{DOMAIN}")).unwrap();
            let ping = || Element::new("ping", Namespace::from_static("urn:xmpp:ping"));
            // At most 900: the router keeps up to 1000 offline messages per account.
            for n in 0..900u64 {
                if alice
                    .send(Message::chat(bob.clone(), format!("m{n}")))
                    .await
                    .is_err()
                {
                    return;
                }
                if n % 5 == 4 {
                    let iq = Iq::new(format!("p{n}"), IqPayload::Get(ping()));
                    match alice.iq(iq, Some(Duration::from_secs(5))).await {
                        Ok(IqResponse::Result(_)) => acked.store(n + 1, Ordering::SeqCst),
                        _ => return,
                    }
                }
            }
        })
    };
    // Kill it mid-load.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while acked.load(Ordering::SeqCst) < 150 {
        assert!(
            std::time::Instant::now() < deadline,
            "the load did not start"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill();
    rt.block_on(sender).unwrap();
    let acked = acked.load(Ordering::SeqCst);
    assert!(
        acked < 900,
        "the server was killed after the load had finished"
    );

    // Restart on the same file: bob logs in and receives the stored messages.
    let server = ServerProcess::start(xmppd(), &certs, DOMAIN, &["--db", db_arg.as_str()]);
    let received = rt.block_on(async {
        let (bob, mut events) = xmpp_tokio::connect(config(server.port, &certs, "bob"))
            .await
            .unwrap();
        bob.send(Presence::available()).await.unwrap();
        let mut received = BTreeSet::new();
        loop {
            let next = tokio::time::timeout(Duration::from_secs(3), events.next()).await;
            let Ok(Some(event)) = next else { break };
            if let Event::Stanza(s) = event
                && let Stanza::Message(m) = *s
                && let Some(n) = m.body().and_then(|b| b.strip_prefix('m'))
            {
                received.insert(n.parse::<u64>().unwrap());
            }
        }
        received
    });
    let missing: Vec<u64> = (0..acked).filter(|n| !received.contains(n)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged {acked}, received {}, missing {missing:?}",
        received.len()
    );
    eprintln!(
        "killed after {acked} acknowledged messages; {} delivered after the restart",
        received.len()
    );
    drop(server);
}

#[test]
fn a_store_failure_stops_the_server_before_anything_is_acknowledged() {
    let dir = processes::temp_dir("store-failure");
    let certs = processes::certs(&dir, DOMAIN);
    let db = dir.join("state.sqlite");
    let db_arg = db.to_str().unwrap().to_owned();
    let args = [
        "--db",
        db_arg.as_str(),
        "--add-user",
        "alice:pw-alice",
        "--add-user",
        "bob:pw-bob",
    ];
    let mut server = ServerProcess::start(xmppd(), &certs, DOMAIN, &args);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let answered = rt.block_on(async {
        let (alice, _events) = xmpp_tokio::connect(config(server.port, &certs, "alice"))
            .await
            .unwrap();
        // Someone breaks the database under the running server.
        let db = rusqlite::Connection::open(&db).unwrap();
        db.execute_batch("DROP TABLE offline").unwrap();
        drop(db);
        // A message for bob (offline) must be stored; it cannot be, so nothing after
        // it may be acted on: the ping stays unanswered.
        let bob = Jid::new(&format!("bob@{DOMAIN}")).unwrap();
        let _ = alice.send(Message::chat(bob, "unstorable")).await;
        let ping = Element::new("ping", Namespace::from_static("urn:xmpp:ping"));
        let iq = Iq::new("p1", IqPayload::Get(ping));
        matches!(
            alice.iq(iq, Some(Duration::from_secs(5))).await,
            Ok(IqResponse::Result(_))
        )
    });
    assert!(!answered, "the server acknowledged after a failed write");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server kept running"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
}

/// The server binary under test.
fn xmppd() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_xmppd"))
}
