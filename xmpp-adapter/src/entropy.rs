//! [`OsEntropy`]: the operating system's random bytes for the core (SCRAM nonces,
//! stanza ids, SRV weights).

use std::io;

use xmpp_sasl::Entropy;

use crate::Error;

/// Random bytes from the operating system (`getrandom`), the [`Entropy`] the adapters
/// give every connection.
#[derive(Debug)]
pub struct OsEntropy(());

impl OsEntropy {
    /// Checks that the OS source works (one draw) and returns it.
    pub fn new() -> Result<OsEntropy, Error> {
        let mut probe = [0u8; 1];
        getrandom::fill(&mut probe).map_err(|e| Error::Io {
            during: "reading the OS random source",
            source: os_error(e),
        })?;
        Ok(OsEntropy(()))
    }
}

/// `getrandom`'s error as an [`io::Error`]: the OS error code if it has one (its
/// `std` conversion is not enabled here).
fn os_error(error: getrandom::Error) -> io::Error {
    match error.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::other(error.to_string()),
    }
}

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        // The source answered in `new`; a later failure leaves no safe value to use
        // (predictable nonces would break SCRAM), so the process stops.
        if let Err(e) = getrandom::fill(buf) {
            tracing::error!(error = %e, "OS random source failed");
            std::process::abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_differ() {
        let mut e = OsEntropy::new().unwrap();
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        e.fill(&mut a);
        e.fill(&mut b);
        assert_ne!(a, b);
    }
}
