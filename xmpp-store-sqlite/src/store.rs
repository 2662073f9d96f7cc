//! [`Store`]: durable state in SQLite, one transaction per router [`Change`]
//! committed before the host acts on anything after it, and the whole state read
//! back as changes at start-up. `:memory:` gives the same store without a file.
//!
//! One table per key of [`Change`]: accounts (with the roster version and default
//! privacy list), SCRAM keys per hash, roster items, pending subscription requests,
//! privacy lists and offline messages. Stanzas are stored as their XML.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use xmpp_jid::BareJid;
use xmpp_server::{Change, OfflineMessage, RosterEntry};

use crate::error::StoreError;
use crate::rows;
use crate::schema;

/// The SQLite store.
pub struct Store {
    pub(crate) db: Connection,
    /// The last administration-log entry handed to the server.
    pub(crate) admin_seen: i64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.db.path())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema to
    /// [`SCHEMA_VERSION`](crate::SCHEMA_VERSION) (see [`crate::schema`]): a
    /// file from a newer schema is refused, a failed migration leaves it unchanged.
    /// WAL journal with `synchronous=FULL`: a committed change survives a crash of
    /// the process and of the machine, and `xmppd user …` can write while a server
    /// runs.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut db = Connection::open(path)?;
        Store::prepare(&mut db)?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        Store::init(db)
    }

    /// A store in memory, gone with the process (the demo).
    pub fn in_memory() -> Result<Store, StoreError> {
        Store::init(Connection::open_in_memory()?)
    }

    /// Settings and the schema, before anything else touches the file.
    fn prepare(db: &mut Connection) -> Result<(), StoreError> {
        db.pragma_update(None, "foreign_keys", "OFF")?;
        // Another process (`xmppd user add`, a running server) may hold the write
        // lock for a moment.
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(db)
    }

    fn init(mut db: Connection) -> Result<Store, StoreError> {
        Store::prepare(&mut db)?;
        let admin_seen = crate::admin::last_seq(&db)?;
        Ok(Store { db, admin_seen })
    }

    /// The schema version of the file (after opening: always the current one).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        schema::version(&self.db)
    }

    /// Makes one change durable, in one transaction.
    pub fn persist(&mut self, change: &Change) -> Result<(), StoreError> {
        let tx = self.db.transaction()?;
        apply(&tx, change)?;
        tx.commit()?;
        Ok(())
    }

    /// The whole state as changes in the order [`xmpp_server::Router::load`] needs:
    /// per account (in JID order) its keys, roster version, roster items, pending
    /// requests, privacy lists, default list and offline messages.
    pub fn load(&mut self) -> Result<Vec<Change>, StoreError> {
        let tx = self.db.transaction()?;
        let mut out = Vec::new();
        let accounts: Vec<(String, i64, Option<String>)> = {
            let mut stmt = tx
                .prepare("SELECT user, roster_version, default_list FROM accounts ORDER BY user")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (user_text, version, default_list) in accounts {
            let user = rows::bare("accounts", &user_text)?;
            out.push(Change::AccountSet {
                user: user.clone(),
                keys: rows::load_keys(&tx, &user_text)?,
            });
            out.push(Change::RosterVersion {
                user: user.clone(),
                version: u64::try_from(version).unwrap_or(0),
            });
            for item in rows::load_roster(&tx, &user_text)? {
                out.push(Change::RosterItemSet {
                    user: user.clone(),
                    item,
                    version: u64::try_from(version).unwrap_or(0),
                });
            }
            for (contact, request) in rows::load_pending(&tx, &user_text)? {
                out.push(Change::PendingInSet {
                    user: user.clone(),
                    contact,
                    request,
                });
            }
            for list in rows::load_privacy(&tx, &user_text)? {
                out.push(Change::PrivacyListSet {
                    user: user.clone(),
                    list,
                });
            }
            if default_list.is_some() {
                out.push(Change::DefaultPrivacyListSet {
                    user: user.clone(),
                    name: default_list,
                });
            }
            for message in rows::load_offline(&tx, &user_text)? {
                out.push(Change::OfflineStored {
                    user: user.clone(),
                    message,
                });
            }
        }
        tx.commit()?;
        Ok(out)
    }
}

