//! xmppd as an operator runs it: `config example` passes `check-config`; a broken
//! configuration is refused with line and key; `--config` runs the server with its
//! metrics endpoint; a user added with `xmppd user add` while it runs can log in at
//! once; SIGHUP with a broken certificate keeps the server up; SIGTERM stops it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xmpp_testkit::processes::{self, ServerProcess};
use xmpp_tokio::ConnectConfig;

const DOMAIN: &str = "example.test";

fn xmppd() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_xmppd"))
}

/// Runs `xmppd ARGS` with `stdin`; returns (exit code, stdout, stderr).
fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(xmppd())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `GET /metrics` over plain HTTP.
fn scrape(addr: &str) -> String {
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    tcp.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    tcp.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    text
}

/// The value of one sample line, 0 when absent.
fn sample(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_example_configuration_checks_and_broken_ones_are_refused() {
    let dir = processes::temp_dir("cli-check");
    let (code, example, _) = run(&["config", "example"], "");
    assert_eq!(code, 0);
    let file = dir.join("example.toml");
    std::fs::write(&file, &example).unwrap();
    let (code, stdout, stderr) = run(&["check-config", file.to_str().unwrap()], "");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("warning"),
        "missing files are warnings: {stderr}"
    );

    let broken = dir.join("broken.toml");
    std::fs::write(
        &broken,
        "domain = \"example.test\"\n[c2s]\nlisten = [\"127.0.0.1:5222\"]\nlistne = 1\n[tls]\ncert = \"c\"\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&["check-config", broken.to_str().unwrap()], "");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("line 4, key `c2s.listne`"), "{stderr}");
    assert!(stderr.contains("key `tls.key`"), "{stderr}");
    // And the server does not start half-configured.
    let (code, stdout, stderr) = run(&["--config", broken.to_str().unwrap()], "");
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(!stdout.contains("READY"), "{stdout}");
    assert!(stderr.contains("not starting"), "{stderr}");
}

#[test]
fn a_configured_server_serves_metrics_and_picks_up_new_users() {
    let dir = processes::temp_dir("cli-run");
    let certs = processes::certs(&dir, DOMAIN);
    let db = dir.join("state.sqlite");
    let config = dir.join("xmppd.toml");
    std::fs::write(
        &config,
        format!(
            "domain = \"{DOMAIN}\"\n[c2s]\nlisten = [\"127.0.0.1:0\"]\n[tls]\ncert = \"{}\"\nkey = \"{}\"\n\
             [storage]\nsqlite = \"{}\"\n[metrics]\nlisten = \"127.0.0.1:0\"\n",
            certs.join("server.pem").display(),
            certs.join("server.key").display(),
            db.display()
        ),
    )
    .unwrap();
    let mut command = Command::new(xmppd());
    command.args(["--config", config.to_str().unwrap()]);
    let server = ServerProcess::spawn(command);
    let metrics = server
        .ready_line
        .split(' ')
        .find_map(|f| f.strip_prefix("metrics="))
        .expect("the READY line names the metrics address")
        .to_owned();
    let before = scrape(&metrics);
    assert_eq!(sample(&before, "xmppd_connections_accepted_total"), 0);

    // A user added to the database of the running server, password on stdin.
    let (code, _, stderr) = run(
        &[
            "user",
            "add",
            &format!("carol@{DOMAIN}"),
            "--config",
            config.to_str().unwrap(),
        ],
        "carol-Secret-3\n",
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, list, _) = run(&["user", "list", "--db", db.to_str().unwrap()], "");
    assert_eq!(code, 0);
    assert_eq!(list.trim(), format!("carol@{DOMAIN}"));

    // It can log in without a restart (the server picks it up within a second).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let logged_in = rt.block_on(async {
        loop {
            let config = ConnectConfig::new(&format!("carol@{DOMAIN}/cli"), "carol-Secret-3")
                .unwrap()
                .server("127.0.0.1", server.port)
                .ca_file(certs.join("ca.pem"));
            match xmpp_tokio::connect(config).await {
                Ok((client, _events)) => {
                    client
                        .send(xmpp_stanza::Presence::available())
                        .await
                        .unwrap();
                    client.close().await.unwrap();
                    break true;
                }
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                Err(_) => break false,
            }
        }
    });
    assert!(logged_in, "carol could not log in");
    // The server counts the presence when it has read it: wait for that (bounded).
    let deadline = Instant::now() + Duration::from_secs(10);
    let after = loop {
        let text = scrape(&metrics);
        let seen = sample(&text, "xmppd_stanzas_received_total{kind=\"presence\"}") >= 1;
        if seen || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        sample(&after, "xmppd_connections_accepted_total") >= 1,
        "{after}"
    );
    assert!(
        sample(
            &after,
            "xmppd_auth_successes_total{mechanism=\"SCRAM-SHA-512-PLUS\"}"
        ) >= 1,
        "{after}"
    );
    assert!(
        sample(&after, "xmppd_stanzas_received_total{kind=\"presence\"}") >= 1,
        "{after}"
    );
    assert!(
        sample(&after, "xmppd_store_write_seconds_count") >= 1,
        "{after}"
    );

    // A broken certificate on SIGHUP is refused; the server keeps serving.
    std::fs::write(certs.join("server.pem"), "not a certificate").unwrap();
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    std::thread::sleep(Duration::from_millis(300));
    scrape(&metrics);
    let stopped = server.stop();
    assert!(stopped.starts_with("STOPPED xmpp-server"), "{stopped}");
}
