//! [`OsEntropy`]: the operating system's random bytes for the core (SCRAM nonces,
//! stanza ids, SRV weights).

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
        getrandom::fill(&mut probe).map_err(|e| Error::Config(format!("no OS randomness: {e}")))?;
        Ok(OsEntropy(()))
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
