//! Real clients nobody here wrote against the `server` binary on 127.0.0.1, with a
//! test CA from the interop harness (`conformance/interop/certs.sh`):
//!
//! * two slixmpp clients (Debian's python3-slixmpp 1.8.3, through
//!   `slixmpp_check.py buddy`) log in with STARTTLS and SCRAM, fetch their rosters,
//!   subscribe to each other, see each other's presence and exchange messages;
//! * go-sendxmpp sends a message that slixmpp receives, and one that our tokio
//!   client receives;
//! * slixmpp on TLS 1.3 against the default configuration: it binds with
//!   `tls-unique` (undefined there, RFC 9266) and retries without `-PLUS` with gs2
//!   flag `y`; both are refused while we offer `-PLUS` (one uncounted refusal per
//!   mechanism), and it logs in with PLAIN — never with `-PLUS`, never with SCRAM
//!   and `y`; with `--channel-binding off` it uses SCRAM;
//! * our tokio client gets `SCRAM-SHA-512-PLUS` (bound with `tls-exporter`) from
//!   the same default configuration.
//!
//! Ignored by default (they need the Debian packages); `scripts/test-all.sh` runs
//! `conformance/interop/install.sh` and then these with `--ignored`, where a missing
//! client is a failure, never a skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use futures::StreamExt;
use xmpp_sasl::Mechanism;
use xmpp_stanza::{Presence, Stanza};
use xmpp_testkit::processes::{self, ServerProcess, interop_dir, run_tool};
use xmpp_tokio::{ConnectConfig, Event};

const DOMAIN: &str = "example.test";
const USERS: [&str; 10] = [
    "--add-user",
    "alice:pw-alice",
    "--add-user",
    "bob:pw-bob",
    "--add-user",
    "carol:pw-carol",
    "--add-user",
    "dave:pw-dave",
    "--add-user",
    "erin:pw-erin",
];

/// A server with the test users and its certificates.
fn start_server(name: &str, extra: &[&str]) -> (ServerProcess, PathBuf) {
    let dir = processes::temp_dir(name);
    let certs = processes::harness_certs(&dir, DOMAIN);
    let db = dir.join("state.sqlite");
    let mut args: Vec<&str> = USERS.to_vec();
    args.extend(["--db", db.to_str().unwrap()]);
    args.extend(extra);
    (ServerProcess::start(xmppd(), &certs, DOMAIN, &args), certs)
}

/// `slixmpp_check.py` as `user` with `args` (the scenario last); (ok, output).
fn slixmpp(port: u16, certs: &Path, user: &str, tls: &str, args: &[&str]) -> (bool, String) {
    let port = port.to_string();
    let jid = format!("{user}@{DOMAIN}");
    let password = format!("pw-{user}");
    let ca = certs.join("ca.pem");
    let mut all = vec![
        "--jid",
        &jid,
        "--password",
        &password,
        "--port",
        &port,
        "--ca",
        ca.to_str().unwrap(),
        "--tls-version",
        tls,
        "--timeout",
        "30",
    ];
    all.extend(args);
    run_tool(
        &interop_dir().join("slixmpp_check.py"),
        &all,
        Duration::from_secs(40),
    )
}

fn has_line(output: &str, prefix: &str) -> bool {
    output.lines().any(|l| l.starts_with(prefix))
}

/// slixmpp logged in without channel binding: with PLAIN where we offered `-PLUS`
/// (1.8.3 binds only with `tls-unique`, which we cannot verify, and its fallback
/// says `y`), or with SCRAM where we did not; a slixmpp that stopped binding with
/// `tls-unique` would use SCRAM with `n`. Never `-PLUS`.
fn logged_in_unbound(output: &str) -> bool {
    let auth: Vec<&str> = output.lines().filter(|l| l.starts_with("AUTH ")).collect();
    matches!(auth.as_slice(), [line] if (*line == "AUTH PLAIN" || line.starts_with("AUTH SCRAM-SHA-")) && !line.ends_with("-PLUS"))
}

