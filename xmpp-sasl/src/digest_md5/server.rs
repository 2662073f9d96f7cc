//! The DIGEST-MD5 server (RFC 2831, `qop=auth` only). Needs the user's password.

use subtle::ConstantTimeEq;

use super::client::NONCE_COUNT;
use super::compute::DigestInput;
use super::directives::{Directives, quote};
use crate::encoding::{b64_encode, check_len};
use crate::error::{Field, Malformation, MessageKind};
use crate::server::{ServerStep, ServerSuccess};
use crate::{CredentialAnswer, CredentialRequest, Entropy, Mechanism, SaslError};

struct Parsed {
    username: String,
    realm: String,
    cnonce: String,
    digest_uri: String,
    response: String,
    authzid: Option<String>,
}

enum State {
    Start,
    AwaitResponse,
    AwaitCredentials(Parsed),
    AwaitEmptyResponse(Parsed),
    Done,
}

/// A DIGEST-MD5 server. **Historic** (RFC 6331); only offered when explicitly enabled.
/// Sends the digest challenge, checks the response against the stored password, answers
/// with `rspauth`, and succeeds on the client's empty response.
pub struct DigestMd5Server {
    realm: String,
    service: String,
    host: String,
    nonce: String,
    state: State,
}

impl core::fmt::Debug for DigestMd5Server {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DigestMd5Server")
            .field("realm", &self.realm)
            .finish_non_exhaustive()
    }
}

impl DigestMd5Server {
    /// A server for `realm`, accepting `digest-uri` `service/host`, with a nonce from
    /// `entropy`.
    pub fn new(realm: &str, service: &str, host: &str, entropy: &mut dyn Entropy) -> Self {
        let mut random = [0u8; 18];
        entropy.fill(&mut random);
        Self::with_nonce(realm, service, host, &b64_encode(&random))
    }

    /// Like [`new`](Self::new) with a caller-chosen nonce: for tests.
    pub fn with_nonce(realm: &str, service: &str, host: &str, nonce: &str) -> Self {
        DigestMd5Server {
            realm: realm.to_owned(),
            service: service.to_owned(),
            host: host.to_owned(),
            nonce: nonce.to_owned(),
            state: State::Start,
        }
    }

    fn challenge(&self) -> Vec<u8> {
        format!(
            "realm={},nonce={},qop=\"auth\",charset=utf-8,algorithm=md5-sess",
            quote(&self.realm),
            quote(&self.nonce)
        )
        .into_bytes()
    }

    /// Handles `<auth/>`: DIGEST-MD5 has no initial response (an empty one is tolerated).
    pub fn initial(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        if !matches!(self.state, State::Start) {
            return self.fail(SaslError::UnexpectedStep);
        }
        if initial_response.is_some_and(|r| !r.is_empty()) {
            return self.fail(SaslError::malformed(
                MessageKind::DigestResponse,
                Malformation::UnexpectedData,
            ));
        }
        self.state = State::AwaitResponse;
        Ok(ServerStep::Challenge(self.challenge()))
    }

    /// Handles a `<response/>`.
    pub fn respond(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        match core::mem::replace(&mut self.state, State::Done) {
            State::AwaitResponse => match self.parse(response) {
                Ok(parsed) => {
                    let request = CredentialRequest {
                        mechanism: Mechanism::DigestMd5,
                        authcid: parsed.username.clone(),
                        authzid: parsed.authzid.clone(),
                        realm: Some(parsed.realm.clone()),
                    };
                    self.state = State::AwaitCredentials(parsed);
                    Ok(ServerStep::NeedCredentials(request))
                }
                Err(e) => Err(e),
            },
            State::AwaitEmptyResponse(parsed) => {
                if !response.is_empty() {
                    return Err(SaslError::malformed(
                        MessageKind::Response,
                        Malformation::UnexpectedData,
                    ));
                }
                Ok(ServerStep::Success(ServerSuccess {
                    mechanism: Mechanism::DigestMd5,
                    authcid: parsed.username,
                    authzid: parsed.authzid,
                    additional_data: None,
                    channel_binding: None,
                }))
            }
            State::Start | State::AwaitCredentials(_) | State::Done => {
                Err(SaslError::UnexpectedStep)
            }
        }
    }

