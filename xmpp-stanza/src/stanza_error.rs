//! Stanza errors (RFC 6120 §8.3): [`StanzaErrorCondition`], [`ErrorType`], the
//! `<error/>` child, [`StanzaError`], and building the error reply to a stanza.

use std::fmt;

use xmpp_jid::Jid;

use crate::condition::{conditions, read_error_body, write_error_body};
use crate::convert::{InvalidElement, LangText, Problem, jid_attr, other_attrs};
use crate::element::{Attribute, Element};
use crate::ns::{self, Namespace};
use crate::text::CompactStr;

conditions! {
    /// The defined stanza error conditions of RFC 6120 §8.3.3 (all 22), plus RFC
    /// 3920's `payment-required`, accepted from old peers.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum StanzaErrorCondition {
        /// §8.3.3.1: the stanza is malformed or cannot be processed.
        BadRequest = "bad-request",
        /// §8.3.3.2: an existing resource or session with the same name exists.
        Conflict = "conflict",
        /// §8.3.3.3: the feature is not implemented by the recipient.
        FeatureNotImplemented = "feature-not-implemented",
        /// §8.3.3.4: the sender lacks the permissions.
        Forbidden = "forbidden",
        /// §8.3.3.5: the recipient is gone for good (new address as content).
        Gone = "gone",
        /// §8.3.3.6: the server had an internal error.
        InternalServerError = "internal-server-error",
        /// §8.3.3.7: the addressed item or JID does not exist.
        ItemNotFound = "item-not-found",
        /// §8.3.3.8: a JID does not conform to the address format.
        JidMalformed = "jid-malformed",
        /// §8.3.3.9: the request does not meet the recipient's criteria.
        NotAcceptable = "not-acceptable",
        /// §8.3.3.10: nobody may perform the action.
        NotAllowed = "not-allowed",
        /// §8.3.3.11: the sender must authenticate first.
        NotAuthorized = "not-authorized",
        /// §8.3.3.12: a local service policy was violated.
        PolicyViolation = "policy-violation",
        /// §8.3.3.13: the recipient is temporarily unavailable.
        RecipientUnavailable = "recipient-unavailable",
        /// §8.3.3.14: the recipient moved temporarily (new address as content).
        Redirect = "redirect",
        /// §8.3.3.15: registration is required first.
        RegistrationRequired = "registration-required",
        /// §8.3.3.16: the remote server does not exist.
        RemoteServerNotFound = "remote-server-not-found",
        /// §8.3.3.17: the remote server could not be reached in time.
        RemoteServerTimeout = "remote-server-timeout",
        /// §8.3.3.18: the server lacks the resources.
        ResourceConstraint = "resource-constraint",
        /// §8.3.3.19: the service is not provided.
        ServiceUnavailable = "service-unavailable",
        /// §8.3.3.20: a subscription is required first.
        SubscriptionRequired = "subscription-required",
        /// §8.3.3.21: a condition not defined here (with an application condition).
        UndefinedCondition = "undefined-condition",
        /// §8.3.3.22: the request was not expected at this point.
        UnexpectedRequest = "unexpected-request",
        /// RFC 3920 §9.3.3 only (removed by RFC 6120); never sent by us.
        PaymentRequired = "payment-required",
    }
}

impl StanzaErrorCondition {
    /// Whether the condition is one of the 22 RFC 6120 defines.
    pub fn is_rfc6120(self) -> bool {
        self != StanzaErrorCondition::PaymentRequired
    }

    /// The error type RFC 6120 §8.3.3 associates with the condition.
    pub fn default_type(self) -> ErrorType {
        use StanzaErrorCondition as C;
        match self {
            C::BadRequest
            | C::JidMalformed
            | C::NotAcceptable
            | C::PolicyViolation
            | C::Redirect => ErrorType::Modify,
            C::Forbidden
            | C::NotAuthorized
            | C::RegistrationRequired
            | C::SubscriptionRequired
            | C::PaymentRequired => ErrorType::Auth,
            C::RecipientUnavailable
            | C::RemoteServerTimeout
            | C::ResourceConstraint
            | C::UnexpectedRequest => ErrorType::Wait,
            C::Conflict
            | C::FeatureNotImplemented
            | C::Gone
            | C::InternalServerError
            | C::ItemNotFound
            | C::NotAllowed
            | C::RemoteServerNotFound
            | C::ServiceUnavailable
            | C::UndefinedCondition => ErrorType::Cancel,
        }
    }
}

