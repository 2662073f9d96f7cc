//! SASL negotiation elements (RFC 6120 §6.4, §6.5) in
//! `urn:ietf:params:xml:ns:xmpp-sasl`: auth, challenge, response, success, failure
//! (with every §6.5 condition) and abort. Payloads are base64 on the wire and bytes
//! here. The `xmpp-sasl` crate has its own condition type; the core maps between.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::condition::{conditions, read_error_body, write_error_body};
use crate::convert::{InvalidElement, LangText, Problem, one_of, only_attrs, text_of};
use crate::element::Element;
use crate::ns::{self, Namespace};
use crate::text::CompactStr;

conditions! {
    /// The SASL failure conditions of RFC 6120 §6.5 (all 11).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum SaslCondition {
        /// §6.5.1: the initiating entity aborted.
        Aborted = "aborted",
        /// §6.5.2: the account is disabled.
        AccountDisabled = "account-disabled",
        /// §6.5.3: the credentials have expired.
        CredentialsExpired = "credentials-expired",
        /// §6.5.4: the mechanism requires an encrypted stream.
        EncryptionRequired = "encryption-required",
        /// §6.5.5: the base64 data is invalid.
        IncorrectEncoding = "incorrect-encoding",
        /// §6.5.6: the authorization identity is invalid.
        InvalidAuthzid = "invalid-authzid",
        /// §6.5.7: the mechanism is not supported (or none was named).
        InvalidMechanism = "invalid-mechanism",
        /// §6.5.8: the request is malformed.
        MalformedRequest = "malformed-request",
        /// §6.5.9: the mechanism is weaker than policy allows.
        MechanismTooWeak = "mechanism-too-weak",
        /// §6.5.10: the credentials are wrong.
        NotAuthorized = "not-authorized",
        /// §6.5.11: a temporary error; try again later.
        TemporaryAuthFailure = "temporary-auth-failure",
    }
}

/// The data of a SASL element: `None` for an empty element, `Some(bytes)` for
/// base64 content, where `=` stands for empty data (RFC 6120 §6.4.2).
pub type SaslData = Option<Vec<u8>>;

/// A `<failure/>`: the condition, optional texts, and anything else kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaslFailure {
    /// The defined condition (`None` if the peer sent none this crate knows; the
    /// element is then in `other`).
    pub condition: Option<SaslCondition>,
    /// Descriptive `<text/>` elements.
    pub text: Vec<LangText>,
    /// Other child elements, kept.
    pub other: Vec<Element>,
}

impl SaslFailure {
    /// A failure with just a condition.
    pub fn new(condition: SaslCondition) -> SaslFailure {
        SaslFailure {
            condition: Some(condition),
            text: Vec::new(),
            other: Vec::new(),
        }
    }
}

/// A SASL negotiation element.
///
/// ```
/// use xmpp_stanza::{Element, NsContext, Sasl, SaslCondition, SaslFailure, parse_element};
///
/// let auth = Sasl::Auth { mechanism: "PLAIN".into(), data: Some(b"\0juliet\0pw".to_vec()) };
/// let xml = Element::from(auth.clone()).to_xml_in(&NsContext::client()).unwrap();
/// assert_eq!(xml, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldABwdw==</auth>");
/// assert_eq!(Sasl::try_from(&parse_element(&xml, &NsContext::client()).unwrap()).unwrap(), auth);
///
/// let failure = Sasl::Failure(SaslFailure::new(SaslCondition::NotAuthorized));
/// let xml = Element::from(failure).to_xml_in(&NsContext::client()).unwrap();
/// assert_eq!(xml, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sasl {
    /// `<auth mechanism='...'>`: selects a mechanism, with an optional initial response.
    Auth {
        /// The mechanism name.
        mechanism: CompactStr,
        /// The initial response.
        data: SaslData,
    },
    /// `<challenge/>` from the receiving entity.
    Challenge(SaslData),
    /// `<response/>` from the initiating entity.
    Response(SaslData),
    /// `<success/>`, with optional additional data.
    Success(SaslData),
    /// `<failure/>`.
    Failure(SaslFailure),
    /// `<abort/>`.
    Abort,
}

/// Decodes element content as SASL data. Whitespace inside is ignored (RFC 3920
/// examples wrap long base64 lines), so content that is only whitespace is no data,
/// like an empty element; only `=` is present-but-empty data.
fn decode(el: &Element) -> Result<SaslData, InvalidElement> {
    if el.children().next().is_some() {
        return Err(InvalidElement::bad_request(Problem::InvalidChild("data")));
    }
    let text = text_of(el);
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Ok(None);
    }
    if compact == "=" {
        return Ok(Some(Vec::new()));
    }
    STANDARD
        .decode(compact.as_bytes())
        .map(Some)
        .map_err(|_| InvalidElement::bad_request(Problem::InvalidBase64))
}

fn encode(el: &mut Element, data: &SaslData) {
    match data {
        None => {}
        Some(d) if d.is_empty() => el.append_text(CompactStr::from_static("=")),
        Some(d) => el.append_text(STANDARD.encode(d)),
    }
}

fn with_data(mut el: Element, data: &SaslData) -> Element {
    encode(&mut el, data);
    el
}

impl TryFrom<&Element> for Sasl {
    type Error = InvalidElement;

