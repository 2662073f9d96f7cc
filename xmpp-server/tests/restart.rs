//! Durability: any sequence of operations emits changes that, loaded into a fresh
//! router, rebuild the same state; and the same inputs give the same outputs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Harness;
use proptest::prelude::*;
use xmpp_sasl::{InsecureSeededEntropy, Password};
use xmpp_server::{Router, SessionId};

const USERS: [&str; 4] = ["romeo", "juliet", "nurse", "tybalt"];

#[derive(Clone, Debug)]
enum Op {
    Create(usize),
    Delete(usize),
    Password(usize),
    Login(usize),
    Logout(usize),
    /// Raw XML from the user's session (logged in on demand) to a peer.
    Send(usize, usize, u8),
    /// A full mutual subscription, when both are logged in.
    Dance(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..4usize).prop_map(Op::Create),
        1 => (0..4usize).prop_map(Op::Delete),
        1 => (0..4usize).prop_map(Op::Password),
        2 => (0..4usize).prop_map(Op::Login),
        2 => (0..4usize).prop_map(Op::Logout),
        20 => (0..4usize, 0..4usize, 0..16u8).prop_map(|(a, b, k)| Op::Send(a, b, k)),
        3 => (0..4usize, 0..4usize).prop_map(|(a, b)| Op::Dance(a, b)),
    ]
}

fn stanza(peer: &str, kind: u8) -> String {
    let p = format!("{peer}@example.com");
    match kind {
        0 => format!("<presence to='{p}' type='subscribe'/>"),
        1 => format!("<presence to='{p}' type='subscribed'/>"),
        2 => format!("<presence to='{p}' type='unsubscribe'/>"),
        3 => format!("<presence to='{p}' type='unsubscribed'/>"),
        4 => format!("<message to='{p}' type='chat'><body>hello {peer}</body></message>"),
        5 => "<presence/>".to_owned(),
        6 => "<presence type='unavailable'/>".to_owned(),
        7 => format!("<iq type='set' id='r'><query xmlns='jabber:iq:roster'><item jid='{p}' name='{peer}'><group>G</group></item></query></iq>"),
        8 => format!("<iq type='set' id='r'><query xmlns='jabber:iq:roster'><item jid='{p}' subscription='remove'/></query></iq>"),
        9 => format!("<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='{p}'/></block></iq>"),
        10 => format!("<iq type='set' id='u'><unblock xmlns='urn:xmpp:blocking'><item jid='{p}'/></unblock></iq>"),
        11 => "<iq type='set' id='u'><unblock xmlns='urn:xmpp:blocking'/></iq>".to_owned(),
        12 => format!("<iq type='set' id='p'><query xmlns='jabber:iq:privacy'><list name='l'><item type='jid' value='{p}' action='deny' order='1'><message/></item></list></query></iq>"),
        13 => "<iq type='set' id='p'><query xmlns='jabber:iq:privacy'><default name='l'/></query></iq>".to_owned(),
        14 => "<iq type='set' id='p'><query xmlns='jabber:iq:privacy'><list name='l'/></query></iq>".to_owned(),
        _ => format!("<message to='{p}' type='normal'><subject>s</subject><body>later</body></message>"),
    }
}