/// The `type` of a stanza error (RFC 6120 §8.3.2): what the sender should do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorType {
    /// Retry after providing credentials.
    Auth,
    /// Do not retry (unrecoverable).
    Cancel,
    /// Proceed (the condition was only a warning).
    Continue,
    /// Retry after changing the data sent.
    Modify,
    /// Retry after waiting (temporary).
    Wait,
}

impl ErrorType {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::Auth => "auth",
            ErrorType::Cancel => "cancel",
            ErrorType::Continue => "continue",
            ErrorType::Modify => "modify",
            ErrorType::Wait => "wait",
        }
    }

    /// The type for an attribute value.
    pub fn from_name(s: &str) -> Option<ErrorType> {
        Some(match s {
            "auth" => ErrorType::Auth,
            "cancel" => ErrorType::Cancel,
            "continue" => ErrorType::Continue,
            "modify" => ErrorType::Modify,
            "wait" => ErrorType::Wait,
            _ => return None,
        })
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `<error/>` child of an error stanza (RFC 6120 §8.3.2).
///
/// ```
/// use xmpp_stanza::{StanzaError, StanzaErrorCondition, ErrorType, Element};
///
/// let err = StanzaError::new(StanzaErrorCondition::ServiceUnavailable)
///     .with_text(Some("en"), "not here");
/// assert_eq!(err.error_type, ErrorType::Cancel);
/// let el = Element::from(err.clone());
/// assert_eq!(StanzaError::try_from(&el).unwrap(), err);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StanzaError {
    /// The error type.
    pub error_type: ErrorType,
    /// The defined condition.
    pub condition: StanzaErrorCondition,
    /// Character data of the condition element: the alternate address for `gone` and
    /// `redirect` (RFC 6120 §8.3.3.5, §8.3.3.14).
    pub detail: Option<CompactStr>,
    /// The entity that generated the error (`by`).
    pub by: Option<Jid>,
    /// Descriptive `<text/>` elements.
    pub text: Vec<LangText>,
    /// Other child elements: the application-specific condition and anything else.
    pub other: Vec<Element>,
    /// Attributes other than `type` and `by` (such as a legacy `code`), kept.
    pub attrs: Vec<Attribute>,
}

impl StanzaError {
    /// An error with `condition` and its default type.
    pub fn new(condition: StanzaErrorCondition) -> StanzaError {
        StanzaError::with_type(condition.default_type(), condition)
    }

    /// An error with an explicit type.
    pub fn with_type(error_type: ErrorType, condition: StanzaErrorCondition) -> StanzaError {
        StanzaError {
            error_type,
            condition,
            detail: None,
            by: None,
            text: Vec::new(),
            other: Vec::new(),
            attrs: Vec::new(),
        }
    }

    /// Adds a descriptive text.
    pub fn with_text(mut self, lang: Option<&str>, text: impl Into<CompactStr>) -> StanzaError {
        self.text.push(LangText {
            lang: lang.map(CompactStr::from),
            text: text.into(),
        });
        self
    }

    /// Adds an application-specific condition element.
    pub fn with_app_condition(mut self, el: Element) -> StanzaError {
        self.other.push(el);
        self
    }

    /// The application-specific condition: the first other child not in the
    /// stanza-errors namespace.
    pub fn app_condition(&self) -> Option<&Element> {
        self.other.iter().find(|e| *e.ns() != ns::XMPP_STANZAS)
    }

