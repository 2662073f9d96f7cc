//! [`StoreError`]: why the store failed.

/// Why the store failed. Any failure while the server runs stops it: nothing after
/// an unpersisted change may be acted on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored row could not be turned back into a change.
    #[error("corrupt row in {table} for {key}: {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
        /// What was wrong.
        reason: String,
    },
    /// A value does not fit SQLite's signed 64-bit integers.
    #[error("value {0} is too large to store")]
    OutOfRange(u64),
    /// A value could not be serialised for storage.
    #[error("unserializable value: {0}")]
    Unserializable(String),
    /// The database was written by a newer version of this store: it is refused,
    /// never downgraded.
    #[error(
        "the database has schema version {found}, newer than the {supported} this version \
         understands: use the newer xmppd, or restore a backup"
    )]
    NewerSchema {
        /// The version in the file.
        found: i64,
        /// The newest version this store knows.
        supported: i64,
    },
    /// A migration failed; the file was left as it was.
    #[error(
        "migrating the database from schema {from} to {to} failed (the file is unchanged): {reason}"
    )]
    Migration {
        /// The version the file has.
        from: i64,
        /// The version the migration was to reach.
        to: i64,
        /// Why it failed.
        reason: String,
    },
    /// The file is not a database of this store (tables missing or unexpected).
    #[error("not an xmppd database: {0}")]
    Foreign(String),
}
