//! A small client-side cache of salted passwords, kept across reconnects.

use core::fmt;

use sha2::Digest;

use super::hash::{HashValue, ScramHash};
use super::keys::SaltedPassword;

/// How many salted passwords the cache keeps (oldest evicted first).
const CAPACITY: usize = 8;

/// Caches `SaltedPassword` values keyed by (hash, password identity, salt, iterations), so a
/// reconnect to the same server does not pay PBKDF2 again.
///
/// The password identity is a SHA-256 digest of the prepared password under a fixed label,
/// so the cache holds no plaintext; the salted passwords themselves are secrets and the
/// cache's `Debug` shows only its size. The caller owns the cache and moves it into a client
/// with [`SaslClient::start`](crate::SaslClient::start) (or
/// [`ScramClient::with_cache`](super::ScramClient::with_cache)) and takes it back afterwards.
#[derive(Clone, Default)]
pub struct SaltedPasswordCache {
    entries: Vec<CacheEntry>,
}

#[derive(Clone)]
struct CacheEntry {
    hash: ScramHash,
    password_id: [u8; 32],
    salt: Vec<u8>,
    iterations: u32,
    salted: HashValue,
}

impl SaltedPasswordCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of cached salted passwords.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets everything (for example when the user changes the password).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub(crate) fn password_id(prepared_password: &[u8]) -> [u8; 32] {
        let mut h = sha2::Sha256::new();
        h.update(b"xmpp-sasl salted-password cache v1\0");
        h.update(prepared_password);
        h.finalize().into()
    }

    pub(crate) fn get(
        &self,
        hash: ScramHash,
        password_id: &[u8; 32],
        salt: &[u8],
        iterations: u32,
    ) -> Option<SaltedPassword> {
        self.entries
            .iter()
            .find(|e| {
                e.hash == hash
                    && e.iterations == iterations
                    && e.salt == salt
                    && &e.password_id == password_id
            })
            .map(|e| SaltedPassword::from_value(hash, e.salted))
    }

    pub(crate) fn insert(
        &mut self,
        password_id: [u8; 32],
        salt: &[u8],
        iterations: u32,
        salted: &SaltedPassword,
    ) {
        let hash = salted.hash();
        if self.get(hash, &password_id, salt, iterations).is_some() {
            return;
        }
        if self.entries.len() >= CAPACITY {
            self.entries.remove(0);
        }
        self.entries.push(CacheEntry {
            hash,
            password_id,
            salt: salt.to_vec(),
            iterations,
            salted: *salted.value(),
        });
    }
}

impl fmt::Debug for SaltedPasswordCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaltedPasswordCache")
            .field("entries", &self.entries.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_by_all_four_parts_and_bounded() {
        let mut cache = SaltedPasswordCache::new();
        let id = SaltedPasswordCache::password_id(b"pencil");
        let sp = SaltedPassword::from_prepared(ScramHash::Sha1, b"pencil", b"salt", 2);
        cache.insert(id, b"salt", 2, &sp);
        cache.insert(id, b"salt", 2, &sp);
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(ScramHash::Sha1, &id, b"salt", 2), Some(sp));
        assert!(cache.get(ScramHash::Sha256, &id, b"salt", 2).is_none());
        assert!(cache.get(ScramHash::Sha1, &id, b"salt", 3).is_none());
        assert!(cache.get(ScramHash::Sha1, &id, b"pepper", 2).is_none());
        let other = SaltedPasswordCache::password_id(b"pencil2");
        assert!(cache.get(ScramHash::Sha1, &other, b"salt", 2).is_none());
        for i in 0..20u32 {
            let sp = SaltedPassword::from_prepared(ScramHash::Sha1, b"p", b"s", 1);
            cache.insert(id, &i.to_be_bytes(), 1, &sp);
        }
        assert_eq!(cache.len(), CAPACITY);
        assert_eq!(format!("{cache:?}"), "SaltedPasswordCache { entries: 8 }");
        cache.clear();
        assert!(cache.is_empty());
    }
}
