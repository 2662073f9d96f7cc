//! Session life: credentials, binding and its conflict policy, bad input, floods,
//! misuse by the glue, account administration.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Harness, bare};
use xmpp_core::RequestId;
use xmpp_sasl::scram::{ScramClientOptions, ScramHash};
use xmpp_sasl::{
    ClientCredentials, ClientOptions, ClientPolicy, ConnectionInfo, CredentialAnswer,
    InsecureSeededEntropy, Mechanism, Password, SaltedPasswordCache, SaslClient, SaslServer,
    ServerConfig, ServerStep,
};
use xmpp_server::{AccountError, Change, RouterError, RouterOutput, SessionId};
use xmpp_stanza::{Element, Namespace};

fn credentials(
    h: &mut Harness,
    session: SessionId,
    mech: Mechanism,
    user: &str,
    authzid: Option<&str>,
) -> CredentialAnswer {
    h.router
        .credentials_requested(h.now, session, RequestId::from_raw(9), mech, user, authzid)
        .unwrap();
    match h.router.poll_output() {
        Some(RouterOutput::Credentials {
            session: s,
            request,
            answer,
        }) => {
            assert_eq!((s, request), (session, RequestId::from_raw(9)));
            answer
        }
        other => panic!("{other:?}"),
    }
}

/// Runs a real SCRAM exchange against the router's answer.
fn authenticate(answer: CredentialAnswer, user: &str, password: &str, mech: Mechanism) -> bool {
    let mut entropy = InsecureSeededEntropy::new(3);
    let config = ServerConfig::new(true);
    let info = ConnectionInfo {
        tls_established: true,
        channel_bindings: &[],
        server_binding_types: None,
    };
    let selection = match ClientPolicy::new().select(&[mech.name()], &info) {
        Ok(s) => s,
        Err(e) => panic!("{e:?}"),
    };
    let creds = ClientCredentials::new(user, password);
    let options = ClientOptions {
        scram: ScramClientOptions::new().insecure_min_iterations_for_tests(1),
        ..ClientOptions::default()
    };
    let (mut client, initial) = SaslClient::start(
        &selection,
        &creds,
        &options,
        SaltedPasswordCache::new(),
        &mut entropy,
    )
    .unwrap();
    let mut server = SaslServer::start(&config, mech.name(), &mut entropy).unwrap();
    let mut answer = Some(answer);
    let mut step = server.initial(initial.as_deref());
    for _ in 0..8 {
        step = match step {
            Ok(ServerStep::NeedCredentials(_)) => server.provide(answer.take().unwrap()),
            Ok(ServerStep::Challenge(c)) => match client.respond(&c) {
                Ok(r) => server.respond(&r),
                Err(_) => return false,
            },
            Ok(ServerStep::Success(s)) => {
                return client.finish(s.additional_data.as_deref()).is_ok();
            }
            Ok(_) | Err(_) => return false,
        };
    }
    false
}

#[test]
fn credentials_come_from_stored_scram_keys() {
    let mut h = Harness::new();
    h.account("juliet");
    h.router.open_session(h.now, SessionId(50)).unwrap();
    let s = SessionId(50);
    for mech in [
        Mechanism::ScramSha1,
        Mechanism::ScramSha256,
        Mechanism::ScramSha512,
    ] {
        let answer = credentials(&mut h, s, mech, "juliet", None);
        assert!(
            authenticate(answer, "juliet", "juliet-password", mech),
            "{mech}"
        );
        let answer = credentials(&mut h, s, mech, "juliet", None);
        assert!(!authenticate(answer, "juliet", "wrong", mech), "{mech}");
    }
    assert!(matches!(
        credentials(&mut h, s, Mechanism::ScramSha256, "nobody", None),
        CredentialAnswer::UnknownUser
    ));
    assert!(matches!(
        credentials(&mut h, s, Mechanism::DigestMd5, "juliet", None),
        CredentialAnswer::MechanismTooWeak
    ));
    // Case-insensitive localparts (nodeprep) find the account.
    assert!(matches!(
        credentials(&mut h, s, Mechanism::ScramSha256, "JULIET", None),
        CredentialAnswer::Found(_)
    ));
    // Keys, never passwords, in the change log.
    let shown = format!("{:?}", h.log);
    assert!(!shown.contains("juliet-password"));
    let Change::AccountSet { keys, .. } = &h.log[0] else {
        panic!()
    };
    let hashes: Vec<ScramHash> = keys.iter().map(|k| k.hash()).collect();
    assert_eq!(
        hashes,
        [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512]
    );
    assert_eq!(keys[0].salt().len(), 16);
}

