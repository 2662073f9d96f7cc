//! The SCRAM hash functions and the fixed-size digest value the machines pass around.

use core::fmt;

use sha1::digest::Digest;
use subtle::ConstantTimeEq;

use super::primitives::{sha1_hmac, sha256_hmac, sha512_hmac};

/// The hash function of a SCRAM mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ScramHash {
    /// SHA-1 (`SCRAM-SHA-1`, RFC 5802).
    Sha1,
    /// SHA-256 (`SCRAM-SHA-256`, RFC 7677).
    Sha256,
    /// SHA-512 (`SCRAM-SHA-512`).
    Sha512,
}

impl ScramHash {
    /// Every hash, strongest first.
    pub const ALL: [ScramHash; 3] = [ScramHash::Sha512, ScramHash::Sha256, ScramHash::Sha1];

    /// The digest length in bytes (20, 32 or 64).
    pub fn output_len(self) -> usize {
        match self {
            ScramHash::Sha1 => sha1_hmac::OUT,
            ScramHash::Sha256 => sha256_hmac::OUT,
            ScramHash::Sha512 => sha512_hmac::OUT,
        }
    }

    /// The hash name as it appears in mechanism names (`SHA-1`, `SHA-256`, `SHA-512`).
    pub fn name(self) -> &'static str {
        match self {
            ScramHash::Sha1 => "SHA-1",
            ScramHash::Sha256 => "SHA-256",
            ScramHash::Sha512 => "SHA-512",
        }
    }

    /// `H(data)`.
    pub(crate) fn digest(self, data: &[u8]) -> HashValue {
        match self {
            ScramHash::Sha1 => HashValue::new(&sha1::Sha1::digest(data)),
            ScramHash::Sha256 => HashValue::new(&sha2::Sha256::digest(data)),
            ScramHash::Sha512 => HashValue::new(&sha2::Sha512::digest(data)),
        }
    }

    /// `HMAC(key, part0 || part1 || …)`.
    pub(crate) fn hmac(self, key: &[u8], parts: &[&[u8]]) -> HashValue {
        match self {
            ScramHash::Sha1 => HashValue::new(&sha1_hmac::Keyed::new(key).mac(parts)),
            ScramHash::Sha256 => HashValue::new(&sha256_hmac::Keyed::new(key).mac(parts)),
            ScramHash::Sha512 => HashValue::new(&sha512_hmac::Keyed::new(key).mac(parts)),
        }
    }

    /// `Hi(password, salt, iterations)`: PBKDF2-HMAC with one output block.
    pub(crate) fn hi(self, password: &[u8], salt: &[u8], iterations: u32) -> HashValue {
        match self {
            ScramHash::Sha1 => {
                HashValue::new(&sha1_hmac::Keyed::new(password).hi(salt, iterations))
            }
            ScramHash::Sha256 => {
                HashValue::new(&sha256_hmac::Keyed::new(password).hi(salt, iterations))
            }
            ScramHash::Sha512 => {
                HashValue::new(&sha512_hmac::Keyed::new(password).hi(salt, iterations))
            }
        }
    }
}

impl fmt::Display for ScramHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// PBKDF2-HMAC of `password` over `salt`, first output block only: RFC 5802's `Hi`.
///
/// The password is used as given (no SASLprep); [`SaltedPassword::derive`](super::SaltedPassword::derive)
/// is the SCRAM-level entry point and refuses an iteration count of zero, which this
/// function computes as one. Exposed for benchmarks and cross-checks.
///
/// ```
/// use xmpp_sasl::scram::{hi, ScramHash};
/// // RFC 6070 test vector 3.
/// let out = hi(ScramHash::Sha1, b"password", b"salt", 4096);
/// assert_eq!(out[..4], [0x4b, 0x00, 0x79, 0x01]);
/// ```
pub fn hi(hash: ScramHash, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
    hash.hi(password, salt, iterations).as_slice().to_vec()
}

/// A digest of up to 64 bytes; `Debug` redacts it because most are keys.
#[derive(Clone, Copy)]
pub(crate) struct HashValue {
    bytes: [u8; 64],
    len: usize,
}

impl HashValue {
    /// Copies a digest (callers pass at most 64 bytes; longer input is truncated).
    pub(crate) fn new(bytes: &[u8]) -> Self {
        let len = bytes.len().min(64);
        let mut out = [0u8; 64];
        out[..len].copy_from_slice(&bytes[..len]);
        HashValue { bytes: out, len }
    }

    /// The digest bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Byte-wise XOR with `other` (same length).
    pub(crate) fn xor(&self, other: &HashValue) -> HashValue {
        let mut out = *self;
        out.bytes
            .iter_mut()
            .zip(other.bytes.iter())
            .for_each(|(a, b)| *a ^= b);
        out
    }

    /// Constant-time equality (lengths are public).
    pub(crate) fn ct_eq(&self, other: &[u8]) -> bool {
        self.as_slice().ct_eq(other).into()
    }
}

impl PartialEq for HashValue {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other.as_slice())
    }
}

impl Eq for HashValue {}

impl fmt::Debug for HashValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted {} bytes>", self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_helpers() {
        for h in ScramHash::ALL {
            assert_eq!(h.digest(b"x").as_slice().len(), h.output_len());
            assert_eq!(h.hmac(b"k", &[b"x"]).as_slice().len(), h.output_len());
            assert_eq!(hi(h, b"p", b"s", 2).len(), h.output_len());
        }
        let a = HashValue::new(&[1, 2, 3]);
        let b = HashValue::new(&[1, 0, 3]);
        assert_eq!(a.xor(&b).as_slice(), &[0, 2, 0]);
        assert!(a.ct_eq(&[1, 2, 3]) && !a.ct_eq(&[1, 2]));
        assert_eq!(format!("{a:?}"), "<redacted 3 bytes>");
    }
}
