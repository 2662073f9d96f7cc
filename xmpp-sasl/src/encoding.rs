//! Base64 helpers for the XMPP SASL payload encoding (RFC 6120 §6.4.2), with the size limit
//! applied before decoding.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::SaslError;

/// The largest decoded SASL message accepted, in bytes. Every machine checks it before
/// parsing; [`decode_payload`] checks the corresponding base64 length before decoding.
pub const MAX_MESSAGE_LEN: usize = 8192;

/// Encodes a SASL message as the text content of `<auth/>`, `<challenge/>`, `<response/>`
/// or `<success/>`: base64, with an empty message written as a single `=` (RFC 6120 §6.4.2).
///
/// ```
/// use xmpp_sasl::encode_payload;
/// assert_eq!(encode_payload(b""), "=");
/// assert_eq!(encode_payload(b"\0tim\0tanstaaftanstaaf"), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
/// ```
pub fn encode_payload(message: &[u8]) -> String {
    if message.is_empty() {
        "=".to_owned()
    } else {
        STANDARD.encode(message)
    }
}

/// Decodes the text content of a SASL element: `=` is the empty message; otherwise strict
/// padded base64 without whitespace. Errors map to `incorrect-encoding`, or to
/// `malformed-request` when the text is longer than [`MAX_MESSAGE_LEN`] allows.
///
/// Note that an *absent* payload (an empty element) is not the same as `=`: it means "no
/// data" and should not be passed here.
///
/// ```
/// use xmpp_sasl::{decode_payload, SaslError};
/// assert_eq!(decode_payload("=").unwrap(), b"");
/// assert_eq!(decode_payload("AHRpbQB0YW5zdGFhZnRhbnN0YWFm").unwrap(), b"\0tim\0tanstaaftanstaaf");
/// assert_eq!(decode_payload("%%%"), Err(SaslError::IncorrectEncoding));
/// ```
pub fn decode_payload(text: &str) -> Result<Vec<u8>, SaslError> {
    let max_text = MAX_MESSAGE_LEN.div_ceil(3) * 4;
    if text.len() > max_text {
        return Err(SaslError::MessageTooLarge {
            len: text.len(),
            max: max_text,
        });
    }
    if text == "=" {
        return Ok(Vec::new());
    }
    STANDARD
        .decode(text)
        .map_err(|_| SaslError::IncorrectEncoding)
}

/// Standard padded base64, used inside SCRAM attributes.
pub(crate) fn b64_encode(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// Strict standard padded base64 decoding, `None` on any error.
pub(crate) fn b64_decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

/// Checks the raw message size limit.
pub(crate) fn check_len(message: &[u8]) -> Result<(), SaslError> {
    if message.len() > MAX_MESSAGE_LEN {
        Err(SaslError::MessageTooLarge {
            len: message.len(),
            max: MAX_MESSAGE_LEN,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_whitespace_bad_padding_and_oversize() {
        assert_eq!(
            decode_payload("AHRp bQ=="),
            Err(SaslError::IncorrectEncoding)
        );
        assert_eq!(decode_payload("AHRpbQ="), Err(SaslError::IncorrectEncoding));
        assert_eq!(decode_payload(""), Ok(Vec::new()));
        let big = "A".repeat(MAX_MESSAGE_LEN * 2);
        assert!(matches!(
            decode_payload(&big),
            Err(SaslError::MessageTooLarge { .. })
        ));
        let max = "QUFB".repeat(MAX_MESSAGE_LEN / 3);
        assert_eq!(decode_payload(&max).unwrap().len(), MAX_MESSAGE_LEN / 3 * 3);
    }

    #[test]
    fn round_trip() {
        for m in [&b""[..], b"a", b"ab", b"abc", b"\xff\x00"] {
            assert_eq!(decode_payload(&encode_payload(m)).unwrap(), m);
        }
        assert!(check_len(&[0; MAX_MESSAGE_LEN]).is_ok());
        assert!(check_len(&[0; MAX_MESSAGE_LEN + 1]).is_err());
    }
}