    /// Reads the `<error/>` child of a stanza in content namespace `ns`... any namespace
    /// is accepted for `<error/>` itself (it inherits the stanza's).
    fn parse(el: &Element) -> Result<StanzaError, InvalidElement> {
        if el.name() != "error" {
            return Err(InvalidElement::bad_request(Problem::UnexpectedElement));
        }
        let error_type = match el.attr("type") {
            None => {
                return Err(InvalidElement::bad_request(Problem::MissingAttribute(
                    "type",
                )));
            }
            Some(t) => ErrorType::from_name(t).ok_or(InvalidElement::bad_request(
                Problem::InvalidAttribute("type"),
            ))?,
        };
        let by = jid_attr(el, "by")?;
        let body = read_error_body(el, ns::XMPP_STANZAS, StanzaErrorCondition::from_name, true)?;
        let condition =
            body.condition
                .ok_or(InvalidElement::bad_request(Problem::MissingChild(
                    "condition",
                )))?;
        Ok(StanzaError {
            error_type,
            condition,
            detail: body.detail,
            by,
            text: body.text,
            other: body.other,
            attrs: other_attrs(el, &["type", "by"], false),
        })
    }

    /// Writes the `<error/>` element in namespace `ns` (the stanza's).
    pub(crate) fn to_element_in(&self, ns: Namespace) -> Element {
        let stanzas = Namespace::from_static(ns::XMPP_STANZAS);
        let mut el = Element::new(CompactStr::from_static("error"), ns);
        el.set_attr("type", self.error_type.as_str());
        if let Some(by) = &self.by {
            el.set_attr("by", by.as_str());
        }
        crate::convert::push_attrs(&mut el, &self.attrs);
        write_error_body(
            &mut el,
            &stanzas,
            Some(self.condition.name()),
            self.detail.clone(),
            &self.text,
            self.other.iter().cloned(),
        );
        el
    }
}

impl TryFrom<&Element> for StanzaError {
    type Error = InvalidElement;

    /// Reads an `<error/>` element (in any namespace: it takes its stanza's).
    fn try_from(el: &Element) -> Result<StanzaError, InvalidElement> {
        StanzaError::parse(el)
    }
}

impl From<StanzaError> for Element {
    /// The `<error/>` element in `jabber:client`.
    fn from(err: StanzaError) -> Element {
        err.to_element_in(Namespace::CLIENT)
    }
}

/// Whether `stanza`, valid or not, may be answered with an error stanza: not when
/// it is itself an error (RFC 6120 §8.3.1) nor an IQ `result` (an IQ response is
/// never answered, §8.2.3). [`error_reply`] applies this rule; code that builds
/// its own replies should too.
///
/// ```
/// use xmpp_stanza::{may_answer_with_error, Element, Namespace};
///
/// let result = Element::new("iq", Namespace::CLIENT).with_attr("type", "result");
/// assert!(!may_answer_with_error(&result));
/// let get = Element::new("iq", Namespace::CLIENT).with_attr("type", "get");
/// assert!(may_answer_with_error(&get));
/// ```
pub fn may_answer_with_error(stanza: &Element) -> bool {
    match stanza.attr("type") {
        Some("error") => false,
        Some("result") => stanza.name() != "iq",
        _ => true,
    }
}

