//! Findings of an independent review against RFC 6121, XEP-0191 and XEP-0016,
//! each pinned by a test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Harness, bare};

/// `RouterLimits::max_roster_items` bounds the roster whatever creates the item: a client
/// sending `subscribe` (RFC 6121 §3.1.2 creates a `none` + `ask` item) or a
/// pre-approval (§3.4 creates a `none` + `approved` item) must not grow it past
/// the limit, or a client could grow its stored roster without bound.
#[test]
fn subscription_presence_cannot_grow_the_roster_past_its_limit() {
    let mut h = Harness::with_config(|c| c.limits.max_roster_items = 2);
    h.account("juliet");
    let a = h.login("juliet", "balcony");
    for n in 0..5 {
        h.send(
            a,
            &format!("<presence to='nobody{n}@example.com' type='subscribe'/>"),
        );
        h.send(
            a,
            &format!("<presence to='ghost{n}@example.com' type='subscribed'/>"),
        );
    }
    let roster = h.router.roster(&bare("juliet@example.com")).unwrap();
    assert!(roster.len() <= 2, "roster grew to {} items", roster.len());
    // The refusal is visible to the client.
    let out = h.send(
        a,
        "<presence id='x' to='more@example.com' type='subscribe'/>",
    );
    assert!(
        out.got(a, &["type='error'", "resource-constraint"]),
        "{:?}",
        out.to(a)
    );
}

/// A contact's cancellations (RFC 6121 §3.2.3 `unsubscribed`, §3.3.3
/// `unsubscribe`, sent for instance by a roster removal, §2.5.2) change the
/// user's subscription state even while the user blocks the contact: blocking
/// (XEP-0191 §3.5, XEP-0016) stops delivery, not the bookkeeping. Otherwise the
/// two accounts disagree, and once unblocked the user's presence flows to a
/// contact who cancelled the subscription.
#[test]
fn cancellations_from_a_blocked_contact_still_end_the_subscription() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    h.available(r);
    h.available(j);
    h.send(
        j,
        "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='romeo@example.com'/></block></iq>",
    );
    // Romeo removes Juliet: unsubscribe and unsubscribed go to her account.
    let out = h.send(
        r,
        "<iq type='set' id='rm'><query xmlns='jabber:iq:roster'><item jid='juliet@example.com' subscription='remove'/></query></iq>",
    );
    // Nothing from Romeo is delivered to Juliet's resources...
    assert!(!out.got(j, &["<presence"]), "{:?}", out.to(j));
    // ...but her roster no longer claims a subscription either way.
    let juliet = h.router.roster(&bare("juliet@example.com")).unwrap();
    assert_eq!(
        juliet[0].subscription,
        xmpp_server::RosterSubscription::None,
        "{juliet:?}"
    );
    // Unblocking does not send her presence to Romeo, who is not subscribed.
    let out = h.send(
        j,
        "<iq type='set' id='u1'><unblock xmlns='urn:xmpp:blocking'/></iq>",
    );
    assert!(
        !out.got(r, &["from='juliet@example.com/balcony'"]),
        "{:?}",
        out.to(r)
    );
    let out = h.send(j, "<presence><show>chat</show></presence>");
    assert!(out.to(r).is_empty(), "{:?}", out.to(r));
}

/// RFC 6120 §8.2.3: an IQ response is never answered with another IQ response —
/// not even an invalid `result` (here one without the required `id`, or with two
/// payload children). The router answered these with an `error` IQ.
#[test]
fn invalid_iq_results_are_not_answered() {
    let mut h = Harness::new();
    h.account("romeo");
    let r = h.login("romeo", "orchard");
    for xml in [
        "<iq type='result'/>",
        "<iq type='result' id='x'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>",
    ] {
        let out = h.send(r, xml);
        assert!(out.to(r).is_empty(), "{xml}: {:?}", out.to(r));
        assert!(out.closes().is_empty(), "{xml}");
    }
    // An invalid request is still answered.
    let out = h.send(r, "<iq type='get' id='g'/>");
    assert!(
        out.got(r, &["id='g'", "type='error'", "bad-request"]),
        "{:?}",
        out.to(r)
    );
}