#[test]
fn password_change_and_account_deletion() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let s = SessionId(60);
    h.router.open_session(h.now, s).unwrap();
    h.router
        .set_password("juliet", &Password::new("new"))
        .unwrap();
    h.drain();
    let answer = credentials(&mut h, s, Mechanism::ScramSha256, "juliet", None);
    assert!(authenticate(
        answer,
        "juliet",
        "new",
        Mechanism::ScramSha256
    ));
    assert!(matches!(
        h.router.create_account("juliet", &Password::new("x")),
        Err(AccountError::AccountExists(_))
    ));
    assert!(matches!(
        h.router.create_account("a@b", &Password::new("x")),
        Err(AccountError::InvalidUsername(_))
    ));
    assert!(matches!(
        h.router.create_account("empty", &Password::new("")),
        Err(AccountError::Password(_))
    ));
    assert!(matches!(
        h.router.set_password("nobody", &Password::new("x")),
        Err(AccountError::NoSuchAccount(_))
    ));

    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    h.roster_get(r);
    h.available(r);
    h.available(j);
    h.router.delete_account("juliet").unwrap();
    let out = h.drain();
    assert_eq!(out.closes(), [(j, "not-authorized".to_owned())]);
    assert!(out.got(
        r,
        &["from='juliet@example.com/balcony'", "type='unavailable'"]
    ));
    assert!(out.got(
        r,
        &["<iq", "jid='juliet@example.com'", "subscription='none'"]
    ));
    assert!(matches!(
        out.changes.last(),
        Some(Change::AccountDeleted { .. })
    ));
    assert_eq!(h.router.accounts(), [bare("romeo@example.com")]);
    assert!(h.router.delete_account("juliet").is_err());
    h.close(j);
    assert!(h.restart().router.accounts() == [bare("romeo@example.com")]);
}

#[test]
fn bind_conflict_new_session_wins() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    h.befriend(r, "romeo@example.com", j, "juliet@example.com");
    h.available(r);
    h.available(j);
    // A second connection binds the same resource: the old one is closed with
    // `conflict` (and seen going unavailable), the new one bound.
    h.router.open_session(h.now, SessionId(77)).unwrap();
    h.router
        .bind_requested(
            h.now,
            SessionId(77),
            RequestId::from_raw(1),
            "juliet",
            Some("balcony"),
        )
        .unwrap();
    let out = h.drain();
    assert_eq!(out.closes(), [(j, "conflict".to_owned())]);
    assert!(out.got(
        r,
        &["from='juliet@example.com/balcony'", "type='unavailable'"]
    ));
    let bind = out
        .all
        .iter()
        .position(|o| matches!(o, RouterOutput::Bind { result: Ok(_), .. }))
        .unwrap();
    let close = out
        .all
        .iter()
        .position(|o| matches!(o, RouterOutput::Close { .. }))
        .unwrap();
    assert!(close < bind);
    h.router.session_online(h.now, SessionId(77)).unwrap();
    let out = h.send(
        r,
        "<message to='juliet@example.com/balcony'><body>x</body></message>",
    );
    assert!(out.got(SessionId(77), &["<body>x</body>"]) && out.to(j).is_empty());
    // The closed session's late traffic is ignored, its close report accepted.
    let out = h.send(
        j,
        "<message to='romeo@example.com'><body>late</body></message>",
    );
    assert!(out.all.is_empty());
    let out = h.close(j);
    assert!(out.all.is_empty());
}

#[test]
fn generated_and_invalid_resources_and_limits() {
    let mut h = Harness::with_config(|c| c.limits.max_resources_per_account = 2);
    h.account("romeo");
    let (_, a) = h.login_bound("romeo", None);
    let (_, b) = h.login_bound("romeo", None);
    assert_eq!(a.resource().len(), 16);
    assert_ne!(a, b);
    let s = SessionId(99);
    h.router.open_session(h.now, s).unwrap();
    h.router
        .bind_requested(h.now, s, RequestId::from_raw(1), "romeo", Some("third"))
        .unwrap();
    assert!(
        matches!(h.router.poll_output(), Some(RouterOutput::Bind { result: Err(e), .. }) if e.condition.name() == "resource-constraint")
    );
    // Replacing an existing resource is still allowed at the limit.
    h.router
        .bind_requested(
            h.now,
            s,
            RequestId::from_raw(2),
            "romeo",
            Some(a.resource()),
        )
        .unwrap();
    assert!(matches!(
        h.drain().all.last(),
        Some(RouterOutput::Bind { result: Ok(_), .. })
    ));
    let s2 = SessionId(100);
    h.router.open_session(h.now, s2).unwrap();
    h.router
        .bind_requested(h.now, s2, RequestId::from_raw(1), "romeo", Some("\u{7}"))
        .unwrap();
    assert!(
        matches!(h.router.poll_output(), Some(RouterOutput::Bind { result: Err(e), .. }) if e.condition.name() == "bad-request")
    );
    h.router
        .bind_requested(h.now, s2, RequestId::from_raw(2), "ghost", None)
        .unwrap();
    assert!(
        matches!(h.router.poll_output(), Some(RouterOutput::Bind { result: Err(e), .. }) if e.condition.name() == "not-authorized")
    );
}

