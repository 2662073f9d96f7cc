//! Every kind of `Change` through the real store, and account administration seen
//! by a running server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmpp_jid::{BareJid, Jid};
use xmpp_sasl::scram::{ScramHash, ScramKeys};
use xmpp_sasl::{InsecureSeededEntropy, Password};
use xmpp_server::{
    AccountUpdate, Change, OfflineMessage, RosterEntry, RosterSubscription, Router, RouterConfig,
    Timestamp,
};
use xmpp_stanza::{Message, NsContext, Presence, Privacy, parse_element};
use xmpp_store_sqlite::Store;

fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

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

fn samples() -> Vec<Change> {
    let (alice, bob, gone) = (
        jid("alice@example.test"),
        jid("bob@example.test"),
        jid("gone@example.test"),
    );
    let roster_item = |contact: &BareJid| {
        let mut item = RosterEntry::new(contact.clone());
        item.name = Some("Name <&>".into());
        item.groups = vec!["A".into(), "B \"quoted\"".into()];
        item.subscription = RosterSubscription::To;
        item.ask = true;
        item
    };
    let subscribe = parse_element(
        "<presence from='carol@remote.example' to='bob@example.test' type='subscribe'/>",
        &NsContext::client(),
    )
    .unwrap();
    let privacy = |name: &str| {
        let xml = format!(
            "<query xmlns='jabber:iq:privacy'><list name='{name}'>\
             <item type='jid' value='spam@example.org' action='deny' order='1'/></list></query>"
        );
        let query = parse_element(&xml, &NsContext::client()).unwrap();
        Privacy::try_from(&query).unwrap().lists.remove(0)
    };
    let message = |id: u64| {
        let mut m = Message::chat(Jid::new("bob@example.test").unwrap(), format!("m{id}"));
        m.from = Some(Jid::new("alice@example.test/home").unwrap());
        OfflineMessage {
            id,
            stamp: Timestamp::from_unix_millis(1_700_000_000_000 + id),
            message: m,
        }
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
            user: gone.clone(),
            keys: keys("g"),
        },
        Change::RosterItemSet {
            user: gone.clone(),
            item: roster_item(&alice),
            version: 1,
        },
        Change::AccountDeleted { user: gone },
        Change::RosterItemSet {
            user: alice.clone(),
            item: roster_item(&bob),
            version: 1,
        },
        Change::RosterItemSet {
            user: alice.clone(),
            item: roster_item(&jid("carol@remote.example")),
            version: 2,
        },
        Change::RosterItemRemoved {
            user: alice.clone(),
            contact: jid("carol@remote.example"),
            version: 3,
        },
        Change::RosterVersion {
            user: alice.clone(),
            version: 7,
        },
        Change::PendingInSet {
            user: bob.clone(),
            contact: jid("carol@remote.example"),
            request: Presence::try_from(subscribe.clone()).unwrap(),
        },
        Change::PendingInSet {
            user: bob.clone(),
            contact: jid("dave@remote.example"),
            request: Presence::try_from(subscribe).unwrap(),
        },
        Change::PendingInRemoved {
            user: bob.clone(),
            contact: jid("dave@remote.example"),
        },
        Change::PrivacyListSet {
            user: alice.clone(),
            list: privacy("work"),
        },
        Change::PrivacyListSet {
            user: alice.clone(),
            list: privacy("old"),
        },
        Change::PrivacyListRemoved {
            user: alice.clone(),
            name: "old".into(),
        },
        Change::DefaultPrivacyListSet {
            user: alice.clone(),
            name: Some("work".into()),
        },
        Change::OfflineStored {
            user: bob.clone(),
            message: message(5),
        },
        Change::OfflineStored {
            user: bob.clone(),
            message: message(6),
        },
        Change::OfflineDeleted { user: bob, id: 5 },
    ]
}

#[test]
fn every_kind_of_change_survives_the_store() {
    let changes = samples();
    let mut covered = [false; KINDS];
    for change in &changes {
        covered[kind(change)] = true;
    }
    assert!(
        covered.iter().all(|c| *c),
        "samples miss a kind: {covered:?}"
    );

    let mut store = Store::in_memory().unwrap();
    for change in &changes {
        store.persist(change).unwrap();
    }
    let config = || RouterConfig::new(jid("example.test"));
    let entropy = || InsecureSeededEntropy::new(1);
    let expected = Router::load(config(), entropy(), changes)
        .unwrap()
        .snapshot();
    let loaded = Router::load(config(), entropy(), store.load().unwrap()).unwrap();
    assert_eq!(loaded.snapshot(), expected);
    assert_eq!(loaded.roster_version(&jid("alice@example.test")), Some(7));
    assert_eq!(loaded.offline_count(&jid("bob@example.test")), 1);
    assert_eq!(loaded.accounts().len(), 2);
}

#[test]
fn administration_written_by_another_connection_reaches_the_server() {
    let dir = std::env::temp_dir().join(format!("xmpp-store-admin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
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
