//! PLAIN (RFC 4616): client and server. The password travels in the clear, so the server
//! refuses it without TLS unless explicitly allowed.

use sha2::Digest;
use subtle::ConstantTimeEq;

use crate::credentials::Preparation;
use crate::encoding::check_len;
use crate::error::{Field, Malformation, MessageKind};
use crate::scram::SaltedPassword;
use crate::server::{ServerStep, ServerSuccess};
use crate::{
    Account, ClientCredentials, CredentialAnswer, CredentialRequest, Mechanism, Password, SaslError,
};

/// Builds the PLAIN message `[authzid] NUL authcid NUL passwd` (user name and password
/// prepared with SASLprep unless the credentials say otherwise).
///
/// ```
/// use xmpp_sasl::{plain, ClientCredentials};
/// let m = plain::client_message(&ClientCredentials::new("tim", "tanstaaftanstaaf"))?;
/// assert_eq!(m, b"\0tim\0tanstaaftanstaaf");
/// # Ok::<(), xmpp_sasl::SaslError>(())
/// ```
pub fn client_message(credentials: &ClientCredentials) -> Result<Vec<u8>, SaslError> {
    let prep = credentials.preparation;
    let authcid = prep.prepare(&credentials.username, Field::Username)?;
    let password = prep.prepare(credentials.password.expose(), Field::Password)?;
    let authzid = credentials.authzid.as_deref().unwrap_or("");
    for (field, value) in [
        (Field::Authzid, authzid),
        (Field::Username, &*authcid),
        (Field::Password, &*password),
    ] {
        if value.contains('\0') {
            return Err(SaslError::Saslprep {
                field,
                error: crate::SaslprepError::Prohibited { ch: '\0' },
            });
        }
    }
    let mut message = Vec::with_capacity(authzid.len() + authcid.len() + password.len() + 2);
    message.extend_from_slice(authzid.as_bytes());
    message.push(0);
    message.extend_from_slice(authcid.as_bytes());
    message.push(0);
    message.extend_from_slice(password.as_bytes());
    Ok(message)
}

/// A PLAIN client: the whole exchange is the initial response; a server never sends
/// challenges or success data.
#[derive(Debug)]
pub struct PlainClient {
    done: bool,
}

impl PlainClient {
    /// Starts the exchange; returns the client and the initial response.
    pub fn start(credentials: &ClientCredentials) -> Result<(Self, Vec<u8>), SaslError> {
        Ok((PlainClient { done: false }, client_message(credentials)?))
    }

    /// PLAIN has no challenges: an empty one (a server that ignored the initial response)
    /// is an error too, because the message was already sent.
    pub fn respond(&mut self, _challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        self.done = true;
        Err(SaslError::malformed(
            MessageKind::Challenge,
            Malformation::UnexpectedData,
        ))
    }

    /// Handles `<success/>`: PLAIN success carries no data.
    pub fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        if self.done {
            return Err(SaslError::UnexpectedStep);
        }
        self.done = true;
        match additional_data {
            Some(d) if !d.is_empty() => Err(SaslError::malformed(
                MessageKind::SuccessData,
                Malformation::UnexpectedData,
            )),
            _ => Ok(()),
        }
    }
}

enum State {
    Start,
    AwaitMessage,
    AwaitCredentials {
        authcid: String,
        authzid: Option<String>,
        password: Password,
    },
    Done,
}

/// A PLAIN server: parses the message, asks for credentials, and verifies the password
/// against a stored password or stored SCRAM keys.
pub struct PlainServer {
    preparation: Preparation,
    decoy_iterations: u32,
    state: State,
}

impl core::fmt::Debug for PlainServer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PlainServer").finish_non_exhaustive()
    }
}

impl PlainServer {
    /// A server preparing identities with `preparation`. `decoy_iterations` is the PBKDF2
    /// cost spent for unknown users, so they take as long as users with SCRAM keys.
    pub fn new(preparation: Preparation, decoy_iterations: u32) -> Self {
        PlainServer {
            preparation,
            decoy_iterations,
            state: State::Start,
        }
    }

    /// Handles the initial response; `None` yields an empty challenge.
    pub fn initial(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        if !matches!(self.state, State::Start) {
            return self.fail(SaslError::UnexpectedStep);
        }
        match initial_response {
            None => {
                self.state = State::AwaitMessage;
                Ok(ServerStep::Challenge(Vec::new()))
            }
            Some(message) => self.message(message),
        }
    }