/// Builds the error reply to `stanza` (RFC 6120 §8.3.1): same element name and
/// namespace, `to` and `from` swapped, the same `id`, `type='error'`, and the
/// `<error/>` child. The original payload is not echoed. Returns `None` when the
/// stanza is itself an error (an error must never be answered with an error,
/// RFC 6120 §8.3.1) or an IQ `result` (an IQ response is never answered,
/// RFC 6120 §8.2.3).
///
/// ```
/// use xmpp_stanza::{error_reply, parse_element, NsContext, StanzaError, StanzaErrorCondition};
///
/// let iq = parse_element("<iq from='a@b/c' to='b' id='1' type='get'><q xmlns='urn:x'/></iq>",
///                        &NsContext::client()).unwrap();
/// let reply = error_reply(&iq, &StanzaError::new(StanzaErrorCondition::ServiceUnavailable)).unwrap();
/// assert_eq!(reply.to_xml_in(&NsContext::client()).unwrap(),
///     "<iq to='a@b/c' from='b' id='1' type='error'><error type='cancel'>\
///      <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
/// ```
pub fn error_reply(stanza: &Element, error: &StanzaError) -> Option<Element> {
    if !may_answer_with_error(stanza) {
        return None;
    }
    let mut reply = Element::new(CompactStr::from(stanza.name()), stanza.ns().clone());
    if let Some(from) = stanza.attr("from") {
        reply.set_attr("to", from);
    }
    if let Some(to) = stanza.attr("to") {
        reply.set_attr("from", to);
    }
    if let Some(id) = stanza.attr("id") {
        reply.set_attr("id", id);
    }
    reply.set_attr("type", "error");
    reply.append_child(error.to_element_in(stanza.ns().clone()));
    Some(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_22_rfc6120_conditions() {
        let rfc6120 = StanzaErrorCondition::ALL
            .iter()
            .filter(|c| c.is_rfc6120())
            .count();
        assert_eq!(rfc6120, 22);
        for c in StanzaErrorCondition::ALL {
            assert_eq!(StanzaErrorCondition::from_name(c.name()), Some(*c));
            let err = StanzaError::new(*c);
            assert_eq!(err.error_type, c.default_type());
            let back = StanzaError::try_from(&Element::from(err.clone())).unwrap();
            assert_eq!(back, err);
        }
    }

    #[test]
    fn full_syntax_round_trips() {
        let err = StanzaError::with_type(ErrorType::Modify, StanzaErrorCondition::Redirect);
        let err = StanzaError {
            detail: Some("xmpp:romeo@afterwards.example".into()),
            by: Some(Jid::new("example.com").unwrap()),
            attrs: vec![Attribute::new("code", "302")],
            ..err
        }
        .with_text(Some("en"), "moved")
        .with_app_condition(Element::new("special", "http://example.org/ns"));
        let back = StanzaError::try_from(&Element::from(err.clone())).unwrap();
        assert_eq!(back, err);
        assert_eq!(back.app_condition().map(Element::name), Some("special"));
    }

    #[test]
    fn invalid_errors() {
        let e = Element::new("error", Namespace::CLIENT);
        assert_eq!(
            StanzaError::try_from(&e).unwrap_err().problem(),
            Problem::MissingAttribute("type")
        );
        let e = e.with_attr("type", "later");
        assert_eq!(
            StanzaError::try_from(&e).unwrap_err().problem(),
            Problem::InvalidAttribute("type")
        );
        let e = e.with_attr("type", "cancel");
        assert_eq!(
            StanzaError::try_from(&e).unwrap_err().problem(),
            Problem::MissingChild("condition")
        );
        let e = e.with_attr("by", "@@");
        assert_eq!(
            StanzaError::try_from(&e).unwrap_err().condition(),
            StanzaErrorCondition::JidMalformed
        );
    }

    #[test]
    fn never_answer_an_error() {
        let e = Element::new("message", Namespace::CLIENT).with_attr("type", "error");
        assert!(error_reply(&e, &StanzaError::new(StanzaErrorCondition::BadRequest)).is_none());
    }

    #[test]
    fn never_answer_an_iq_response() {
        let bad = StanzaError::new(StanzaErrorCondition::BadRequest);
        // An invalid result (no id) is dropped, not answered (RFC 6120 §8.2.3).
        let result = Element::new("iq", Namespace::CLIENT).with_attr("type", "result");
        assert!(error_reply(&result, &bad).is_none());
        // A request is answered; a message of an unknown type 'result' too.
        let get = Element::new("iq", Namespace::CLIENT).with_attr("type", "get");
        assert!(error_reply(&get, &bad).is_some());
        let message = Element::new("message", Namespace::CLIENT).with_attr("type", "result");
        assert!(error_reply(&message, &bad).is_some());
    }
}
