//! Routing (RFC 6121 §8): bare and full JIDs per stanza type, priorities,
//! unknown users, remote domains, IQs answered by the server, and `from` stamping.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Harness;

fn two_resources(priorities: (i8, i8)) -> (Harness, [xmpp_server::SessionId; 3]) {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j1 = h.login("juliet", "balcony");
    let j2 = h.login("juliet", "chamber");
    h.send(
        j1,
        &format!("<presence><priority>{}</priority></presence>", priorities.0),
    );
    h.send(
        j2,
        &format!("<presence><priority>{}</priority></presence>", priorities.1),
    );
    (h, [r, j1, j2])
}

#[test]
fn chat_to_bare_jid_goes_to_the_highest_priority() {
    let (mut h, [r, j1, j2]) = two_resources((5, 1));
    let out = h.send(
        r,
        "<message to='juliet@example.com' type='chat' id='m1'><body>hi</body></message>",
    );
    // §8.5.2.1.1: to the highest priority; `to` is not rewritten.
    assert!(out.got(
        j1,
        &[
            "from='romeo@example.com/orchard'",
            "to='juliet@example.com'",
            "id='m1'"
        ]
    ));
    assert!(out.to(j2).is_empty());
    // Equal priorities: both.
    let (mut h, [r, j1, j2]) = two_resources((3, 3));
    let out = h.send(
        r,
        "<message to='juliet@example.com'><body>hi</body></message>",
    );
    assert_eq!(out.to(j1).len() + out.to(j2).len(), 2);
    // Headline: every non-negative resource.
    let (mut h, [r, j1, j2]) = two_resources((5, 0));
    let out = h.send(
        r,
        "<message to='juliet@example.com' type='headline'><body>news</body></message>",
    );
    assert_eq!(out.to(j1).len() + out.to(j2).len(), 2);
}

#[test]
fn negative_priorities_never_get_bare_jid_messages() {
    let (mut h, [r, j1, j2]) = two_resources((-1, -5));
    let out = h.send(
        r,
        "<message to='juliet@example.com' type='chat'><body>stored</body></message>",
    );
    assert!(out.to(j1).is_empty() && out.to(j2).is_empty() && out.to(r).is_empty());
    assert_eq!(
        h.router.offline_count(&common::bare("juliet@example.com")),
        1
    );
    // ... but a full JID reaches them.
    let out = h.send(
        r,
        "<message to='juliet@example.com/chamber'><body>direct</body></message>",
    );
    assert!(out.got(j2, &["<body>direct</body>"]));
    // Headline with no non-negative resource: dropped silently.
    let out = h.send(
        r,
        "<message to='juliet@example.com' type='headline'><body>x</body></message>",
    );
    assert!(out.no_deliveries() && out.changes.is_empty());
}

#[test]
fn groupchat_and_errors() {
    let (mut h, [r, j1, _]) = two_resources((1, 1));
    // §8.5.2.1.1: groupchat to a bare JID is an error.
    let out = h.send(
        r,
        "<message to='juliet@example.com' type='groupchat' id='g'><body>x</body></message>",
    );
    assert!(out.got(
        r,
        &[
            "from='juliet@example.com'",
            "to='romeo@example.com/orchard'",
            "id='g'",
            "type='error'",
            "service-unavailable"
        ]
    ));
    // An error message to a bare JID is dropped; one to a full JID is delivered.
    let error = "<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>";
    let out = h.send(
        r,
        &format!("<message to='juliet@example.com' type='error'>{error}</message>"),
    );
    assert!(out.no_deliveries());
    let out = h.send(
        r,
        &format!("<message to='juliet@example.com/balcony' type='error'>{error}</message>"),
    );
    assert!(out.got(j1, &["type='error'"]));
}

#[test]
fn full_jid_without_a_session() {
    let (mut h, [r, j1, j2]) = two_resources((1, 0));
    // §8.5.3.2.1: chat falls back to the bare JID rules.
    let out = h.send(
        r,
        "<message to='juliet@example.com/gone' type='chat'><body>x</body></message>",
    );
    assert!(out.got(j1, &["to='juliet@example.com/gone'"]));
    assert!(out.to(j2).is_empty());
    // Headline: silently ignored. Groupchat: error.
    let out = h.send(
        r,
        "<message to='juliet@example.com/gone' type='headline'><body>x</body></message>",
    );
    assert!(out.no_deliveries());
    let out = h.send(
        r,
        "<message to='juliet@example.com/gone' type='groupchat'><body>x</body></message>",
    );
    assert!(out.got(r, &["service-unavailable"]));
    // IQ: service-unavailable; presence: ignored.
    let out = h.send(r, "<iq to='juliet@example.com/gone' type='get' id='q'><query xmlns='jabber:iq:version'/></iq>");
    assert!(out.got(r, &["id='q'", "type='error'", "service-unavailable"]));
    let out = h.send(r, "<presence to='juliet@example.com/gone'/>");
    assert!(out.no_deliveries());
}