    /// Handles a response (the message, when there was no initial response).
    pub fn respond(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        if !matches!(self.state, State::AwaitMessage) {
            return self.fail(SaslError::UnexpectedStep);
        }
        self.message(response)
    }

    fn fail(&mut self, error: SaslError) -> Result<ServerStep, SaslError> {
        self.state = State::Done;
        Err(error)
    }

    fn message(&mut self, message: &[u8]) -> Result<ServerStep, SaslError> {
        match self.parse(message) {
            Ok((authzid, authcid, password)) => {
                let request = CredentialRequest {
                    mechanism: Mechanism::Plain,
                    authcid: authcid.clone(),
                    authzid: authzid.clone(),
                    realm: None,
                };
                self.state = State::AwaitCredentials {
                    authcid,
                    authzid,
                    password,
                };
                Ok(ServerStep::NeedCredentials(request))
            }
            Err(e) => self.fail(e),
        }
    }

    fn parse(&self, message: &[u8]) -> Result<(Option<String>, String, Password), SaslError> {
        const M: MessageKind = MessageKind::PlainMessage;
        check_len(message)?;
        if message.is_empty() {
            return Err(SaslError::malformed(M, Malformation::Empty));
        }
        let text = core::str::from_utf8(message)
            .map_err(|_| SaslError::malformed(M, Malformation::NotUtf8))?;
        let mut fields = text.split('\0');
        let (Some(authzid), Some(authcid), Some(password), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(SaslError::malformed(M, Malformation::WrongFieldCount));
        };
        let authcid = self
            .preparation
            .prepare(authcid, Field::Username)?
            .into_owned();
        let password = self
            .preparation
            .prepare(password, Field::Password)?
            .into_owned();
        let authzid = (!authzid.is_empty()).then(|| authzid.to_owned());
        Ok((authzid, authcid, Password::new(password)))
    }

    /// Answers the credential request and verifies the password.
    pub fn provide(&mut self, answer: CredentialAnswer) -> Result<ServerStep, SaslError> {
        let State::AwaitCredentials {
            authcid,
            authzid,
            password,
        } = core::mem::replace(&mut self.state, State::Done)
        else {
            return self.fail(SaslError::UnexpectedStep);
        };
        let Some(account) = answer.into_account()? else {
            // Spend the same PBKDF2 work a SCRAM-keyed account costs.
            let _ = SaltedPassword::from_prepared(
                crate::scram::ScramHash::Sha256,
                password.expose().as_bytes(),
                b"xmpp-sasl plain decoy",
                self.decoy_iterations,
            );
            return Err(SaslError::AuthenticationFailed);
        };
        if !self.verify(&account, &password) {
            return Err(SaslError::AuthenticationFailed);
        }
        account.check_after_proof(authzid.as_deref())?;
        Ok(ServerStep::Success(ServerSuccess {
            mechanism: Mechanism::Plain,
            authcid,
            authzid,
            additional_data: None,
            channel_binding: None,
        }))
    }

