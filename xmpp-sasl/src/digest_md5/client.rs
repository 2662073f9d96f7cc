//! The DIGEST-MD5 client (RFC 2831, `qop=auth` only), verifying `rspauth`.

use subtle::ConstantTimeEq;

use super::compute::DigestInput;
use super::directives::{Directives, quote};
use crate::encoding::{b64_encode, check_len};
use crate::error::{Field, Malformation, MessageKind, Parameter};
use crate::{ClientCredentials, Entropy, Password, SaslError};

/// The only nonce count this implementation sends or accepts (no re-authentication).
pub(crate) const NONCE_COUNT: &str = "00000001";

enum State {
    AwaitChallenge,
    AwaitResponseAuth { expected: String },
    Verified,
    Done,
    Failed,
}

/// A DIGEST-MD5 client. **Historic** (RFC 6331 moved it to Historic): use only for servers
/// that offer nothing better. It sends no initial response; the first challenge yields the
/// digest response, and the server's `rspauth` (as a second challenge or as success data)
/// is verified before success is reported.
pub struct DigestMd5Client {
    username: String,
    password: Password,
    authzid: Option<String>,
    digest_uri: String,
    cnonce: String,
    state: State,
}

impl core::fmt::Debug for DigestMd5Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DigestMd5Client")
            .field("username", &self.username)
            .field("digest_uri", &self.digest_uri)
            .finish_non_exhaustive()
    }
}

impl DigestMd5Client {
    /// A client authenticating to `service` (`xmpp` for XMPP) on `host` (the server's
    /// domain), with a client nonce drawn from `entropy`.
    pub fn new(
        credentials: &ClientCredentials,
        service: &str,
        host: &str,
        entropy: &mut dyn Entropy,
    ) -> Result<Self, SaslError> {
        let mut random = [0u8; 18];
        entropy.fill(&mut random);
        Self::with_cnonce(credentials, service, host, &b64_encode(&random))
    }

    /// Like [`new`](Self::new) with a caller-chosen client nonce: for test vectors.
    pub fn with_cnonce(
        credentials: &ClientCredentials,
        service: &str,
        host: &str,
        cnonce: &str,
    ) -> Result<Self, SaslError> {
        if credentials.username.is_empty() {
            return Err(SaslError::EmptyField {
                field: Field::Username,
            });
        }
        if cnonce.is_empty() {
            return Err(SaslError::EmptyField {
                field: Field::Nonce,
            });
        }
        if service.is_empty() {
            return Err(SaslError::InvalidParameter {
                parameter: Parameter::DigestMd5Service,
            });
        }
        if host.is_empty() {
            return Err(SaslError::InvalidParameter {
                parameter: Parameter::DigestMd5Host,
            });
        }
        Ok(DigestMd5Client {
            username: credentials.username.clone(),
            password: credentials.password.clone(),
            authzid: credentials.authzid.clone(),
            digest_uri: format!("{service}/{host}"),
            cnonce: cnonce.to_owned(),
            state: State::AwaitChallenge,
        })
    }

    /// Answers a challenge: the digest challenge yields the digest response; the
    /// `rspauth=…` challenge is verified and answered with an empty response.
    pub fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let result = match core::mem::replace(&mut self.state, State::Failed) {
            State::AwaitChallenge => self.digest_response(challenge),
            State::AwaitResponseAuth { expected } => {
                verify_rspauth(challenge, &expected).map(|()| {
                    self.state = State::Verified;
                    Vec::new()
                })
            }
            State::Verified | State::Done | State::Failed => Err(SaslError::UnexpectedStep),
        };
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    fn digest_response(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        const M: MessageKind = MessageKind::DigestChallenge;
        check_len(challenge)?;
        let text = core::str::from_utf8(challenge)
            .map_err(|_| SaslError::malformed(M, Malformation::NotUtf8))?;
        let d = Directives::parse(M, text)?;
        let nonce = d.required("nonce")?.to_owned();
        if nonce.is_empty() {
            return Err(d.invalid("nonce"));
        }
        if let Some(qop) = d.once("qop")?
            && !qop
                .split(',')
                .any(|q| q.trim().eq_ignore_ascii_case("auth"))
        {
            return Err(d.invalid("qop"));
        }
        let charset = d.once("charset")?;
        if charset.is_some_and(|c| !c.eq_ignore_ascii_case("utf-8")) {
            return Err(d.invalid("charset"));
        }
        if !d.required("algorithm")?.eq_ignore_ascii_case("md5-sess") {
            return Err(d.invalid("algorithm"));
        }
        let realm = d.all("realm").next().map(str::to_owned);
        let input = DigestInput {
            username: &self.username,
            realm: realm.as_deref().unwrap_or(""),
            password: self.password.expose(),
            nonce: &nonce,
            cnonce: &self.cnonce,
            nc: NONCE_COUNT,
            digest_uri: &self.digest_uri,
            authzid: self.authzid.as_deref(),
        };
        let response = input.response_value("AUTHENTICATE");
        let expected = input.response_value("");
        let mut out = String::new();
        if charset.is_some() {
            out.push_str("charset=utf-8,");
        }
        out.push_str(&format!("username={}", quote(&self.username)));
        if let Some(realm) = &realm {
            out.push_str(&format!(",realm={}", quote(realm)));
        }
        out.push_str(&format!(
            ",nonce={},nc={NONCE_COUNT},cnonce={},digest-uri={},response={response},qop=auth",
            quote(&nonce),
            quote(&self.cnonce),
            quote(&self.digest_uri),
        ));
        if let Some(authzid) = &self.authzid {
            out.push_str(&format!(",authzid={}", quote(authzid)));
        }
        self.state = State::AwaitResponseAuth { expected };
        Ok(out.into_bytes())
    }