/// Runs `ops`, returning the harness and a transcript of every output.
fn run(ops: &[Op]) -> (Harness, Vec<String>) {
    let mut h = Harness::new();
    let mut sessions: [Option<SessionId>; 4] = [None; 4];
    let mut transcript = Vec::new();
    for user in USERS {
        h.account(user);
    }
    for op in ops {
        match op {
            Op::Create(u) => {
                let _ = h.router.create_account(USERS[*u], &Password::new("pw"));
            }
            Op::Delete(u) => {
                let _ = h.router.delete_account(USERS[*u]);
                if let Some(s) = sessions[*u].take() {
                    h.router.session_closed(h.now, s).unwrap();
                }
            }
            Op::Password(u) => {
                let _ = h.router.set_password(USERS[*u], &Password::new("pw2"));
            }
            Op::Login(u) | Op::Send(u, _, _) if sessions[*u].is_none() => {
                let exists = h
                    .router
                    .accounts()
                    .iter()
                    .any(|a| a.node() == Some(USERS[*u]));
                if exists {
                    sessions[*u] = Some(h.login(USERS[*u], "res"));
                }
            }
            Op::Login(_) => {}
            Op::Logout(u) => {
                if let Some(s) = sessions[*u].take() {
                    h.router.session_closed(h.now, s).unwrap();
                }
            }
            Op::Send(..) => {}
            Op::Dance(a, b) => {
                if let (Some(sa), Some(sb)) = (sessions[*a], sessions[*b]) {
                    let (ja, jb) = (
                        format!("{}@example.com", USERS[*a]),
                        format!("{}@example.com", USERS[*b]),
                    );
                    h.befriend(sa, &ja, sb, &jb);
                }
            }
        }
        if let Op::Send(u, peer, kind) = op
            && let Some(s) = sessions[*u]
        {
            h.send(s, &stanza(USERS[*peer], *kind));
        }
        let outs = h.drain();
        transcript.extend(outs.all.iter().map(|o| format!("{o:?}")));
    }
    transcript.extend(h.drain().all.iter().map(|o| format!("{o:?}")));
    (h, transcript)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn emitted_changes_rebuild_the_same_state(ops in proptest::collection::vec(op(), 1..60)) {
        let (h, _) = run(&ops);
        let snapshot = h.router.snapshot();
        let config = h.router.config().clone();
        // Every change ever emitted, replayed in order.
        let replayed = Router::load(config.clone(), InsecureSeededEntropy::new(1), h.log.clone()).unwrap();
        prop_assert_eq!(replayed.snapshot(), snapshot.clone());
        // The compact snapshot, loaded.
        let compact = Router::load(config, InsecureSeededEntropy::new(1), snapshot.clone()).unwrap();
        prop_assert_eq!(compact.snapshot(), snapshot);
        for user in h.router.accounts() {
            prop_assert_eq!(replayed.roster(&user), h.router.roster(&user));
            prop_assert_eq!(replayed.roster_version(&user), h.router.roster_version(&user));
            prop_assert_eq!(replayed.blocklist(&user), h.router.blocklist(&user));
            prop_assert_eq!(replayed.offline_count(&user), h.router.offline_count(&user));
        }
    }

    #[test]
    fn same_inputs_same_outputs(ops in proptest::collection::vec(op(), 1..40)) {
        let (_, a) = run(&ops);
        let (_, b) = run(&ops);
        prop_assert_eq!(a, b);
    }
}

#[test]
fn restarted_router_behaves_the_same() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    h.send(j, "<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='tybalt@example.com'/></block></iq>");
    h.close(j);
    h.send(
        r,
        "<message to='juliet@example.com'><body>kept</body></message>",
    );
    let mut h2 = h.restart();
    let r = h2.login("romeo", "orchard");
    let j = h2.login("juliet", "balcony");
    h2.available(r);
    let out = h2.available(j);
    assert!(out.got(j, &["<body>kept</body>"]));
    assert!(
        out.got(j, &["from='romeo@example.com/orchard'"]),
        "subscriptions survive"
    );
    assert!(out.got(r, &["from='juliet@example.com/balcony'"]));
    h2.account("tybalt");
    let t = h2.login("tybalt", "street");
    let out = h2.send(
        t,
        "<message to='juliet@example.com'><body>x</body></message>",
    );
    assert!(out.got(t, &["service-unavailable"]), "the block survives");
}

#[test]
fn load_rejects_inconsistent_input() {
    let h = Harness::new();
    let config = h.router.config().clone();
    let orphan = xmpp_server::Change::RosterVersion {
        user: common::bare("ghost@example.com"),
        version: 1,
    };
    let err = Router::load(config.clone(), InsecureSeededEntropy::new(1), [orphan]).unwrap_err();
    assert!(matches!(
        err,
        xmpp_server::LoadError::UnknownAccount { position: 0, .. }
    ));
    let foreign = xmpp_server::Change::AccountDeleted {
        user: common::bare("a@elsewhere.org"),
    };
    let err = Router::load(config, InsecureSeededEntropy::new(1), [foreign]).unwrap_err();
    assert!(matches!(err, xmpp_server::LoadError::ForeignDomain { .. }));
}

/// The generator above is only worth something if it makes the router emit every
/// kind of change (but `RosterVersion`, which only snapshots carry).
#[test]
fn generator_covers_every_kind_of_change() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut kinds = std::collections::BTreeSet::new();
    for _ in 0..48 {
        let ops = proptest::collection::vec(op(), 1..60)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let (h, _) = run(&ops);
        for c in &h.log {
            let debug = format!("{c:?}");
            kinds.insert(
                debug
                    .split([' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
    }
    let expected = [
        "AccountDeleted",
        "AccountSet",
        "DefaultPrivacyListSet",
        "OfflineDeleted",
        "OfflineStored",
        "PendingInRemoved",
        "PendingInSet",
        "PrivacyListRemoved",
        "PrivacyListSet",
        "RosterItemRemoved",
        "RosterItemSet",
    ];
    assert_eq!(kinds, expected.iter().map(|k| k.to_string()).collect());
}
