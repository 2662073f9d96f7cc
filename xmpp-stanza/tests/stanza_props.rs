//! Property tests: typed stanzas survive typed -> element -> XML -> element -> typed.

use proptest::prelude::*;
use xmpp_jid::Jid;
use xmpp_stanza::{
    Element, Iq, IqPayload, LangText, Message, MessageType, NsContext, Presence, PresenceType,
    Show, Stanza, Thread, parse_element,
};

fn jid() -> impl Strategy<Value = Option<Jid>> {
    proptest::option::of(
        (
            "[a-z]{1,6}",
            "[a-z]{1,8}\\.(com|net|example)",
            proptest::option::of("[A-Za-zé ]{1,6}"),
        )
            .prop_filter_map("valid JID", |(n, d, r)| {
                let s = match r {
                    Some(r) => format!("{n}@{d}/{r}"),
                    None => format!("{n}@{d}"),
                };
                Jid::new(&s).ok()
            }),
    )
}

fn text() -> impl Strategy<Value = String> {
    "[^\u{0}-\u{8}\u{B}\u{C}\u{E}-\u{1F}\u{FFFE}\u{FFFF}]{0,24}"
}

fn lang_texts() -> impl Strategy<Value = Vec<LangText>> {
    proptest::collection::btree_map(proptest::option::of("[a-z]{2}"), text(), 0..3).prop_map(|m| {
        m.into_iter()
            .map(|(lang, t)| LangText {
                lang: lang.map(Into::into),
                text: t.into(),
            })
            .collect()
    })
}

fn payloads() -> impl Strategy<Value = Vec<Element>> {
    proptest::collection::vec(
        ("[a-z]{1,6}", text()).prop_map(|(n, t)| Element::new(n, "urn:example:x").with_text(t)),
        0..3,
    )
}

fn message() -> impl Strategy<Value = Message> {
    let kind = proptest::option::of(proptest::sample::select(vec![
        MessageType::Chat,
        MessageType::Groupchat,
        MessageType::Headline,
        MessageType::Normal,
    ]));
    let thread = proptest::option::of(("[a-f0-9]{1,12}", proptest::option::of("[a-f0-9]{1,8}")));
    (
        jid(),
        jid(),
        proptest::option::of("[a-zA-Z0-9]{1,10}"),
        kind,
        lang_texts(),
        lang_texts(),
        thread,
        payloads(),
    )
        .prop_map(
            |(from, to, id, kind, subjects, bodies, thread, payloads)| Message {
                from,
                to,
                id: id.map(Into::into),
                kind,
                subjects,
                bodies,
                thread: thread.map(|(id, parent)| Thread {
                    id: id.into(),
                    parent: parent.map(Into::into),
                }),
                payloads,
                ..Message::new()
            },
        )
}

fn presence() -> impl Strategy<Value = Presence> {
    let kind = proptest::option::of(proptest::sample::select(vec![
        PresenceType::Probe,
        PresenceType::Subscribe,
        PresenceType::Subscribed,
        PresenceType::Unavailable,
        PresenceType::Unsubscribe,
        PresenceType::Unsubscribed,
    ]));
    let show = proptest::option::of(proptest::sample::select(vec![
        Show::Away,
        Show::Chat,
        Show::Dnd,
        Show::Xa,
    ]));
    (
        jid(),
        jid(),
        kind,
        show,
        lang_texts(),
        proptest::option::of(any::<i8>()),
        payloads(),
    )
        .prop_map(
            |(from, to, kind, show, statuses, priority, payloads)| Presence {
                from,
                to,
                kind,
                show,
                statuses,
                priority,
                payloads,
                ..Presence::available()
            },
        )
}

fn round_trip(s: Stanza, ctx: &NsContext) -> Result<Stanza, String> {
    let xml = Element::from(s).to_xml_in(ctx).map_err(|e| e.to_string())?;
    let el = parse_element(&xml, ctx).map_err(|e| e.to_string())?;
    Stanza::try_from(el).map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn messages_round_trip(m in message()) {
        let back = round_trip(Stanza::Message(m.clone()), &NsContext::client());
        prop_assert_eq!(back, Ok(Stanza::Message(m)));
    }

    #[test]
    fn presences_round_trip(p in presence()) {
        let back = round_trip(Stanza::Presence(p.clone()), &NsContext::client());
        prop_assert_eq!(back, Ok(Stanza::Presence(p)));
    }

    #[test]
    fn iqs_round_trip(from in jid(), to in jid(), id in "[a-z0-9]{1,8}", p in payloads(), kind in 0..3u8) {
        let payload = p.into_iter().next().unwrap_or_else(|| Element::new("q", "urn:q"));
        let payload = match kind {
            0 => IqPayload::Get(payload),
            1 => IqPayload::Set(payload),
            _ => IqPayload::Result(Some(payload)),
        };
        let iq = Iq { from, to, ..Iq::new(id, payload) };
        let back = round_trip(Stanza::Iq(iq.clone()), &NsContext::server().with_prefix("x", "urn:example:x"));
        // Built in jabber:client, parsed in a jabber:server context: only the namespace differs.
        let back = back.map(|s| match s { Stanza::Iq(i) => Stanza::Iq(Iq { ns: iq.ns.clone(), ..i }), s => s });
        prop_assert_eq!(back, Ok(Stanza::Iq(iq)));
    }
}
