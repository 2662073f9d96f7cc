//! Privacy lists (XEP-0016): management, conflicts, enforcement per stanza kind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Harness;
use xmpp_server::Change;

fn setup() -> (Harness, [xmpp_server::SessionId; 3]) {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    let j2 = h.login("juliet", "chamber");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    h.send(j, "<iq type='set' id='g'><query xmlns='jabber:iq:roster'><item jid='romeo@example.com'><group>Montagues</group></item></query></iq>");
    h.available(r);
    h.available(j);
    h.available(j2);
    (h, [r, j, j2])
}

fn set_list(h: &mut Harness, s: xmpp_server::SessionId, name: &str, items: &str) -> common::Outs {
    h.send(s, &format!("<iq type='set' id='set-{name}'><query xmlns='jabber:iq:privacy'><list name='{name}'>{items}</list></query></iq>"))
}

#[test]
fn lists_are_managed_and_pushed() {
    let (mut h, [_, j, j2]) = setup();
    let out = set_list(
        &mut h,
        j,
        "public",
        "<item type='jid' value='tybalt@example.com' action='deny' order='1'/><item action='allow' order='2'/>",
    );
    assert!(out.got(j, &["id='set-public'", "type='result'"]));
    // A privacy list push to every connected resource.
    for s in [j, j2] {
        assert!(out.got(
            s,
            &[
                "type='set'",
                "<query xmlns='jabber:iq:privacy'><list name='public'/></query>"
            ]
        ));
    }
    assert!(matches!(&out.changes[..], [Change::PrivacyListSet { .. }]));
    let out = h.send(
        j,
        "<iq type='get' id='n'><query xmlns='jabber:iq:privacy'/></iq>",
    );
    assert!(out.got(j, &["<list name='public'/>"]));
    let out = h.send(j, "<iq type='get' id='one'><query xmlns='jabber:iq:privacy'><list name='public'/></query></iq>");
    assert!(out.got(
        j,
        &["<item type='jid' value='tybalt@example.com' action='deny' order='1'/>"]
    ));
    let out = h.send(j, "<iq type='get' id='two'><query xmlns='jabber:iq:privacy'><list name='public'/><list name='x'/></query></iq>");
    assert!(out.got(j, &["bad-request"]));
    let out = h.send(j, "<iq type='get' id='none'><query xmlns='jabber:iq:privacy'><list name='nope'/></query></iq>");
    assert!(out.got(j, &["item-not-found"]));
    // Active and default lists.
    let out = h.send(j, "<iq type='set' id='a'><query xmlns='jabber:iq:privacy'><active name='public'/></query></iq>");
    assert!(out.got(j, &["id='a'", "type='result'"]) && out.changes.is_empty());
    let out = h.send(j, "<iq type='set' id='a2'><query xmlns='jabber:iq:privacy'><active name='nope'/></query></iq>");
    assert!(out.got(j, &["item-not-found"]));
    let out = h.send(j, "<iq type='set' id='d'><query xmlns='jabber:iq:privacy'><default name='public'/></query></iq>");
    assert!(matches!(
        &out.changes[..],
        [Change::DefaultPrivacyListSet { name: Some(_), .. }]
    ));
    let out = h.send(
        j,
        "<iq type='get' id='n2'><query xmlns='jabber:iq:privacy'/></iq>",
    );
    assert!(out.got(j, &["<active name='public'/><default name='public'/>"]));
    // More than one child in a set.
    let out = h.send(
        j,
        "<iq type='set' id='x'><query xmlns='jabber:iq:privacy'><active/><default/></query></iq>",
    );
    assert!(out.got(j, &["bad-request"]));
    // A group that is not in the roster.
    let out = set_list(
        &mut h,
        j,
        "g",
        "<item type='group' value='Capulets' action='deny' order='1'/>",
    );
    assert!(out.got(j, &["item-not-found"]));
}

#[test]
fn conflicts_for_lists_in_use_elsewhere() {
    let (mut h, [_, j, j2]) = setup();
    set_list(&mut h, j, "a", "<item action='allow' order='1'/>");
    set_list(&mut h, j, "b", "<item action='allow' order='1'/>");
    h.send(
        j2,
        "<iq type='set' id='act'><query xmlns='jabber:iq:privacy'><active name='a'/></query></iq>",
    );
    // 'a' is active at the chamber: the balcony may not remove it.
    let out = set_list(&mut h, j, "a", "");
    assert!(out.got(j, &["conflict"]) && out.changes.is_empty());
    // The default applies to the balcony (no active list there): the chamber
    // cannot change it.
    h.send(
        j,
        "<iq type='set' id='d'><query xmlns='jabber:iq:privacy'><default name='b'/></query></iq>",
    );
    let out = h.send(
        j2,
        "<iq type='set' id='d2'><query xmlns='jabber:iq:privacy'><default/></query></iq>",
    );
    assert!(out.got(j2, &["conflict"]));
    // The balcony itself may change it, and remove list 'b' once it is free.
    let out = h.send(
        j,
        "<iq type='set' id='d3'><query xmlns='jabber:iq:privacy'><default/></query></iq>",
    );
    assert!(out.got(j, &["id='d3'", "type='result'"]));
    let out = set_list(&mut h, j, "b", "");
    assert!(matches!(
        &out.changes[..],
        [Change::PrivacyListRemoved { .. }]
    ));
    let out = set_list(&mut h, j, "b", "");
    assert!(out.got(j, &["item-not-found"]));
}