    fn fail(&mut self, error: SaslError) -> Result<ServerStep, SaslError> {
        self.state = State::Done;
        Err(error)
    }

    fn parse(&self, response: &[u8]) -> Result<Parsed, SaslError> {
        const M: MessageKind = MessageKind::DigestResponse;
        check_len(response)?;
        if response.is_empty() {
            return Err(SaslError::malformed(M, Malformation::Empty));
        }
        let text = core::str::from_utf8(response)
            .map_err(|_| SaslError::malformed(M, Malformation::NotUtf8))?;
        let d = Directives::parse(M, text)?;
        let username = d.required("username")?;
        if username.is_empty() {
            return Err(SaslError::EmptyField {
                field: Field::Username,
            });
        }
        let realm = d.once("realm")?.unwrap_or("");
        if !realm.is_empty() && realm != self.realm {
            return Err(d.invalid("realm"));
        }
        if d.required("nonce")? != self.nonce {
            return Err(SaslError::NonceMismatch);
        }
        let cnonce = d.required("cnonce")?;
        if cnonce.is_empty() {
            return Err(d.invalid("cnonce"));
        }
        if d.required("nc")? != NONCE_COUNT {
            return Err(d.invalid("nc"));
        }
        if d.once("qop")?
            .is_some_and(|q| !q.eq_ignore_ascii_case("auth"))
        {
            return Err(d.invalid("qop"));
        }
        if d.once("charset")?
            .is_some_and(|c| !c.eq_ignore_ascii_case("utf-8"))
        {
            return Err(d.invalid("charset"));
        }
        let digest_uri = d.required("digest-uri")?;
        let expected_uri = format!("{}/{}", self.service, self.host);
        let uri_ok = digest_uri == expected_uri
            || digest_uri
                .strip_prefix(&expected_uri)
                .is_some_and(|rest| rest.starts_with('/'));
        if !uri_ok {
            return Err(d.invalid("digest-uri"));
        }
        let response = d.required("response")?.to_ascii_lowercase();
        if response.len() != 32 || !response.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(d.invalid("response"));
        }
        let authzid = d
            .once("authzid")?
            .filter(|a| !a.is_empty())
            .map(str::to_owned);
        Ok(Parsed {
            username: username.to_owned(),
            realm: realm.to_owned(),
            cnonce: cnonce.to_owned(),
            digest_uri: digest_uri.to_owned(),
            response,
            authzid,
        })
    }

    /// Answers the credential request; on success yields the `rspauth` challenge.
    pub fn provide(&mut self, answer: CredentialAnswer) -> Result<ServerStep, SaslError> {
        let State::AwaitCredentials(parsed) = core::mem::replace(&mut self.state, State::Done)
        else {
            return Err(SaslError::UnexpectedStep);
        };
        // An unknown user and an account without a stored password fail alike.
        let account = answer.into_account()?;
        let Some((account, password)) = account
            .as_ref()
            .and_then(|a| a.password.as_ref().map(|p| (a, p)))
        else {
            return Err(SaslError::AuthenticationFailed);
        };
        let input = DigestInput {
            username: &parsed.username,
            realm: &parsed.realm,
            password: password.expose(),
            nonce: &self.nonce,
            cnonce: &parsed.cnonce,
            nc: NONCE_COUNT,
            digest_uri: &parsed.digest_uri,
            authzid: parsed.authzid.as_deref(),
        };
        let expected = input.response_value("AUTHENTICATE");
        if !bool::from(expected.as_bytes().ct_eq(parsed.response.as_bytes())) {
            return Err(SaslError::AuthenticationFailed);
        }
        account.check_after_proof(parsed.authzid.as_deref())?;
        let rspauth = format!("rspauth={}", input.response_value("")).into_bytes();
        self.state = State::AwaitEmptyResponse(parsed);
        Ok(ServerStep::Challenge(rspauth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Account, ClientCredentials};

    fn server() -> DigestMd5Server {
        DigestMd5Server::with_nonce("example.com", "xmpp", "example.com", "bm9uY2U")
    }

    fn response_for(uri_host: &str, tweak: impl Fn(String) -> String) -> Vec<u8> {
        let creds = ClientCredentials::new("juliet", "r0m30");
        let mut c =
            super::super::DigestMd5Client::with_cnonce(&creds, "xmpp", uri_host, "Y24").unwrap();
        let mut s = server();
        let ServerStep::Challenge(challenge) = s.initial(None).unwrap() else {
            panic!("expected a challenge")
        };
        tweak(String::from_utf8(c.respond(&challenge).unwrap()).unwrap()).into_bytes()
    }

    fn invalid(name: &'static str) -> SaslError {
        SaslError::malformed(
            MessageKind::DigestResponse,
            Malformation::InvalidDirective { name },
        )
    }

    #[test]
    fn full_exchange_and_wrong_password() {
        let mut s = server();
        s.initial(Some(b"")).unwrap();
        let response = response_for("example.com", |r| r);
        let ServerStep::NeedCredentials(req) = s.respond(&response).unwrap() else {
            panic!("expected a credential request")
        };
        assert_eq!(
            (req.authcid.as_str(), req.realm.as_deref()),
            ("juliet", Some("example.com"))
        );
        assert!(matches!(
            s.provide(CredentialAnswer::Found(Account::with_password("r0m30"))),
            Ok(ServerStep::Challenge(c)) if c.starts_with(b"rspauth=")
        ));
        assert_eq!(
            s.respond(b"x"),
            Err(SaslError::malformed(
                MessageKind::Response,
                Malformation::UnexpectedData
            ))
        );
        let mut s = server();
        s.initial(None).unwrap();
        s.respond(&response).unwrap();
        assert_eq!(
            s.provide(CredentialAnswer::Found(Account::with_password("wrong"))),
            Err(SaslError::AuthenticationFailed)
        );
        let mut s = server();
        s.initial(None).unwrap();
        s.respond(&response).unwrap();
        let keys_only = crate::scram::ScramKeys::derive(
            crate::scram::ScramHash::Sha1,
            &crate::Password::new("r0m30"),
            b"s",
            1,
        )
        .unwrap();
        assert_eq!(
            s.provide(CredentialAnswer::Found(Account::with_scram_keys(keys_only))),
            Err(SaslError::AuthenticationFailed)
        );
    }

    #[test]
    fn response_checks() {
        let cases: Vec<(Vec<u8>, SaslError)> = vec![
            (response_for("other.example", |r| r), invalid("digest-uri")),
            (
                response_for("example.com", |r| r.replace("nc=00000001", "nc=00000002")),
                invalid("nc"),
            ),
            (
                response_for("example.com", |r| r.replace("qop=auth", "qop=auth-int")),
                invalid("qop"),
            ),
            (
                response_for("example.com", |r| {
                    r.replace("realm=\"example.com\"", "realm=\"evil\"")
                }),
                invalid("realm"),
            ),
            (
                response_for("example.com", |r| r.replace("bm9uY2U", "b3RoZXI")),
                SaslError::NonceMismatch,
            ),
            (
                response_for("example.com", |r| r.replace(",response=", ",response=zz")),
                invalid("response"),
            ),
            (
                b"".to_vec(),
                SaslError::malformed(MessageKind::DigestResponse, Malformation::Empty),
            ),
            (
                b"username=\"\",nonce=\"bm9uY2U\"".to_vec(),
                SaslError::EmptyField {
                    field: Field::Username,
                },
            ),
        ];
        for (response, expected) in cases {
            let mut s = server();
            s.initial(None).unwrap();
            assert_eq!(
                s.respond(&response),
                Err(expected),
                "{}",
                String::from_utf8_lossy(&response)
            );
        }
        let mut s = server();
        assert!(s.initial(Some(b"data")).is_err());
        assert_eq!(s.initial(None), Err(SaslError::UnexpectedStep));
        // A serv-name after the host is accepted.
        let with_serv_name = response_for("example.com", |r| {
            r.replace("xmpp/example.com", "xmpp/example.com/example.com")
        });
        let mut s = server();
        s.initial(None).unwrap();
        assert!(matches!(
            s.respond(&with_serv_name),
            Ok(ServerStep::NeedCredentials(_))
        ));
    }
}
