//! Rows of the SQLite store to and from the router's typed values: JIDs, SCRAM keys,
//! roster items, and stanzas kept as XML. Every value read back is checked; a bad
//! row is a [`StoreError::Corrupt`], never a panic.

use rusqlite::Transaction;
use xmpp_jid::BareJid;
use xmpp_sasl::scram::{ScramHash, ScramKeys};
use xmpp_server::{OfflineMessage, RosterEntry, RosterSubscription, Timestamp};
use xmpp_stanza::{Element, Message, NsContext, Presence, Privacy, PrivacyList, parse_element};

use crate::error::StoreError;

fn corrupt(table: &'static str, key: &str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table,
        key: key.to_owned(),
        reason: reason.to_string(),
    }
}

/// An id or count as SQLite's signed integer.
pub(crate) fn sql_id(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange(value))
}

/// A bare JID read from `table`.
pub(crate) fn bare(table: &'static str, text: &str) -> Result<BareJid, StoreError> {
    BareJid::new(text).map_err(|e| corrupt(table, text, e))
}

/// A stanza as XML text.
pub(crate) fn xml(element: impl Into<Element>) -> Result<String, StoreError> {
    element
        .into()
        .to_xml()
        .map_err(|e| StoreError::Unserializable(e.to_string()))
}

/// A privacy list as the XML of a privacy query holding it.
pub(crate) fn privacy_xml(list: &PrivacyList) -> Result<String, StoreError> {
    xml(Privacy {
        lists: vec![list.clone()],
        ..Privacy::default()
    })
}

/// Roster groups as a JSON array of strings.
pub(crate) fn groups_json(groups: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(groups).map_err(|e| StoreError::Unserializable(e.to_string()))
}

fn parse(table: &'static str, key: &str, text: &str) -> Result<Element, StoreError> {
    parse_element(text, &NsContext::client()).map_err(|e| corrupt(table, key, e))
}

fn hash_named(name: &str) -> Option<ScramHash> {
    ScramHash::ALL.into_iter().find(|h| h.name() == name)
}

/// The SCRAM keys of an account.
pub(crate) fn load_keys(tx: &Transaction<'_>, user: &str) -> Result<Vec<ScramKeys>, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT hash, salt, iterations, stored_key, server_key FROM scram_keys \
         WHERE user = ?1 ORDER BY hash",
    )?;
    let rows = stmt.query_map([user], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, u32>(2)?,
            r.get::<_, Vec<u8>>(3)?,
            r.get::<_, Vec<u8>>(4)?,
        ))
    })?;
    let mut keys = Vec::new();
    for row in rows {
        let (hash, salt, iterations, stored, server) = row?;
        let kind = hash_named(&hash).ok_or_else(|| corrupt("scram_keys", user, &hash))?;
        let k = ScramKeys::from_parts(kind, salt, iterations, &stored, &server)
            .map_err(|e| corrupt("scram_keys", user, e))?;
        keys.push(k);
    }
    Ok(keys)
}

/// The roster items of an account, in contact order.
pub(crate) fn load_roster(
    tx: &Transaction<'_>,
    user: &str,
) -> Result<Vec<RosterEntry>, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT contact, name, groups, subscription, ask, approved FROM roster \
         WHERE user = ?1 ORDER BY contact",
    )?;
    let rows = stmt.query_map([user], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, bool>(4)?,
            r.get::<_, bool>(5)?,
        ))
    })?;
    let mut items = Vec::new();
    for row in rows {
        let (contact, name, groups, subscription, ask, approved) = row?;
        let mut item = RosterEntry::new(bare("roster", &contact)?);
        item.name = name;
        item.groups = serde_json::from_str(&groups).map_err(|e| corrupt("roster", &contact, e))?;
        item.subscription = match subscription.as_str() {
            "none" => RosterSubscription::None,
            "to" => RosterSubscription::To,
            "from" => RosterSubscription::From,
            "both" => RosterSubscription::Both,
            other => return Err(corrupt("roster", &contact, other)),
        };
        item.ask = ask;
        item.approved = approved;
        items.push(item);
    }
    Ok(items)
}

/// The pending subscription requests of an account.
pub(crate) fn load_pending(
    tx: &Transaction<'_>,
    user: &str,
) -> Result<Vec<(BareJid, Presence)>, StoreError> {
    let mut stmt =
        tx.prepare("SELECT contact, stanza FROM pending_in WHERE user = ?1 ORDER BY contact")?;
    let rows = stmt.query_map([user], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (contact, stanza) = row?;
        let presence = Presence::try_from(parse("pending_in", &contact, &stanza)?)
            .map_err(|e| corrupt("pending_in", &contact, e))?;
        out.push((bare("pending_in", &contact)?, presence));
    }
    Ok(out)
}

/// The privacy lists of an account.
pub(crate) fn load_privacy(
    tx: &Transaction<'_>,
    user: &str,
) -> Result<Vec<PrivacyList>, StoreError> {
    let mut stmt =
        tx.prepare("SELECT name, list FROM privacy_lists WHERE user = ?1 ORDER BY name")?;
    let rows = stmt.query_map([user], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, text) = row?;
        let query = parse("privacy_lists", &name, &text)?;
        let privacy = Privacy::try_from(&query).map_err(|e| corrupt("privacy_lists", &name, e))?;
        let list = privacy
            .lists
            .into_iter()
            .next()
            .ok_or_else(|| corrupt("privacy_lists", &name, "no list"))?;
        out.push(list);
    }
    Ok(out)
}

/// The offline messages of an account, in id (arrival) order.
pub(crate) fn load_offline(
    tx: &Transaction<'_>,
    user: &str,
) -> Result<Vec<OfflineMessage>, StoreError> {
    let mut stmt =
        tx.prepare("SELECT id, stamp, stanza FROM offline WHERE user = ?1 ORDER BY id")?;
    let rows = stmt.query_map([user], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, stamp, text) = row?;
        let key = id.to_string();
        let message = Message::try_from(parse("offline", &key, &text)?)
            .map_err(|e| corrupt("offline", &key, e))?;
        out.push(OfflineMessage {
            id: u64::try_from(id).map_err(|e| corrupt("offline", &key, e))?,
            stamp: Timestamp::from_unix_millis(u64::try_from(stamp).unwrap_or(0)),
            message,
        });
    }
    Ok(out)
}