#[test]
fn iq_to_a_full_jid_is_routed_and_answered() {
    let (mut h, [r, j1, _]) = two_resources((1, 1));
    let out = h.send(r, "<iq to='juliet@example.com/balcony' type='get' id='v1'><query xmlns='jabber:iq:version'/></iq>");
    assert!(out.got(
        j1,
        &["from='romeo@example.com/orchard'", "id='v1'", "type='get'"]
    ));
    let out = h.send(j1, "<iq to='romeo@example.com/orchard' type='result' id='v1'><query xmlns='jabber:iq:version'><name>x</name></query></iq>");
    assert!(out.got(r, &["from='juliet@example.com/balcony'", "type='result'"]));
}

#[test]
fn unknown_users_and_remote_domains() {
    let mut h = Harness::new();
    h.account("romeo");
    let r = h.login("romeo", "orchard");
    // §8.5.1: no such user.
    let out = h.send(
        r,
        "<message to='nobody@example.com' id='u'><body>x</body></message>",
    );
    assert!(out.got(
        r,
        &[
            "from='nobody@example.com'",
            "type='error'",
            "service-unavailable"
        ]
    ));
    let out = h.send(
        r,
        "<iq to='nobody@example.com' type='get' id='u2'><query xmlns='jabber:iq:version'/></iq>",
    );
    assert!(out.got(r, &["id='u2'", "service-unavailable"]));
    let out = h.send(r, "<presence to='nobody@example.com'/>");
    assert!(out.no_deliveries());
    // No server-to-server: remote-server-not-found.
    let out = h.send(
        r,
        "<message to='mercutio@verona.lit' id='x'><body>x</body></message>",
    );
    assert!(out.got(
        r,
        &["from='mercutio@verona.lit'", "remote-server-not-found"]
    ));
    let out = h.send(
        r,
        "<iq to='verona.lit' type='get' id='x2'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert!(out.got(r, &["remote-server-not-found"]));
    let out = h.send(r, "<iq to='verona.lit' type='result' id='x3'/>");
    assert!(out.no_deliveries());
}

#[test]
fn server_answers_iqs_for_itself_and_for_accounts() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    let out = h.send(r, "<iq to='example.com' type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    for f in [
        "category='server'",
        "type='im'",
        "var='urn:xmpp:blocking'",
        "var='jabber:iq:privacy'",
        "var='urn:xmpp:ping'",
        "var='urn:xmpp:features:rosterver'",
    ] {
        assert!(out.got(r, &["type='result'", f]), "{f}");
    }
    let out = h.send(
        r,
        "<iq to='example.com' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert_eq!(
        out.to(r),
        ["<iq from='example.com' to='romeo@example.com/orchard' id='p' type='result'/>"]
    );
    let out = h.send(
        r,
        "<iq to='example.com' type='set' id='p2'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert!(out.got(r, &["feature-not-implemented"]));
    // Own account: disco and ping answered.
    let out = h.send(
        r,
        "<iq type='get' id='o'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
    );
    assert!(out.got(r, &["category='account'", "type='registered'"]));
    // §8.5.2.1.3: an IQ to another user's bare JID is answered by the server,
    // never delivered; disco needs a subscription.
    let out = h.send(r, "<iq to='juliet@example.com' type='get' id='o2'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    assert!(out.got(r, &["service-unavailable"]));
    assert!(out.to(j).is_empty());
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    let out = h.send(r, "<iq to='juliet@example.com' type='get' id='o3'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    assert!(out.got(r, &["from='juliet@example.com'", "category='account'"]));
    let out = h.send(
        r,
        "<iq to='juliet@example.com' type='get' id='o4'><query xmlns='jabber:iq:version'/></iq>",
    );
    assert!(out.got(r, &["service-unavailable"]));
    // Unknown namespaces, and responses consumed silently.
    let out = h.send(
        r,
        "<iq type='get' id='n'><query xmlns='urn:example:unknown'/></iq>",
    );
    assert!(out.got(r, &["id='n'", "service-unavailable"]));
    let out = h.send(r, "<iq type='result' id='push9'/>");
    assert!(out.no_deliveries());
    // Legacy session establishment is accepted; a second bind is not.
    let out = h.send(
        r,
        "<iq type='set' id='s'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>",
    );
    assert!(out.got(r, &["id='s'", "type='result'"]));
    let out = h.send(
        r,
        "<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
    );
    assert!(out.got(r, &["id='b'", "not-allowed"]));
}

#[test]
fn message_without_to_goes_to_own_resources() {
    let (mut h, [_, j1, j2]) = two_resources((1, 0));
    let out = h.send(
        j2,
        "<message type='chat'><body>note to self</body></message>",
    );
    assert!(out.got(
        j1,
        &[
            "from='juliet@example.com/chamber'",
            "to='juliet@example.com'"
        ]
    ));
}

#[test]
fn forged_from_never_leaves() {
    let (mut h, [r, j1, j2]) = two_resources((1, 1));
    // A client that claims someone else's address is cut off.
    let out = h.send(r, "<message from='juliet@example.com/balcony' to='juliet@example.com/chamber'><body>x</body></message>");
    assert_eq!(out.closes(), [(r, "invalid-from".to_owned())]);
    assert!(out.to(j1).is_empty() && out.to(j2).is_empty());
    // The unbound session's later traffic is ignored.
    let out = h.send(
        r,
        "<message to='juliet@example.com'><body>x</body></message>",
    );
    assert!(out.all.is_empty());
    // Its own bare or full JID is fine, and replaced by the full JID.
    let out = h.send(j1, "<message from='juliet@example.com' to='juliet@example.com/chamber'><body>y</body></message>");
    assert!(out.got(j2, &["from='juliet@example.com/balcony'"]));
}

#[test]
fn an_unchecked_invalid_stanza_with_a_foreign_from_is_cut_off_like_the_connection_does() {
    let (mut h, [r, j1, j2]) = two_resources((1, 1));
    // An IQ without an id is invalid (RFC 6120 §8.2.3), but `from` is checked
    // first, as a ServerConnection does (§8.1.2.1): invalid-from, not bad-request.
    let out = h.send(
        r,
        "<iq type='get' from='juliet@example.com/balcony'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert_eq!(out.closes(), [(r, "invalid-from".to_owned())]);
    assert!(out.to(j1).is_empty() && out.to(j2).is_empty());
    // With its own address, the same defect gets the stanza error, addressed back.
    let out = h.send(
        j1,
        "<iq type='get' from='juliet@example.com'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert!(out.closes().is_empty());
    assert!(out.got(j1, &["type='error'", "to='juliet@example.com/balcony'"]));
}

#[test]
fn a_typed_stanza_is_trusted_and_stamped_when_it_has_no_from() {
    use xmpp_jid::Jid;
    use xmpp_stanza::{Message, Stanza};
    let (mut h, [r, j1, _]) = two_resources((1, 0));
    // What a ServerConnection reports: `from` already checked and stamped.
    let mut stamped = Message::chat(Jid::new("juliet@example.com/balcony").unwrap(), "a");
    stamped.from = Some(Jid::new("romeo@example.com/orchard").unwrap());
    h.router
        .stanza_received(h.now, h.wall, r, Stanza::Message(stamped))
        .unwrap();
    let out = h.drain();
    assert!(out.got(j1, &["from='romeo@example.com/orchard'", ">a<"]));
    // A host that builds stanzas itself leaves `from` out; the router stamps it.
    let bare = Message::chat(Jid::new("juliet@example.com/balcony").unwrap(), "b");
    h.router
        .stanza_received(h.now, h.wall, r, Stanza::Message(bare))
        .unwrap();
    let out = h.drain();
    assert!(out.got(j1, &["from='romeo@example.com/orchard'", ">b<"]));
}

/// A typed stanza claiming another address was not checked by a connection: a bug
/// in the glue (unchecked input belongs in `element_received`), caught in debug
/// builds. Release builds stamp the session's JID over it.
#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "not stamped by a ServerConnection")]
fn a_typed_stanza_with_a_foreign_from_is_a_glue_bug() {
    use xmpp_jid::Jid;
    use xmpp_stanza::{Message, Stanza};
    let (mut h, [r, _, _]) = two_resources((1, 0));
    let mut forged = Message::chat(Jid::new("juliet@example.com/chamber").unwrap(), "x");
    forged.from = Some(Jid::new("juliet@example.com/balcony").unwrap());
    let _ = h
        .router
        .stanza_received(h.now, h.wall, r, Stanza::Message(forged));
}
