//! The server host started in-process on an ephemeral port with accounts
//! alice/bob/mallory, and our client logged in to it — on any runtime.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};
use xmpp_adapter::{Client, ConnectConfig, Event, Events, Runtime, ServerTlsConfig};
use xmpp_jid::Jid;
use xmpp_sasl::Password;
use xmpp_server::FloodLimit;
use xmpp_server_host::{DurableStore, Server, ServerSettings};
use xmpp_stanza::{Message, Presence, Stanza};

/// The domain the in-process server serves.
pub const DOMAIN: &str = "example.test";
/// Low, to keep debug-build tests fast (the server defaults to 4096).
pub const ITERATIONS: u32 = 256;

/// A running in-process server and where to reach it.
pub struct Running {
    /// The server.
    pub server: Server,
    /// Its STARTTLS port on 127.0.0.1.
    pub port: u16,
    /// The CA file that verifies its certificate.
    pub ca_file: PathBuf,
}

/// The settings [`start`] uses, for tests that change one.
pub fn settings(flood: Option<FloodLimit>) -> ServerSettings {
    let listen = vec![std::net::SocketAddr::from(([127, 0, 0, 1], 0))];
    ServerSettings::new(DOMAIN)
        .with_starttls_listen(listen)
        .with_scram_iterations(ITERATIONS)
        .with_flood(flood)
}

/// Starts the server (inside runtime `R`) with `store`, accounts alice/bob/mallory
/// with password `pw-NAME`, and `flood` control; `certs` as [`crate::processes::certs`]
/// makes them.
pub async fn start<R: Runtime, S: DurableStore>(
    certs: &Path,
    store: S,
    flood: Option<FloodLimit>,
) -> Running {
    start_with::<R, S>(certs, store, settings(flood)).await
}

/// [`start`] with other settings.
pub async fn start_with<R: Runtime, S: DurableStore>(
    certs: &Path,
    store: S,
    settings: ServerSettings,
) -> Running {
    start_with_users::<R, S>(certs, store, settings, &["alice", "bob", "mallory"]).await
}

/// [`start_with`] with these accounts (password `pw-NAME` each).
pub async fn start_with_users<R: Runtime, S: DurableStore>(
    certs: &Path,
    store: S,
    settings: ServerSettings,
    accounts: &[&str],
) -> Running {
    let tls = ServerTlsConfig::from_pem_files(&certs.join("server.pem"), &certs.join("server.key"))
        .unwrap();
    let users = accounts
        .iter()
        .map(|u| (u.to_string(), Password::new(format!("pw-{u}"))))
        .collect();
    let server = Server::start::<R, S>(&settings, tls, store, users)
        .await
        .unwrap();
    let port = server.starttls_addrs()[0].port();
    Running {
        server,
        port,
        ca_file: certs.join("ca.pem"),
    }
}

/// Our client on runtime `R`, logged in as `user` with resource `resource`, having
/// sent its initial presence.
pub async fn client<R: Runtime>(
    port: u16,
    ca_file: &Path,
    user: &str,
    resource: &str,
) -> (Client, Events) {
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
    let (client, mut events) = xmpp_adapter::connect_with::<R>(config).await.unwrap();
    // Authenticated and Online come first.
    for _ in 0..2 {
        events.next().await.unwrap();
    }
    client.send(Presence::available()).await.unwrap();
    (client, events)
}

/// The next chat message body from `events` (skipping everything else), within 10 s.
pub async fn next_body<R: Runtime>(events: &mut Events) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let event = futures::select_biased! {
            event = events.next().fuse() => event?,
            () = R::sleep_until(deadline).fuse() => return None,
        };
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

/// The two-user IM scenario ([`crate::buddy`]) by our clients on runtime `R`
/// against the server host, also on `R`, with state in memory: the trace it
/// produced, and the trace expected (they must be equal).
pub async fn buddy_scenario<R: Runtime>(name: &str) -> (Vec<String>, Vec<String>) {
    let dir = crate::processes::temp_dir(name);
    let certs = crate::processes::certs(&dir, DOMAIN);
    let running = start::<R, _>(&certs, xmpp_server_host::MemoryStore, None).await;
    let trace = crate::buddy::run::<R>(
        DOMAIN,
        running.port,
        &running.ca_file,
        ("alice", "bob"),
        |c| {
            c.with_core(|c| {
                c.with_scram_options(
                    xmpp_sasl::scram::ScramClientOptions::new()
                        .insecure_min_iterations_for_tests(ITERATIONS),
                )
            })
        },
    )
    .await;
    running.server.shutdown().await.unwrap();
    let expected = crate::buddy::expected(DOMAIN, ("alice", "bob"), "SCRAM-SHA-512-PLUS");
    (trace, expected)
}
