//! The SCRAM server step machine, with credential lookup as an output and a decoy path for
//! unknown users.

use super::client::NONCE_BYTES;
use super::hash::ScramHash;
use super::keys::ScramKeys;
use super::message::{CbFlag, ClientFirst, parse_client_final, parse_client_first, validate_nonce};
use crate::credentials::Preparation;
use crate::encoding::{b64_encode, check_len};
use crate::error::{Field, Malformation, MessageKind};
use crate::server::{ServerConfig, ServerStep, ServerSuccess};
use crate::{
    Account, ChannelBinding, ChannelBindingType, CredentialAnswer, CredentialRequest, Entropy,
    Mechanism, SaslError,
};

/// Bytes of salt derived for password-only accounts and decoys.
const DERIVED_SALT_BYTES: usize = 16;

enum State {
    /// Nothing received yet.
    Start,
    /// An empty challenge was sent because there was no initial response.
    AwaitClientFirst,
    AwaitCredentials {
        first: ClientFirst,
        cb_data: Vec<u8>,
        authcid: String,
    },
    AwaitClientFinal {
        first: ClientFirst,
        cb_data: Vec<u8>,
        authcid: String,
        server_first: String,
        /// `None` for the decoy path (unknown user or no usable secret).
        verifier: Option<Box<(ScramKeys, Account)>>,
    },
    Done,
    Failed,
}

/// A SCRAM server for one exchange. Asks for credentials with
/// [`ServerStep::NeedCredentials`] and continues when [`provide`](Self::provide) is called.
///
/// Usually driven through [`SaslServer`](crate::SaslServer); use it directly to choose the
/// server nonce (test vectors).
pub struct ScramServer {
    mechanism: Mechanism,
    hash: ScramHash,
    bindings: Vec<ChannelBinding>,
    plus_offered: bool,
    preparation: Preparation,
    iterations: u32,
    decoy_secret: Option<[u8; 32]>,
    server_nonce: String,
    spare_salt: [u8; DERIVED_SALT_BYTES],
    state: State,
}

impl core::fmt::Debug for ScramServer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = match self.state {
            State::Start => "start",
            State::AwaitClientFirst => "await-client-first",
            State::AwaitCredentials { .. } => "await-credentials",
            State::AwaitClientFinal { .. } => "await-client-final",
            State::Done => "done",
            State::Failed => "failed",
        };
        f.debug_struct("ScramServer")
            .field("mechanism", &self.mechanism)
            .field("state", &state)
            .finish()
    }
}

impl ScramServer {
    /// A server for `mechanism` (a SCRAM mechanism) under `config`, drawing its nonce and
    /// spare salt from `entropy`. Fails with [`SaslError::InvalidMechanism`] for other
    /// mechanisms.
    pub fn new(
        mechanism: Mechanism,
        config: &ServerConfig,
        entropy: &mut dyn Entropy,
    ) -> Result<Self, SaslError> {
        let mut random = [0u8; NONCE_BYTES];
        entropy.fill(&mut random);
        Self::with_server_nonce(mechanism, config, &b64_encode(&random), entropy)
    }

    /// Like [`new`](Self::new) with a caller-chosen server nonce part (printable ASCII
    /// without `,`): for test vectors.
    pub fn with_server_nonce(
        mechanism: Mechanism,
        config: &ServerConfig,
        server_nonce: &str,
        entropy: &mut dyn Entropy,
    ) -> Result<Self, SaslError> {
        let hash = mechanism.scram_hash().ok_or(SaslError::InvalidMechanism)?;
        validate_nonce(server_nonce)?;
        let mut spare_salt = [0u8; DERIVED_SALT_BYTES];
        entropy.fill(&mut spare_salt);
        Ok(ScramServer {
            mechanism,
            hash,
            bindings: config.channel_bindings().to_vec(),
            plus_offered: config.plus_offered(),
            preparation: config.preparation(),
            iterations: config.scram_iterations(),
            decoy_secret: config.decoy_secret(),
            server_nonce: server_nonce.to_owned(),
            spare_salt,
            state: State::Start,
        })
    }

