//! SCRAM key derivation (RFC 5802 §3): salted password, client/server/stored keys.

use core::fmt;

use super::hash::{HashValue, ScramHash};
use crate::credentials::Preparation;
use crate::error::{Field, Parameter};
use crate::{Password, SaslError};

/// `SaltedPassword := Hi(Normalize(password), salt, i)` for one hash. A secret: `Debug`
/// redacts it. Clients cache it (see [`SaltedPasswordCache`](super::SaltedPasswordCache)).
#[derive(Clone, PartialEq, Eq)]
pub struct SaltedPassword {
    hash: ScramHash,
    value: HashValue,
}

impl SaltedPassword {
    /// Derives the salted password: SASLprep (as a query string) of `password`, then PBKDF2.
    ///
    /// ```
    /// use xmpp_sasl::Password;
    /// use xmpp_sasl::scram::{SaltedPassword, ScramHash};
    /// let salt = [0x41, 0x25, 0xc2, 0x47, 0xe4, 0x3a, 0xb1, 0xe9, 0x3c, 0x6d, 0xff, 0x76];
    /// let sp = SaltedPassword::derive(ScramHash::Sha1, &Password::new("pencil"), &salt, 4096)?;
    /// assert_eq!(sp.as_bytes()[..4], [0x1d, 0x96, 0xee, 0x3a]); // RFC 5802 §5
    /// # Ok::<(), xmpp_sasl::SaslError>(())
    /// ```
    pub fn derive(
        hash: ScramHash,
        password: &Password,
        salt: &[u8],
        iterations: u32,
    ) -> Result<Self, SaslError> {
        Self::derive_with(hash, password, salt, iterations, Preparation::Saslprep)
    }

    /// Like [`derive`](Self::derive), choosing whether SASLprep is applied.
    pub fn derive_with(
        hash: ScramHash,
        password: &Password,
        salt: &[u8],
        iterations: u32,
        preparation: Preparation,
    ) -> Result<Self, SaslError> {
        check_params(salt, iterations)?;
        let prepared = preparation.prepare(password.expose(), Field::Password)?;
        Ok(Self::from_prepared(
            hash,
            prepared.as_bytes(),
            salt,
            iterations,
        ))
    }

    pub(crate) fn from_prepared(
        hash: ScramHash,
        prepared_password: &[u8],
        salt: &[u8],
        iterations: u32,
    ) -> Self {
        SaltedPassword {
            hash,
            value: hash.hi(prepared_password, salt, iterations),
        }
    }

    pub(crate) fn from_value(hash: ScramHash, value: HashValue) -> Self {
        SaltedPassword { hash, value }
    }

    /// The hash this was derived with.
    pub fn hash(&self) -> ScramHash {
        self.hash
    }

    /// The salted password bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.value.as_slice()
    }

    pub(crate) fn value(&self) -> &HashValue {
        &self.value
    }

    pub(crate) fn client_key_value(&self) -> HashValue {
        self.hash.hmac(self.value.as_slice(), &[b"Client Key"])
    }

    pub(crate) fn server_key_value(&self) -> HashValue {
        self.hash.hmac(self.value.as_slice(), &[b"Server Key"])
    }

    /// `ClientKey := HMAC(SaltedPassword, "Client Key")`.
    pub fn client_key(&self) -> Vec<u8> {
        self.client_key_value().as_slice().to_vec()
    }

    /// `ServerKey := HMAC(SaltedPassword, "Server Key")`.
    pub fn server_key(&self) -> Vec<u8> {
        self.server_key_value().as_slice().to_vec()
    }

    /// `StoredKey := H(ClientKey)`.
    pub fn stored_key(&self) -> Vec<u8> {
        let client_key = self.client_key_value();
        self.hash.digest(client_key.as_slice()).as_slice().to_vec()
    }

    /// The keys a server stores for this salted password.
    pub fn to_keys(&self, salt: &[u8], iterations: u32) -> ScramKeys {
        let client_key = self.client_key_value();
        ScramKeys {
            hash: self.hash,
            salt: salt.to_vec(),
            iterations,
            stored_key: self.hash.digest(client_key.as_slice()),
            server_key: self.server_key_value(),
        }
    }
}

impl fmt::Debug for SaltedPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaltedPassword")
            .field("hash", &self.hash)
            .field("value", &self.value)
            .finish()
    }
}

fn check_params(salt: &[u8], iterations: u32) -> Result<(), SaslError> {
    let invalid = |parameter| Err(SaslError::InvalidParameter { parameter });
    if salt.is_empty() {
        invalid(Parameter::Salt)
    } else if iterations == 0 {
        invalid(Parameter::IterationCount)
    } else {
        Ok(())
    }
}

/// What a SCRAM server stores for one user and hash (RFC 5802 §3): salt, iteration count,
/// `StoredKey` and `ServerKey`. The password itself is not needed. `Debug` redacts the keys.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramKeys {
    hash: ScramHash,
    salt: Vec<u8>,
    iterations: u32,
    stored_key: HashValue,
    server_key: HashValue,
}

