//! Roster get/set/push and versioning (RFC 6121 §2).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Harness, bare};
use xmpp_server::{Change, RouterOutput};

const SET_NURSE: &str = "<iq type='set' id='rs1'><query xmlns='jabber:iq:roster'><item jid='nurse@example.com' name='Nurse'><group>Servants</group></item></query></iq>";

#[test]
fn set_pushes_to_every_interested_resource_before_the_result() {
    let mut h = Harness::new();
    h.account("juliet");
    let a = h.login("juliet", "balcony");
    let b = h.login("juliet", "chamber");
    let c = h.login("juliet", "garden"); // never asks for the roster
    h.roster_get(a);
    h.roster_get(b);
    let out = h.send(a, SET_NURSE);
    for s in [a, b] {
        assert!(out.got(
            s,
            &[
                "type='set'",
                "jid='nurse@example.com'",
                "name='Nurse'",
                "<group>Servants</group>"
            ]
        ));
    }
    assert!(out.to(c).is_empty(), "not interested");
    // Order: Persist, pushes, then the result to the sender.
    let kinds: Vec<&str> = out
        .all
        .iter()
        .map(|o| match o {
            RouterOutput::Persist(_) => "persist",
            RouterOutput::Deliver { stanza, .. } if common::xml(stanza).contains("id='rs1'") => {
                "result"
            }
            RouterOutput::Deliver { .. } => "push",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["persist", "push", "push", "result"]);
    let roster = h.router.roster(&bare("juliet@example.com")).unwrap();
    assert_eq!(roster.len(), 1);
    assert_eq!(roster[0].groups, ["Servants"]);
    // An identical set changes nothing and pushes nothing.
    let out = h.send(a, SET_NURSE);
    assert!(out.changes.is_empty());
    assert_eq!(out.to(a).len(), 1);
}

#[test]
fn get_returns_items_and_versions() {
    let mut h = Harness::new();
    h.account("juliet");
    let a = h.login("juliet", "balcony");
    h.send(a, SET_NURSE);
    // Without `ver`: the full roster, no version attribute.
    let out = h.roster_get(a);
    assert!(out.got(
        a,
        &[
            "type='result'",
            "<query xmlns='jabber:iq:roster'><item jid='nurse@example.com'"
        ]
    ));
    assert!(!out.got(a, &["ver="]));
    // With an old version: the full roster with the current version.
    let out = h.send(
        a,
        "<iq type='get' id='v'><query xmlns='jabber:iq:roster' ver=''/></iq>",
    );
    assert!(out.got(a, &["ver='1'", "jid='nurse@example.com'"]));
    // With the current version: an empty result (§2.6.3).
    let out = h.send(
        a,
        "<iq type='get' id='v2'><query xmlns='jabber:iq:roster' ver='1'/></iq>",
    );
    assert_eq!(
        out.to(a),
        ["<iq to='juliet@example.com/balcony' id='v2' type='result'/>"]
    );
    // Pushes now carry the version.
    let out = h.send(a, "<iq type='set' id='s'><query xmlns='jabber:iq:roster'><item jid='tybalt@example.com'/></query></iq>");
    assert!(out.got(a, &["type='set'", "ver='2'", "jid='tybalt@example.com'"]));
    // Versions survive a restart and never go back, even when the roster empties.
    h.send(a, "<iq type='set' id='d1'><query xmlns='jabber:iq:roster'><item jid='tybalt@example.com' subscription='remove'/></query></iq>");
    h.send(a, "<iq type='set' id='d2'><query xmlns='jabber:iq:roster'><item jid='nurse@example.com' subscription='remove'/></query></iq>");
    let user = bare("juliet@example.com");
    assert_eq!(h.router.roster_version(&user), Some(4));
    let restarted = h.restart();
    assert_eq!(restarted.router.roster_version(&user), Some(4));
    let snap = xmpp_server::Router::load(
        h.router.config().clone(),
        xmpp_sasl::InsecureSeededEntropy::new(1),
        h.router.snapshot(),
    )
    .unwrap();
    assert_eq!(snap.roster_version(&user), Some(4));
}

#[test]
fn set_error_cases() {
    let mut h = Harness::new();
    h.account("juliet");
    h.account("romeo");
    let a = h.login("juliet", "balcony");
    let cases = [
        // §2.3.3: more than one item.
        (
            "<query xmlns='jabber:iq:roster'><item jid='a@example.com'/><item jid='b@example.com'/></query>",
            "bad-request",
        ),
        // §2.3.3: duplicate group.
        (
            "<query xmlns='jabber:iq:roster'><item jid='a@example.com'><group>x</group><group>x</group></item></query>",
            "bad-request",
        ),
        // §2.3.3: empty group name.
        (
            "<query xmlns='jabber:iq:roster'><item jid='a@example.com'><group></group></item></query>",
            "not-acceptable",
        ),
        // No item at all.
        ("<query xmlns='jabber:iq:roster'/>", "bad-request"),
        // §2.5.3: removing an unknown item.
        (
            "<query xmlns='jabber:iq:roster'><item jid='a@example.com' subscription='remove'/></query>",
            "item-not-found",
        ),
        (
            "<query xmlns='jabber:iq:roster'><item jid='@@'/></query>",
            "jid-malformed",
        ),
        (
            "<query xmlns='jabber:iq:roster'><item jid='a@example.com/res'/></query>",
            "bad-request",
        ),
        (
            "<query xmlns='jabber:iq:roster'><item jid='juliet@example.com'/></query>",
            "not-allowed",
        ),
    ];
    for (query, condition) in cases {
        let out = h.send(a, &format!("<iq type='set' id='e'>{query}</iq>"));
        assert!(
            out.got(a, &["type='error'", condition]),
            "{query}: {:?}",
            out.to(a)
        );
        assert!(out.changes.is_empty());
    }
    let long = "x".repeat(1024);
    let out = h.send(a, &format!("<iq type='set' id='e'><query xmlns='jabber:iq:roster'><item jid='a@example.com' name='{long}'/></query></iq>"));
    assert!(out.got(a, &["not-acceptable"]));
    // §2.3.3: the roster of another user is forbidden.
    let out = h.send(
        a,
        "<iq type='get' id='f' to='romeo@example.com'><query xmlns='jabber:iq:roster'/></iq>",
    );
    assert!(out.got(a, &["type='error'", "forbidden"]));
}

#[test]
fn subscription_attributes_in_a_set_are_ignored() {
    let mut h = Harness::new();
    h.account("juliet");
    let a = h.login("juliet", "balcony");
    h.send(a, "<iq type='set' id='s'><query xmlns='jabber:iq:roster'><item jid='romeo@example.com' subscription='both' ask='subscribe' approved='true'/></query></iq>");
    let roster = h.router.roster(&bare("juliet@example.com")).unwrap();
    assert_eq!(
        roster[0].subscription,
        xmpp_server::RosterSubscription::None
    );
    assert!(!roster[0].ask && !roster[0].approved);
}

#[test]
fn roster_limit() {
    let mut h = Harness::with_config(|c| c.limits.max_roster_items = 2);
    h.account("juliet");
    let a = h.login("juliet", "balcony");
    for n in 0..2 {
        h.send(a, &format!("<iq type='set' id='s'><query xmlns='jabber:iq:roster'><item jid='c{n}@example.com'/></query></iq>"));
    }
    let out = h.send(a, "<iq type='set' id='s'><query xmlns='jabber:iq:roster'><item jid='c9@example.com'/></query></iq>");
    assert!(out.got(a, &["resource-constraint"]));
    // Updating an existing item still works.
    let out = h.send(a, "<iq type='set' id='s'><query xmlns='jabber:iq:roster'><item jid='c0@example.com' name='zero'/></query></iq>");
    assert!(matches!(&out.changes[..], [Change::RosterItemSet { .. }]));
}
