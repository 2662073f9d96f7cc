//! The details an error names: which message, which field, what was malformed.

use core::fmt;

/// Which SASL message an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageKind {
    /// The PLAIN message (`authzid NUL authcid NUL password`).
    PlainMessage,
    /// SCRAM `client-first-message`.
    ScramClientFirst,
    /// SCRAM `server-first-message`.
    ScramServerFirst,
    /// SCRAM `client-final-message`.
    ScramClientFinal,
    /// SCRAM `server-final-message`.
    ScramServerFinal,
    /// DIGEST-MD5 `digest-challenge`.
    DigestChallenge,
    /// DIGEST-MD5 `digest-response`.
    DigestResponse,
    /// DIGEST-MD5 `response-auth` (`rspauth=…`).
    DigestResponseAuth,
    /// The additional data of `<success/>`.
    SuccessData,
    /// A challenge arriving when the mechanism expects none.
    Challenge,
    /// A response arriving when the mechanism expects none.
    Response,
    /// The XMPP element that carries a SASL message (`<auth/>`, `<response/>`,
    /// `<abort/>`; RFC 6120 §6.4) with an attribute, child or text it may not have.
    /// Reported by the XMPP layer, which reads the element; never by this crate's
    /// machines, which see only the decoded message.
    XmppElement,
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MessageKind::PlainMessage => "PLAIN message",
            MessageKind::ScramClientFirst => "SCRAM client-first-message",
            MessageKind::ScramServerFirst => "SCRAM server-first-message",
            MessageKind::ScramClientFinal => "SCRAM client-final-message",
            MessageKind::ScramServerFinal => "SCRAM server-final-message",
            MessageKind::DigestChallenge => "DIGEST-MD5 challenge",
            MessageKind::DigestResponse => "DIGEST-MD5 response",
            MessageKind::DigestResponseAuth => "DIGEST-MD5 rspauth",
            MessageKind::SuccessData => "success additional data",
            MessageKind::Challenge => "challenge",
            MessageKind::Response => "response",
            MessageKind::XmppElement => "SASL element",
        })
    }
}

/// Which identity or secret an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// The authentication identity (user name).
    Username,
    /// The password.
    Password,
    /// The authorization identity.
    Authzid,
    /// The DIGEST-MD5 realm.
    Realm,
    /// A nonce.
    Nonce,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Username => "username",
            Field::Password => "password",
            Field::Authzid => "authzid",
            Field::Realm => "realm",
            Field::Nonce => "nonce",
        })
    }
}

/// What exactly was wrong with a malformed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformation {
    /// The message is empty but must carry data.
    Empty,
    /// The message is not UTF-8.
    NotUtf8,
    /// A required attribute (SCRAM: one letter) is missing or out of order.
    MissingAttribute {
        /// The attribute letter.
        name: char,
    },
    /// An attribute is not of the form `letter=value`, or has an invalid value.
    InvalidAttribute {
        /// The attribute letter (`?` if the name itself was unreadable).
        name: char,
    },
    /// The SCRAM gs2 header is not `n,` / `y,` / `p=name,` followed by an optional `a=authzid,`.
    InvalidGs2Header,
    /// A `=` in a SCRAM name is not followed by `2C` or `3D`.
    InvalidEscape,
    /// The mandatory-extension attribute `m=` is present; no extensions are supported.
    UnsupportedMandatoryExtension,
    /// A nonce is empty or contains a character other than printable ASCII without `,`.
    InvalidNonce,
    /// The iteration count is not a positive decimal number that fits 32 bits.
    InvalidIterationCount,
    /// The SCRAM proof or signature does not have the hash's length.
    WrongDigestLength,
    /// The PLAIN message is not three NUL-separated fields.
    WrongFieldCount,
    /// The DIGEST-MD5 directive list does not follow RFC 2831's `name=value,…` syntax.
    InvalidDirectiveSyntax,
    /// A required DIGEST-MD5 directive is missing.
    MissingDirective {
        /// The directive name.
        name: &'static str,
    },
    /// A DIGEST-MD5 directive that may appear once appears twice.
    DuplicateDirective {
        /// The directive name.
        name: &'static str,
    },
    /// A DIGEST-MD5 directive has a value this implementation cannot accept.
    InvalidDirective {
        /// The directive name.
        name: &'static str,
    },
    /// The DIGEST-MD5 message has more directives than the limit.
    TooManyDirectives,
    /// The gs2 channel-binding flag does not fit the mechanism (`p=` without `-PLUS`, or a
    /// `-PLUS` mechanism without `p=`).
    ChannelBindingFlagMismatch,
    /// Data arrived where the mechanism allows none.
    UnexpectedData,
}

impl fmt::Display for Malformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformation::Empty => f.write_str("empty"),
            Malformation::NotUtf8 => f.write_str("not UTF-8"),
            Malformation::MissingAttribute { name } => write!(f, "missing attribute {name}="),
            Malformation::InvalidAttribute { name } => write!(f, "invalid attribute {name}="),
            Malformation::InvalidGs2Header => f.write_str("invalid gs2 header"),
            Malformation::InvalidEscape => f.write_str("invalid =XX escape in a name"),
            Malformation::UnsupportedMandatoryExtension => {
                f.write_str("unsupported mandatory extension m=")
            }
            Malformation::InvalidNonce => f.write_str("invalid nonce"),
            Malformation::InvalidIterationCount => f.write_str("invalid iteration count"),
            Malformation::WrongDigestLength => f.write_str("proof or signature of wrong length"),
            Malformation::WrongFieldCount => f.write_str("not three NUL-separated fields"),
            Malformation::InvalidDirectiveSyntax => f.write_str("invalid directive syntax"),
            Malformation::MissingDirective { name } => write!(f, "missing directive {name}"),
            Malformation::DuplicateDirective { name } => write!(f, "duplicate directive {name}"),
            Malformation::InvalidDirective { name } => write!(f, "unacceptable directive {name}"),
            Malformation::TooManyDirectives => f.write_str("too many directives"),
            Malformation::ChannelBindingFlagMismatch => {
                f.write_str("channel-binding flag does not fit the mechanism")
            }
            Malformation::UnexpectedData => f.write_str("unexpected data"),
        }
    }
}

/// Which configuration value a [`SaslError::InvalidParameter`](crate::SaslError) is
/// about, and what is wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Parameter {
    /// A SCRAM salt: it is empty.
    Salt,
    /// A SCRAM iteration count: it is zero.
    IterationCount,
    /// A stored SCRAM `StoredKey`: not the length of its hash's output.
    StoredKey,
    /// A stored SCRAM `ServerKey`: not the length of its hash's output.
    ServerKey,
    /// The DIGEST-MD5 host: empty, or (client) not given in
    /// [`ClientOptions::digest_md5_host`](crate::ClientOptions::digest_md5_host).
    DigestMd5Host,
    /// The DIGEST-MD5 service name: empty.
    DigestMd5Service,
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Parameter::Salt => "empty salt",
            Parameter::IterationCount => "iteration count of zero",
            Parameter::StoredKey => "StoredKey of the wrong length for its hash",
            Parameter::ServerKey => "ServerKey of the wrong length for its hash",
            Parameter::DigestMd5Host => "DIGEST-MD5 host empty or not configured",
            Parameter::DigestMd5Service => "empty DIGEST-MD5 service name",
        })
    }
}
