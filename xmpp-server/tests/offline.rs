//! Offline storage and delivery (RFC 6121 §8.5.2.2.1, XEP-0160, XEP-0203).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Harness, bare};
use xmpp_server::{Change, RouterOutput, Timestamp};

#[test]
fn stored_then_delivered_with_a_delay_stamp_on_initial_presence() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    h.wall = Timestamp::from_unix_millis(1_031_699_305_000);
    let out = h.send(
        r,
        "<message to='juliet@example.com' type='chat' id='m1'><body>Wherefore?</body></message>",
    );
    assert!(out.no_deliveries(), "no error: the message is stored");
    assert!(
        matches!(&out.changes[..], [Change::OfflineStored { message, .. }] if message.message.body() == Some("Wherefore?"))
    );
    h.send(
        r,
        "<message to='juliet@example.com'><body>second</body></message>",
    );
    // Chat states alone are not worth storing; nor are headlines.
    let out = h.send(r, "<message to='juliet@example.com' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
    assert!(out.changes.is_empty() && out.no_deliveries());

    let j = h.login("juliet", "balcony");
    // Not on connecting: on initial presence with a non-negative priority.
    let out = h.send(j, "<presence><priority>-1</priority></presence>");
    assert!(out.changes.is_empty());
    let out = h.send(j, "<presence><priority>0</priority></presence>");
    let delivered = out.to(j);
    let messages: Vec<&String> = delivered
        .iter()
        .filter(|x| x.starts_with("<message"))
        .collect();
    assert_eq!(messages.len(), 2);
    assert!(messages[0].contains("<body>Wherefore?</body>"));
    assert!(messages[0].contains("from='romeo@example.com/orchard'"));
    assert!(messages[0].contains(
        "<delay xmlns='urn:xmpp:delay' from='example.com' stamp='2002-09-10T23:08:25.000Z'/>"
    ));
    assert!(messages[1].contains("<body>second</body>"));
    // Each deletion follows its delivery.
    let order: Vec<&str> = out
        .all
        .iter()
        .filter_map(|o| match o {
            RouterOutput::Deliver { stanza, .. } if common::xml(stanza).starts_with("<message") => {
                Some("deliver")
            }
            RouterOutput::Persist(Change::OfflineDeleted { .. }) => Some("delete"),
            _ => None,
        })
        .collect();
    assert_eq!(order, ["deliver", "delete", "deliver", "delete"]);
    assert_eq!(h.router.offline_count(&bare("juliet@example.com")), 0);
}

#[test]
fn offline_messages_survive_a_restart_and_the_store_is_bounded() {
    let mut h = Harness::with_config(|c| c.limits.max_offline_messages = 2);
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    for n in 0..2 {
        let out = h.send(
            r,
            &format!("<message to='juliet@example.com'><body>{n}</body></message>"),
        );
        assert!(out.no_deliveries());
    }
    let out = h.send(
        r,
        "<message to='juliet@example.com' id='full'><body>2</body></message>",
    );
    assert!(out.got(r, &["id='full'", "service-unavailable"]));

    let mut h2 = h.restart();
    assert_eq!(h2.router.offline_count(&bare("juliet@example.com")), 2);
    let j = h2.login("juliet", "balcony");
    let out = h2.available(j);
    assert!(out.got(j, &["<body>0</body>"]) && out.got(j, &["<body>1</body>"]));
    // After delivery and another restart nothing is delivered twice.
    let mut h3 = h2.restart();
    let j = h3.login("juliet", "balcony");
    let out = h3.available(j);
    assert!(!out.got(j, &["<message"]));
}

#[test]
fn later_priority_raise_delivers_messages_stored_meanwhile() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.send(j, "<presence><priority>-1</priority></presence>");
    h.send(
        r,
        "<message to='juliet@example.com'><body>later</body></message>",
    );
    let out = h.send(j, "<presence><priority>1</priority></presence>");
    assert!(out.got(j, &["<body>later</body>", "urn:xmpp:delay"]));
}
