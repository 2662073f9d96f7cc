//! Subscription dances between local accounts (RFC 6121 §3), observed through what
//! each session receives and what the rosters hold.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Harness, bare};
use xmpp_server::{Change, RosterSubscription};

fn sub(h: &Harness, user: &str, contact: &str) -> Option<(RosterSubscription, bool, bool)> {
    let full = |s: &str| {
        if s.contains('@') {
            bare(s)
        } else {
            bare(&format!("{s}@example.com"))
        }
    };
    h.router
        .roster(&full(user))
        .unwrap()
        .into_iter()
        .find(|e| e.jid == full(contact))
        .map(|e| (e.subscription, e.ask, e.approved))
}

#[test]
fn request_approval_and_presence_flow() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.roster_get(r);
    h.roster_get(j);
    h.available(r);
    h.available(j);

    // §3.1.2: the request goes out with the bare JID, a push shows ask='subscribe'.
    let out = h.send(
        r,
        "<presence id='xk3h1v69' to='juliet@example.com' type='subscribe'/>",
    );
    assert!(out.got(
        r,
        &[
            "<iq to='romeo@example.com/orchard'",
            "jid='juliet@example.com'",
            "subscription='none'",
            "ask='subscribe'"
        ]
    ));
    assert!(out.got(
        j,
        &["<presence from='romeo@example.com' to='juliet@example.com' id='xk3h1v69' type='subscribe'"]
    ));
    // Juliet's roster is untouched by a request (no push to her).
    assert!(!out.got(j, &["<iq"]));
    assert_eq!(sub(&h, "juliet", "romeo"), None);
    assert!(
        out.changes
            .iter()
            .any(|c| matches!(c, Change::PendingInSet { .. }))
    );

    // §3.1.5: approval — pushes on both sides, presence flows to the new subscriber.
    let out = h.send(
        j,
        "<presence id='h4v1c4kj' to='romeo@example.com' type='subscribed'/>",
    );
    assert!(out.got(
        j,
        &["<iq", "jid='romeo@example.com'", "subscription='from'"]
    ));
    assert!(out.got(r, &["<iq", "jid='juliet@example.com'", "subscription='to'"]));
    assert!(out.got(r, &["from='juliet@example.com'", "type='subscribed'"]));
    assert!(out.got(
        r,
        &["<presence from='juliet@example.com/balcony' to='romeo@example.com'"]
    ));
    assert!(!out.got(j, &["<presence from='romeo@example.com/orchard'"]));
    assert_eq!(
        sub(&h, "romeo", "juliet"),
        Some((RosterSubscription::To, false, false))
    );
    assert_eq!(
        sub(&h, "juliet", "romeo"),
        Some((RosterSubscription::From, false, false))
    );
    assert!(
        out.changes
            .iter()
            .any(|c| matches!(c, Change::PendingInRemoved { .. }))
    );

    // Presence changes now reach Romeo but Juliet does not see Romeo.
    let out = h.send(j, "<presence><show>away</show></presence>");
    assert!(out.got(
        r,
        &["from='juliet@example.com/balcony'", "<show>away</show>"]
    ));
    let out = h.send(r, "<presence><show>dnd</show></presence>");
    assert!(!out.got(j, &["romeo@example.com/orchard"]));

    // The other direction: Both.
    h.send(j, "<presence to='romeo@example.com' type='subscribe'/>");
    let out = h.send(r, "<presence to='juliet@example.com' type='subscribed'/>");
    assert!(out.got(j, &["from='romeo@example.com/orchard'", "<show>dnd</show>"]));
    assert_eq!(
        sub(&h, "romeo", "juliet"),
        Some((RosterSubscription::Both, false, false))
    );
    assert_eq!(
        sub(&h, "juliet", "romeo"),
        Some((RosterSubscription::Both, false, false))
    );
}

