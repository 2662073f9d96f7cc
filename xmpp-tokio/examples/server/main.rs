//! An XMPP server real clients can use: the IO-free router of `xmpp-server` on the
//! tokio adapter, with SQLite persistence.
//!
//! ```text
//! cargo run --release -p xmpp-tokio --example server -- --domain DOMAIN --listen ADDR:PORT
//!     --cert PEM --key PEM [--db FILE] [--add-user USER:PASSWORD ...]
//!     [--scram-iterations N] [--flood RATE:BURST|off] [--channel-binding on|off]
//! ```
//!
//! Clients must use STARTTLS; SCRAM-SHA-1/-256/-512 (with `-PLUS` on TLS 1.3) and
//! PLAIN are offered after it. Without `--db` the state lives in memory only.
//! `--add-user` creates the account or sets its password. `--flood` sets the
//! per-session stanza rate limit (default 1000/s with bursts of 2000; `off` for load
//! tests). SCRAM `-PLUS` is offered on TLS 1.3 only (`tls-exporter`, RFC 9266; see
//! `SaslPolicy::plus_only_with_default_binding`); `--channel-binding off` offers no
//! `-PLUS` at all, for clients that bind with `tls-unique` on TLS 1.3 (slixmpp up to
//! 1.8.4), at the price of channel binding for everyone.
//!
//! Prints one line when ready — `READY xmpp-server domain=D addr=A accounts=N db=F` —
//! and stops gracefully on SIGINT or SIGTERM (every session gets `system-shutdown`),
//! printing `STOPPED ...`. Exits non-zero with a one-line reason on any failure,
//! including a store failure while running.

mod embedded;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use embedded::{Options, Server, store::Store};
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use xmpp_sasl::Password;
use xmpp_server::FloodLimit;
use xmpp_tokio::ServerTlsConfig;

const USAGE: &str = "usage: server --domain DOMAIN --listen ADDR:PORT --cert PEM --key PEM \
    [--db FILE] [--add-user USER:PASSWORD ...] [--scram-iterations N] [--flood RATE:BURST|off] \
    [--channel-binding on|off]";

/// The command line.
struct Args {
    domain: String,
    listen: String,
    cert: PathBuf,
    key: PathBuf,
    db: Option<PathBuf>,
    users: Vec<(String, Password)>,
    scram_iterations: u32,
    flood: Option<FloodLimit>,
    channel_binding: bool,
}

fn parse_args() -> Result<Args, String> {
    let (mut domain, mut listen, mut cert, mut key, mut db) = (None, None, None, None, None);
    let mut users = Vec::new();
    let mut scram_iterations = 4096;
    let mut flood = Some(FloodLimit::default());
    let mut channel_binding = true;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--domain" => domain = Some(value()?),
            "--listen" => listen = Some(value()?),
            "--cert" => cert = Some(value()?),
            "--key" => key = Some(value()?),
            "--db" => db = Some(PathBuf::from(value()?)),
            "--add-user" => {
                let v = value()?;
                let (user, password) = v
                    .split_once(':')
                    .ok_or("--add-user expects USER:PASSWORD")?;
                users.push((user.to_owned(), Password::new(password)));
            }
            "--scram-iterations" => {
                scram_iterations = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--scram-iterations expects a positive number")?;
            }
            "--flood" => flood = parse_flood(&value()?)?,
            "--channel-binding" => {
                channel_binding = match value()?.as_str() {
                    "on" => true,
                    "off" => false,
                    _ => return Err("--channel-binding expects on or off".into()),
                }
            }
            "--help" | "-h" => return Err(USAGE.into()),
            other => return Err(format!("unknown option {other}; {USAGE}")),
        }
    }
    let need = |v: Option<_>, name: &str| v.ok_or_else(|| format!("{name} is required; {USAGE}"));
    Ok(Args {
        domain: need(domain, "--domain")?,
        listen: need(listen, "--listen")?,
        cert: need(cert, "--cert")?.into(),
        key: need(key, "--key")?.into(),
        db,
        users,
        scram_iterations,
        flood,
        channel_binding,
    })
}

fn parse_flood(value: &str) -> Result<Option<FloodLimit>, String> {
    if value == "off" {
        return Ok(None);
    }
    let bad = || format!("--flood expects RATE:BURST or off, not {value:?}");
    let (rate, burst) = value.split_once(':').ok_or_else(bad)?;
    Ok(Some(FloodLimit {
        per_second: rate.parse().map_err(|_| bad())?,
        burst: burst.parse().map_err(|_| bad())?,
    }))
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|args| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?
            .block_on(run(args))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("server: {reason}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let tls = ServerTlsConfig::from_pem_files(&args.cert, &args.key).map_err(|e| e.to_string())?;
    let store = match &args.db {
        Some(path) => Store::open(path),
        None => Store::in_memory(),
    }
    .map_err(|e| format!("store: {e}"))?;
    let listener = TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("listen on {}: {e}", args.listen))?;
    let options = Options {
        domain: args.domain.clone(),
        tls,
        store,
        users: args.users,
        scram_iterations: args.scram_iterations,
        flood: args.flood,
        channel_binding: args.channel_binding,
    };
    let mut server = Server::start(listener, options)
        .await
        .map_err(|e| e.to_string())?;
    let db = args
        .db
        .as_ref()
        .map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string());
    println!(
        "READY xmpp-server domain={} addr={} accounts={} db={db}",
        args.domain, server.addr, server.accounts
    );
    let _ = std::io::stdout().flush();
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        result = server.finished() => {
            return Err(match result {
                Ok(_) => "the host thread stopped".into(),
                Err(e) => e.to_string(),
            });
        }
    }
    let stats = server.shutdown().await.map_err(|e| e.to_string())?;
    println!(
        "STOPPED xmpp-server persisted={} commands={} overflows={}",
        stats.persisted, stats.commands, stats.overflows
    );
    Ok(())
}
