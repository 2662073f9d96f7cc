//! xmppd's SQLite store end to end: a server restarted on the same file keeps
//! accounts, rosters, subscriptions, blocklists and offline messages (every kind of
//! change through the store alone, and corrupt rows: `xmpp-store-sqlite/tests`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmpp_jid::Jid;
use xmpp_server::Change;
use xmpp_stanza::{Blocking, Element, Iq, IqPayload, Presence, PresenceType};
use xmpp_store_sqlite::Store;
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
#[test]
fn a_restarted_server_keeps_everything() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = processes::temp_dir("restart");
        let certs = processes::certs(&dir, DOMAIN);
        let db = dir.join("state.sqlite");
        let running = inproc::start::<Tokio, _>(&certs, Store::open(&db).unwrap(), None).await;
        let (port, ca) = (running.port, running.ca_file.clone());
        let (alice, mut alice_events) = client(port, &ca, "alice", "home").await;
        // A roster item with a name and groups, a subscription request to bob
        // (offline: it waits for him), a block, and a message stored offline.
        let mut item = xmpp_stanza::RosterItem::new(Jid::new("bob@example.test").unwrap());
        item.name = Some("Bobby".into());
        item.groups.push("Pals".into());
        let set = xmpp_stanza::Roster {
            items: vec![item],
            ..Default::default()
        };
        alice
            .iq(Iq::new("r1", IqPayload::Set(set.into())), None)
            .await
            .unwrap();
        let mut ask = Presence::of_type(PresenceType::Subscribe);
        ask.to = Some(Jid::new("bob@example.test").unwrap());
        alice.send(ask).await.unwrap();
        let block = Element::from(Blocking::Block(vec![
            Jid::new("mallory@example.test").unwrap(),
        ]));
        alice
            .iq(Iq::new("b1", IqPayload::Set(block)), None)
            .await
            .unwrap();
        alice.send(chat("bob", "while you were out")).await.unwrap();
        // A ping answered means everything before it was processed (and persisted).
        let ping = Element::new("ping", xmpp_stanza::Namespace::from_static("urn:xmpp:ping"));
        alice
            .iq(Iq::new("p1", IqPayload::Get(ping)), None)
            .await
            .unwrap();
        let before = running.server.snapshot().await.unwrap();
        alice.close().await.unwrap();
        while let Some(event) = futures::StreamExt::next(&mut alice_events).await {
            if matches!(event, xmpp_tokio::Event::Closed(_)) {
                break;
            }
        }
        running.server.shutdown().await.unwrap();

        let running = inproc::start::<Tokio, _>(&certs, Store::open(&db).unwrap(), None).await;
        let after = running.server.snapshot().await.unwrap();
        // Restarting sets the passwords again (new salts); everything else is equal.
        let strip = |changes: &[Change]| -> Vec<Change> {
            changes
                .iter()
                .filter(|c| !matches!(c, Change::AccountSet { .. }))
                .cloned()
                .collect()
        };
        assert_eq!(strip(&before), strip(&after));
        assert!(
            before
                .iter()
                .any(|c| matches!(c, Change::OfflineStored { .. }))
        );
        assert!(
            before
                .iter()
                .any(|c| matches!(c, Change::PendingInSet { .. }))
        );
        assert!(
            before
                .iter()
                .any(|c| matches!(c, Change::PrivacyListSet { .. }))
        );
        // Bob gets the offline message and the subscription request on login.
        let (_bob, mut bob_events) = client(running.port, &running.ca_file, "bob", "work").await;
        assert_eq!(
            next_body(&mut bob_events).await.as_deref(),
            Some("while you were out")
        );
        running.server.shutdown().await.unwrap();
    });
}
