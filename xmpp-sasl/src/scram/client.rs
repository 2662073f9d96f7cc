//! The SCRAM client step machine (RFC 5802 §3, §5; RFC 7677).

use super::cache::SaltedPasswordCache;
use super::hash::{HashValue, ScramHash};
use super::keys::SaltedPassword;
use super::message::{
    ServerFinal, escape_saslname, parse_server_final, parse_server_first, validate_nonce,
};
use crate::channel_binding::Gs2Binding;
use crate::encoding::{b64_encode, check_len};
use crate::error::{Field, Malformation, MessageKind};
use crate::{ClientCredentials, Entropy, Mechanism, SaslError};

/// The minimum iteration count a client accepts by default (RFC 7677 §4 recommends at least
/// 4096).
pub const DEFAULT_MIN_ITERATIONS: u32 = 4096;

/// The maximum iteration count a client accepts by default, so a hostile server cannot make
/// the client compute PBKDF2 for minutes. Above current OWASP recommendations (1.3 million
/// for SHA-1).
pub const DEFAULT_MAX_ITERATIONS: u32 = 10_000_000;

/// Random bytes in a client or server nonce (base64-encoded to 32 characters).
pub(crate) const NONCE_BYTES: usize = 24;

/// Limits a SCRAM client applies to the server's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScramClientOptions {
    min_iterations: u32,
    max_iterations: u32,
}

impl Default for ScramClientOptions {
    fn default() -> Self {
        ScramClientOptions {
            min_iterations: DEFAULT_MIN_ITERATIONS,
            max_iterations: DEFAULT_MAX_ITERATIONS,
        }
    }
}

impl ScramClientOptions {
    /// Defaults: at least [`DEFAULT_MIN_ITERATIONS`], at most [`DEFAULT_MAX_ITERATIONS`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the largest iteration count accepted.
    pub fn with_max_iterations(mut self, max: u32) -> Self {
        self.max_iterations = max;
        self
    }

    /// **For tests only**: accepts iteration counts down to `min` (at least 1) so
    /// debug-build tests can use cheap keys. Never lower this against a real server.
    pub fn insecure_min_iterations_for_tests(mut self, min: u32) -> Self {
        self.min_iterations = min.max(1);
        self
    }

    /// The smallest iteration count accepted.
    pub fn min_iterations(&self) -> u32 {
        self.min_iterations
    }

    /// The largest iteration count accepted.
    pub fn max_iterations(&self) -> u32 {
        self.max_iterations
    }
}

enum State {
    AwaitServerFirst {
        prepared_password: crate::Password,
        nonce: String,
        client_first_bare: String,
        gs2_header: String,
    },
    AwaitServerFinal {
        server_signature: HashValue,
    },
    /// The server signature arrived as a challenge and was verified; success may follow.
    Verified,
    Done,
    Failed,
}

/// A SCRAM client: sends `client-first`, answers `server-first` with `client-final`, and
/// verifies the server signature (constant-time) before reporting success.
///
/// ```
/// use xmpp_sasl::{ClientCredentials, Gs2Binding};
/// use xmpp_sasl::scram::{ScramClient, ScramClientOptions, ScramHash};
/// let creds = ClientCredentials::new("user", "pencil");
/// let (mut client, first) = ScramClient::start_with_nonce(
///     ScramHash::Sha1, Gs2Binding::NotSupported, &creds, ScramClientOptions::new(),
///     "fyko+d2lbbFgONRv9qkxdawL")?;
/// assert_eq!(first, b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
/// let fin = client.respond(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")?;
/// assert!(fin.ends_with(b"p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="));
/// client.finish(Some(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ="))?;
/// # Ok::<(), xmpp_sasl::SaslError>(())
/// ```
pub struct ScramClient {
    hash: ScramHash,
    binding: Gs2Binding,
    options: ScramClientOptions,
    cache: SaltedPasswordCache,
    state: State,
}