#[test]
#[ignore = "needs python3-slixmpp (conformance/interop/install.sh); run by scripts/test-all.sh"]
fn two_slixmpp_clients_subscribe_and_chat() {
    // The default configuration, slixmpp's default TLS (1.3) for alice and TLS 1.2
    // for bob.
    let (server, certs) = start_server("slixmpp-pair", &[]);
    let port = server.port;
    let (c1, c2) = (certs.clone(), certs.clone());
    let alice = std::thread::spawn(move || {
        slixmpp(
            port,
            &c1,
            "alice",
            "any",
            &["buddy", "bob@example.test", "hi bob"],
        )
    });
    let bob = std::thread::spawn(move || {
        slixmpp(
            port,
            &c2,
            "bob",
            "1.2",
            &["buddy", "alice@example.test", "hi alice"],
        )
    });
    for (name, peer, body, tls, (ok, out)) in [
        (
            "alice",
            "bob",
            "hi alice",
            "TLS TLSv1.3",
            alice.join().unwrap(),
        ),
        ("bob", "alice", "hi bob", "TLS TLSv1.2", bob.join().unwrap()),
    ] {
        assert!(ok, "{name}:\n{out}");
        assert!(has_line(&out, tls), "{name}:\n{out}");
        assert!(logged_in_unbound(&out), "{name}:\n{out}");
        assert!(has_line(&out, "ROSTER 0"), "{name}: initial roster\n{out}");
        let peer_jid = format!("{peer}@{DOMAIN}");
        assert!(
            has_line(&out, &format!("PRESENCE {peer_jid}/")),
            "{name}: presence\n{out}"
        );
        assert!(
            has_line(&out, &format!("MSG {peer_jid}/")) && out.contains(body),
            "{name}: message\n{out}"
        );
        assert!(
            has_line(&out, &format!("ROSTER_ITEM {peer_jid} both")),
            "{name}: final roster\n{out}"
        );
        assert!(has_line(&out, "DONE"), "{name}:\n{out}");
    }
    server.stop();
}

#[test]
#[ignore = "needs python3-slixmpp (conformance/interop/install.sh); run by scripts/test-all.sh"]
fn slixmpp_on_tls_1_3_logs_in_with_the_default_configuration() {
    // -PLUS is offered (tls-exporter, tls-server-end-point; XEP-0440). slixmpp 1.8.3
    // tries SCRAM-SHA-512/256/1-PLUS with p=tls-unique, then SCRAM-SHA-512/256/1
    // with y, then PLAIN: six refusals, none counted toward the three failures a
    // stream may have (each is its mechanism's first channel-binding refusal), and
    // PLAIN succeeds on the same stream.
    let (server, certs) = start_server("slixmpp-tls13", &[]);
    for (user, tls) in [("carol", "1.3"), ("dave", "any")] {
        let (ok, out) = slixmpp(server.port, &certs, user, tls, &["login-roster"]);
        assert!(ok, "{out}");
        assert!(has_line(&out, "TLS TLSv1.3"), "{out}");
        assert!(logged_in_unbound(&out), "{out}");
        assert!(has_line(&out, "DONE"), "{out}");
        eprintln!(
            "slixmpp on TLS 1.3 with -PLUS offered: {}",
            out.replace('\n', " | ")
        );
    }
    // And on TLS 1.2, where rustls has no tls-unique either.
    let (ok, out) = slixmpp(server.port, &certs, "carol", "1.2", &["login-roster"]);
    assert!(
        ok && logged_in_unbound(&out) && has_line(&out, "DONE"),
        "{out}"
    );
    // A wrong password is still refused, and the stream survives its refusals to
    // report it.
    let (ok, out) = {
        let port = server.port.to_string();
        let ca = certs.join("ca.pem");
        run_tool(
            &interop_dir().join("slixmpp_check.py"),
            &[
                "--jid",
                "erin@example.test",
                "--password",
                "wrong",
                "--port",
                &port,
                "--ca",
                ca.to_str().unwrap(),
                "--timeout",
                "30",
                "login-roster",
            ],
            Duration::from_secs(40),
        )
    };
    assert!(!ok && out.contains("AUTH_FAILED"), "{out}");
    server.stop();

    // With --channel-binding off nothing -PLUS is offered and slixmpp's y is the
    // truth: SCRAM on TLS 1.3.
    let (server, certs) = start_server("slixmpp-nocb", &["--channel-binding", "off"]);
    let (ok, out) = slixmpp(server.port, &certs, "dave", "1.3", &["login-roster"]);
    assert!(ok, "{out}");
    assert!(has_line(&out, "TLS TLSv1.3"), "{out}");
    assert!(has_line(&out, "AUTH SCRAM-SHA-512"), "{out}");
    assert!(!out.contains("-PLUS"), "{out}");
    server.stop();
}