#[test]
fn requests_wait_for_the_contact_and_are_redelivered() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let out = h.send(
        r,
        "<presence to='juliet@example.com' type='subscribe'><status>hi</status></presence>",
    );
    assert!(out.changes.iter().any(
        |c| matches!(c, Change::PendingInSet { request, .. } if request.status() == Some("hi"))
    ));
    // Juliet is offline. She comes online: the stored stanza is delivered (twice
    // for two logins — until she answers).
    let j = h.login("juliet", "balcony");
    let out = h.available(j);
    assert!(out.got(
        j,
        &[
            "from='romeo@example.com'",
            "type='subscribe'",
            "<status>hi</status>"
        ]
    ));
    h.close(j);
    let h2 = &mut h.restart();
    let j = h2.login("juliet", "balcony");
    let out = h2.available(j);
    assert!(out.got(j, &["type='subscribe'"]), "survives a restart");
    // A duplicate request is not delivered again (A.3.1 "None + Pending In": no).
    let r = h2.login("romeo", "orchard");
    let out = h2.send(r, "<presence to='juliet@example.com' type='subscribe'/>");
    assert!(!out.got(j, &["type='subscribe'"]));
    // Denial: Romeo's pending-out is cleared.
    h2.roster_get(r);
    let out = h2.send(j, "<presence to='romeo@example.com' type='unsubscribed'/>");
    assert!(out.got(r, &["<iq", "subscription='none'"]));
    assert!(!out.got(r, &["ask="]));
    let j2 = h2.login("juliet", "other");
    let out = h2.available(j2);
    assert!(
        !out.got(j2, &["type='subscribe'"]),
        "answered requests are forgotten"
    );
}

#[test]
fn already_subscribed_contact_auto_replies() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    h.available(j);
    // A.3.1 "Both": no delivery, the server answers `subscribed` for Juliet.
    let out = h.send(r, "<presence to='juliet@example.com' type='subscribe'/>");
    assert!(!out.got(j, &["type='subscribe'"]));
    assert_eq!(
        sub(&h, "romeo", "juliet").map(|s| s.0),
        Some(RosterSubscription::Both)
    );
}

#[test]
fn pre_approval() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.roster_get(j);
    h.available(j);
    h.available(r);
    // §3.4: Juliet approves before being asked — not routed, item approved='true'.
    let out = h.send(j, "<presence to='romeo@example.com' type='subscribed'/>");
    assert!(!out.got(r, &["type='subscribed'"]));
    assert!(out.got(j, &["<iq", "jid='romeo@example.com'", "approved='true'"]));
    assert_eq!(
        sub(&h, "juliet", "romeo"),
        Some((RosterSubscription::None, false, true))
    );
    // Romeo's request is approved at once; Juliet is not asked.
    let out = h.send(r, "<presence to='juliet@example.com' type='subscribe'/>");
    assert!(!out.got(j, &["type='subscribe'"]));
    assert!(out.got(r, &["from='juliet@example.com'", "type='subscribed'"]));
    assert!(out.got(r, &["from='juliet@example.com/balcony'"]));
    assert_eq!(
        sub(&h, "juliet", "romeo"),
        Some((RosterSubscription::From, false, false))
    );
    assert_eq!(
        sub(&h, "romeo", "juliet"),
        Some((RosterSubscription::To, false, false))
    );
}

#[test]
fn pre_approval_can_be_cancelled() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let j = h.login("juliet", "balcony");
    h.send(j, "<presence to='romeo@example.com' type='subscribed'/>");
    h.send(j, "<presence to='romeo@example.com' type='unsubscribed'/>");
    assert_eq!(
        sub(&h, "juliet", "romeo"),
        Some((RosterSubscription::None, false, false))
    );
    let r = h.login("romeo", "orchard");
    h.available(j);
    let out = h.send(r, "<presence to='juliet@example.com' type='subscribe'/>");
    assert!(out.got(j, &["type='subscribe'"]), "asked again");
}

