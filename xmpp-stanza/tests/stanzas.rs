//! Typed stanzas through the public API: each type's fields, losslessness, invalid
//! input and the stanza error condition it answers with, and reply helpers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/samples.rs"]
mod samples;

use xmpp_jid::Jid;
use xmpp_stanza::{
    Bind, Blocking, Element, ErrorType, InvalidElement, Iq, IqPayload, Message, MessageType,
    NsContext, Presence, PresenceType, Privacy, Problem, Roster, Sasl, Show, Stanza, StanzaError,
    StanzaErrorCondition as Cond, parse_element,
};

fn el(xml: &str) -> Element {
    parse_element(xml, &NsContext::client()).unwrap()
}

fn xml(e: impl Into<Element>) -> String {
    e.into().to_xml_in(&NsContext::client()).unwrap()
}

fn invalid(xml: &str) -> (Problem, Cond) {
    let e = Stanza::try_from(el(xml)).expect_err(xml);
    assert_eq!(
        e.element(),
        &el(xml),
        "the element is handed back untouched"
    );
    (e.problem(), e.condition())
}

#[test]
fn message_fields() {
    let m = Message::try_from(el(
        "<message from='juliet@example.com/balcony' to='romeo@example.net' id='m1' \
         type='groupchat' xml:lang='en'><subject>Plans</subject><body>Hi</body>\
         <body xml:lang='de'>Hallo</body><thread parent='p1'>t1</thread></message>",
    ))
    .unwrap();
    assert_eq!(
        m.from.as_ref().map(Jid::as_str),
        Some("juliet@example.com/balcony")
    );
    assert_eq!(m.kind, Some(MessageType::Groupchat));
    assert_eq!(m.lang.as_deref(), Some("en"));
    assert_eq!(m.bodies.len(), 2);
    assert_eq!(m.body(), Some("Hi"));
    assert_eq!(m.subject(), Some("Plans"));
    let thread = m.thread.as_ref().unwrap();
    assert_eq!(
        (thread.id.as_str(), thread.parent.as_deref()),
        ("t1", Some("p1"))
    );
    assert_eq!(Message::try_from(el(&xml(m.clone()))).unwrap(), m);
    // Absent type is normal, and stays absent.
    let m = Message::try_from(el("<message><body>x</body></message>")).unwrap();
    assert_eq!((m.kind, m.message_type()), (None, MessageType::Normal));
    assert_eq!(xml(m), "<message><body>x</body></message>");
}

#[test]
fn unknown_children_and_attributes_are_kept() {
    let input = "<message to='romeo@example.net' type='chat' foo='bar' xmlns:x='urn:x' x:y='z'>\
        <body>hi</body><active xmlns='http://jabber.org/protocol/chatstates'/>\
        <unknown>kept too</unknown></message>";
    let m = Message::try_from(el(input)).unwrap();
    assert_eq!(m.payloads.len(), 2);
    assert_eq!(m.attrs.len(), 2);
    assert!(el(&xml(m)).eq_ignoring_child_order(&el(input)));
    let input = "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/>\
        <x xmlns='vcard-temp:x:update'><photo/></x></presence>";
    let p = Presence::try_from(el(input)).unwrap();
    assert_eq!(p.payloads.len(), 2);
    assert_eq!(el(&xml(p)), el(input));
}

/// RFC 6121 §5.2.2: a message whose `type` the application does not understand is
/// of type `normal` — not an error. The value is kept and written back.
#[test]
fn unknown_message_type_is_normal() {
    let input = "<message type='private' to='romeo@example.net'><body>hi</body></message>";
    let m = Message::try_from(el(input)).unwrap();
    assert_eq!(m.kind, None);
    assert_eq!(m.message_type(), MessageType::Normal);
    assert_eq!(m.body(), Some("hi"));
    assert_eq!(el(&xml(m.clone())), el(input));
    // A modelled type set by the application wins over the kept one.
    let chat = Message {
        kind: Some(MessageType::Chat),
        ..m
    };
    assert_eq!(Element::from(chat).attr("type"), Some("chat"));
}

