//! The blocking command (XEP-0191): list, block, unblock, pushes, enforcement and
//! presence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Harness, bare, jid};

const BLOCK_ROMEO: &str = "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='romeo@example.com'/></block></iq>";

fn setup() -> (Harness, [xmpp_server::SessionId; 3]) {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    let j2 = h.login("juliet", "chamber");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    h.available(r);
    h.available(j);
    h.available(j2);
    (h, [r, j, j2])
}

#[test]
fn block_pushes_and_withdraws_presence() {
    let (mut h, [r, j, j2]) = setup();
    let out = h.send(
        j,
        "<iq type='get' id='l'><blocklist xmlns='urn:xmpp:blocking'/></iq>",
    );
    assert_eq!(
        out.to(j),
        [
            "<iq to='juliet@example.com/balcony' id='l' type='result'><blocklist xmlns='urn:xmpp:blocking'/></iq>"
        ]
    );
    let out = h.send(j, BLOCK_ROMEO);
    // Persisted (as the default privacy list) before anything else.
    assert!(matches!(
        out.all.first(),
        Some(xmpp_server::RouterOutput::Persist(_))
    ));
    // The push goes to the resource that asked for the blocklist only.
    assert!(out.got(
        j,
        &[
            "type='set'",
            "<block xmlns='urn:xmpp:blocking'><item jid='romeo@example.com'/></block>"
        ]
    ));
    assert!(!out.got(j2, &["<block"]));
    assert!(out.got(j, &["id='b1'", "type='result'"]));
    // §3.3: Romeo sees Juliet go unavailable (both resources).
    assert!(out.got(
        r,
        &["from='juliet@example.com/balcony'", "type='unavailable'"]
    ));
    assert!(out.got(
        r,
        &["from='juliet@example.com/chamber'", "type='unavailable'"]
    ));
    // And Juliet no longer sees Romeo.
    assert!(out.got(
        j,
        &["from='romeo@example.com/orchard'", "type='unavailable'"]
    ));
    assert_eq!(
        h.router.blocklist(&bare("juliet@example.com")),
        [jid("romeo@example.com")]
    );
    let out = h.send(
        j,
        "<iq type='get' id='l2'><blocklist xmlns='urn:xmpp:blocking'/></iq>",
    );
    assert!(out.got(j, &["<item jid='romeo@example.com'/>"]));
}

#[test]
fn blocked_contacts_are_stopped_both_ways() {
    let (mut h, [r, j, j2]) = setup();
    h.send(j, BLOCK_ROMEO);
    // Inbound: messages and IQ requests bounce with service-unavailable (the user
    // seems offline); presence is dropped silently.
    let out = h.send(
        r,
        "<message to='juliet@example.com' id='m'><body>hello?</body></message>",
    );
    assert!(out.got(
        r,
        &["from='juliet@example.com'", "id='m'", "service-unavailable"]
    ));
    assert!(out.to(j).is_empty() && out.to(j2).is_empty());
    let out = h.send(
        r,
        "<message to='juliet@example.com/balcony' id='m2'><body>hello?</body></message>",
    );
    assert!(out.got(r, &["service-unavailable"]) && out.to(j).is_empty());
    let out = h.send(r, "<iq to='juliet@example.com/balcony' type='get' id='i'><query xmlns='jabber:iq:version'/></iq>");
    assert!(out.got(r, &["service-unavailable"]) && out.to(j).is_empty());
    let out = h.send(r, "<presence><show>away</show></presence>");
    assert!(out.to(j).is_empty() && out.to(j2).is_empty());
    let out = h.send(r, "<presence to='juliet@example.com' type='subscribe'/>");
    assert!(out.to(j).is_empty());
    // Not even stored offline.
    h.close(j);
    h.close(j2);
    let out = h.send(
        r,
        "<message to='juliet@example.com'><body>x</body></message>",
    );
    assert!(out.got(r, &["service-unavailable"]) && out.changes.is_empty());
    // Outbound: not-acceptable with <blocked/>.
    let j = h.login("juliet", "balcony");
    let out = h.send(
        j,
        "<message to='romeo@example.com' id='o'><body>x</body></message>",
    );
    assert!(out.got(
        j,
        &[
            "from='romeo@example.com'",
            "type='error'",
            "not-acceptable",
            "<blocked xmlns='urn:xmpp:blocking:errors'/>"
        ]
    ));
    assert!(out.to(r).is_empty());
}