/// The SQL for one change.
pub(crate) fn apply(tx: &Transaction<'_>, change: &Change) -> Result<(), StoreError> {
    match change {
        Change::AccountSet { user, keys } => {
            tx.execute(
                "INSERT INTO accounts (user) VALUES (?1) ON CONFLICT (user) DO NOTHING",
                [user.as_str()],
            )?;
            tx.execute("DELETE FROM scram_keys WHERE user = ?1", [user.as_str()])?;
            for k in keys {
                tx.execute(
                    "INSERT INTO scram_keys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        user.as_str(),
                        k.hash().name(),
                        k.salt(),
                        k.iterations(),
                        k.stored_key(),
                        k.server_key()
                    ],
                )?;
            }
        }
        Change::AccountDeleted { user } => {
            for table in [
                "accounts",
                "scram_keys",
                "roster",
                "pending_in",
                "privacy_lists",
                "offline",
            ] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE user = ?1"),
                    [user.as_str()],
                )?;
            }
        }
        Change::RosterItemSet {
            user,
            item,
            version,
        } => {
            roster_upsert(tx, user, item)?;
            bump_version(tx, user, *version)?;
        }
        Change::RosterItemRemoved {
            user,
            contact,
            version,
        } => {
            tx.execute(
                "DELETE FROM roster WHERE user = ?1 AND contact = ?2",
                [user.as_str(), contact.as_str()],
            )?;
            bump_version(tx, user, *version)?;
        }
        Change::RosterVersion { user, version } => bump_version(tx, user, *version)?,
        Change::PendingInSet {
            user,
            contact,
            request,
        } => {
            tx.execute(
                "INSERT OR REPLACE INTO pending_in VALUES (?1, ?2, ?3)",
                params![user.as_str(), contact.as_str(), rows::xml(request.clone())?],
            )?;
        }
        Change::PendingInRemoved { user, contact } => {
            tx.execute(
                "DELETE FROM pending_in WHERE user = ?1 AND contact = ?2",
                [user.as_str(), contact.as_str()],
            )?;
        }
        Change::PrivacyListSet { user, list } => {
            tx.execute(
                "INSERT OR REPLACE INTO privacy_lists VALUES (?1, ?2, ?3)",
                params![user.as_str(), list.name.as_str(), rows::privacy_xml(list)?],
            )?;
        }
        Change::PrivacyListRemoved { user, name } => {
            tx.execute(
                "DELETE FROM privacy_lists WHERE user = ?1 AND name = ?2",
                [user.as_str(), name.as_str()],
            )?;
        }
        Change::DefaultPrivacyListSet { user, name } => {
            tx.execute(
                "UPDATE accounts SET default_list = ?2 WHERE user = ?1",
                params![user.as_str(), name],
            )?;
        }
        Change::OfflineStored { user, message } => offline_insert(tx, user, message)?,
        Change::OfflineDeleted { user, id } => {
            tx.execute(
                "DELETE FROM offline WHERE user = ?1 AND id = ?2",
                params![user.as_str(), rows::sql_id(*id)?],
            )?;
        }
    }
    Ok(())
}

fn bump_version(tx: &Transaction<'_>, user: &BareJid, version: u64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE accounts SET roster_version = MAX(roster_version, ?2) WHERE user = ?1",
        params![user.as_str(), rows::sql_id(version)?],
    )?;
    Ok(())
}

fn roster_upsert(
    tx: &Transaction<'_>,
    user: &BareJid,
    item: &RosterEntry,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR REPLACE INTO roster VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            user.as_str(),
            item.jid.as_str(),
            item.name,
            rows::groups_json(&item.groups)?,
            item.subscription.as_str(),
            item.ask,
            item.approved
        ],
    )?;
    Ok(())
}

fn offline_insert(
    tx: &Transaction<'_>,
    user: &BareJid,
    message: &OfflineMessage,
) -> Result<(), StoreError> {
    let existing: Option<String> = tx
        .query_row(
            "SELECT user FROM offline WHERE id = ?1",
            [rows::sql_id(message.id)?],
            |r| r.get(0),
        )
        .optional()?;
    if existing.is_some_and(|u| u != user.as_str()) {
        return Err(StoreError::Corrupt {
            table: "offline",
            key: message.id.to_string(),
            reason: "id already used by another account".into(),
        });
    }
    tx.execute(
        "INSERT OR REPLACE INTO offline VALUES (?1, ?2, ?3, ?4)",
        params![
            rows::sql_id(message.id)?,
            user.as_str(),
            rows::sql_id(message.stamp.unix_millis())?,
            rows::xml(message.message.clone())?
        ],
    )?;
    Ok(())
}