#[test]
fn enforcement_by_stanza_kind() {
    let (mut h, [r, j, j2]) = setup();
    set_list(
        &mut h,
        j,
        "nomsg",
        "<item type='group' value='Montagues' action='deny' order='1'><message/></item>",
    );
    h.send(j, "<iq type='set' id='a'><query xmlns='jabber:iq:privacy'><active name='nomsg'/></query></iq>");
    // The balcony refuses Romeo's messages; the chamber (no list) takes them.
    let out = h.send(
        r,
        "<message to='juliet@example.com/balcony' id='m'><body>x</body></message>",
    );
    assert!(out.got(r, &["service-unavailable"]) && out.to(j).is_empty());
    let out = h.send(
        r,
        "<message to='juliet@example.com' type='chat'><body>x</body></message>",
    );
    assert!(out.got(j2, &["<body>x</body>"]) && out.to(j).is_empty());
    // IQs and presence still reach the balcony.
    let out = h.send(r, "<iq to='juliet@example.com/balcony' type='get' id='i'><query xmlns='jabber:iq:version'/></iq>");
    assert!(out.got(j, &["id='i'"]));
    let out = h.send(r, "<presence><show>away</show></presence>");
    assert!(out.got(j, &["<show>away</show>"]));

    // presence-in: Romeo's notifications stop reaching the chamber, which is told
    // he is unavailable.
    set_list(
        &mut h,
        j2,
        "noin",
        "<item type='subscription' value='both' action='deny' order='1'><presence-in/></item>",
    );
    let out = h.send(j2, "<iq type='set' id='a2'><query xmlns='jabber:iq:privacy'><active name='noin'/></query></iq>");
    assert!(out.got(
        j2,
        &["from='romeo@example.com/orchard'", "type='unavailable'"]
    ));
    let out = h.send(r, "<presence><show>xa</show></presence>");
    assert!(out.to(j2).is_empty() && out.got(j, &["<show>xa</show>"]));

    // presence-out: the chamber hides from Romeo.
    set_list(
        &mut h,
        j2,
        "noout",
        "<item type='jid' value='romeo@example.com' action='deny' order='1'><presence-out/></item>",
    );
    let out = h.send(j2, "<iq type='set' id='a3'><query xmlns='jabber:iq:privacy'><active name='noout'/></query></iq>");
    assert!(out.got(
        r,
        &["from='juliet@example.com/chamber'", "type='unavailable'"]
    ));
    // (and, no longer blocking presence-in, sees Romeo again)
    assert!(out.got(j2, &["from='romeo@example.com/orchard'", "<show>xa</show>"]));
    let out = h.send(j2, "<presence><show>dnd</show></presence>");
    assert!(out.to(r).is_empty());
    // Items with children never stop outbound messages...
    set_list(
        &mut h,
        j2,
        "kinds",
        "<item type='jid' value='romeo@example.com' action='deny' order='1'><message/><iq/><presence-in/><presence-out/></item>",
    );
    h.send(j2, "<iq type='set' id='a5'><query xmlns='jabber:iq:privacy'><active name='kinds'/></query></iq>");
    let out = h.send(
        j2,
        "<message to='romeo@example.com/orchard'><body>x</body></message>",
    );
    assert!(out.got(r, &["<body>x</body>"]));
    // ...an item without children does: not-acceptable, and without <blocked/>
    // since it is not a blocklist entry.
    set_list(
        &mut h,
        j2,
        "all",
        "<item type='group' value='Montagues' action='deny' order='1'/>",
    );
    h.send(
        j2,
        "<iq type='set' id='a4'><query xmlns='jabber:iq:privacy'><active name='all'/></query></iq>",
    );
    let out = h.send(
        j2,
        "<message to='romeo@example.com/orchard'><body>x</body></message>",
    );
    assert!(out.got(j2, &["not-acceptable"]) && !out.got(j2, &["blocked"]));
    assert!(out.to(r).is_empty());
}

#[test]
fn default_list_applies_offline_and_to_sessions_without_an_active_list() {
    let (mut h, [r, j, j2]) = setup();
    set_list(
        &mut h,
        j,
        "strict",
        "<item type='subscription' value='none' action='deny' order='5'/>",
    );
    h.send(j, "<iq type='set' id='d'><query xmlns='jabber:iq:privacy'><default name='strict'/></query></iq>");
    h.account("tybalt");
    let t = h.login("tybalt", "street");
    let out = h.send(
        t,
        "<message to='juliet@example.com'><body>x</body></message>",
    );
    assert!(out.got(t, &["service-unavailable"]) && out.to(j).is_empty() && out.to(j2).is_empty());
    // Romeo (subscription both) passes.
    let out = h.send(
        r,
        "<message to='juliet@example.com'><body>y</body></message>",
    );
    assert!(!out.to(j).is_empty() || !out.to(j2).is_empty());
    h.close(j);
    h.close(j2);
    let out = h.send(
        t,
        "<message to='juliet@example.com'><body>x</body></message>",
    );
    assert!(out.got(t, &["service-unavailable"]) && out.changes.is_empty());
    let out = h.send(
        r,
        "<message to='juliet@example.com'><body>y</body></message>",
    );
    assert!(matches!(&out.changes[..], [Change::OfflineStored { .. }]));
}