impl ScramKeys {
    /// Derives the keys from a password (SASLprep applied) with a salt chosen by the
    /// caller (draw it from an [`Entropy`](crate::Entropy); 16 bytes is customary).
    ///
    /// ```
    /// use xmpp_sasl::Password;
    /// use xmpp_sasl::scram::{ScramHash, ScramKeys};
    /// let keys = ScramKeys::derive(ScramHash::Sha256, &Password::new("pencil"), b"salt-bytes", 4096)?;
    /// assert_eq!(keys.stored_key().len(), 32);
    /// assert!(!format!("{keys:?}").contains(&format!("{:?}", keys.stored_key())));
    /// # Ok::<(), xmpp_sasl::SaslError>(())
    /// ```
    pub fn derive(
        hash: ScramHash,
        password: &Password,
        salt: &[u8],
        iterations: u32,
    ) -> Result<Self, SaslError> {
        Ok(SaltedPassword::derive(hash, password, salt, iterations)?.to_keys(salt, iterations))
    }

    /// Like [`derive`](Self::derive), choosing whether SASLprep is applied.
    pub fn derive_with(
        hash: ScramHash,
        password: &Password,
        salt: &[u8],
        iterations: u32,
        preparation: Preparation,
    ) -> Result<Self, SaslError> {
        Ok(
            SaltedPassword::derive_with(hash, password, salt, iterations, preparation)?
                .to_keys(salt, iterations),
        )
    }

    /// Rebuilds stored keys read from a database. Fails with
    /// [`SaslError::InvalidParameter`] if a key is not the hash's length, the salt is empty or
    /// the iteration count is zero.
    pub fn from_parts(
        hash: ScramHash,
        salt: Vec<u8>,
        iterations: u32,
        stored_key: &[u8],
        server_key: &[u8],
    ) -> Result<Self, SaslError> {
        check_params(&salt, iterations)?;
        for (key, parameter) in [
            (stored_key, Parameter::StoredKey),
            (server_key, Parameter::ServerKey),
        ] {
            if key.len() != hash.output_len() {
                return Err(SaslError::InvalidParameter { parameter });
            }
        }
        Ok(ScramKeys {
            hash,
            salt,
            iterations,
            stored_key: HashValue::new(stored_key),
            server_key: HashValue::new(server_key),
        })
    }

    /// The hash these keys belong to.
    pub fn hash(&self) -> ScramHash {
        self.hash
    }

    /// The salt.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// The iteration count.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// `StoredKey`.
    pub fn stored_key(&self) -> &[u8] {
        self.stored_key.as_slice()
    }

    /// `ServerKey`.
    pub fn server_key(&self) -> &[u8] {
        self.server_key.as_slice()
    }

    pub(crate) fn stored_key_value(&self) -> &HashValue {
        &self.stored_key
    }

    pub(crate) fn server_key_value(&self) -> &HashValue {
        &self.server_key
    }
}

impl fmt::Debug for ScramKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramKeys")
            .field("hash", &self.hash)
            .field("salt_len", &self.salt.len())
            .field("iterations", &self.iterations)
            .field("stored_key", &self.stored_key)
            .field("server_key", &self.server_key)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn rfc7677_intermediates() {
        let salt = crate::encoding::b64_decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let sp = SaltedPassword::derive(ScramHash::Sha256, &Password::new("pencil"), &salt, 4096)
            .unwrap();
        assert_eq!(
            hex(sp.as_bytes()),
            "c4a49510323ab4f952cac1fa99441939e78ea74d6be81ddf7096e87513dc615d"
        );
        assert_eq!(
            hex(&sp.stored_key()),
            "586e5df283e6dceb5c3e791d8b8528ec191e664045ce971792e2e6b5bb13e2a6"
        );
        let keys = sp.to_keys(&salt, 4096);
        assert_eq!(hex(keys.server_key()), hex(&sp.server_key()));
        let rebuilt = ScramKeys::from_parts(
            ScramHash::Sha256,
            salt.clone(),
            4096,
            keys.stored_key(),
            keys.server_key(),
        )
        .unwrap();
        assert_eq!(rebuilt, keys);
    }

    #[test]
    fn bad_parameters_are_rejected() {
        let p = Password::new("x");
        let invalid = |parameter| Err(SaslError::InvalidParameter { parameter });
        assert_eq!(
            ScramKeys::derive(ScramHash::Sha1, &p, b"", 4096),
            invalid(Parameter::Salt)
        );
        assert_eq!(
            ScramKeys::derive(ScramHash::Sha1, &p, b"s", 0),
            invalid(Parameter::IterationCount)
        );
        assert_eq!(
            ScramKeys::from_parts(ScramHash::Sha1, b"s".to_vec(), 1, &[0; 32], &[0; 20]),
            invalid(Parameter::StoredKey)
        );
        assert_eq!(
            ScramKeys::from_parts(ScramHash::Sha1, b"s".to_vec(), 1, &[0; 20], &[0; 32]),
            invalid(Parameter::ServerKey)
        );
        assert_eq!(
            SaslError::InvalidParameter {
                parameter: Parameter::StoredKey
            }
            .to_string(),
            "invalid parameter: StoredKey of the wrong length for its hash"
        );
        assert!(matches!(
            ScramKeys::derive(ScramHash::Sha1, &Password::new("a\u{7}"), b"s", 1),
            Err(SaslError::Saslprep {
                field: Field::Password,
                ..
            })
        ));
        assert_eq!(
            ScramKeys::derive(ScramHash::Sha1, &Password::new("\u{AD}"), b"s", 1),
            Err(SaslError::EmptyField {
                field: Field::Password
            })
        );
    }
}
