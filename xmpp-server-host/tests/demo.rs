//! README's first command works: the `demo` example runs every step and exits 0
//! (this runs the binary `cargo test` built, in the test profile).

#![allow(clippy::unwrap_used, clippy::panic)]

use std::process::Command;

use xmpp_testkit::processes;

#[test]
fn the_demo_passes_every_check() {
    let out = Command::new(processes::example("demo")).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for expected in [
        "SASL SCRAM-SHA-256-PLUS with channel binding tls-exporter",
        "STARTTLS -> TLS 1.3",
        "fetches its roster: bob@demo.example (both)",
        "fetches its roster: alice@demo.example (both)",
        "-> bob: \"Hello Bob!\" (delivered)",
        "-> alice: \"Hi Alice, got it.\" (delivered)",
        "bounced with service-unavailable, not delivered",
        "-> alice: \"Now you hear me.\" (delivered)",
        "every check passed",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

#[test]
fn the_demo_shows_the_xml_of_both_directions() {
    let out = Command::new(processes::example("demo"))
        .arg("--xml")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for expected in [
        "alice \u{2192} <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
        "alice \u{2190} <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
        "mechanism='SCRAM-SHA-256-PLUS'",
        "<channel-binding type='tls-exporter'/>",
        "bob \u{2192} <message to='alice@demo.example' type='chat'><body>Are you still there?</body></message>",
        "alice \u{2190} </stream:stream>",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

#[test]
fn a_bad_option_is_refused_with_one_line() {
    let out = Command::new(processes::example("demo"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
