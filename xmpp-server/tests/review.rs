//! Findings of an independent review against RFC 6121, XEP-0191 and XEP-0016,
//! each pinned by a test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Harness, bare};

/// `Limits::max_roster_items` bounds the roster whatever creates the item: a client
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
