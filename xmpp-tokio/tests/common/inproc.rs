//! The embedded server (the `server` example's code, included by the test crate as
//! `embedded`) started in-process on an ephemeral port, and our tokio client logged
//! in to it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt;
use tokio::net::TcpListener;
use xmpp_jid::Jid;
use xmpp_sasl::Password;
use xmpp_server::FloodLimit;
use xmpp_stanza::{Message, Presence, Stanza};
use xmpp_tokio::{Client, ConnectConfig, Event, Events, ServerTlsConfig};

use crate::embedded::store::Store;
use crate::embedded::{Options, Server};

pub const DOMAIN: &str = "example.test";
/// Low, to keep debug-build tests fast (the binary defaults to 4096).
pub const ITERATIONS: u32 = 256;

/// A running in-process server and where to reach it.
pub struct Running {
    pub server: Server,
    pub port: u16,
    pub ca_file: PathBuf,
}

/// Starts the server with the store at `db` (in memory if `None`), accounts
/// alice/bob/mallory with password `pw-NAME`, and `flood` control.
pub async fn start(certs: &Path, db: Option<&Path>, flood: Option<FloodLimit>) -> Running {
    let tls = ServerTlsConfig::from_pem_files(&certs.join("server.pem"), &certs.join("server.key"))
        .unwrap();
    let store = match db {
        Some(path) => Store::open(path).unwrap(),
        None => Store::in_memory().unwrap(),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let users = ["alice", "bob", "mallory"]
        .iter()
        .map(|u| (u.to_string(), Password::new(format!("pw-{u}"))))
        .collect();
    let options = Options {
        domain: DOMAIN.into(),
        tls,
        store,
        users,
        scram_iterations: ITERATIONS,
        flood,
        channel_binding: true,
    };
    let server = Server::start(listener, options).await.unwrap();
    let port = server.addr.port();
    Running {
        server,
        port,
        ca_file: certs.join("ca.pem"),
    }
}

/// Our tokio client, logged in as `user` with resource `resource`.
pub async fn client(port: u16, ca_file: &Path, user: &str, resource: &str) -> (Client, Events) {
    let config = ConnectConfig::new(
        &format!("{user}@{DOMAIN}/{resource}"),
        &format!("pw-{user}"),
    )
    .unwrap()
    .server("127.0.0.1", port)
    .ca_file(ca_file)
    .with_core(|c| {
        c.with_scram_options(
            xmpp_sasl::scram::ScramClientOptions::new()
                .insecure_min_iterations_for_tests(ITERATIONS),
        )
    });
    let (client, mut events) = xmpp_tokio::connect(config).await.unwrap();
    // Authenticated and Online come first.
    for _ in 0..2 {
        events.next().await.unwrap();
    }
    client.send(Presence::available()).await.unwrap();
    (client, events)
}

/// The next chat message body from `events` (skipping everything else), within 10 s.
pub async fn next_body(events: &mut Events) -> Option<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let event = tokio::time::timeout_at(deadline, events.next())
            .await
            .ok()??;
        match event {
            Event::Stanza(s) => {
                if let Stanza::Message(m) = *s
                    && let Some(body) = m.body()
                {
                    return Some(body.to_owned());
                }
            }
            Event::Closed(_) => return None,
            _ => {}
        }
    }
}

/// A chat message to `user@DOMAIN`.
pub fn chat(user: &str, body: &str) -> Message {
    Message::chat(Jid::new(&format!("{user}@{DOMAIN}")).unwrap(), body)
}