/// Offline storage is bounded in bytes, not only in messages: stanzas may be
/// 256 KiB each, so 1000 of them let any account make the router hold (in
/// memory and in the store) a quarter of a gigabyte for every other account.
/// With the default limits a recipient's store takes at most 4 MiB; beyond it
/// the sender gets `service-unavailable` (RFC 6121 §8.5.2.2.1) and nothing is
/// stored.
#[test]
fn offline_storage_is_bounded_in_bytes() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let body = "x".repeat(200 * 1024);
    let mut refused = 0;
    for n in 0..30 {
        let out = h.send(
            r,
            &format!("<message id='m{n}' to='juliet@example.com'><body>{body}</body></message>"),
        );
        if out.got(r, &["type='error'", "service-unavailable"]) {
            refused += 1;
            assert!(out.changes.is_empty(), "a refused message is not stored");
        }
    }
    let stored = h.router.offline_count(&bare("juliet@example.com"));
    assert!(
        stored * 200 * 1024 <= 4 * 1024 * 1024,
        "{stored} messages of 200 KiB stored"
    );
    assert_eq!(stored + refused, 30);
    // Delivery frees the room again, and a restart counts what is left.
    let j = h.login("juliet", "balcony");
    h.available(j);
    assert_eq!(h.router.offline_count(&bare("juliet@example.com")), 0);
    h.close(j);
    let out = h.send(
        r,
        &format!("<message id='again' to='juliet@example.com'><body>{body}</body></message>"),
    );
    assert!(!out.got(r, &["type='error'"]), "room again after delivery");
    let mut h = h.restart();
    let r = h.login("romeo", "orchard");
    for n in 0..30 {
        h.send(
            r,
            &format!("<message id='n{n}' to='juliet@example.com'><body>{body}</body></message>"),
        );
    }
    let stored = h.router.offline_count(&bare("juliet@example.com"));
    assert!(
        stored * 200 * 1024 <= 4 * 1024 * 1024,
        "{stored} after a restart"
    );
}

/// XEP-0191 §3.3: once the user blocks a contact, nothing more goes to it — also
/// not the unavailable presence owed to directed-presence recipients when the
/// session ends (RFC 6121 §4.6.3). Blocking already sent the contact
/// unavailable presence once.
#[test]
fn blocked_directed_presence_recipients_get_nothing_more() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("nurse");
    let r = h.login("romeo", "orchard");
    let n = h.login("nurse", "kitchen");
    h.available(r);
    h.available(n);
    let out = h.send(r, "<presence to='nurse@example.com'/>");
    assert!(out.got(n, &["from='romeo@example.com/orchard'"]));
    let out = h.send(
        r,
        "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='nurse@example.com'/></block></iq>",
    );
    assert!(out.got(
        n,
        &["from='romeo@example.com/orchard'", "type='unavailable'"]
    ));
    let out = h.close(r);
    assert!(out.to(n).is_empty(), "{:?}", out.to(n));
}

/// A probe from a client is an outbound stanza like any other: to a contact the
/// user blocks it is refused with `not-acceptable` + `<blocked/>` (XEP-0191
/// §3.6), and in no case does the blocked contact's presence reach the user
/// (XEP-0191 §3.3: the user receives no presence from a blocked contact).
#[test]
fn probing_a_blocked_contact_reveals_nothing() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    h.available(r);
    h.available(j);
    h.send(
        r,
        "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='juliet@example.com'/></block></iq>",
    );
    let out = h.send(r, "<presence type='probe' to='juliet@example.com'/>");
    assert!(
        !out.got(r, &["from='juliet@example.com/balcony'"]),
        "{:?}",
        out.to(r)
    );
    assert!(
        out.got(
            r,
            &["type='error'", "not-acceptable", "urn:xmpp:blocking:errors"]
        ),
        "{:?}",
        out.to(r)
    );
}

/// A presence error is a stanza like any other: it does not reach a user who
/// blocks its sender (XEP-0191 §3.5), and it is not routed to a contact the
/// sender blocks (§3.6; errors are never answered, so it is dropped).
#[test]
fn presence_errors_respect_blocking() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.send(
        j,
        "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='romeo@example.com'/></block></iq>",
    );
    let out = h.send(
        r,
        "<presence type='error' to='juliet@example.com/balcony'><error type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
    );
    assert!(out.to(j).is_empty(), "{:?}", out.to(j));
    let out = h.send(
        j,
        "<presence type='error' to='romeo@example.com/orchard'><error type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
    );
    assert!(
        out.to(r).is_empty() && out.to(j).is_empty(),
        "{:?}",
        out.all
    );
}