    fn try_from(el: &Element) -> Result<Sasl, InvalidElement> {
        if *el.ns() != ns::XMPP_SASL {
            return Err(InvalidElement::bad_request(Problem::UnexpectedElement));
        }
        let name = one_of(
            el.name(),
            &[
                "auth",
                "challenge",
                "response",
                "success",
                "failure",
                "abort",
            ],
        )?;
        let known: &[&str] = if name == "auth" { &["mechanism"] } else { &[] };
        only_attrs(el, name, known)?;
        Ok(match name {
            "auth" => Sasl::Auth {
                mechanism: el
                    .attr("mechanism")
                    .filter(|m| !m.is_empty())
                    .map(CompactStr::from)
                    .ok_or(InvalidElement::bad_request(Problem::MissingAttribute(
                        "mechanism",
                    )))?,
                data: decode(el)?,
            },
            "challenge" => Sasl::Challenge(decode(el)?),
            "response" => Sasl::Response(decode(el)?),
            "success" => Sasl::Success(decode(el)?),
            "abort" => {
                if el.nodes().iter().any(|n| !n.is_whitespace()) {
                    return Err(InvalidElement::bad_request(Problem::InvalidChild("abort")));
                }
                Sasl::Abort
            }
            "failure" => Sasl::Failure(failure(el)?),
            _ => return Err(InvalidElement::bad_request(Problem::UnexpectedElement)),
        })
    }
}

fn failure(el: &Element) -> Result<SaslFailure, InvalidElement> {
    let body = read_error_body(el, ns::XMPP_SASL, SaslCondition::from_name, false)?;
    Ok(SaslFailure {
        condition: body.condition,
        text: body.text,
        other: body.other,
    })
}

impl From<Sasl> for Element {
    fn from(s: Sasl) -> Element {
        let ns = Namespace::from_static(ns::XMPP_SASL);
        let element = |name: &'static str| Element::new(CompactStr::from_static(name), ns.clone());
        match s {
            Sasl::Auth { mechanism, data } => {
                let mut el = element("auth");
                el.set_attr("mechanism", mechanism);
                encode(&mut el, &data);
                el
            }
            Sasl::Challenge(d) => with_data(element("challenge"), &d),
            Sasl::Response(d) => with_data(element("response"), &d),
            Sasl::Success(d) => with_data(element("success"), &d),
            Sasl::Abort => element("abort"),
            Sasl::Failure(f) => {
                let mut el = element("failure");
                let condition = f.condition.map(SaslCondition::name);
                write_error_body(&mut el, &ns, condition, None, &f.text, f.other);
                el
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_11_conditions() {
        assert_eq!(SaslCondition::ALL.len(), 11);
        for c in SaslCondition::ALL {
            let el = Element::from(Sasl::Failure(SaslFailure::new(*c)));
            assert_eq!(
                Sasl::try_from(&el).unwrap(),
                Sasl::Failure(SaslFailure::new(*c))
            );
        }
    }

    #[test]
    fn data_forms() {
        for s in [
            Sasl::Challenge(None),
            Sasl::Challenge(Some(Vec::new())),
            Sasl::Response(Some(b"n,,n=user,r=abc".to_vec())),
            Sasl::Success(Some(b"v=xyz".to_vec())),
            Sasl::Abort,
            Sasl::Auth {
                mechanism: "EXTERNAL".into(),
                data: Some(Vec::new()),
            },
        ] {
            assert_eq!(Sasl::try_from(&Element::from(s.clone())).unwrap(), s);
        }
        let wrapped = Element::new("challenge", ns::XMPP_SASL).with_text("cmVh\nbG09\n");
        assert_eq!(
            Sasl::try_from(&wrapped).unwrap(),
            Sasl::Challenge(Some(b"realm=".to_vec()))
        );
    }

    /// Only `=` means "present but empty" (RFC 6120 §6.4.2); an element holding
    /// nothing but whitespace carries no data, like an empty one.
    #[test]
    fn whitespace_only_content_is_no_data() {
        let auth = Element::new("auth", ns::XMPP_SASL)
            .with_attr("mechanism", "SCRAM-SHA-1")
            .with_text("\n  ");
        assert_eq!(
            Sasl::try_from(&auth).unwrap(),
            Sasl::Auth {
                mechanism: "SCRAM-SHA-1".into(),
                data: None
            }
        );
        let response = Element::new("response", ns::XMPP_SASL).with_text(" ");
        assert_eq!(Sasl::try_from(&response).unwrap(), Sasl::Response(None));
        let equals = Element::new("response", ns::XMPP_SASL).with_text(" = ");
        assert_eq!(
            Sasl::try_from(&equals).unwrap(),
            Sasl::Response(Some(Vec::new()))
        );
    }

    #[test]
    fn refusals() {
        let bad = Element::new("response", ns::XMPP_SASL).with_text("not base64!");
        assert_eq!(
            Sasl::try_from(&bad).unwrap_err().problem(),
            Problem::InvalidBase64
        );
        let no_mech = Element::new("auth", ns::XMPP_SASL);
        assert_eq!(
            Sasl::try_from(&no_mech).unwrap_err().problem(),
            Problem::MissingAttribute("mechanism")
        );
        assert!(Sasl::try_from(&Element::new("auth", ns::XMPP_TLS)).is_err());
        let text = Element::new("failure", ns::XMPP_SASL)
            .with_child(Element::new("not-authorized", ns::XMPP_SASL))
            .with_child(Element::new("text", ns::XMPP_SASL).with_text("bad password"))
            .with_child(Element::new("extra", "urn:x"));
        let Sasl::Failure(f) = Sasl::try_from(&text).unwrap() else {
            panic!()
        };
        assert_eq!(f.condition, Some(SaslCondition::NotAuthorized));
        assert_eq!(f.text.len(), 1);
        assert_eq!(f.other.len(), 1);
        assert_eq!(Element::from(Sasl::Failure(f)), text);
    }
}
