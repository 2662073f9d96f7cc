//! The schema and its versions. The version is SQLite's `user_version`; each
//! migration runs in one transaction with the version bump, so a failed migration
//! leaves the file exactly as it was, and a file from a newer schema is refused.
//!
//! | version | what it holds |
//! |---|---|
//! | 0 | the unversioned schema of the `server` example before `xmppd`: accounts, SCRAM keys, roster, pending requests, privacy lists, offline messages |
//! | 1 | adds `admin_log`: account changes made by `xmppd user …` while a server may run, which the server picks up without a restart |

use rusqlite::{Connection, TransactionBehavior};

use crate::error::StoreError;

/// The schema version this store writes.
pub const SCHEMA_VERSION: i64 = 1;

/// The tables of version 0 (each statement idempotent).
const V0: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    user TEXT PRIMARY KEY,
    roster_version INTEGER NOT NULL DEFAULT 0,
    default_list TEXT
);
CREATE TABLE IF NOT EXISTS scram_keys (
    user TEXT NOT NULL, hash TEXT NOT NULL, salt BLOB NOT NULL, iterations INTEGER NOT NULL,
    stored_key BLOB NOT NULL, server_key BLOB NOT NULL,
    PRIMARY KEY (user, hash)
);
CREATE TABLE IF NOT EXISTS roster (
    user TEXT NOT NULL, contact TEXT NOT NULL, name TEXT, groups TEXT NOT NULL,
    subscription TEXT NOT NULL, ask INTEGER NOT NULL, approved INTEGER NOT NULL,
    PRIMARY KEY (user, contact)
);
CREATE TABLE IF NOT EXISTS pending_in (
    user TEXT NOT NULL, contact TEXT NOT NULL, stanza TEXT NOT NULL,
    PRIMARY KEY (user, contact)
);
CREATE TABLE IF NOT EXISTS privacy_lists (
    user TEXT NOT NULL, name TEXT NOT NULL, list TEXT NOT NULL,
    PRIMARY KEY (user, name)
);
CREATE TABLE IF NOT EXISTS offline (
    id INTEGER PRIMARY KEY, user TEXT NOT NULL, stamp INTEGER NOT NULL, stanza TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS offline_user ON offline (user, id);
";

/// Version 0 to 1: the administration log.
const V0_TO_V1: &str = "
CREATE TABLE admin_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('set', 'deleted'))
);
";

/// The tables every version has; a file with some but not all of them is foreign.
const V0_TABLES: [&str; 6] = [
    "accounts",
    "scram_keys",
    "roster",
    "pending_in",
    "privacy_lists",
    "offline",
];

/// Brings the database to [`SCHEMA_VERSION`]: creates a new one, migrates an older
/// one step by step, refuses a newer one.
pub(crate) fn migrate(db: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let step = |from: i64, sql: &str| -> Result<(), StoreError> {
        tx.execute_batch(sql).map_err(|e| StoreError::Migration {
            from,
            to: from + 1,
            reason: e.to_string(),
        })
    };
    if found == 0 {
        let present = existing_tables(&tx)?;
        let known = V0_TABLES
            .iter()
            .filter(|t| present.contains(&t.to_string()));
        let count = known.count();
        if count != 0 && count != V0_TABLES.len() {
            return Err(StoreError::Foreign(format!(
                "unversioned, with only some of the tables {V0_TABLES:?}: {present:?}"
            )));
        }
        step(0, V0)?;
        step(0, V0_TO_V1)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// The names of the tables in the database.
fn existing_tables(db: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
    let names = stmt.query_map([], |r| r.get(0))?;
    Ok(names.collect::<Result<_, _>>()?)
}

/// The schema version of the open database.
pub(crate) fn version(db: &Connection) -> Result<i64, StoreError> {
    Ok(db.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}
