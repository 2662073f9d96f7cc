//! The SQLite store of the embedded server: every kind of change survives the trip
//! through the database; a server restarted on the same file keeps accounts,
//! rosters, subscriptions, blocklists and offline messages; a corrupt row is a
//! typed error, not a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmpp_store_sqlite::{Store, StoreError};
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
use xmpp_jid::{BareJid, Jid};
use xmpp_sasl::scram::{ScramHash, ScramKeys};
use xmpp_sasl::{InsecureSeededEntropy, Password};
use xmpp_server::{
    Change, OfflineMessage, RosterEntry, RosterSubscription, Router, RouterConfig, Timestamp,
};
use xmpp_stanza::{
    Blocking, Element, Iq, IqPayload, Message, Presence, PresenceType, PrivacyItem,
    PrivacyItemType, PrivacyList, PrivacyStanzas,
};

fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

/// One change of every kind (the deletes after what they delete).
fn every_change() -> Vec<Change> {
    let (alice, bob, carol) = (
        jid("alice@example.test"),
        jid("bob@example.test"),
        jid("carol@example.test"),
    );
    let keys = |pw: &str| {
        [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512]
            .into_iter()
            .map(|h| ScramKeys::derive(h, &Password::new(pw), b"0123456789abcdef", 64).unwrap())
            .collect::<Vec<_>>()
    };
    let mut item = RosterEntry::new(bob.clone());
    item.name = Some("Bob, the builder & co <3".into());
    item.groups = vec!["Friends".into(), "Work \"stuff\"".into(), "日本".into()];
    item.subscription = RosterSubscription::Both;
    item.ask = true;
    item.approved = true;
    let mut carol_item = RosterEntry::new(carol.clone());
    carol_item.subscription = RosterSubscription::From;
    let mut request = Presence::of_type(PresenceType::Subscribe);
    request.from = Some(Jid::from(carol.clone()));
    request.to = Some(Jid::from(alice.clone()));
    request.statuses.push(xmpp_stanza::LangText {
        lang: Some("en".into()),
        text: "please let me in".into(),
    });
    let list = PrivacyList {
        name: "work".into(),
        items: vec![
            PrivacyItem {
                kind: Some(PrivacyItemType::Jid),
                value: Some("carol@example.test".into()),
                allow: false,
                order: 1,
                stanzas: PrivacyStanzas {
                    message: true,
                    presence_in: true,
                    ..Default::default()
                },
            },
            PrivacyItem {
                kind: None,
                value: None,
                allow: true,
                order: 2,
                stanzas: PrivacyStanzas::default(),
            },
        ],
    };
    let mut message = Message::chat(
        Jid::new("alice@example.test").unwrap(),
        "offline <b>&amp; stored</b>",
    );
    message.from = Some(Jid::new("bob@example.test/phone").unwrap());
    let offline = |id, message: &Message| OfflineMessage {
        id,
        stamp: Timestamp::from_unix_millis(1_700_000_000_123 + id),
        message: message.clone(),
    };
    vec![
        Change::AccountSet {
            user: alice.clone(),
            keys: keys("a"),
        },
        Change::AccountSet {
            user: bob.clone(),
            keys: keys("b"),
        },
        Change::AccountSet {
            user: carol.clone(),
            keys: keys("c"),
        },
        Change::AccountSet {
            user: bob.clone(),
            keys: keys("b2"),
        },
        Change::RosterItemSet {
            user: alice.clone(),
            item,
            version: 3,
        },
        Change::RosterItemSet {
            user: alice.clone(),
            item: carol_item,
            version: 4,
        },
        Change::RosterItemRemoved {
            user: alice.clone(),
            contact: carol.clone(),
            version: 5,
        },
        Change::RosterVersion {
            user: bob.clone(),
            version: 9,
        },
        Change::PendingInSet {
            user: alice.clone(),
            contact: carol.clone(),
            request: request.clone(),
        },
        Change::PendingInSet {
            user: bob.clone(),
            contact: carol.clone(),
            request,
        },
        Change::PendingInRemoved {
            user: bob.clone(),
            contact: carol.clone(),
        },
        Change::PrivacyListSet {
            user: alice.clone(),
            list: list.clone(),
        },
        Change::PrivacyListSet {
            user: alice.clone(),
            list: PrivacyList {
                name: "gone".into(),
                items: Vec::new(),
            },
        },
        Change::PrivacyListRemoved {
            user: alice.clone(),
            name: "gone".into(),
        },
        Change::DefaultPrivacyListSet {
            user: alice.clone(),
            name: Some("work".into()),
        },
        Change::OfflineStored {
            user: alice.clone(),
            message: offline(7, &message),
        },
        Change::OfflineStored {
            user: alice.clone(),
            message: offline(8, &message),
        },
        Change::OfflineDeleted {
            user: alice.clone(),
            id: 7,
        },
        Change::AccountDeleted { user: carol },
    ]
}

fn config() -> RouterConfig {
    RouterConfig::new(BareJid::new(DOMAIN).unwrap())
}

#[test]
fn every_kind_of_change_survives_the_database() {
    let dir = processes::temp_dir("every-change");
    let path = dir.join("state.sqlite");
    let changes = every_change();
    let mut store = Store::open(&path).unwrap();
    for change in &changes {
        store.persist(change).unwrap();
    }
    drop(store);
    let loaded = Store::open(&path).unwrap().load().unwrap();
    let from_db = Router::load(config(), InsecureSeededEntropy::new(1), loaded).unwrap();
    let from_log = Router::load(config(), InsecureSeededEntropy::new(1), changes).unwrap();
    assert_eq!(from_db.snapshot(), from_log.snapshot());
    assert_eq!(from_db.accounts().len(), 2);
    assert_eq!(from_db.offline_count(&jid("alice@example.test")), 1);
    let roster = from_db.roster(&jid("alice@example.test")).unwrap();
    assert_eq!(roster.len(), 1);
    assert_eq!(roster[0].groups[2], "日本");
    assert_eq!(from_db.roster_version(&jid("bob@example.test")), Some(9));
    // Applying the same changes again changes nothing (every change is idempotent).
    let mut store = Store::open(&path).unwrap();
    for change in every_change() {
        store.persist(&change).unwrap();
    }
    let again = Router::load(
        config(),
        InsecureSeededEntropy::new(1),
        store.load().unwrap(),
    )
    .unwrap();
    assert_eq!(again.snapshot(), from_log.snapshot());
}

#[test]
fn a_corrupt_row_is_a_typed_error() {
    let dir = processes::temp_dir("corrupt");
    let path = dir.join("state.sqlite");
    let mut store = Store::open(&path).unwrap();
    for change in every_change() {
        store.persist(&change).unwrap();
    }
    drop(store);
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute("UPDATE offline SET stanza = '<message><body>unclosed'", [])
        .unwrap();
    drop(db);
    match Store::open(&path).unwrap().load() {
        Err(StoreError::Corrupt {
            table: "offline", ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute("DELETE FROM offline", []).unwrap();
    db.execute("UPDATE roster SET subscription = 'sometimes'", [])
        .unwrap();
    drop(db);
    match Store::open(&path).unwrap().load() {
        Err(StoreError::Corrupt {
            table: "roster", ..
        }) => {}
        other => panic!("{other:?}"),
    }
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