impl core::fmt::Debug for ScramClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = match self.state {
            State::AwaitServerFirst { .. } => "await-server-first",
            State::AwaitServerFinal { .. } => "await-server-final",
            State::Verified => "verified",
            State::Done => "done",
            State::Failed => "failed",
        };
        f.debug_struct("ScramClient")
            .field("mechanism", &self.mechanism())
            .field("state", &state)
            .finish()
    }
}

impl ScramClient {
    /// Starts an exchange with a fresh nonce from `entropy`; returns the client and the
    /// `client-first-message` (the initial response).
    ///
    /// `binding` decides the gs2 flag and the mechanism: [`Gs2Binding::Bound`] means the
    /// `-PLUS` variant. Fails if SASLprep rejects the user name or password.
    pub fn start(
        hash: ScramHash,
        binding: Gs2Binding,
        credentials: &ClientCredentials,
        options: ScramClientOptions,
        entropy: &mut dyn Entropy,
    ) -> Result<(Self, Vec<u8>), SaslError> {
        let mut random = [0u8; NONCE_BYTES];
        entropy.fill(&mut random);
        Self::start_with_nonce(hash, binding, credentials, options, &b64_encode(&random))
    }

    /// Like [`start`](Self::start) with a caller-chosen nonce (printable ASCII without `,`):
    /// for test vectors. Production code should use [`start`](Self::start).
    pub fn start_with_nonce(
        hash: ScramHash,
        binding: Gs2Binding,
        credentials: &ClientCredentials,
        options: ScramClientOptions,
        nonce: &str,
    ) -> Result<(Self, Vec<u8>), SaslError> {
        validate_nonce(nonce)?;
        let prep = credentials.preparation;
        let username = prep.prepare(&credentials.username, Field::Username)?;
        let password = prep.prepare(credentials.password.expose(), Field::Password)?;
        let mut gs2_header = binding.flag();
        gs2_header.push(',');
        if let Some(authzid) = &credentials.authzid {
            gs2_header.push_str("a=");
            gs2_header.push_str(&escape_saslname(authzid));
        }
        gs2_header.push(',');
        let client_first_bare = format!("n={},r={}", escape_saslname(&username), nonce);
        let message = format!("{gs2_header}{client_first_bare}").into_bytes();
        let client = ScramClient {
            hash,
            binding,
            options,
            cache: SaltedPasswordCache::new(),
            state: State::AwaitServerFirst {
                prepared_password: crate::Password::new(password.into_owned()),
                nonce: nonce.to_owned(),
                client_first_bare,
                gs2_header,
            },
        };
        Ok((client, message))
    }

    /// Gives the client a salted-password cache to consult and fill.
    pub fn with_cache(mut self, cache: SaltedPasswordCache) -> Self {
        self.cache = cache;
        self
    }

    /// Takes the cache back (leaving an empty one), typically after the exchange.
    pub fn take_cache(&mut self) -> SaltedPasswordCache {
        core::mem::take(&mut self.cache)
    }

    /// The mechanism this client runs.
    pub fn mechanism(&self) -> Mechanism {
        Mechanism::scram(self.hash, matches!(self.binding, Gs2Binding::Bound(_)))
    }

    /// Answers a challenge: `server-first-message` yields `client-final-message`; a
    /// `server-final-message` sent as a challenge is verified and answered with an empty
    /// response.
    pub fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let result = self.respond_inner(challenge);
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    fn respond_inner(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        check_len(challenge)?;
        match core::mem::replace(&mut self.state, State::Failed) {
            State::AwaitServerFirst {
                prepared_password,
                nonce,
                client_first_bare,
                gs2_header,
            } => {
                let (message, server_signature) = self.client_final(
                    challenge,
                    prepared_password.expose(),
                    &nonce,
                    &client_first_bare,
                    &gs2_header,
                )?;
                self.state = State::AwaitServerFinal { server_signature };
                Ok(message)
            }
            State::AwaitServerFinal { server_signature } => {
                verify_server_final(challenge, &server_signature)?;
                self.state = State::Verified;
                Ok(Vec::new())
            }
            State::Verified | State::Done | State::Failed => Err(SaslError::UnexpectedStep),
        }
    }

