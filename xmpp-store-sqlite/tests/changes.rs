//! Every kind of `Change` through the real database (and again: every change is
//! idempotent), corrupt rows as typed errors, and account administration seen by a
//! running server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use xmpp_jid::{BareJid, Jid};
use xmpp_sasl::scram::{ScramHash, ScramKeys};
use xmpp_sasl::{InsecureSeededEntropy, Password};
use xmpp_server::{
    AccountUpdate, Change, OfflineMessage, RosterEntry, RosterSubscription, Router, RouterConfig,
    Timestamp,
};
use xmpp_stanza::{
    Message, Presence, PresenceType, PrivacyItem, PrivacyItemType, PrivacyList, PrivacyStanzas,
};
use xmpp_store_sqlite::{Store, StoreError};

/// A fresh directory under the system temp dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xmpp-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// SCRAM-SHA-256 keys for `password` (cheap: 64 iterations).
fn keys(password: &str) -> Vec<ScramKeys> {
    let password = Password::new(password);
    vec![ScramKeys::derive(ScramHash::Sha256, &password, b"salt-salt-salt-1", 64).unwrap()]
}

/// The index of a change's kind. Exhaustive on purpose: a new kind of change
/// does not compile here until this test covers it.
fn kind(change: &Change) -> usize {
    match change {
        Change::AccountSet { .. } => 0,
        Change::AccountDeleted { .. } => 1,
        Change::RosterItemSet { .. } => 2,
        Change::RosterItemRemoved { .. } => 3,
        Change::RosterVersion { .. } => 4,
        Change::PendingInSet { .. } => 5,
        Change::PendingInRemoved { .. } => 6,
        Change::PrivacyListSet { .. } => 7,
        Change::PrivacyListRemoved { .. } => 8,
        Change::DefaultPrivacyListSet { .. } => 9,
        Change::OfflineStored { .. } => 10,
        Change::OfflineDeleted { .. } => 11,
    }
}
const KINDS: usize = 12;

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
    RouterConfig::new(BareJid::new("example.test").unwrap())
}

#[test]
fn every_kind_of_change_survives_the_database() {
    let dir = temp_dir("every-change");
    let path = dir.join("state.sqlite");
    let changes = every_change();
    let mut covered = [false; KINDS];
    for change in &changes {
        covered[kind(change)] = true;
    }
    assert!(covered.iter().all(|c| *c), "a kind is missing: {covered:?}");
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
    let dir = temp_dir("corrupt");
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
fn administration_written_by_another_connection_reaches_the_server() {
    let dir = temp_dir("admin");
    let path = dir.join("state.sqlite");
    let mut server = Store::open(&path).unwrap();
    let alice = jid("alice@example.test");
    server
        .persist(&Change::AccountSet {
            user: alice.clone(),
            keys: keys("old"),
        })
        .unwrap();
    assert!(server.account_updates().unwrap().is_empty());

    // `xmppd user …` on the same file, as another process would.
    let mut admin = Store::open(&path).unwrap();
    let carol = jid("carol@example.test");
    admin.admin_set_account(&carol, keys("c")).unwrap();
    admin.admin_set_account(&alice, keys("new")).unwrap();
    admin.admin_delete_account(&alice).unwrap();
    assert_eq!(admin.accounts().unwrap(), vec![carol.clone()]);

    let updates = server.account_updates().unwrap();
    assert_eq!(
        updates,
        vec![
            AccountUpdate {
                user: carol.clone(),
                keys: Some(keys("c"))
            },
            AccountUpdate {
                user: alice.clone(),
                keys: None
            },
            AccountUpdate {
                user: alice,
                keys: None
            },
        ]
    );
    assert!(
        server.account_updates().unwrap().is_empty(),
        "each update once"
    );
    // A store opened later does not replay the old log.
    let mut later = Store::open(&path).unwrap();
    assert!(later.account_updates().unwrap().is_empty());
    assert!(later.account_exists(&carol).unwrap());
}
