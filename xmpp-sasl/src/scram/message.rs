//! Parsing of the four SCRAM messages (RFC 5802 §7) and the `saslname` escaping.

use super::ScramServerError;
use crate::SaslError;
use crate::encoding::b64_decode;
use crate::error::{Field, Malformation, MessageKind};

/// The gs2 channel-binding flag as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CbFlag {
    /// `n`.
    NotSupported,
    /// `y`.
    ServerLacksSupport,
    /// `p=<cb-name>`.
    Bound(String),
}

/// A parsed `client-first-message`.
#[derive(Debug, Clone)]
pub(crate) struct ClientFirst {
    /// The gs2 header exactly as received, including its final `,`.
    pub(crate) gs2_header: String,
    pub(crate) flag: CbFlag,
    /// The unescaped authzid, if present.
    pub(crate) authzid: Option<String>,
    /// The unescaped (not yet prepared) user name.
    pub(crate) username: String,
    pub(crate) nonce: String,
    /// `client-first-message-bare`.
    pub(crate) bare: String,
}

/// A parsed `server-first-message`.
#[derive(Debug, Clone)]
pub(crate) struct ServerFirst {
    pub(crate) nonce: String,
    pub(crate) salt: Vec<u8>,
    pub(crate) iterations: u32,
}

/// A parsed `client-final-message`.
#[derive(Debug, Clone)]
pub(crate) struct ClientFinal {
    /// The decoded `c=` value.
    pub(crate) channel_binding: Vec<u8>,
    pub(crate) nonce: String,
    pub(crate) proof: Vec<u8>,
    /// `client-final-message-without-proof`.
    pub(crate) without_proof: String,
}

/// A parsed `server-final-message`.
#[derive(Debug, Clone)]
pub(crate) enum ServerFinal {
    /// `v=`: the decoded server signature.
    Verifier(Vec<u8>),
    /// `e=`.
    Error(ScramServerError),
}

fn err(message: MessageKind, what: Malformation) -> SaslError {
    SaslError::malformed(message, what)
}

fn utf8(message: MessageKind, bytes: &[u8]) -> Result<&str, SaslError> {
    if bytes.is_empty() {
        return Err(err(message, Malformation::Empty));
    }
    core::str::from_utf8(bytes).map_err(|_| err(message, Malformation::NotUtf8))
}

/// The value of attribute `name` in `part`, which must be `name=value`.
fn attr(message: MessageKind, part: Option<&str>, name: char) -> Result<&str, SaslError> {
    let part = part.ok_or(err(message, Malformation::MissingAttribute { name }))?;
    let mut chars = part.chars();
    if chars.next() == Some(name) && chars.next() == Some('=') {
        Ok(&part[2..])
    } else if part.starts_with("m=") {
        Err(err(message, Malformation::UnsupportedMandatoryExtension))
    } else {
        Err(err(message, Malformation::MissingAttribute { name }))
    }
}

/// Checks that every remaining part is an extension `ALPHA=value` (ignored otherwise).
fn extensions<'a>(
    message: MessageKind,
    parts: impl Iterator<Item = &'a str>,
) -> Result<(), SaslError> {
    for part in parts {
        let bytes = part.as_bytes();
        let well_formed = bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b'=';
        if !well_formed {
            let name = bytes
                .first()
                .filter(|b| b.is_ascii_alphabetic())
                .map_or('?', |&b| char::from(b));
            return Err(err(message, Malformation::InvalidAttribute { name }));
        }
    }
    Ok(())
}

/// `printable = %x21-2B / %x2D-7E`, at least one.
fn nonce(message: MessageKind, value: &str) -> Result<String, SaslError> {
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b',');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(err(message, Malformation::InvalidNonce))
    }
}

/// Checks that a nonce chosen by the caller is valid SCRAM `printable`.
pub(crate) fn validate_nonce(value: &str) -> Result<(), SaslError> {
    if value.is_empty() {
        return Err(SaslError::EmptyField {
            field: Field::Nonce,
        });
    }
    nonce(MessageKind::ScramClientFirst, value).map(|_| ())
}

fn base64_attr(message: MessageKind, value: &str, name: char) -> Result<Vec<u8>, SaslError> {
    b64_decode(value).ok_or(err(message, Malformation::InvalidAttribute { name }))
}