    fn client_final(
        &mut self,
        challenge: &[u8],
        password: &str,
        nonce: &str,
        client_first_bare: &str,
        gs2_header: &str,
    ) -> Result<(Vec<u8>, HashValue), SaslError> {
        let server_first = parse_server_first(challenge)?;
        if server_first.nonce.len() <= nonce.len() || !server_first.nonce.starts_with(nonce) {
            return Err(SaslError::NonceMismatch);
        }
        let iterations = server_first.iterations;
        if iterations < self.options.min_iterations {
            return Err(SaslError::IterationCountTooLow {
                iterations,
                minimum: self.options.min_iterations,
            });
        }
        if iterations > self.options.max_iterations {
            return Err(SaslError::IterationCountTooHigh {
                iterations,
                maximum: self.options.max_iterations,
            });
        }
        let salted = self.salted_password(password, &server_first.salt, iterations);
        let mut cbind_input = gs2_header.as_bytes().to_vec();
        if let Gs2Binding::Bound(cb) = &self.binding {
            cbind_input.extend_from_slice(cb.data());
        }
        let without_proof = format!("c={},r={}", b64_encode(&cbind_input), server_first.nonce);
        let server_first_text = core::str::from_utf8(challenge).map_err(|_| {
            SaslError::malformed(MessageKind::ScramServerFirst, Malformation::NotUtf8)
        })?;
        let auth_message = format!("{client_first_bare},{server_first_text},{without_proof}");
        let client_key = salted.client_key_value();
        let stored_key = self.hash.digest(client_key.as_slice());
        let client_signature = self
            .hash
            .hmac(stored_key.as_slice(), &[auth_message.as_bytes()]);
        let proof = client_key.xor(&client_signature);
        let server_key = salted.server_key_value();
        let server_signature = self
            .hash
            .hmac(server_key.as_slice(), &[auth_message.as_bytes()]);
        let message = format!("{without_proof},p={}", b64_encode(proof.as_slice()));
        Ok((message.into_bytes(), server_signature))
    }

    fn salted_password(&mut self, password: &str, salt: &[u8], iterations: u32) -> SaltedPassword {
        let id = SaltedPasswordCache::password_id(password.as_bytes());
        if let Some(hit) = self.cache.get(self.hash, &id, salt, iterations) {
            return hit;
        }
        let salted =
            SaltedPassword::from_prepared(self.hash, password.as_bytes(), salt, iterations);
        self.cache.insert(id, salt, iterations, &salted);
        salted
    }

    /// Handles `<success/>` and its additional data: verifies the server signature unless it
    /// already arrived as a challenge. Success without a verified signature is an error.
    pub fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        let data = additional_data.filter(|d| !d.is_empty());
        let result = match (core::mem::replace(&mut self.state, State::Failed), data) {
            (State::AwaitServerFinal { server_signature }, Some(data)) => {
                check_len(data).and_then(|()| verify_server_final(data, &server_signature))
            }
            (State::AwaitServerFinal { .. }, None) => Err(SaslError::MissingServerVerification),
            (State::Verified, None) => Ok(()),
            (State::Verified, Some(_)) => Err(SaslError::malformed(
                MessageKind::SuccessData,
                Malformation::UnexpectedData,
            )),
            (State::AwaitServerFirst { .. }, _) => Err(SaslError::MissingServerVerification),
            (State::Done | State::Failed, _) => Err(SaslError::UnexpectedStep),
        };
        self.state = if result.is_ok() {
            State::Done
        } else {
            State::Failed
        };
        result
    }

    /// Whether the server signature has been verified.
    pub fn is_server_verified(&self) -> bool {
        matches!(self.state, State::Verified | State::Done)
    }
}

