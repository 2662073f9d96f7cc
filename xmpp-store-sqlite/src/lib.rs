//! The SQLite store of an `xmpp-server` router's durable state (accounts with their
//! SCRAM keys, rosters, pending subscription requests, privacy lists, offline
//! messages): one transaction per [`Change`](xmpp_server::Change), a versioned
//! schema with migrations, and account administration on the database of a
//! stopped or running server.
//!
//! | module | job |
//! |---|---|
//! | [`store`] | [`Store`]: open, persist a change, load the state back |
//! | [`schema`] | the schema versions and their migrations |
//! | `admin` | accounts written by `xmppd user …` and picked up by a running server |
//! | `rows` | typed values to and from rows |
//!
//! ```
//! use xmpp_jid::BareJid;
//! use xmpp_server::Change;
//! use xmpp_store_sqlite::Store;
//!
//! let mut store = Store::in_memory().unwrap();
//! let user = BareJid::new("juliet@example.com").unwrap();
//! store.persist(&Change::AccountSet { user: user.clone(), keys: Vec::new() }).unwrap();
//! assert_eq!(store.accounts().unwrap(), vec![user]);
//! assert_eq!(store.schema_version().unwrap(), xmpp_store_sqlite::SCHEMA_VERSION);
//! ```

#![forbid(unsafe_code)]

mod admin;
mod error;
mod rows;
pub mod schema;
pub mod store;

pub use error::StoreError;
pub use schema::SCHEMA_VERSION;
pub use store::Store;

impl xmpp_server::DurableStore for Store {
    type Error = StoreError;

    fn load(&mut self) -> Result<Vec<xmpp_server::Change>, StoreError> {
        Store::load(self)
    }

    fn persist(&mut self, change: &xmpp_server::Change) -> Result<(), StoreError> {
        Store::persist(self, change)
    }

    fn account_updates(&mut self) -> Result<Vec<xmpp_server::AccountUpdate>, StoreError> {
        Store::account_updates(self)
    }
}