#[test]
fn invalid_messages() {
    assert_eq!(
        invalid("<message to='@example.com'/>"),
        (Problem::InvalidAttribute("to"), Cond::JidMalformed)
    );
    assert_eq!(
        invalid("<message from='a@b/'/>"),
        (Problem::InvalidAttribute("from"), Cond::JidMalformed)
    );
    assert_eq!(
        invalid("<message>hello</message>"),
        (Problem::UnexpectedText, Cond::BadRequest)
    );
    assert_eq!(
        invalid("<message><body>a</body><body>b</body></message>"),
        (Problem::DuplicateChild("body"), Cond::BadRequest)
    );
    assert_eq!(
        invalid(
            "<message><subject xml:lang='en'>a</subject><subject xml:lang='en'>b</subject></message>"
        ),
        (Problem::DuplicateChild("subject"), Cond::BadRequest)
    );
    // RFC 6121 §5.2.3: the language of a body is its own xml:lang or the one it
    // inherits; a body without xml:lang is in the stanza's language.
    assert_eq!(
        invalid("<message xml:lang='en'><body>a</body><body xml:lang='en'>b</body></message>"),
        (Problem::DuplicateChild("body"), Cond::BadRequest)
    );
    assert_eq!(
        invalid(
            "<presence xml:lang='de'><status xml:lang='de'>a</status><status>b</status></presence>"
        ),
        (Problem::DuplicateChild("status"), Cond::BadRequest)
    );
    assert!(
        Message::try_from(el(
            "<message xml:lang='en'><body>a</body><body xml:lang='fr'>b</body></message>"
        ))
        .is_ok()
    );
    assert_eq!(
        invalid("<message><body><b>x</b></body></message>"),
        (Problem::InvalidChild("body"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<message><thread/></message>"),
        (Problem::InvalidChild("thread"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<message><thread>a</thread><thread>b</thread></message>"),
        (Problem::DuplicateChild("thread"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<message type='error'/>"),
        (Problem::MissingChild("error"), Cond::BadRequest)
    );
}

#[test]
fn presence_fields_and_invalid_presence() {
    let p = Presence::try_from(el(
        "<presence type='unavailable'><status>gone</status><status xml:lang='fr'>parti</status></presence>",
    ))
    .unwrap();
    assert_eq!(p.kind, Some(PresenceType::Unavailable));
    assert_eq!(p.status(), Some("gone"));
    for t in [
        "subscribe",
        "subscribed",
        "unsubscribe",
        "unsubscribed",
        "probe",
    ] {
        let p = Presence::try_from(el(&format!("<presence type='{t}'/>"))).unwrap();
        assert_eq!(p.kind.map(|k| k.as_str()), Some(t));
    }
    for (s, show) in [
        ("away", Show::Away),
        ("chat", Show::Chat),
        ("dnd", Show::Dnd),
        ("xa", Show::Xa),
    ] {
        let p = Presence::try_from(el(&format!("<presence><show>{s}</show></presence>"))).unwrap();
        assert_eq!(p.show, Some(show));
    }
    for prio in [-128, 0, 127] {
        let p = Presence::try_from(el(&format!(
            "<presence><priority>{prio}</priority></presence>"
        )))
        .unwrap();
        assert_eq!(p.priority, Some(prio as i8));
    }
    assert_eq!(
        invalid("<presence type='available'/>"),
        (Problem::InvalidAttribute("type"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<presence type='busy'/>"),
        (Problem::InvalidAttribute("type"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<presence><priority>300</priority></presence>"),
        (Problem::InvalidChild("priority"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<presence><priority>-129</priority></presence>"),
        (Problem::InvalidChild("priority"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<presence><priority>high</priority></presence>"),
        (Problem::InvalidChild("priority"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<presence><priority>1</priority><priority>2</priority></presence>"),
        (Problem::DuplicateChild("priority"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<presence><show>busy</show></presence>"),
        (Problem::InvalidChild("show"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<presence><show>away</show><show>xa</show></presence>"),
        (Problem::DuplicateChild("show"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<presence><status>a</status><status>b</status></presence>"),
        (Problem::DuplicateChild("status"), Cond::BadRequest)
    );
}

#[test]
fn iq_payload_rules() {
    assert!(matches!(
        Iq::try_from(el("<iq id='1' type='get'><q xmlns='urn:q'/></iq>"))
            .unwrap()
            .payload,
        IqPayload::Get(_)
    ));
    assert!(matches!(
        Iq::try_from(el("<iq id='1' type='set'>\n <q xmlns='urn:q'/>\n</iq>"))
            .unwrap()
            .payload,
        IqPayload::Set(_)
    ));
    assert_eq!(
        Iq::try_from(el("<iq id='1' type='result'/>"))
            .unwrap()
            .payload,
        IqPayload::Result(None)
    );
    assert!(matches!(
        Iq::try_from(el("<iq id='1' type='result'><q xmlns='urn:q'/></iq>"))
            .unwrap()
            .payload,
        IqPayload::Result(Some(_))
    ));
    let e = Iq::try_from(el(
        "<iq id='1' type='error'><q xmlns='urn:q'/><error type='cancel'>\
         <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    ))
    .unwrap();
    let IqPayload::Error { error, other } = &e.payload else {
        panic!()
    };
    assert_eq!(error.condition, Cond::ServiceUnavailable);
    assert_eq!(other.len(), 1);
    assert_eq!(
        invalid("<iq id='1' type='get'/>"),
        (Problem::PayloadCount, Cond::BadRequest)
    );
    assert_eq!(
        invalid("<iq id='1' type='get'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>"),
        (Problem::PayloadCount, Cond::BadRequest)
    );
    assert_eq!(
        invalid("<iq id='1' type='result'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>"),
        (Problem::PayloadCount, Cond::BadRequest)
    );
    assert_eq!(
        invalid("<iq type='get'><a xmlns='urn:a'/></iq>"),
        (Problem::MissingAttribute("id"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<iq id='1'><a xmlns='urn:a'/></iq>"),
        (Problem::MissingAttribute("type"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<iq id='1' type='fetch'/>"),
        (Problem::InvalidAttribute("type"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<iq id='1' type='error'/>"),
        (Problem::MissingChild("error"), Cond::BadRequest)
    );
    assert_eq!(
        invalid("<iq id='1' type='set'>text<a xmlns='urn:a'/></iq>"),
        (Problem::UnexpectedText, Cond::BadRequest)
    );
}

#[test]
fn replies() {
    let iq = Iq::try_from(el(
        "<iq from='juliet@example.com/balcony' to='example.com' id='r1' type='get'>\
                               <query xmlns='jabber:iq:roster'/></iq>",
    ))
    .unwrap();
    let result = iq.result_reply(None).unwrap();
    assert_eq!(
        xml(result.clone()),
        "<iq from='example.com' to='juliet@example.com/balcony' id='r1' type='result'/>"
    );
    assert!(
        result.result_reply(None).is_none(),
        "a result is not answered"
    );
    let err = iq
        .error_reply(StanzaError::new(Cond::ItemNotFound))
        .unwrap();
    assert_eq!(
        xml(err),
        "<iq from='example.com' to='juliet@example.com/balcony' id='r1' type='error'><error type='cancel'>\
         <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
    );
    let m = Message::chat(Jid::new("romeo@example.net").unwrap(), "hi").with_id("x");
    let reply = m
        .error_reply(StanzaError::with_type(
            ErrorType::Wait,
            Cond::RecipientUnavailable,
        ))
        .unwrap();
    assert_eq!(reply.to, None);
    assert_eq!(
        reply.from.as_ref().map(Jid::as_str),
        Some("romeo@example.net")
    );
    assert!(
        reply
            .error_reply(StanzaError::new(Cond::BadRequest))
            .is_none()
    );
    let p =
        Presence::of_type(PresenceType::Subscribe).with_to(Jid::new("juliet@example.com").unwrap());
    let reply = p
        .error_reply(StanzaError::new(Cond::RemoteServerNotFound))
        .unwrap();
    assert_eq!(reply.kind, Some(PresenceType::Error));
    // An invalid stanza's reply comes from the element itself.
    let bad = Stanza::try_from(el("<presence id='p' from='a@b/c' type='nope'/>")).unwrap_err();
    assert_eq!(
        xml(bad.error_reply().unwrap()),
        "<presence to='a@b/c' id='p' type='error'><error type='modify'>\
         <bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
    );
}

#[test]
fn stanza_enum_and_server_namespace() {
    let ctx = NsContext::server();
    let e = parse_element(
        "<message from='a@b' to='c@d'><body>x</body></message>",
        &ctx,
    )
    .unwrap();
    let mut s = Stanza::try_from(e).unwrap();
    assert_eq!(s.to().map(Jid::as_str), Some("c@d"));
    s.set_from(Some(Jid::new("a@b/r").unwrap()));
    assert_eq!(s.from().map(Jid::as_str), Some("a@b/r"));
    assert_eq!(s.id(), None);
    let out = Element::from(s).to_xml_in(&ctx).unwrap();
    assert_eq!(
        out,
        "<message from='a@b/r' to='c@d'><body>x</body></message>"
    );
    // Not a stanza.
    let features = parse_element("<stream:features/>", &NsContext::client()).unwrap();
    assert!(!Stanza::is_stanza(&features));
    let err = Stanza::try_from(features).unwrap_err();
    assert_eq!(err.problem(), Problem::UnexpectedElement);
    assert!(err.error_reply().is_none());
}

/// Text-only children whose schema allows no attributes (`show`, roster `group`,
/// bind `jid`, blocking `item` beyond `jid`): an attribute there is refused with
/// bad-request rather than silently dropped (the typed value has nowhere to keep it).
#[test]
fn attributes_the_schema_does_not_allow_are_refused_not_dropped() {
    let problem = |r: Result<(), InvalidElement>| r.unwrap_err().problem();
    assert_eq!(
        invalid("<presence><show xml:lang='en'>away</show></presence>"),
        (Problem::InvalidChild("show"), Cond::BadRequest)
    );
    let group = el("<query xmlns='jabber:iq:roster'><item jid='a@b'>\
        <group xml:lang='en'>Friends</group></item></query>");
    assert_eq!(
        problem(Roster::try_from(&group).map(drop)),
        Problem::InvalidChild("group")
    );
    let jid = el("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
        <jid xml:lang='en'>a@b/c</jid></bind>");
    assert_eq!(
        problem(Bind::try_from(&jid).map(drop)),
        Problem::InvalidChild("jid")
    );
    let item = el("<block xmlns='urn:xmpp:blocking'><item jid='a@b' reason='spam'/></block>");
    assert_eq!(
        problem(Blocking::try_from(&item).map(drop)),
        Problem::InvalidChild("item")
    );
}

/// Thousands of alternate bodies or roster groups (a 256 KiB stanza holds ~8000):
/// duplicates are still found, and found without comparing every pair (the
/// pairwise check took seconds per stanza; see the `hostile` criterion group).
#[test]
fn duplicate_checks_scale_to_hostile_sizes() {
    let n = 8000;
    assert_eq!(
        Message::try_from(el(&samples::many_bodies(n)))
            .unwrap()
            .bodies
            .len(),
        n
    );
    let duplicate = samples::many_bodies(n).replace("x-7999'", "x-0'");
    assert_eq!(
        invalid(&duplicate),
        (Problem::DuplicateChild("body"), Cond::BadRequest)
    );
    let groups = el(&samples::many_groups(n));
    assert_eq!(Roster::try_from(&groups).unwrap().items[0].groups.len(), n);
    let duplicate = el(&samples::many_groups(n).replace(">g7999<", ">g0<"));
    assert_eq!(
        Roster::try_from(&duplicate).unwrap_err().problem(),
        Problem::DuplicateChild("group")
    );
}

/// An attribute a protocol element does not define is reported with the element
/// that carries it (it used to read "invalid value of attribute 'attribute'").
#[test]
fn unexpected_attributes_name_their_element() {
    let problem = |r: Result<(), InvalidElement>| r.unwrap_err().problem();
    let bind = el("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind' x='1'/>");
    assert_eq!(
        problem(Bind::try_from(&bind).map(drop)),
        Problem::UnexpectedAttribute("bind")
    );
    let unblock = el("<unblock xmlns='urn:xmpp:blocking' x='1'/>");
    assert_eq!(
        problem(Blocking::try_from(&unblock).map(drop)),
        Problem::UnexpectedAttribute("unblock")
    );
    let challenge = el("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl' x='1'/>");
    assert_eq!(
        problem(Sasl::try_from(&challenge).map(drop)),
        Problem::UnexpectedAttribute("challenge")
    );
    let item = el("<query xmlns='jabber:iq:privacy'><list name='l'>\
        <item action='deny' order='1' x='1'/></list></query>");
    assert_eq!(
        problem(Privacy::try_from(&item).map(drop)),
        Problem::UnexpectedAttribute("item")
    );
    assert_eq!(
        Problem::UnexpectedAttribute("bind").to_string(),
        "unexpected attribute on <bind/>"
    );
}