    /// Handles the `<auth/>` initial response: `None` (no initial response) yields an empty
    /// challenge; otherwise it is the `client-first-message`.
    pub fn initial(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        if !matches!(self.state, State::Start) {
            return self.fail(SaslError::UnexpectedStep);
        }
        match initial_response {
            None => {
                self.state = State::AwaitClientFirst;
                Ok(ServerStep::Challenge(Vec::new()))
            }
            Some(first) => {
                let result = self.client_first(first);
                self.settle(result)
            }
        }
    }

    /// Handles a `<response/>`.
    pub fn respond(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        let result = match core::mem::replace(&mut self.state, State::Failed) {
            State::AwaitClientFirst => self.client_first(response),
            State::AwaitClientFinal {
                first,
                cb_data,
                authcid,
                server_first,
                verifier,
            } => self.client_final(response, &first, &cb_data, authcid, &server_first, verifier),
            State::Start | State::AwaitCredentials { .. } | State::Done | State::Failed => {
                Err(SaslError::UnexpectedStep)
            }
        };
        self.settle(result)
    }

    /// Answers the credential request.
    pub fn provide(&mut self, answer: CredentialAnswer) -> Result<ServerStep, SaslError> {
        let State::AwaitCredentials {
            first,
            cb_data,
            authcid,
        } = core::mem::replace(&mut self.state, State::Failed)
        else {
            return self.fail(SaslError::UnexpectedStep);
        };
        let account = match answer.into_account() {
            Ok(account) => account,
            Err(e) => return self.fail(e),
        };
        // An unknown user, or one with no secret usable here, gets the decoy path.
        let verifier = account.and_then(|account| {
            self.keys_for(&account, &authcid)
                .map(|k| Box::new((k, account)))
        });
        let (salt, iterations) = match &verifier {
            Some(found) => (found.0.salt().to_vec(), found.0.iterations()),
            None => (self.derived_salt(&authcid), self.iterations),
        };
        let server_first = format!(
            "r={}{},s={},i={}",
            first.nonce,
            self.server_nonce,
            b64_encode(&salt),
            iterations
        );
        let challenge = server_first.clone().into_bytes();
        self.state = State::AwaitClientFinal {
            first,
            cb_data,
            authcid,
            server_first,
            verifier,
        };
        Ok(ServerStep::Challenge(challenge))
    }

    fn fail(&mut self, error: SaslError) -> Result<ServerStep, SaslError> {
        self.state = State::Failed;
        Err(error)
    }

