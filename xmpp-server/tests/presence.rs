//! Presence (RFC 6121 §4): initial presence, probes, broadcast, directed presence,
//! unavailable on disconnect.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Harness;

fn friends() -> (Harness, xmpp_server::SessionId, xmpp_server::SessionId) {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    (h, r, j)
}

#[test]
fn initial_presence_broadcasts_and_probes() {
    let (mut h, r, j) = friends();
    let out = h.send(j, "<presence><show>chat</show></presence>");
    // Juliet's own resource gets it back; Romeo is not available yet.
    assert!(out.got(
        j,
        &[
            "from='juliet@example.com/balcony'",
            "to='juliet@example.com'"
        ]
    ));
    assert!(out.to(r).is_empty());
    // Romeo's initial presence: Juliet learns of him, and the probe answer gives
    // him Juliet's last presence.
    let out = h.send(r, "<presence/>");
    assert!(out.got(
        j,
        &[
            "from='romeo@example.com/orchard'",
            "to='juliet@example.com'"
        ]
    ));
    assert!(out.got(
        r,
        &[
            "from='juliet@example.com/balcony'",
            "to='romeo@example.com/orchard'",
            "<show>chat</show>"
        ]
    ));
    // A second resource of Romeo learns of the first and of Juliet.
    let r2 = h.login("romeo", "garden");
    let out = h.available(r2);
    assert!(out.got(r2, &["from='romeo@example.com/orchard'"]));
    assert!(out.got(r2, &["from='juliet@example.com/balcony'"]));
    assert!(out.got(r, &["from='romeo@example.com/garden'"]));
    assert!(out.got(j, &["from='romeo@example.com/garden'"]));
}

#[test]
fn unavailable_on_close_and_explicit() {
    let (mut h, r, j) = friends();
    h.available(r);
    h.available(j);
    let out = h.close(r);
    assert!(out.got(
        j,
        &["from='romeo@example.com/orchard'", "type='unavailable'"]
    ));
    let r = h.login("romeo", "orchard");
    h.available(r);
    let out = h.send(
        j,
        "<presence type='unavailable'><status>gone</status></presence>",
    );
    assert!(out.got(
        r,
        &[
            "from='juliet@example.com/balcony'",
            "type='unavailable'",
            "<status>gone</status>"
        ]
    ));
    // Now unavailable: messages to the bare JID are stored, not delivered.
    let out = h.send(
        r,
        "<message to='juliet@example.com'><body>x</body></message>",
    );
    assert!(out.to(j).is_empty());
    assert_eq!(
        h.router.offline_count(&common::bare("juliet@example.com")),
        1
    );
}

#[test]
fn directed_presence_is_tracked_and_cleaned_up() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("nurse");
    let r = h.login("romeo", "orchard");
    let n = h.login("nurse", "kitchen");
    h.available(r);
    h.available(n);
    // No subscription: directed presence still reaches the nurse.
    let out = h.send(
        r,
        "<presence to='nurse@example.com'><status>psst</status></presence>",
    );
    assert!(out.got(
        n,
        &[
            "from='romeo@example.com/orchard'",
            "to='nurse@example.com'",
            "psst"
        ]
    ));
    // Broadcasts do not reach her...
    let out = h.send(r, "<presence><show>away</show></presence>");
    assert!(out.to(n).is_empty());
    // ...but the unavailable presence on disconnect does (§4.6.3).
    let out = h.close(r);
    assert!(out.got(
        n,
        &["from='romeo@example.com/orchard'", "type='unavailable'"]
    ));
    // Directed unavailable ends the tracking.
    let r = h.login("romeo", "orchard");
    h.available(r);
    h.send(r, "<presence to='nurse@example.com'/>");
    h.send(r, "<presence to='nurse@example.com' type='unavailable'/>");
    let out = h.close(r);
    assert!(out.to(n).is_empty());
}

#[test]
fn directed_presence_limit() {
    let mut h = Harness::with_config(|c| c.limits.max_directed_presences = 1);
    h.account("romeo");
    let r = h.login("romeo", "orchard");
    h.available(r);
    h.send(r, "<presence to='a@example.com'/>");
    let out = h.send(r, "<presence to='b@example.com'/>");
    assert!(out.got(r, &["type='error'", "resource-constraint"]));
}

#[test]
fn probes_from_clients() {
    let (mut h, r, j) = friends();
    h.available(r);
    let out = h.send(r, "<presence to='juliet@example.com' type='probe'/>");
    assert!(out.got(r, &["from='juliet@example.com'", "type='unavailable'"]));
    h.available(j);
    let out = h.send(r, "<presence to='juliet@example.com' type='probe'/>");
    assert!(out.got(r, &["from='juliet@example.com/balcony'"]));
    // Not subscribed: nothing revealed, nothing answered.
    h.account("tybalt");
    let t = h.login("tybalt", "street");
    h.available(t);
    let out = h.send(t, "<presence to='juliet@example.com' type='probe'/>");
    assert!(out.no_deliveries() && out.changes.is_empty());
    // A probe does not disturb a pending request.
    h.send(t, "<presence to='juliet@example.com' type='subscribe'/>");
    let out = h.send(t, "<presence to='juliet@example.com' type='probe'/>");
    assert!(out.no_deliveries() && out.changes.is_empty());
    let roster = h
        .router
        .roster(&common::bare("tybalt@example.com"))
        .unwrap();
    assert!(roster[0].ask);
}
