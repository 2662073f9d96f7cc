//! Random identifiers (stream ids, stanza ids) drawn from the
//! injected entropy source.

use xmpp_sasl::Entropy;
use xmpp_stanza::CompactStr;

/// The URL- and XML-safe alphabet ids are written in (RFC 4648 §5 base64url).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A random id of `chars` characters (6 bits of entropy each) from `entropy`.
pub(crate) fn token(entropy: &mut dyn Entropy, chars: usize) -> CompactStr {
    let mut raw = vec![0u8; chars];
    entropy.fill(&mut raw);
    let text: String = raw
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 63)]))
        .collect();
    CompactStr::from(text)
}

/// A fresh stanza id: 12 characters (72 bits) from `entropy`, unique enough to match
/// IQ responses and unguessable with a real random source.
///
/// ```
/// use xmpp_sasl::InsecureSeededEntropy;
///
/// let mut entropy = InsecureSeededEntropy::new(1);
/// let a = xmpp_core::stanza_id(&mut entropy);
/// let b = xmpp_core::stanza_id(&mut entropy);
/// assert_eq!(a.len(), 12);
/// assert_ne!(a, b);
/// ```
pub fn stanza_id(entropy: &mut dyn Entropy) -> CompactStr {
    token(entropy, 12)
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_sasl::InsecureSeededEntropy;

    #[test]
    fn deterministic_for_a_seed_and_safe_characters() {
        let a = token(&mut InsecureSeededEntropy::new(9), 40);
        let b = token(&mut InsecureSeededEntropy::new(9), 40);
        assert_eq!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }
}