#[test]
fn unsubscribe_and_cancel_withdraw_presence() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    h.available(r);
    h.available(j);
    // §3.3: Romeo unsubscribes from Juliet's presence: he gets her unavailable.
    let out = h.send(r, "<presence to='juliet@example.com' type='unsubscribe'/>");
    assert!(out.got(j, &["from='romeo@example.com'", "type='unsubscribe'"]));
    assert!(out.got(
        r,
        &["from='juliet@example.com/balcony'", "type='unavailable'"]
    ));
    assert_eq!(
        sub(&h, "romeo", "juliet").map(|s| s.0),
        Some(RosterSubscription::From)
    );
    assert_eq!(
        sub(&h, "juliet", "romeo").map(|s| s.0),
        Some(RosterSubscription::To)
    );
    // §3.2: Juliet cancels Romeo's... no, Romeo cancels Juliet's subscription.
    let out = h.send(r, "<presence to='juliet@example.com' type='unsubscribed'/>");
    assert!(out.got(
        j,
        &["from='romeo@example.com/orchard'", "type='unavailable'"]
    ));
    assert!(out.got(j, &["from='romeo@example.com'", "type='unsubscribed'"]));
    assert_eq!(
        sub(&h, "romeo", "juliet").map(|s| s.0),
        Some(RosterSubscription::None)
    );
    assert_eq!(
        sub(&h, "juliet", "romeo").map(|s| s.0),
        Some(RosterSubscription::None)
    );
}

#[test]
fn roster_removal_cancels_both_ways() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    h.roster_get(r);
    h.roster_get(j);
    h.available(r);
    h.available(j);
    let out = h.send(
        r,
        "<iq type='set' id='rm'><query xmlns='jabber:iq:roster'><item jid='juliet@example.com' subscription='remove'/></query></iq>",
    );
    // §2.5.2: unsubscribe and unsubscribed go to Juliet, with Romeo's unavailable.
    assert!(out.got(j, &["from='romeo@example.com'", "type='unsubscribe'"]));
    assert!(out.got(j, &["from='romeo@example.com'", "type='unsubscribed'"]));
    assert!(out.got(
        j,
        &["from='romeo@example.com/orchard'", "type='unavailable'"]
    ));
    assert!(out.got(
        r,
        &["from='juliet@example.com/balcony'", "type='unavailable'"]
    ));
    assert!(out.got(r, &["<iq", "subscription='remove'"]));
    assert!(out.got(r, &["<iq", "id='rm'", "type='result'"]));
    assert_eq!(sub(&h, "romeo", "juliet"), None);
    assert_eq!(
        sub(&h, "juliet", "romeo").map(|s| s.0),
        Some(RosterSubscription::None)
    );
    // Persist before the acknowledgement.
    let persist = out.all.iter().position(|o| {
        matches!(
            o,
            xmpp_server::RouterOutput::Persist(Change::RosterItemRemoved { .. })
        )
    });
    let result = out.all.iter().position(|o| matches!(o, xmpp_server::RouterOutput::Deliver { stanza, .. } if common::xml(stanza).contains("id='rm'")));
    assert!(persist.unwrap() < result.unwrap());
}

#[test]
fn subscribing_to_a_nonexistent_account_is_denied() {
    let mut h = Harness::new();
    h.account("romeo");
    let r = h.login("romeo", "orchard");
    h.roster_get(r);
    h.available(r);
    let out = h.send(r, "<presence to='nobody@example.com' type='subscribe'/>");
    assert!(out.got(r, &["from='nobody@example.com'", "type='unsubscribed'"]));
    assert_eq!(
        sub(&h, "romeo", "nobody@example.com"),
        Some((RosterSubscription::None, false, false))
    );
}

#[test]
fn remote_contacts_and_self() {
    let mut h = Harness::new();
    h.account("romeo");
    let r = h.login("romeo", "orchard");
    let out = h.send(r, "<presence to='mercutio@verona.lit' type='subscribe'/>");
    assert!(out.got(r, &["type='error'", "remote-server-not-found"]));
    assert_eq!(sub(&h, "romeo", "mercutio@verona.lit"), None);
    let out = h.send(r, "<presence to='romeo@example.com' type='subscribe'/>");
    assert!(out.no_deliveries() && out.changes.is_empty());
    let out = h.send(r, "<presence type='subscribe'/>");
    assert!(out.got(r, &["type='error'", "bad-request"]));
}