fn verify_server_final(data: &[u8], expected: &HashValue) -> Result<(), SaslError> {
    match parse_server_final(data)? {
        ServerFinal::Error(error) => Err(SaslError::ServerReportedError { error }),
        ServerFinal::Verifier(signature) => {
            if expected.ct_eq(&signature) {
                Ok(())
            } else {
                Err(SaslError::ServerSignatureMismatch)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER_FIRST: &[u8] =
        b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
    const CLIENT_FINAL: &[u8] =
        b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";

    fn client() -> ScramClient {
        let creds = ClientCredentials::new("user", "pencil");
        ScramClient::start_with_nonce(
            ScramHash::Sha1,
            Gs2Binding::NotSupported,
            &creds,
            ScramClientOptions::new(),
            "fyko+d2lbbFgONRv9qkxdawL",
        )
        .unwrap()
        .0
    }

    #[test]
    fn the_cache_is_consulted_and_filled() {
        let mut c = client();
        assert_eq!(c.respond(SERVER_FIRST).unwrap(), CLIENT_FINAL);
        let cache = c.take_cache();
        assert_eq!(cache.len(), 1);
        // Reusing the cache gives the same answer without recomputing…
        let mut c = client().with_cache(cache);
        assert_eq!(c.respond(SERVER_FIRST).unwrap(), CLIENT_FINAL);
        // …and a planted entry proves the cached value is what gets used.
        let salt = crate::encoding::b64_decode("QSXCR+Q6sek8bf92").unwrap();
        let mut planted = SaltedPasswordCache::new();
        let id = SaltedPasswordCache::password_id(b"pencil");
        let bogus = SaltedPassword::from_prepared(ScramHash::Sha1, b"other", &salt, 4096);
        planted.insert(id, &salt, 4096, &bogus);
        let mut c = client().with_cache(planted);
        assert_ne!(c.respond(SERVER_FIRST).unwrap(), CLIENT_FINAL);
    }

    #[test]
    fn gs2_header_carries_flag_and_escaped_authzid() {
        let creds = ClientCredentials::new("a,b", "p").with_authzid("x=y");
        let cb = crate::ChannelBinding::new(crate::ChannelBindingType::TlsUnique, vec![1]);
        let (c, first) = ScramClient::start_with_nonce(
            ScramHash::Sha256,
            Gs2Binding::Bound(cb),
            &creds,
            ScramClientOptions::new(),
            "abc",
        )
        .unwrap();
        assert_eq!(first, b"p=tls-unique,a=x=3Dy,n=a=2Cb,r=abc");
        assert_eq!(c.mechanism(), Mechanism::ScramSha256Plus);
        assert!(!c.is_server_verified());
        assert!(format!("{c:?}").contains("await-server-first"));
        let (_, first) = ScramClient::start_with_nonce(
            ScramHash::Sha1,
            Gs2Binding::ServerLacksSupport,
            &ClientCredentials::new("u", "p"),
            ScramClientOptions::new(),
            "abc",
        )
        .unwrap();
        assert_eq!(first, b"y,,n=u,r=abc");
    }

    #[test]
    fn bad_nonce_and_state_errors() {
        let creds = ClientCredentials::new("u", "p");
        for nonce in ["", "a,b", "a b", "\u{e9}"] {
            assert!(
                ScramClient::start_with_nonce(
                    ScramHash::Sha1,
                    Gs2Binding::NotSupported,
                    &creds,
                    ScramClientOptions::new(),
                    nonce
                )
                .is_err(),
                "{nonce:?}"
            );
        }
        let mut c = client();
        assert!(c.respond(b"r=x\xff").is_err());
        assert_eq!(c.respond(SERVER_FIRST), Err(SaslError::UnexpectedStep));
        let mut c = client();
        c.respond(SERVER_FIRST).unwrap();
        c.finish(Some(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")).unwrap();
        assert_eq!(c.respond(b"v=x"), Err(SaslError::UnexpectedStep));
        let options = ScramClientOptions::new().insecure_min_iterations_for_tests(0);
        assert_eq!(options.min_iterations(), 1);
        assert_eq!(options.max_iterations(), DEFAULT_MAX_ITERATIONS);
    }
}
