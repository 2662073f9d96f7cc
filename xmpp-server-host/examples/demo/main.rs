//! The whole protocol on one machine, with no setup:
//!
//! ```text
//! cargo run --release -p xmpp-server-host --example demo [-- --xml]
//! ```
//!
//! Starts the server host in-process on 127.0.0.1 (an ephemeral port, a
//! certificate made on the fly with rcgen, state in memory), creates two accounts,
//! connects two clients through STARTTLS and SCRAM-SHA-256-PLUS, has them subscribe
//! to each other's presence, exchange messages, fetch rosters, block and unblock,
//! and close gracefully — printing a readable account of each step (`--xml` adds the
//! raw XML of both directions as the clients see it). Exits 0 when every check
//! passed, otherwise non-zero with a one-line reason.

/// `println!` that ignores a closed stdout (`demo | head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod peer;
mod script;
mod tap;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use xmpp_sasl::{Mechanism, Password};
use xmpp_server_host::{MemoryStore, Server, ServerSettings};
use xmpp_tokio::{ConnectConfig, ServerTlsConfig, Tokio};

use peer::Peer;
use script::Narrator;

const DOMAIN: &str = "demo.example";

fn main() -> ExitCode {
    let xml = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--xml") => true,
        Some(other) => {
            eprintln!("demo: unknown option {other} (usage: demo [--xml])");
            return ExitCode::from(2);
        }
    };
    tap::print_xml(xml);
    let dir = std::env::temp_dir().join(format!("xmpp-demo-{}", std::process::id()));
    let result = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))
        .and_then(|rt| rt.block_on(run(&dir)));
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(steps) => {
            say!("\nDemo complete: {steps} steps, every check passed.");
            ExitCode::SUCCESS
        }
        Err(reason) => {
            eprintln!("demo: FAILED: {reason}");
            ExitCode::FAILURE
        }
    }
}

/// A CA made for this run (its PEM written to `dir` for the clients to trust) and a
/// server certificate for [`DOMAIN`] it signs.
fn make_pki(dir: &Path) -> Result<(PathBuf, ServerTlsConfig), String> {
    let err = |e: rcgen::Error| format!("certificate: {e}");
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().map_err(err)?;
    let cert = CertificateParams::new(vec![DOMAIN.to_owned()])
        .map_err(err)?
        .signed_by(&key, &issuer)
        .map_err(err)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).map_err(|e| format!("{}: {e}", ca_file.display()))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let tls = ServerTlsConfig::new(vec![CertificateDer::from(cert.der().to_vec())], key)
        .map_err(|e| e.to_string())?;
    Ok((ca_file, tls))
}

async fn run(dir: &Path) -> Result<u32, String> {
    say!("XMPP demo: an embedded server and two clients on this machine\n");
    let mut n = Narrator::new();
    let (ca_file, tls) = make_pki(dir)?;
    let users = [("alice", "alice-Secret-1"), ("bob", "bob-Secret-2")];
    let accounts = users
        .iter()
        .map(|(u, p)| (u.to_string(), Password::new(*p)))
        .collect();
    let settings = ServerSettings::new(DOMAIN)
        .with_starttls_listen(vec![std::net::SocketAddr::from(([127, 0, 0, 1], 0))]);
    let server = Server::start::<Tokio, _>(&settings, tls, MemoryStore, accounts)
        .await
        .map_err(|e| e.to_string())?;
    let addr = server
        .starttls_addrs()
        .first()
        .copied()
        .ok_or("the server listens nowhere")?;
    let port = addr.port();
    n.say(
        "server",
        format!("listening on {addr} for {DOMAIN} (certificate from rcgen, state in memory)"),
    );
    n.say(
        "server",
        format!("accounts alice@{DOMAIN} and bob@{DOMAIN} created (only SCRAM keys are stored)"),
    );
    let connect = |name: &str, resource: &str, password: &str| {
        ConnectConfig::new(&format!("{name}@{DOMAIN}/{resource}"), password).map(|c| {
            c.server("127.0.0.1", port)
                .ca_file(&ca_file)
                .mechanisms(&[Mechanism::ScramSha256Plus])
        })
    };
    let mut peers = Vec::new();
    for ((name, password), resource) in users.iter().zip(["laptop", "phone"]) {
        let config = connect(name, resource, password).map_err(|e| e.to_string())?;
        let peer = Peer::connect(name, config).await?;
        n.say(name, format!("online as {}", peer.client.jid()));
        n.detail(script::login_report(&peer)?);
        peers.push(peer);
    }
    let (mut alice, mut bob) = match (peers.pop(), peers.pop()) {
        (Some(bob), Some(alice)) => (alice, bob),
        _ => return Err("two clients expected".into()),
    };
    for peer in [&alice, &bob] {
        let roster = script::fetch_roster(peer, "roster-0").await?;
        n.say(
            &peer.name,
            format!("fetches its roster: {} items", roster.len()),
        );
        peer.send(xmpp_stanza::Presence::available()).await?;
        n.detail("and sends initial presence");
    }
    script::subscribe_mutually(&mut n, &mut alice, &mut bob, DOMAIN).await?;
    script::chat(&mut n, &alice, &mut bob, DOMAIN, "Hello Bob!").await?;
    script::chat(&mut n, &bob, &mut alice, DOMAIN, "Hi Alice, got it.").await?;
    for peer in [&alice, &bob] {
        let roster = script::fetch_roster(peer, "roster-1").await?;
        if !roster.iter().any(|i| i.ends_with("(both)")) {
            return Err(format!(
                "{}'s roster lacks a mutual subscription: {roster:?}",
                peer.name
            ));
        }
        n.say(
            &peer.name,
            format!("fetches its roster: {}", roster.join(", ")),
        );
    }
    script::block_and_unblock(&mut n, &mut alice, &mut bob, DOMAIN).await?;
    for peer in [alice, bob] {
        let name = peer.name.clone();
        peer.close().await?;
        n.say(
            &name,
            "closes its stream; the server closes its own in return",
        );
    }
    let stats = server.shutdown().await.map_err(|e| e.to_string())?;
    n.say(
        "server",
        format!(
            "shut down: {} changes persisted, {} stanzas and answers sent to clients",
            stats.persisted, stats.commands
        ),
    );
    Ok(n.steps())
}
