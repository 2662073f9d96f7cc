//! Hex as the vector files write raw bytes (`input_hex`, `message_hex`, keys).

/// Decodes lower- or upper-case hex.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) {
        return Err(format!("odd-length hex {text:?}"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("invalid hex {text:?}"))
        })
        .collect()
}

/// Lower-case hex.
pub fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        assert_eq!(decode("00fFa0"), Ok(vec![0, 0xff, 0xa0]));
        assert_eq!(encode(&[0, 0xff, 0xa0]), "00ffa0");
        assert!(decode("abc").is_err());
        assert!(decode("zz").is_err());
        // A multi-byte character never splits into a "pair".
        assert!(decode("é0").is_err());
    }
}
