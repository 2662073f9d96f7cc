//! Schema versions: a database written before versioning opens and migrates, a
//! newer one is refused, and a failed migration leaves the file as it was.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use xmpp_jid::BareJid;
use xmpp_server::{Change, RosterSubscription};
use xmpp_store_sqlite::{SCHEMA_VERSION, Store, StoreError};

/// A copy of a checked-in fixture in a fresh directory.
fn copy_fixture(name: &str, test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xmpp-store-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let to = dir.join(name);
    std::fs::copy(from, &to).unwrap();
    to
}

fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

#[test]
fn the_unversioned_schema_of_the_server_example_migrates_with_its_data() {
    // Written by the `server` example's store before schema versions existed:
    // alice and bob with SCRAM keys, bob in alice's roster, a pending request from
    // carol to bob, alice's blocklist as her default privacy list, and one offline
    // message for bob.
    let path = copy_fixture("v0-unversioned.sqlite", "v0");
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let changes = store.load().unwrap();
    let (alice, bob) = (jid("alice@example.test"), jid("bob@example.test"));
    assert_eq!(store.accounts().unwrap(), vec![alice.clone(), bob.clone()]);
    let keys = changes.iter().find_map(|c| match c {
        Change::AccountSet { user, keys } if *user == alice => Some(keys.len()),
        _ => None,
    });
    assert_eq!(keys, Some(3), "SHA-1, SHA-256 and SHA-512 keys");
    let item = changes.iter().find_map(|c| match c {
        Change::RosterItemSet {
            user,
            item,
            version,
        } if *user == alice => Some((item, *version)),
        _ => None,
    });
    let (item, version) = item.expect("alice's roster item");
    assert_eq!(item.jid, bob);
    assert_eq!(item.name.as_deref(), Some("Bob"));
    assert_eq!(item.groups, vec!["Friends".to_owned(), "Work".to_owned()]);
    assert_eq!(item.subscription, RosterSubscription::Both);
    assert_eq!(version, 3);
    assert!(changes.iter().any(|c| matches!(c,
        Change::PendingInSet { user, contact, .. } if *user == bob && contact.as_str() == "carol@remote.example")));
    assert!(changes.iter().any(|c| matches!(c,
        Change::DefaultPrivacyListSet { user, name: Some(n) } if *user == alice && n == "urn:xmpp:blocking")));
    let offline = changes.iter().find_map(|c| match c {
        Change::OfflineStored { user, message } if *user == bob => Some(message),
        _ => None,
    });
    let offline = offline.expect("bob's offline message");
    assert_eq!(offline.id, 42);
    assert_eq!(offline.message.body(), Some("kept while you were away"));
    // The migrated state loads into a router.
    let config = xmpp_server::RouterConfig::new(jid("example.test"));
    let entropy = xmpp_sasl::InsecureSeededEntropy::new(1);
    let router = xmpp_server::Router::load(config, entropy, changes).unwrap();
    assert_eq!(router.offline_count(&bob), 1);
    drop(store);
    // Opening again is a no-op.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_database_from_a_newer_schema_is_refused_and_left_alone() {
    let path = copy_fixture("v0-unversioned.sqlite", "newer");
    drop(Store::open(&path).unwrap());
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::NewerSchema { found, supported }
            if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{error}"
    );
    assert!(error.to_string().contains("newer"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_failed_migration_leaves_the_file_untouched() {
    // An unversioned database that already has a table named like the one the
    // migration to version 1 creates: the migration fails halfway.
    let path = copy_fixture("v0-unversioned.sqlite", "failed");
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch("CREATE TABLE admin_log (x INTEGER)")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::Migration { from: 0, to: 1, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("unchanged"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let db = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 0);
}

#[test]
fn a_foreign_database_is_refused() {
    let dir = std::env::temp_dir().join(format!("xmpp-store-foreign-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("other.sqlite");
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch("CREATE TABLE accounts (id INTEGER)")
            .unwrap();
    }
    let error = Store::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::Foreign(_)), "{error}");
}

#[test]
fn a_new_file_gets_the_current_schema() {
    let dir = std::env::temp_dir().join(format!("xmpp-store-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&dir.join("new.sqlite")).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(store.accounts().unwrap().is_empty());
}