    fn settle(&mut self, result: Result<ServerStep, SaslError>) -> Result<ServerStep, SaslError> {
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// The salt for password-only accounts and decoys: stable per user when a decoy secret
    /// is configured (so a probe cannot tell them from real users), else the spare salt.
    fn derived_salt(&self, authcid: &str) -> Vec<u8> {
        match &self.decoy_secret {
            Some(secret) => {
                let mac = ScramHash::Sha256.hmac(
                    secret,
                    &[self.hash.name().as_bytes(), b"\0", authcid.as_bytes()],
                );
                mac.as_slice()[..DERIVED_SALT_BYTES].to_vec()
            }
            None => self.spare_salt.to_vec(),
        }
    }

    fn keys_for(&self, account: &Account, authcid: &str) -> Option<ScramKeys> {
        if let Some(keys) = account.keys_for(self.hash) {
            return Some(keys.clone());
        }
        let password = account.password.as_ref()?;
        let salt = self.derived_salt(authcid);
        ScramKeys::derive_with(
            self.hash,
            password,
            &salt,
            self.iterations,
            self.preparation,
        )
        .ok()
    }

    fn client_first(&mut self, message: &[u8]) -> Result<ServerStep, SaslError> {
        check_len(message)?;
        let first = parse_client_first(message)?;
        let flag_mismatch = || {
            SaslError::malformed(
                MessageKind::ScramClientFirst,
                Malformation::ChannelBindingFlagMismatch,
            )
        };
        let cb_data = match (&first.flag, self.mechanism.is_plus()) {
            (CbFlag::Bound(name), true) => {
                let kind = ChannelBindingType::from_name(name)
                    .ok_or(SaslError::UnsupportedChannelBindingType)?;
                self.bindings
                    .iter()
                    .find(|cb| cb.kind() == kind)
                    .map(|cb| cb.data().to_vec())
                    .ok_or(SaslError::UnsupportedChannelBindingType)?
            }
            (CbFlag::Bound(_), false) | (_, true) => return Err(flag_mismatch()),
            (CbFlag::ServerLacksSupport, false) if self.plus_offered => {
                return Err(SaslError::ChannelBindingDowngrade);
            }
            (CbFlag::ServerLacksSupport | CbFlag::NotSupported, false) => Vec::new(),
        };
        let authcid = self
            .preparation
            .prepare(&first.username, Field::Username)?
            .into_owned();
        let request = CredentialRequest {
            mechanism: self.mechanism,
            authcid: authcid.clone(),
            authzid: first.authzid.clone(),
            realm: None,
        };
        self.state = State::AwaitCredentials {
            first,
            cb_data,
            authcid,
        };
        Ok(ServerStep::NeedCredentials(request))
    }

    fn client_final(
        &mut self,
        message: &[u8],
        first: &ClientFirst,
        cb_data: &[u8],
        authcid: String,
        server_first: &str,
        verifier: Option<Box<(ScramKeys, Account)>>,
    ) -> Result<ServerStep, SaslError> {
        check_len(message)?;
        let fin = parse_client_final(message)?;
        let expected_nonce_len = first.nonce.len() + self.server_nonce.len();
        let nonce_ok = fin.nonce.len() == expected_nonce_len
            && fin.nonce.starts_with(&first.nonce)
            && fin.nonce.ends_with(&self.server_nonce);
        if !nonce_ok {
            return Err(SaslError::NonceMismatch);
        }
        let mut expected_cb = first.gs2_header.as_bytes().to_vec();
        expected_cb.extend_from_slice(cb_data);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected_cb.as_slice(),
            fin.channel_binding.as_slice(),
        )) {
            return Err(SaslError::ChannelBindingMismatch);
        }
        if fin.proof.len() != self.hash.output_len() {
            return Err(SaslError::malformed(
                MessageKind::ScramClientFinal,
                Malformation::WrongDigestLength,
            ));
        }
        let Some((keys, account)) = verifier.map(|b| *b) else {
            return Err(SaslError::AuthenticationFailed);
        };
        let auth_message = format!("{},{},{}", first.bare, server_first, fin.without_proof);
        let client_signature = self
            .hash
            .hmac(keys.stored_key(), &[auth_message.as_bytes()]);
        let client_key = client_signature.xor(&super::hash::HashValue::new(&fin.proof));
        if !self
            .hash
            .digest(client_key.as_slice())
            .ct_eq(keys.stored_key_value().as_slice())
        {
            return Err(SaslError::AuthenticationFailed);
        }
        account.check_after_proof(first.authzid.as_deref())?;
        let server_signature = self.hash.hmac(
            keys.server_key_value().as_slice(),
            &[auth_message.as_bytes()],
        );
        self.state = State::Done;
        Ok(ServerStep::Success(ServerSuccess {
            mechanism: self.mechanism,
            authcid,
            authzid: first.authzid.clone(),
            additional_data: Some(
                format!("v={}", b64_encode(server_signature.as_slice())).into_bytes(),
            ),
            channel_binding: match &first.flag {
                CbFlag::Bound(name) => ChannelBindingType::from_name(name),
                _ => None,
            },
        }))
    }
}
