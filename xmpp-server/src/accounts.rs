//! Accounts: creation, password change and deletion (the administrative API), and
//! answers to the SASL machines' credential requests from stored SCRAM keys.

use xmpp_jid::BareJid;
use xmpp_sasl::scram::{ScramHash, ScramKeys};
use xmpp_sasl::{Account, CredentialAnswer, Entropy, Mechanism, Password};
use xmpp_stanza::{StreamError, StreamErrorCondition};

use crate::change::Change;
use crate::error::AccountError;
use crate::hub::Hub;

/// Salt length for new SCRAM keys (RFC 5802 leaves it open; 16 bytes is customary).
const SALT_LEN: usize = 16;

/// The SCRAM-SHA-1, -256 and -512 keys an account stores for `password` (RFC 5802
/// §3: salt, iteration count, StoredKey, ServerKey — never the password), with one
/// fresh 16-byte salt from `entropy`: what the router stores for a new password,
/// for tools that write accounts themselves.
pub fn derive_account_keys(
    password: &Password,
    iterations: u32,
    entropy: &mut dyn Entropy,
) -> Result<Vec<ScramKeys>, AccountError> {
    let mut salt = [0u8; SALT_LEN];
    entropy.fill(&mut salt);
    [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512]
        .into_iter()
        .map(|hash| {
            ScramKeys::derive(hash, password, &salt, iterations).map_err(AccountError::Password)
        })
        .collect()
}

impl Hub {
    /// The account JID for a user name (the localpart, prepared).
    pub(crate) fn account_jid(&self, username: &str) -> Result<BareJid, AccountError> {
        let domain = &self.config.domain;
        BareJid::from_parts_with(Some(username), domain.domain(), domain.profile())
            .map_err(AccountError::InvalidUsername)
    }

    /// SCRAM-SHA-1, -256 and -512 keys for `password`, with one fresh salt.
    fn derive_keys(
        &self,
        password: &Password,
        entropy: &mut dyn Entropy,
    ) -> Result<Vec<ScramKeys>, AccountError> {
        derive_account_keys(password, self.config.scram_iterations, entropy)
    }

    pub(crate) fn create_account(
        &mut self,
        username: &str,
        password: &Password,
        entropy: &mut dyn Entropy,
    ) -> Result<BareJid, AccountError> {
        let user = self.account_jid(username)?;
        if self.exists(&user) {
            return Err(AccountError::AccountExists(user));
        }
        let keys = self.derive_keys(password, entropy)?;
        self.commit(Change::AccountSet {
            user: user.clone(),
            keys,
        });
        Ok(user)
    }

    pub(crate) fn set_password(
        &mut self,
        username: &str,
        password: &Password,
        entropy: &mut dyn Entropy,
    ) -> Result<(), AccountError> {
        let user = self.account_jid(username)?;
        if !self.exists(&user) {
            return Err(AccountError::NoSuchAccount(user));
        }
        let keys = self.derive_keys(password, entropy)?;
        self.commit(Change::AccountSet { user, keys });
        Ok(())
    }

    /// Creates the account or replaces its keys with `keys` derived elsewhere (by an
    /// administration tool that wrote them to the database).
    pub(crate) fn set_account_keys(
        &mut self,
        user: &BareJid,
        keys: Vec<ScramKeys>,
    ) -> Result<(), AccountError> {
        let username = user.node().ok_or(AccountError::NotLocal(user.clone()))?;
        let user = self.account_jid(username)?;
        if user.domain() != self.config.domain.domain() {
            return Err(AccountError::NotLocal(user));
        }
        self.commit(Change::AccountSet { user, keys });
        Ok(())
    }

    /// Deletes an account: its sessions are closed (`not-authorized`), its
    /// subscriptions cancelled both ways as a roster removal would (RFC 6121
    /// §2.5.2), then everything stored for it is dropped.
    pub(crate) fn delete_account(&mut self, username: &str) -> Result<(), AccountError> {
        let user = self.account_jid(username)?;
        if !self.exists(&user) {
            return Err(AccountError::NoSuchAccount(user));
        }
        for id in self.sessions.of_user(&user) {
            let error = StreamError::new(StreamErrorCondition::NotAuthorized)
                .with_text(Some("en"), "account deleted");
            self.close_session(id, error);
        }
        let contacts: Vec<BareJid> = self
            .store
            .account(&user)
            .map(|acc| {
                acc.roster
                    .keys()
                    .chain(acc.pending_in.keys())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        for contact in contacts {
            self.cancel_subscriptions(&user, &contact);
        }
        self.commit(Change::AccountDeleted { user });
        Ok(())
    }

    /// The answer to a SASL credential request: the account's SCRAM keys (PLAIN is
    /// verified against them too). DIGEST-MD5 needs a stored password, which this
    /// server never keeps, so it is refused as too weak. An authorization identity
    /// is permitted only when it names the account itself.
    pub(crate) fn credentials(
        &self,
        mechanism: Mechanism,
        authcid: &str,
        authzid: Option<&str>,
    ) -> CredentialAnswer {
        if mechanism == Mechanism::DigestMd5 {
            return CredentialAnswer::MechanismTooWeak;
        }
        let Ok(user) = self.account_jid(authcid) else {
            return CredentialAnswer::UnknownUser;
        };
        let Some(mut keys) = self
            .store
            .account(&user)
            .map(|acc| acc.keys.clone().into_iter())
        else {
            return CredentialAnswer::UnknownUser;
        };
        let Some(first) = keys.next() else {
            return CredentialAnswer::UnknownUser;
        };
        let mut account = keys.fold(Account::with_scram_keys(first), Account::and_scram_keys);
        let names_self = authzid
            .is_some_and(|z| z == user.as_str() || self.account_jid(z).is_ok_and(|j| j == user));
        if names_self {
            account = account.permit_authzid();
        }
        CredentialAnswer::Found(account)
    }
}
