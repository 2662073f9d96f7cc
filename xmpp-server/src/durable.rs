//! [`DurableStore`]: what a host's store does with the router's [`Change`]s — load
//! them at start-up, persist each before the host acts on anything after it — and
//! the account changes an administration tool made in it meanwhile
//! ([`AccountUpdate`]). [`MemoryStore`] keeps nothing beyond the router's memory.

use xmpp_jid::BareJid;
use xmpp_sasl::scram::ScramKeys;

use crate::change::Change;

/// A durable store of the router's state, as a host drives it (see the
/// [durability contract](crate#durability-the-ordering-contract)). Implemented by
/// `xmpp_store_sqlite::Store`; [`Change`] is exhaustive, so every store handles
/// every kind of change.
pub trait DurableStore: Send + 'static {
    /// Why the store failed. Any failure stops the server: nothing after an
    /// unpersisted change may be acted on.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The whole state, in the order [`Router::load`](crate::Router::load) takes.
    fn load(&mut self) -> Result<Vec<Change>, Self::Error>;

    /// Makes `change` durable before returning.
    fn persist(&mut self, change: &Change) -> Result<(), Self::Error>;

    /// Accounts created, changed or deleted in the store by someone else (an
    /// administration command) since the last call, oldest first. The host applies
    /// them with [`Router::set_account_keys`](crate::Router::set_account_keys) and
    /// [`Router::delete_account`](crate::Router::delete_account).
    fn account_updates(&mut self) -> Result<Vec<AccountUpdate>, Self::Error>;
}

/// An account as an administration tool left it in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountUpdate {
    /// The account.
    pub user: BareJid,
    /// Its SCRAM keys now; `None`: the account was deleted.
    pub keys: Option<Vec<ScramKeys>>,
}

/// The store of a server whose state lives only as long as its process: it loads
/// nothing and keeps nothing beyond the router's own memory (demos, tests).
#[derive(Clone, Copy, Debug, Default)]
pub struct MemoryStore;

impl DurableStore for MemoryStore {
    type Error = std::convert::Infallible;

    fn load(&mut self) -> Result<Vec<Change>, Self::Error> {
        Ok(Vec::new())
    }

    fn persist(&mut self, _change: &Change) -> Result<(), Self::Error> {
        Ok(())
    }

    fn account_updates(&mut self) -> Result<Vec<AccountUpdate>, Self::Error> {
        Ok(Vec::new())
    }
}
