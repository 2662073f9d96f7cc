//! Administration of accounts on the database of a stopped or running server
//! (`xmppd user add|passwd|del|list`): each change is written with its rows and an
//! entry in `admin_log`, in one transaction; the server reads the log
//! ([`Store::account_updates`]) and applies what it finds without a restart.

use rusqlite::{Connection, params};
use xmpp_jid::BareJid;
use xmpp_sasl::scram::ScramKeys;
use xmpp_server::{AccountUpdate, Change};

use crate::error::StoreError;
use crate::rows;
use crate::store::{Store, apply};

/// The newest entry of the administration log (0 when empty).
pub(crate) fn last_seq(db: &Connection) -> Result<i64, StoreError> {
    Ok(
        db.query_row("SELECT COALESCE(MAX(seq), 0) FROM admin_log", [], |r| {
            r.get(0)
        })?,
    )
}

impl Store {
    /// Whether the account exists.
    pub fn account_exists(&self, user: &BareJid) -> Result<bool, StoreError> {
        let count: i64 = self.db.query_row(
            "SELECT COUNT(*) FROM accounts WHERE user = ?1",
            [user.as_str()],
            |r| r.get(0),
        )?;
        Ok(count > 0)
    }

    /// The accounts, in JID order.
    pub fn accounts(&self) -> Result<Vec<BareJid>, StoreError> {
        let mut stmt = self.db.prepare("SELECT user FROM accounts ORDER BY user")?;
        let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for name in names {
            out.push(rows::bare("accounts", &name?)?);
        }
        Ok(out)
    }

    /// Creates the account, or replaces its SCRAM keys (other data is kept), and
    /// tells a running server.
    pub fn admin_set_account(
        &mut self,
        user: &BareJid,
        keys: Vec<ScramKeys>,
    ) -> Result<(), StoreError> {
        let change = Change::AccountSet {
            user: user.clone(),
            keys,
        };
        self.admin_write(&change, "set")
    }

    /// Deletes the account and everything stored for it, and tells a running server
    /// (which also closes its sessions and cancels its subscriptions).
    pub fn admin_delete_account(&mut self, user: &BareJid) -> Result<(), StoreError> {
        let change = Change::AccountDeleted { user: user.clone() };
        self.admin_write(&change, "deleted")
    }

    fn admin_write(&mut self, change: &Change, op: &str) -> Result<(), StoreError> {
        let tx = self.db.transaction()?;
        apply(&tx, change)?;
        tx.execute(
            "INSERT INTO admin_log (user, op) VALUES (?1, ?2)",
            params![change.user().as_str(), op],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Account changes written by administration commands since the last call (or
    /// since the store was opened), oldest first, each with the account's keys as
    /// they are now (`None`: the account no longer exists).
    pub fn account_updates(&mut self) -> Result<Vec<AccountUpdate>, StoreError> {
        let tx = self.db.transaction()?;
        let entries: Vec<(i64, String)> = {
            let mut stmt =
                tx.prepare("SELECT seq, user FROM admin_log WHERE seq > ?1 ORDER BY seq")?;
            let rows = stmt.query_map([self.admin_seen], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut updates = Vec::with_capacity(entries.len());
        let mut seen = self.admin_seen;
        for (seq, name) in entries {
            let user = rows::bare("admin_log", &name)?;
            let exists: i64 = tx.query_row(
                "SELECT COUNT(*) FROM accounts WHERE user = ?1",
                [&name],
                |r| r.get(0),
            )?;
            let keys = if exists > 0 {
                Some(rows::load_keys(&tx, &name)?)
            } else {
                None
            };
            updates.push(AccountUpdate { user, keys });
            seen = seq;
        }
        tx.commit()?;
        self.admin_seen = seen;
        Ok(updates)
    }
}