    fn verify(&self, account: &Account, password: &Password) -> bool {
        if let Some(stored) = &account.password {
            let Ok(stored) = self.preparation.prepare(stored.expose(), Field::Password) else {
                return false;
            };
            // Compare digests so neither content nor length leaks through timing.
            let a = sha2::Sha256::digest(stored.as_bytes());
            let b = sha2::Sha256::digest(password.expose().as_bytes());
            return a.as_slice().ct_eq(b.as_slice()).into();
        }
        // Strongest stored hash first.
        let Some(keys) = crate::scram::ScramHash::ALL
            .into_iter()
            .find_map(|h| account.keys_for(h))
        else {
            return false;
        };
        let salted = SaltedPassword::from_prepared(
            keys.hash(),
            password.expose().as_bytes(),
            keys.salt(),
            keys.iterations(),
        );
        let derived = salted.to_keys(keys.salt(), keys.iterations());
        derived.stored_key().ct_eq(keys.stored_key()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scram::{ScramHash, ScramKeys};

    fn run(
        server: &mut PlainServer,
        message: &[u8],
        answer: CredentialAnswer,
    ) -> Result<ServerSuccess, SaslError> {
        match server.initial(Some(message))? {
            ServerStep::NeedCredentials(_) => {}
            other => panic!("unexpected {other:?}"),
        }
        match server.provide(answer)? {
            ServerStep::Success(s) => Ok(s),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn rfc4616_examples() {
        let m = client_message(&ClientCredentials::new("tim", "tanstaaftanstaaf")).unwrap();
        let mut s = PlainServer::new(Preparation::Saslprep, 1);
        let ok = run(
            &mut s,
            &m,
            CredentialAnswer::Found(Account::with_password("tanstaaftanstaaf")),
        )
        .unwrap();
        assert_eq!((ok.authcid.as_str(), ok.authzid), ("tim", None));

        let m = client_message(&ClientCredentials::new("Kurt", "xipj3plmq").with_authzid("Ursel"))
            .unwrap();
        assert_eq!(m, b"Ursel\0Kurt\0xipj3plmq");
        let mut s = PlainServer::new(Preparation::Saslprep, 1);
        let err = run(
            &mut s,
            &m,
            CredentialAnswer::Found(Account::with_password("xipj3plmq")),
        )
        .unwrap_err();
        assert_eq!(err, SaslError::InvalidAuthzid);
    }

    #[test]
    fn verifies_against_scram_keys_and_prepares() {
        let keys = ScramKeys::derive(ScramHash::Sha1, &Password::new("IX"), b"salt", 2).unwrap();
        let m = client_message(&ClientCredentials::new("u", "\u{2168}")).unwrap();
        let mut s = PlainServer::new(Preparation::Saslprep, 1);
        assert!(
            run(
                &mut s,
                &m,
                CredentialAnswer::Found(Account::with_scram_keys(keys.clone()))
            )
            .is_ok()
        );
        let m = client_message(&ClientCredentials::new("u", "X")).unwrap();
        let mut s = PlainServer::new(Preparation::Saslprep, 1);
        assert_eq!(
            run(
                &mut s,
                &m,
                CredentialAnswer::Found(Account::with_scram_keys(keys))
            )
            .unwrap_err(),
            SaslError::AuthenticationFailed
        );
        let mut s = PlainServer::new(Preparation::Saslprep, 1);
        assert_eq!(
            run(&mut s, &m, CredentialAnswer::Found(Account::default())).unwrap_err(),
            SaslError::AuthenticationFailed
        );
    }

    #[test]
    fn malformed_messages() {
        let cases: [(&[u8], SaslError); 6] = [
            (
                b"",
                SaslError::malformed(MessageKind::PlainMessage, Malformation::Empty),
            ),
            (
                b"a\0b",
                SaslError::malformed(MessageKind::PlainMessage, Malformation::WrongFieldCount),
            ),
            (
                b"a\0b\0c\0d",
                SaslError::malformed(MessageKind::PlainMessage, Malformation::WrongFieldCount),
            ),
            (
                b"\0\xff\0c",
                SaslError::malformed(MessageKind::PlainMessage, Malformation::NotUtf8),
            ),
            (
                b"\0\0c",
                SaslError::EmptyField {
                    field: Field::Username,
                },
            ),
            (
                b"\0u\0",
                SaslError::EmptyField {
                    field: Field::Password,
                },
            ),
        ];
        for (m, expected) in cases {
            let mut s = PlainServer::new(Preparation::Saslprep, 1);
            assert_eq!(s.initial(Some(m)).unwrap_err(), expected, "{m:?}");
            assert_eq!(s.respond(b"x").unwrap_err(), SaslError::UnexpectedStep);
        }
        let mut s = PlainServer::new(Preparation::Saslprep, 1);
        assert!(matches!(s.initial(None), Ok(ServerStep::Challenge(c)) if c.is_empty()));
        assert!(matches!(
            s.respond(b"\0u\0p"),
            Ok(ServerStep::NeedCredentials(_))
        ));
        assert_eq!(s.respond(b"\0u\0p").unwrap_err(), SaslError::UnexpectedStep);
    }

    #[test]
    fn client_rejects_challenges_and_success_data() {
        let (mut c, _) = PlainClient::start(&ClientCredentials::new("u", "p")).unwrap();
        assert!(c.respond(b"").is_err());
        let (mut c, _) = PlainClient::start(&ClientCredentials::new("u", "p")).unwrap();
        assert!(c.finish(Some(b"x")).is_err());
        let (mut c, _) = PlainClient::start(&ClientCredentials::new("u", "p")).unwrap();
        assert!(c.finish(Some(b"")).is_ok());
        assert_eq!(c.finish(None), Err(SaslError::UnexpectedStep));
        assert!(client_message(&ClientCredentials::new("u", "p").with_authzid("a\0b")).is_err());
    }
}