#[test]
fn bad_input_never_disturbs_others() {
    let mut h = Harness::new();
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    // Invalid stanzas get the error their defect maps to.
    let out = h.send(
        r,
        "<message to='juliet@example.com/balcony' id='b1'><body>a</body><body>b</body></message>",
    );
    assert!(out.got(
        r,
        &[
            "from='juliet@example.com/balcony'",
            "id='b1'",
            "type='error'",
            "bad-request"
        ]
    ));
    assert!(out.to(j).is_empty());
    let out = h.send(
        r,
        "<iq type='get' id='b2'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>",
    );
    assert!(out.got(r, &["id='b2'", "type='error'", "bad-request"]));
    let out = h.send(r, "<presence to='@@' id='b3'/>");
    assert!(out.got(r, &["id='b3'", "jid-malformed"]) && !out.got(r, &["from="]));
    let out = h.send(r, "<presence><priority>999</priority></presence>");
    assert!(out.got(r, &["type='error'", "bad-request"]));
    // An invalid error stanza is dropped.
    let out = h.send(r, "<message type='error' to='juliet@example.com'/>");
    assert!(out.all.is_empty());
    // Not a stanza at all: stream error, close.
    let out = h.send(r, "<foo/>");
    assert_eq!(out.closes(), [(r, "unsupported-stanza-type".to_owned())]);
    let r2 = h.login("romeo", "garden");
    let wrong_ns = Element::new("message", Namespace::intern("urn:wrong"));
    h.router
        .element_received(h.now, h.wall, r2, wrong_ns)
        .unwrap();
    assert_eq!(h.drain().closes(), [(r2, "invalid-namespace".to_owned())]);
    // Juliet was never affected.
    let out = h.send(
        j,
        "<iq type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert!(out.got(j, &["id='p'", "type='result'"]));
}

#[test]
fn stanzas_before_binding_close_the_session() {
    let mut h = Harness::new();
    h.account("romeo");
    let s = SessionId(5);
    h.router.open_session(h.now, s).unwrap();
    let out = h.send(
        s,
        "<message to='romeo@example.com'><body>x</body></message>",
    );
    assert_eq!(out.closes(), [(s, "not-authorized".to_owned())]);
}

#[test]
fn floods_close_only_the_flooder() {
    let mut h = Harness::with_config(|c| {
        c.limits.flood = Some(xmpp_server::FloodLimit {
            burst: 5,
            per_second: 1,
        })
    });
    h.account("romeo");
    h.account("juliet");
    let r = h.login("romeo", "orchard");
    let j = h.login("juliet", "balcony");
    let mut closed = Vec::new();
    for _ in 0..10 {
        let out = h.send(
            r,
            "<message to='juliet@example.com/balcony'><body>spam</body></message>",
        );
        closed.extend(out.closes());
    }
    assert_eq!(closed, [(r, "policy-violation".to_owned())]);
    let out = h.send(
        j,
        "<iq type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert!(out.got(j, &["type='result'"]));
}

#[test]
fn glue_misuse_is_a_typed_error() {
    let mut h = Harness::new();
    h.account("romeo");
    let s = SessionId(1);
    assert_eq!(
        h.router.session_online(h.now, s),
        Err(RouterError::UnknownSession(s))
    );
    h.router.open_session(h.now, s).unwrap();
    assert_eq!(
        h.router.open_session(h.now, s),
        Err(RouterError::SessionExists(s))
    );
    assert_eq!(
        h.router.session_online(h.now, s),
        Err(RouterError::WrongPhase(s))
    );
    h.router
        .bind_requested(h.now, s, RequestId::from_raw(1), "romeo", Some("a"))
        .unwrap();
    h.drain();
    assert_eq!(
        h.router
            .bind_requested(h.now, s, RequestId::from_raw(2), "romeo", Some("b")),
        Err(RouterError::WrongPhase(s))
    );
    assert!(h.router.session_closed(h.now, SessionId(404)).is_ok());
}