#[test]
fn unblock_restores_presence_and_delivery() {
    let (mut h, [r, j, _]) = setup();
    h.send(
        j,
        "<iq type='get' id='l'><blocklist xmlns='urn:xmpp:blocking'/></iq>",
    );
    h.send(j, BLOCK_ROMEO);
    let out = h.send(j, "<iq type='set' id='u'><unblock xmlns='urn:xmpp:blocking'><item jid='romeo@example.com'/></unblock></iq>");
    assert!(out.got(
        j,
        &[
            "type='set'",
            "<unblock xmlns='urn:xmpp:blocking'><item jid='romeo@example.com'/></unblock>"
        ]
    ));
    // §3.4: Romeo gets Juliet's current presence again, and she his.
    assert!(out.got(r, &["from='juliet@example.com/balcony'"]) && !out.got(r, &["unavailable"]));
    assert!(out.got(j, &["from='romeo@example.com/orchard'"]));
    let out = h.send(
        r,
        "<message to='juliet@example.com/balcony'><body>back</body></message>",
    );
    assert!(out.got(j, &["<body>back</body>"]));
    assert!(h.router.blocklist(&bare("juliet@example.com")).is_empty());
}

#[test]
fn unblock_all_and_domains() {
    let (mut h, [r, j, _]) = setup();
    h.send(
        j,
        "<iq type='get' id='l'><blocklist xmlns='urn:xmpp:blocking'/></iq>",
    );
    // A domain item blocks everyone there (XEP-0191 §2 matching rules).
    h.send(j, "<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='example.com'/><item jid='iago@shakespeare.lit'/></block></iq>");
    let out = h.send(
        r,
        "<message to='juliet@example.com/balcony'><body>x</body></message>",
    );
    assert!(out.to(j).is_empty());
    let out = h.send(
        j,
        "<iq type='set' id='ua'><unblock xmlns='urn:xmpp:blocking'/></iq>",
    );
    assert!(out.got(j, &["type='set'", "<unblock xmlns='urn:xmpp:blocking'/>"]));
    assert!(h.router.blocklist(&bare("juliet@example.com")).is_empty());
    let out = h.send(
        r,
        "<message to='juliet@example.com/balcony'><body>x</body></message>",
    );
    assert!(out.got(j, &["<body>x</body>"]));
}

#[test]
fn blocklist_survives_restart_and_bad_commands_are_refused() {
    let (mut h, [_, j, _]) = setup();
    h.send(j, BLOCK_ROMEO);
    let h2 = h.restart();
    assert_eq!(
        h2.router.blocklist(&bare("juliet@example.com")),
        [jid("romeo@example.com")]
    );
    let out = h.send(
        j,
        "<iq type='set' id='e'><block xmlns='urn:xmpp:blocking'/></iq>",
    );
    assert!(out.got(j, &["id='e'", "bad-request"]));
    let out = h.send(
        j,
        "<iq type='get' id='e2'><block xmlns='urn:xmpp:blocking'><item jid='a@b'/></block></iq>",
    );
    assert!(out.got(j, &["id='e2'", "bad-request"]));
    let out = h.send(
        j,
        "<iq type='set' id='e3'><block xmlns='urn:xmpp:blocking'><item jid='@'/></block></iq>",
    );
    assert!(out.got(j, &["id='e3'", "jid-malformed"]));
}
