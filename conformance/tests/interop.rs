//! Interop against real servers nobody here wrote — Prosody 0.12 and ejabberd 23.01 on
//! 127.0.0.1, started by `conformance/interop/*.sh` with a test CA — through both
//! adapters, whose event traces must be identical.
//!
//! Ignored by default (they need the Debian packages, which `install.sh` installs with
//! root and apt); `scripts/test-all.sh` runs them with `--ignored`, and then a missing
//! server is a failure, never a skip.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use futures::StreamExt;
use xmpp_adapter::{Client, ConnectConfig, Error, Event, Events, Runtime, Security};
use xmpp_core::IqResponse;
use xmpp_jid::Jid;
use xmpp_sasl::{Mechanism, SaslCondition};
use xmpp_stanza::{Element, Iq, IqPayload, Message, Presence, Roster, Stanza, ns};

const DOMAIN: &str = "example.test";

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/interop")
}

/// Runs a harness script; its stdout, or a panic with its stderr.
fn script(name: &str, args: &[&str]) -> String {
    let out = Command::new(interop_dir().join(name))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A private server instance; stopped (by PID, through its script) when dropped.
struct Server {
    script: &'static str,
    rundir: PathBuf,
    port: u16,
}

impl Server {
    fn start(kind: &'static str, work: &Path, port: u16, extra: &[&str]) -> Server {
        let name = if kind == "prosody" {
            "prosody.sh"
        } else {
            "ejabberd.sh"
        };
        let rundir = work.join(format!("{kind}-{port}"));
        let certs = work.join("certs");
        let (rd, certs, port_s) = (
            rundir.to_str().unwrap(),
            certs.to_str().unwrap(),
            port.to_string(),
        );
        let mut args = vec![
            "start", rd, "--domain", DOMAIN, "--port", &port_s, "--certs", certs,
        ];
        args.extend_from_slice(extra);
        let ready = script_with_stop(name, &args, rd);
        assert!(ready.starts_with("READY"), "{ready}");
        let server = Server {
            script: name,
            rundir: rundir.clone(),
            port,
        };
        for (user, password) in [("alice", "pw-alice"), ("bob", "pw-bob")] {
            script(server.script, &["register", rd, user, password]);
        }
        server
    }
}

/// Starts a server; stops it again if start failed midway.
fn script_with_stop(name: &str, args: &[&str], rundir: &str) -> String {
    let out = Command::new(interop_dir().join(name))
        .args(args)
        .output()
        .unwrap();
    if !out.status.success() {
        let _ = Command::new(interop_dir().join(name))
            .args(["stop", rundir])
            .output();
        panic!("{name} start: {}", String::from_utf8_lossy(&out.stderr));
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new(interop_dir().join(self.script))
            .args(["stop", self.rundir.to_str().unwrap_or_default()])
            .output();
    }
}

/// Installs the servers (once per machine), makes a work dir with the test PKI.
fn prepare(name: &str) -> PathBuf {
    let installed = script("install.sh", &[]);
    assert!(installed.contains("READY"), "{installed}");
    let work = std::env::temp_dir().join(format!("xmpp-interop-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    script("certs.sh", &[work.join("certs").to_str().unwrap(), DOMAIN]);
    work
}

fn config(user: &str, password: &str, port: u16, work: &Path) -> ConnectConfig {
    ConnectConfig::new(&format!("{user}@{DOMAIN}/interop"), password)
        .unwrap()
        .server("127.0.0.1", port)
        .ca_file(work.join("certs/ca.pem"))
}

/// The next event that `pick` describes, within 10 s; others are skipped.
async fn next<R: Runtime>(events: &mut Events, pick: impl Fn(&Event) -> Option<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let event = futures::select_biased! {
            event = events.next() => event,
            () = futures::FutureExt::fuse(R::sleep_until(deadline)) => panic!("timed out waiting"),
        };
        let event = event.unwrap();
        if let Some(line) = pick(&event) {
            return line;
        }
        assert!(
            !matches!(event, Event::Closed(_)),
            "closed early: {event:?}"
        );
    }
}

fn message_body(event: &Event) -> Option<String> {
    let Event::Stanza(stanza) = event else {
        return None;
    };
    let Stanza::Message(m) = &**stanza else {
        return None;
    };
    let from = m.from.as_ref()?.to_string();
    Some(format!("message from {from}: {}", m.body()?))
}

async fn login<R: Runtime>(
    config: ConnectConfig,
    trace: &mut Vec<String>,
    who: &str,
) -> (Client, Events) {
    let (client, mut events) = xmpp_adapter::connect_with::<R>(config).await.unwrap();
    for _ in 0..2 {
        let event = events.next().await.unwrap();
        trace.push(match event {
            Event::Authenticated(m) => format!("{who} authenticated {}", m.name()),
            Event::Online { jid, .. } => format!("{who} online {jid}"),
            other => panic!("{other:?}"),
        });
    }
    (client, events)
}

async fn close<R: Runtime>(client: Client, mut events: Events, trace: &mut Vec<String>, who: &str) {
    client.close().await.unwrap();
    let closed = next::<R>(&mut events, |e| match e {
        Event::Closed(None) => Some(format!("{who} closed gracefully")),
        Event::Closed(Some(e)) => Some(format!("{who} closed with {e}")),
        _ => None,
    });
    trace.push(closed.await);
}

/// The whole scenario against one server with adapter `R`: its trace.
async fn scenario<R: Runtime>(port: u16, untrusted_port: u16, work: PathBuf) -> Vec<String> {
    let mut trace = Vec::new();
    let (alice, mut alice_events) = login::<R>(
        config("alice", "pw-alice", port, &work),
        &mut trace,
        "alice",
    )
    .await;
    let (bob, mut bob_events) =
        login::<R>(config("bob", "pw-bob", port, &work), &mut trace, "bob").await;
    let roster = Iq::get("roster-1", Element::new("query", ns::ROSTER));
    match alice.iq(roster, None).await.unwrap() {
        IqResponse::Result(iq) => {
            let items = match &iq.payload {
                IqPayload::Result(Some(q)) => Some(Roster::try_from(q).unwrap().items.len()),
                _ => None,
            };
            trace.push(format!(
                "alice roster result with {} items",
                items.unwrap_or(0)
            ));
        }
        other => panic!("roster: {other:?}"),
    }
    alice.send(Presence::available()).await.unwrap();
    bob.send(Presence::available()).await.unwrap();
    let own_presence = |who: &'static str| {
        move |e: &Event| match e {
            Event::Stanza(s) => match &**s {
                Stanza::Presence(p)
                    if p.from
                        .as_ref()
                        .is_some_and(|f| f.to_string().starts_with(who)) =>
                {
                    Some(format!("{who} sees its own presence {:?}", p.kind))
                }
                _ => None,
            },
            _ => None,
        }
    };
    trace.push(next::<R>(&mut alice_events, own_presence("alice@")).await);
    trace.push(next::<R>(&mut bob_events, own_presence("bob@")).await);
    let to_bob = Jid::new(bob.jid().as_ref()).unwrap();
    alice
        .send(Message::chat(to_bob, "hello bob"))
        .await
        .unwrap();
    let got = next::<R>(&mut bob_events, message_body).await;
    trace.push(format!("bob got {got}"));
    let sender = Jid::new(got.split(' ').nth(2).unwrap().trim_end_matches(':')).unwrap();
    bob.send(Message::chat(sender, "hello alice"))
        .await
        .unwrap();
    trace.push(format!(
        "alice got {}",
        next::<R>(&mut alice_events, message_body).await
    ));
    let ping =
        Iq::get("ping-1", Element::new("ping", "urn:xmpp:ping")).with_to(Jid::new(DOMAIN).unwrap());
    match alice.iq(ping, None).await.unwrap() {
        IqResponse::Result(iq) => trace.push(format!("alice ping {} result", iq.id)),
        other => panic!("ping: {other:?}"),
    }
    close::<R>(alice, alice_events, &mut trace, "alice").await;
    close::<R>(bob, bob_events, &mut trace, "bob").await;

    // XEP-0368 direct TLS on the server's second listener (port + 5).
    let direct = config("alice", "pw-alice", port + 5, &work).security(Security::DirectTls);
    trace.push("alice via direct TLS:".into());
    let (client, events) = login::<R>(direct, &mut trace, "alice").await;
    close::<R>(client, events, &mut trace, "alice").await;
    for mechanism in [Mechanism::ScramSha1, Mechanism::ScramSha256] {
        let forced = config("alice", "pw-alice", port, &work).mechanisms(&[mechanism]);
        let (client, events) = login::<R>(forced, &mut trace, "alice").await;
        close::<R>(client, events, &mut trace, "alice").await;
    }
    match xmpp_adapter::connect_with::<R>(config("alice", "wrong", port, &work)).await {
        Err(Error::Auth(e)) => {
            assert_eq!(e.condition(), Some(SaslCondition::NotAuthorized), "{e}");
            trace.push(format!("wrong password: {e}"));
        }
        other => panic!("wrong password: {:?}", other.map(|_| ())),
    }
    match xmpp_adapter::connect_with::<R>(config("alice", "pw-alice", untrusted_port, &work)).await
    {
        Err(e @ Error::UntrustedCertificate { .. }) => {
            trace.push(format!("untrusted certificate refused: {e}"))
        }
        other => panic!("untrusted certificate: {:?}", other.map(|_| ())),
    }
    trace
}

fn on_tokio<F: Future>(f: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build();
    runtime.unwrap().block_on(f)
}

/// Runs the scenario with both adapters against `kind` and compares their traces.
fn both_adapters(kind: &'static str, port: u16) {
    let work = prepare(kind);
    let direct = (port + 5).to_string();
    let server = Server::start(kind, &work, port, &["--direct-tls-port", &direct]);
    let untrusted = Server::start(kind, &work, port + 2, &["--untrusted"]);
    let tokio_trace = on_tokio(scenario::<xmpp_tokio::Tokio>(
        server.port,
        untrusted.port,
        work.clone(),
    ));
    let smol_trace = smol::block_on(scenario::<xmpp_smol::Smol>(
        server.port,
        untrusted.port,
        work.clone(),
    ));
    println!("{kind}:\n  {}", tokio_trace.join("\n  "));
    assert_eq!(
        tokio_trace, smol_trace,
        "the adapters disagree against {kind}"
    );
    assert!(
        tokio_trace
            .iter()
            .any(|l| l.contains("authenticated SCRAM-SHA-1"))
    );
    for krate in ["xmpp-tokio", "xmpp-smol"] {
        examples(krate, server.port, &work);
    }
    drop((server, untrusted));
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
#[ignore = "needs Prosody (installed by conformance/interop/install.sh); run by scripts/test-all.sh"]
fn prosody() {
    both_adapters("prosody", 16322);
}

#[test]
#[ignore = "needs ejabberd (installed by conformance/interop/install.sh); run by scripts/test-all.sh"]
fn ejabberd() {
    both_adapters("ejabberd", 16332);
}

/// Prosody on TLS 1.2 offers SCRAM-*-PLUS but accepts only `tls-unique`, which rustls
/// cannot provide: both adapters must still log in, with plain SCRAM.
#[test]
#[ignore = "needs Prosody (installed by conformance/interop/install.sh); run by scripts/test-all.sh"]
fn prosody_tls12_offers_plus() {
    let work = prepare("prosody-tls12");
    let server = Server::start("prosody", &work, 16326, &["--tls", "1.2"]);
    let tokio_trace = on_tokio(login_and_close::<xmpp_tokio::Tokio>(
        server.port,
        work.clone(),
    ));
    let smol_trace = smol::block_on(login_and_close::<xmpp_smol::Smol>(
        server.port,
        work.clone(),
    ));
    println!("prosody tls=1.2:\n  {}", tokio_trace.join("\n  "));
    assert_eq!(tokio_trace, smol_trace);
    assert_eq!(tokio_trace[0], "alice authenticated SCRAM-SHA-256");
    drop(server);
    let _ = std::fs::remove_dir_all(&work);
}

/// `cargo run -q -p KRATE --example NAME -- ARGS...` in the workspace.
fn example(krate: &str, name: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    command
        .args(["run", "-q", "-p", krate, "--example", name, "--"])
        .args(args);
    command
}

/// The `echo` and `send` examples, with the command lines: bob echoes one
/// message that alice sends, both exit 0; a wrong password exits 1 with one line.
fn examples(krate: &str, port: u16, work: &Path) {
    use std::io::{BufRead, BufReader};
    let server = format!("127.0.0.1:{port}");
    let ca = work.join("certs/ca.pem");
    let ca = ca.to_str().unwrap();
    let bob = [
        "--jid",
        "bob@example.test",
        "--password",
        "pw-bob",
        "--server",
        &server,
    ];
    let mut echo = example(krate, "echo", &bob)
        .args(["--ca-file", ca, "--count", "1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(echo.stdout.take().unwrap()).lines();
    let online = lines.next().unwrap().unwrap();
    let bob_jid = online
        .strip_prefix("online as ")
        .unwrap_or_else(|| panic!("{online}"));
    let body = format!("hello from {krate}");
    let alice = [
        "--jid",
        "alice@example.test",
        "--password",
        "pw-alice",
        "--to",
        bob_jid,
    ];
    let sent = example(krate, "send", &alice)
        .args(["--message", &body, "--server", &server, "--ca-file", ca])
        .status()
        .unwrap();
    assert!(sent.success(), "{krate} send failed");
    let echoed = lines.next().unwrap().unwrap();
    assert!(
        echoed.starts_with("echo to alice@example.test/") && echoed.ends_with(&body),
        "{echoed}"
    );
    assert!(echo.wait().unwrap().success(), "{krate} echo failed");
    let wrong = [
        "--jid",
        "alice@example.test",
        "--password",
        "wrong",
        "--to",
        "bob@example.test",
    ];
    let out = example(krate, "send", &wrong)
        .args(["--message", "x", "--server", &server, "--ca-file", ca])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not-authorized"), "{stderr}");
}

async fn login_and_close<R: Runtime>(port: u16, work: PathBuf) -> Vec<String> {
    let mut trace = Vec::new();
    let (client, events) = login::<R>(
        config("alice", "pw-alice", port, &work),
        &mut trace,
        "alice",
    )
    .await;
    close::<R>(client, events, &mut trace, "alice").await;
    trace
}