    /// Handles `<success/>`: verifies `rspauth` in the additional data unless it already
    /// arrived as a challenge. Success without a verified `rspauth` is an error.
    pub fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        let data = additional_data.filter(|d| !d.is_empty());
        let result = match (core::mem::replace(&mut self.state, State::Failed), data) {
            (State::AwaitResponseAuth { expected }, Some(data)) => verify_rspauth(data, &expected),
            (State::Verified, None) => Ok(()),
            (State::Verified, Some(_)) => Err(SaslError::malformed(
                MessageKind::SuccessData,
                Malformation::UnexpectedData,
            )),
            (State::AwaitResponseAuth { .. } | State::AwaitChallenge, _) => {
                Err(SaslError::MissingServerVerification)
            }
            (State::Done | State::Failed, _) => Err(SaslError::UnexpectedStep),
        };
        self.state = if result.is_ok() {
            State::Done
        } else {
            State::Failed
        };
        result
    }
}

fn verify_rspauth(data: &[u8], expected: &str) -> Result<(), SaslError> {
    const M: MessageKind = MessageKind::DigestResponseAuth;
    check_len(data)?;
    let text =
        core::str::from_utf8(data).map_err(|_| SaslError::malformed(M, Malformation::NotUtf8))?;
    let d = Directives::parse(M, text)?;
    let got = d.required("rspauth")?.to_ascii_lowercase();
    if got.as_bytes().ct_eq(expected.as_bytes()).into() {
        Ok(())
    } else {
        Err(SaslError::ServerSignatureMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &[u8] = b"realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,charset=utf-8";

    fn client() -> DigestMd5Client {
        let creds = ClientCredentials::new("chris", "secret");
        DigestMd5Client::with_cnonce(&creds, "imap", "elwood.innosoft.com", "OA6MHXh6VqTrRk")
            .unwrap()
    }

    fn invalid(name: &'static str) -> SaslError {
        SaslError::malformed(
            MessageKind::DigestChallenge,
            Malformation::InvalidDirective { name },
        )
    }

    #[test]
    fn rfc2831_exchange_both_ways() {
        let mut c = client();
        let response = c.respond(CHALLENGE).unwrap();
        assert_eq!(
            String::from_utf8(response).unwrap(),
            "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\",response=d388dad90d4bbd760a152321f2143af7,qop=auth"
        );
        assert_eq!(
            c.respond(b"rspauth=EA40F60335C427B5527B84DBABCDFFFD")
                .unwrap(),
            b""
        );
        c.finish(None).unwrap();
        let mut c = client();
        c.respond(CHALLENGE).unwrap();
        assert_eq!(
            c.finish(Some(b"rspauth=ea40f60335c427b5527b84dbabcdfffe")),
            Err(SaslError::ServerSignatureMismatch)
        );
        let mut c = client();
        c.respond(CHALLENGE).unwrap();
        assert_eq!(c.finish(None), Err(SaslError::MissingServerVerification));
    }

    #[test]
    fn challenge_errors() {
        let cases: [(&[u8], SaslError); 6] = [
            (
                b"realm=\"r\",qop=\"auth\",algorithm=md5-sess",
                SaslError::malformed(
                    MessageKind::DigestChallenge,
                    Malformation::MissingDirective { name: "nonce" },
                ),
            ),
            (
                b"nonce=\"n\",qop=\"auth-int\",algorithm=md5-sess",
                invalid("qop"),
            ),
            (b"nonce=\"n\",algorithm=md5", invalid("algorithm")),
            (
                b"nonce=\"n\",algorithm=md5-sess,charset=latin1",
                invalid("charset"),
            ),
            (b"nonce=\"\",algorithm=md5-sess", invalid("nonce")),
            (
                b"nonce=\"a\",nonce=\"b\",algorithm=md5-sess",
                SaslError::malformed(
                    MessageKind::DigestChallenge,
                    Malformation::DuplicateDirective { name: "nonce" },
                ),
            ),
        ];
        for (challenge, expected) in cases {
            let mut c = client();
            assert_eq!(c.respond(challenge), Err(expected));
            assert_eq!(c.respond(CHALLENGE), Err(SaslError::UnexpectedStep));
        }
        // qop absent means auth; several offered qops are fine.
        assert!(client().respond(b"nonce=\"n\",algorithm=md5-sess").is_ok());
        assert!(
            client()
                .respond(b"nonce=\"n\",qop=\"auth-conf, auth\",algorithm=md5-sess")
                .is_ok()
        );
        assert!(
            client()
                .respond(b"nonce=\"n\",algorithm=md5-sess\xff")
                .is_err()
        );
    }

    #[test]
    fn constructor_checks() {
        let creds = ClientCredentials::new("", "p");
        assert!(DigestMd5Client::with_cnonce(&creds, "xmpp", "h", "c").is_err());
        let creds = ClientCredentials::new("u", "p");
        assert!(DigestMd5Client::with_cnonce(&creds, "xmpp", "h", "").is_err());
        assert!(DigestMd5Client::with_cnonce(&creds, "xmpp", "", "c").is_err());
    }
}
