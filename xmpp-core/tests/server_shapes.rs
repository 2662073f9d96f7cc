//! Our client against scripted servers shaped like the real ones the interop harness
//! found (conformance/interop/README.md): Prosody 0.12 sends `<bind>` with a
//! `<required/>` child, the legacy session as optional, extension features, and its
//! mechanisms in a different order on every connection; ejabberd adds X-OAUTH2 and
//! DIGEST-MD5. The client must rank mechanisms itself, skip unknown ones and bind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use xmpp_core::*;
use xmpp_jid::BareJid;
use xmpp_sasl::{ClientPolicy, InsecureSeededEntropy, Mechanism};

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' from='example.test' id='s1' version='1.0' xml:lang='en'>";

fn client(policy: ClientPolicy) -> ClientConnection {
    let config = ClientConfig::new(BareJid::new("alice@example.test").unwrap(), "pw")
        .unwrap()
        .with_tls(TlsMode::DirectTls(TlsInfo::new(TlsVersion::Tls13)))
        .with_policy(policy);
    ClientConnection::new(
        config,
        Box::new(InsecureSeededEntropy::new(3)),
        Instant::now(),
    )
    .unwrap()
}

/// Feeds `input`, returns what the client wrote and its events.
fn step(c: &mut ClientConnection, input: &str) -> (String, Vec<ClientEvent>, Option<CloseReason>) {
    c.handle_input(Instant::now(), input.as_bytes());
    let (mut out, mut events, mut closed) = (String::new(), Vec::new(), None);
    loop {
        match c.poll_output() {
            Output::Transmit(b) => out.push_str(&String::from_utf8(b).unwrap()),
            Output::Event(e) => events.push(e),
            Output::Closed(r) => closed = Some(r),
            Output::Wait(_) => return (out, events, closed),
            _ => {}
        }
    }
}

fn mechanisms(names: &[&str]) -> String {
    let list: String = names
        .iter()
        .map(|n| format!("<mechanism>{n}</mechanism>"))
        .collect();
    format!(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{list}</mechanisms></stream:features>"
    )
}

#[test]
fn prosody_shaped_features_after_authentication() {
    let mut c = client(ClientPolicy::new().allow_only(&[Mechanism::Plain]));
    let (out, _, _) = step(
        &mut c,
        &format!(
            "{HEADER}{}",
            mechanisms(&["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"])
        ),
    );
    assert!(out.contains("mechanism='PLAIN'"), "{out}");
    let (out, events, _) = step(
        &mut c,
        "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
    );
    assert!(out.contains("<stream:stream"));
    assert!(matches!(
        events.as_slice(),
        [ClientEvent::Authenticated {
            mechanism: Mechanism::Plain
        }]
    ));
    let features = "<stream:features><sub xmlns='urn:xmpp:features:pre-approval'/>\
        <ver xmlns='urn:xmpp:features:rosterver'/>\
        <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://prosody.im' ver='x'/>\
        <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind>\
        <session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>";
    let (out, _, closed) = step(&mut c, &format!("{HEADER}{features}"));
    assert_eq!(closed, None);
    assert!(
        out.contains("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"),
        "{out}"
    );
    let id = out
        .split("id='")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned();
    let result = format!(
        "<iq type='result' id='{id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@example.test/abc</jid></bind></iq>"
    );
    let (out, events, _) = step(&mut c, &result);
    assert!(
        out.is_empty(),
        "no session request for an optional session: {out}"
    );
    let [ClientEvent::Online { jid, features }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(jid.as_str(), "alice@example.test/abc");
    assert!(features.other.iter().any(|f| f.name() == "ver"));
}

#[test]
fn mechanisms_are_ranked_by_the_client_not_the_server() {
    // Prosody's order changes per connection; ejabberd adds X-OAUTH2 and DIGEST-MD5.
    for order in [
        [
            "PLAIN",
            "SCRAM-SHA-1",
            "SCRAM-SHA-256",
            "X-OAUTH2",
            "DIGEST-MD5",
        ],
        [
            "SCRAM-SHA-256",
            "X-OAUTH2",
            "DIGEST-MD5",
            "PLAIN",
            "SCRAM-SHA-1",
        ],
        [
            "DIGEST-MD5",
            "SCRAM-SHA-1",
            "X-OAUTH2",
            "SCRAM-SHA-256",
            "PLAIN",
        ],
    ] {
        let mut c = client(ClientPolicy::new());
        let (out, _, _) = step(&mut c, &format!("{HEADER}{}", mechanisms(&order)));
        assert!(
            out.contains("mechanism='SCRAM-SHA-256'"),
            "{order:?}: {out}"
        );
        // gs2 flag `n` ("n,," is "biws" in base64): no binding data here.
        assert!(out.contains(">biws"), "{out}");
    }
}
