//! Typed access to one loosely structured vector record.

use serde_json::Value;

pub(crate) use crate::hex::{decode as hex_decode, encode as hex_encode};

/// One record of a `sasl.json`-format file.
pub(crate) struct Record<'a> {
    value: &'a Value,
    id: String,
}

impl<'a> Record<'a> {
    pub(crate) fn new(value: &'a Value, index: usize) -> Self {
        let id = value
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("record-{index}"), str::to_owned);
        Record { value, id }
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// The mechanism name: `mechanism`, or `PLAIN` for a record without one that
    /// carries a `message_hex` (only PLAIN records do; the message-only invalid form
    /// may leave the name out).
    pub(crate) fn mechanism(&self) -> Result<&'a str, String> {
        match self.opt_str("mechanism") {
            Some(name) => Ok(name),
            None if self.opt_str("message_hex").is_some() => Ok("PLAIN"),
            None => Err("missing string field \"mechanism\"".into()),
        }
    }

    /// A required string field.
    pub(crate) fn str(&self, field: &str) -> Result<&'a str, String> {
        self.value
            .get(field)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("missing string field {field:?}"))
    }

    /// An optional string field (`null` and absent are `None`).
    pub(crate) fn opt_str(&self, field: &str) -> Option<&'a str> {
        self.value.get(field).and_then(Value::as_str)
    }

    /// A required unsigned integer field.
    pub(crate) fn u32(&self, field: &str) -> Result<u32, String> {
        self.value
            .get(field)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("missing or out-of-range integer field {field:?}"))
    }

    /// A boolean field with a default.
    pub(crate) fn flag(&self, field: &str, default: bool) -> bool {
        self.value
            .get(field)
            .and_then(Value::as_bool)
            .unwrap_or(default)
    }

    /// Whether the record describes a valid exchange (`valid` defaults to true).
    pub(crate) fn valid(&self) -> bool {
        self.flag("valid", true)
    }

    /// A nested object's string field.
    pub(crate) fn nested_str(&self, object: &str, field: &str) -> Option<&'a str> {
        self.value.get(object)?.get(field)?.as_str()
    }
}

/// Shows bytes for a failure message: as text when UTF-8, else hex.
pub(crate) fn show(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => format!("{text:?}"),
        Err(_) => format!("hex {}", hex_encode(bytes)),
    }
}

/// Fails with a description unless `got == expected`.
pub(crate) fn expect_eq(what: &str, got: &[u8], expected: &[u8]) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!(
            "{what}: got {}, expected {}",
            show(got),
            show(expected)
        ))
    }
}
