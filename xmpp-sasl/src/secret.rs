//! Secrets that redact themselves in `Debug`.

use core::fmt;

/// A password. Its `Debug` output is `Password(<redacted>)`; it has no `Display`.
///
/// ```
/// use xmpp_sasl::Password;
/// let p = Password::new("pencil");
/// assert_eq!(format!("{p:?}"), "Password(<redacted>)");
/// assert_eq!(p.expose(), "pencil");
/// ```
#[derive(Clone, Default)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Self {
        Password(password.into())
    }

    /// The password text. Named so that every place that reads it is easy to find.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password::new(s)
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Password(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::from(String::from("hunter2"));
        let shown = format!("{p:?} {:?}", Some(p.clone()));
        assert!(!shown.contains("hunter2"));
    }
}