/// Escapes a name for SCRAM: `,` as `=2C`, `=` as `=3D`.
pub(crate) fn escape_saslname(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            ',' => out.push_str("=2C"),
            '=' => out.push_str("=3D"),
            c => out.push(c),
        }
    }
    out
}

/// Reverses [`escape_saslname`]; any other `=` sequence is an error.
pub(crate) fn unescape_saslname(message: MessageKind, name: &str) -> Result<String, SaslError> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(pos) = rest.find('=') {
        out.push_str(&rest[..pos]);
        let escape = rest.get(pos..pos + 3);
        match escape {
            Some("=2C") => out.push(','),
            Some("=3D") => out.push('='),
            _ => return Err(err(message, Malformation::InvalidEscape)),
        }
        rest = &rest[pos + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

fn cb_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// Parses a `client-first-message`.
pub(crate) fn parse_client_first(bytes: &[u8]) -> Result<ClientFirst, SaslError> {
    const M: MessageKind = MessageKind::ScramClientFirst;
    let text = utf8(M, bytes)?;
    let gs2_bad = || err(M, Malformation::InvalidGs2Header);
    let (flag_text, rest) = text.split_once(',').ok_or_else(gs2_bad)?;
    let flag = match flag_text {
        "n" => CbFlag::NotSupported,
        "y" => CbFlag::ServerLacksSupport,
        _ => match flag_text.strip_prefix("p=") {
            Some(name) if cb_name_ok(name) => CbFlag::Bound(name.to_owned()),
            _ => return Err(gs2_bad()),
        },
    };
    let (authzid_text, bare) = rest.split_once(',').ok_or_else(gs2_bad)?;
    let authzid = if authzid_text.is_empty() {
        None
    } else {
        let raw = authzid_text.strip_prefix("a=").ok_or_else(gs2_bad)?;
        if raw.is_empty() {
            return Err(gs2_bad());
        }
        Some(unescape_saslname(M, raw)?)
    };
    let gs2_len = text.len() - bare.len();
    let mut parts = bare.split(',');
    let username = unescape_saslname(M, attr(M, parts.next(), 'n')?)?;
    if username.is_empty() {
        return Err(SaslError::EmptyField {
            field: Field::Username,
        });
    }
    let nonce = nonce(M, attr(M, parts.next(), 'r')?)?;
    extensions(M, parts)?;
    Ok(ClientFirst {
        gs2_header: text[..gs2_len].to_owned(),
        flag,
        authzid,
        username,
        nonce,
        bare: bare.to_owned(),
    })
}

/// Parses a `server-first-message`.
pub(crate) fn parse_server_first(bytes: &[u8]) -> Result<ServerFirst, SaslError> {
    const M: MessageKind = MessageKind::ScramServerFirst;
    let text = utf8(M, bytes)?;
    let mut parts = text.split(',');
    let nonce = nonce(M, attr(M, parts.next(), 'r')?)?;
    let salt = base64_attr(M, attr(M, parts.next(), 's')?, 's')?;
    if salt.is_empty() {
        return Err(err(M, Malformation::InvalidAttribute { name: 's' }));
    }
    let count = attr(M, parts.next(), 'i')?;
    let iterations = if !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()) {
        count.parse::<u32>().ok().filter(|&i| i > 0)
    } else {
        None
    };
    let iterations = iterations.ok_or(err(M, Malformation::InvalidIterationCount))?;
    extensions(M, parts)?;
    Ok(ServerFirst {
        nonce,
        salt,
        iterations,
    })
}

/// Parses a `client-final-message`.
pub(crate) fn parse_client_final(bytes: &[u8]) -> Result<ClientFinal, SaslError> {
    const M: MessageKind = MessageKind::ScramClientFinal;
    let text = utf8(M, bytes)?;
    let (without_proof, proof_part) = text
        .rsplit_once(',')
        .ok_or(err(M, Malformation::MissingAttribute { name: 'p' }))?;
    let proof = base64_attr(M, attr(M, Some(proof_part), 'p')?, 'p')?;
    let mut parts = without_proof.split(',');
    let channel_binding = base64_attr(M, attr(M, parts.next(), 'c')?, 'c')?;
    let nonce = nonce(M, attr(M, parts.next(), 'r')?)?;
    extensions(M, parts)?;
    Ok(ClientFinal {
        channel_binding,
        nonce,
        proof,
        without_proof: without_proof.to_owned(),
    })
}

/// Parses a `server-final-message`.
pub(crate) fn parse_server_final(bytes: &[u8]) -> Result<ServerFinal, SaslError> {
    const M: MessageKind = MessageKind::ScramServerFinal;
    let text = utf8(M, bytes)?;
    let mut parts = text.split(',');
    let first = parts.next();
    if let Some(value) = first.and_then(|p| p.strip_prefix("e=")) {
        return Ok(ServerFinal::Error(ScramServerError::from_value(value)));
    }
    let verifier = base64_attr(M, attr(M, first, 'v')?, 'v')?;
    extensions(M, parts)?;
    Ok(ServerFinal::Verifier(verifier))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn malformed(r: Result<impl core::fmt::Debug, SaslError>) -> Malformation {
        match r {
            Err(SaslError::Malformed { what, .. }) => what,
            other => panic!("expected malformed, got {other:?}"),
        }
    }

    #[test]
    fn client_first_rfc5802() {
        let cf = parse_client_first(b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL").unwrap();
        assert_eq!(cf.gs2_header, "n,,");
        assert_eq!(cf.flag, CbFlag::NotSupported);
        assert_eq!(cf.authzid, None);
        assert_eq!(cf.username, "user");
        assert_eq!(cf.nonce, "fyko+d2lbbFgONRv9qkxdawL");
        assert_eq!(cf.bare, "n=user,r=fyko+d2lbbFgONRv9qkxdawL");
    }

    #[test]
    fn client_first_variants() {
        let cf = parse_client_first(b"p=tls-exporter,a=ad=2Cmin=3D,n=a=3Db=2Cc,r=x,q=ext").unwrap();
        assert_eq!(cf.flag, CbFlag::Bound("tls-exporter".into()));
        assert_eq!(cf.authzid.as_deref(), Some("ad,min="));
        assert_eq!(cf.username, "a=b,c");
        assert_eq!(cf.gs2_header, "p=tls-exporter,a=ad=2Cmin=3D,");
        let cf = parse_client_first(b"y,,n=u,r=x").unwrap();
        assert_eq!(cf.flag, CbFlag::ServerLacksSupport);
    }

    #[test]
    fn client_first_errors() {
        use Malformation::*;
        assert_eq!(malformed(parse_client_first(b"")), Empty);
        assert_eq!(malformed(parse_client_first(b"n,,n=\xff,r=x")), NotUtf8);
        assert_eq!(
            malformed(parse_client_first(b"x,,n=u,r=x")),
            InvalidGs2Header
        );
        assert_eq!(
            malformed(parse_client_first(b"p=,,n=u,r=x")),
            InvalidGs2Header
        );
        assert_eq!(
            malformed(parse_client_first(b"p=a b,,n=u,r=x")),
            InvalidGs2Header
        );
        assert_eq!(
            malformed(parse_client_first(b"n,b=u,n=u,r=x")),
            InvalidGs2Header
        );
        assert_eq!(
            malformed(parse_client_first(b"n,a=,n=u,r=x")),
            InvalidGs2Header
        );
        assert_eq!(malformed(parse_client_first(b"n")), InvalidGs2Header);
        assert_eq!(
            malformed(parse_client_first(b"n,,")),
            MissingAttribute { name: 'n' }
        );
        assert_eq!(
            malformed(parse_client_first(b"n,,n=u")),
            MissingAttribute { name: 'r' }
        );
        assert_eq!(
            malformed(parse_client_first(b"n,,r=x,n=u")),
            MissingAttribute { name: 'n' }
        );
        assert_eq!(
            malformed(parse_client_first(b"n,,m=ext,n=u,r=x")),
            UnsupportedMandatoryExtension
        );
        assert_eq!(
            malformed(parse_client_first(b"n,,n=a=2c,r=x")),
            InvalidEscape
        );
        assert_eq!(malformed(parse_client_first(b"n,,n=a=,r=x")), InvalidEscape);
        assert_eq!(malformed(parse_client_first(b"n,,n=u,r=")), InvalidNonce);
        assert_eq!(malformed(parse_client_first(b"n,,n=u,r=a b")), InvalidNonce);
        assert_eq!(
            malformed(parse_client_first(b"n,,n=u,r=x,=")),
            InvalidAttribute { name: '?' }
        );
        assert_eq!(
            malformed(parse_client_first(b"n,,n=u,r=x,")),
            InvalidAttribute { name: '?' }
        );
        assert_eq!(
            parse_client_first(b"n,,n=,r=x").unwrap_err(),
            SaslError::EmptyField {
                field: Field::Username
            }
        );
    }

    #[test]
    fn server_first_and_errors() {
        let sf = parse_server_first(b"r=abc,s=QSXCR+Q6sek8bf92,i=4096").unwrap();
        assert_eq!(
            (sf.nonce.as_str(), sf.salt.len(), sf.iterations),
            ("abc", 12, 4096)
        );
        use Malformation::*;
        assert_eq!(
            malformed(parse_server_first(b"m=x,r=a,s=QQ==,i=1")),
            UnsupportedMandatoryExtension
        );
        assert_eq!(
            malformed(parse_server_first(b"r=a,s=Q,i=1")),
            InvalidAttribute { name: 's' }
        );
        assert_eq!(
            malformed(parse_server_first(b"r=a,s=,i=1")),
            InvalidAttribute { name: 's' }
        );
        for i in ["0", "", "-1", "+5", "4294967296", "1e3", " 5"] {
            let m = format!("r=a,s=QQ==,i={i}");
            assert_eq!(
                malformed(parse_server_first(m.as_bytes())),
                InvalidIterationCount,
                "{i}"
            );
        }
        assert_eq!(
            malformed(parse_server_first(b"r=a,s=QQ==")),
            MissingAttribute { name: 'i' }
        );
        assert!(parse_server_first(b"r=a,s=QQ==,i=4294967295,x=ext").is_ok());
    }

    #[test]
    fn client_final_and_server_final() {
        let cf = parse_client_final(b"c=biws,r=abc,p=dHzb").unwrap();
        assert_eq!(cf.channel_binding, b"n,,");
        assert_eq!(cf.without_proof, "c=biws,r=abc");
        assert_eq!(cf.proof, [0x74, 0x7c, 0xdb]);
        use Malformation::*;
        assert_eq!(
            malformed(parse_client_final(b"c=biws,r=abc")),
            MissingAttribute { name: 'p' }
        );
        assert_eq!(
            malformed(parse_client_final(b"c=biws,p=dHzb")),
            MissingAttribute { name: 'r' }
        );
        assert_eq!(
            malformed(parse_client_final(b"c=b!ws,r=a,p=dHzb")),
            InvalidAttribute { name: 'c' }
        );
        assert_eq!(
            malformed(parse_client_final(b"c=biws,r=a,p=*")),
            InvalidAttribute { name: 'p' }
        );
        assert_eq!(
            malformed(parse_client_final(b"p=dHzb")),
            MissingAttribute { name: 'p' }
        );
        assert!(matches!(
            parse_server_final(b"v=dHzb").unwrap(),
            ServerFinal::Verifier(v) if v.len() == 3
        ));
        assert!(matches!(
            parse_server_final(b"e=invalid-proof").unwrap(),
            ServerFinal::Error(ScramServerError::InvalidProof)
        ));
        assert_eq!(
            malformed(parse_server_final(b"x=1")),
            MissingAttribute { name: 'v' }
        );
    }

    #[test]
    fn escaping_round_trips() {
        for s in ["", "a", ",", "=", "a,b=c", "=2C", "日本,="] {
            let e = escape_saslname(s);
            assert!(!e.contains(','));
            assert_eq!(
                unescape_saslname(MessageKind::ScramClientFirst, &e).unwrap(),
                s
            );
        }
        assert!(validate_nonce("abc").is_ok());
        assert!(validate_nonce("a,c").is_err());
        assert_eq!(
            validate_nonce(""),
            Err(SaslError::EmptyField {
                field: Field::Nonce
            })
        );
    }
}