#[test]
#[ignore = "needs the interop harness's certificates (openssl, conformance/interop/install.sh); run by scripts/test-all.sh"]
fn our_client_gets_scram_sha_512_plus_from_the_default_configuration() {
    let (server, certs) = start_server("tokio-plus", &[]);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let first = rt.block_on(async {
        let config = ConnectConfig::new(&format!("alice@{DOMAIN}/tokio"), "pw-alice")
            .unwrap()
            .server("127.0.0.1", server.port)
            .ca_file(certs.join("ca.pem"));
        let (client, mut events) = xmpp_tokio::connect(config).await.unwrap();
        let first = events.next().await;
        client.close().await.unwrap();
        first
    });
    assert!(
        matches!(
            first,
            Some(Event::Authenticated(Mechanism::ScramSha512Plus))
        ),
        "{first:?}"
    );
    server.stop();
}

/// go-sendxmpp as `from` sends `body` to `to`; returns its success.
fn go_sendxmpp(port: u16, certs: &Path, from: &str, to: &str, body: &str) -> bool {
    let home = certs.join("gohome");
    let empty = certs.join("empty-cert-dir");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&empty).unwrap();
    let mut child = Command::new("go-sendxmpp")
        .args([
            "-u",
            &format!("{from}@{DOMAIN}"),
            "-p",
            &format!("pw-{from}"),
        ])
        .args([
            "-j",
            &format!("127.0.0.1:{port}"),
            &format!("{to}@{DOMAIN}"),
        ])
        .env("HOME", &home)
        .env("SSL_CERT_FILE", certs.join("ca.pem"))
        .env("SSL_CERT_DIR", &empty)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("go-sendxmpp (Debian package go-sendxmpp) must be installed");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(body.as_bytes()).unwrap();
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
#[ignore = "needs go-sendxmpp and python3-slixmpp (conformance/interop/install.sh); run by scripts/test-all.sh"]
fn go_sendxmpp_reaches_slixmpp_and_our_client() {
    let (server, certs) = start_server("go-sendxmpp", &[]);
    let port = server.port;

    // To slixmpp: it waits (available) for one message from bob.
    let c = certs.clone();
    let receiver = std::thread::spawn(move || {
        slixmpp(
            port,
            &c,
            "alice",
            "any",
            &["receive-one", "bob@example.test"],
        )
    });
    // Give slixmpp time to log in and become available (it prints its own presence).
    std::thread::sleep(Duration::from_secs(3));
    assert!(go_sendxmpp(
        port,
        &certs,
        "bob",
        "alice",
        "hello from go-sendxmpp"
    ));
    let (ok, out) = receiver.join().unwrap();
    assert!(ok, "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("MSG bob@example.test/go-sendxmpp")
                && l.ends_with("hello from go-sendxmpp")),
        "{out}"
    );

    // To our tokio client.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let received = rt.block_on(async {
        let config = ConnectConfig::new(&format!("erin@{DOMAIN}/tokio"), "pw-erin")
            .unwrap()
            .server("127.0.0.1", port)
            .ca_file(certs.join("ca.pem"));
        let (client, mut events) = xmpp_tokio::connect(config).await.unwrap();
        client.send(Presence::available()).await.unwrap();
        let sender = {
            let certs = certs.clone();
            tokio::task::spawn_blocking(move || {
                go_sendxmpp(port, &certs, "dave", "erin", "hi erin, this is go")
            })
        };
        let body = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(event) = events.next().await {
                if let Event::Stanza(s) = event
                    && let Stanza::Message(m) = *s
                    && let Some(body) = m.body()
                {
                    return Some((m.from.as_ref().map(|f| f.to_string()), body.to_owned()));
                }
            }
            None
        })
        .await
        .ok()
        .flatten();
        assert!(sender.await.unwrap(), "go-sendxmpp failed");
        client.close().await.unwrap();
        body
    });
    let (from, body) = received.expect("our client got no message from go-sendxmpp");
    assert!(
        from.unwrap_or_default()
            .starts_with("dave@example.test/go-sendxmpp")
    );
    assert_eq!(body, "hi erin, this is go");
    server.stop();
}

/// The server binary under test.
fn xmppd() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_xmppd"))
}
