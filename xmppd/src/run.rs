//! Running the server: the store, the host on tokio, the READY line, signals
//! (SIGTERM/SIGINT: graceful stop; SIGHUP: reload the certificate and key).

use std::io::Write;

use tokio::signal::unix::{SignalKind, signal};
use tracing::{info, warn};
use xmpp_adapter::ServerTlsConfig;
use xmpp_server_host::{DurableStore, MemoryStore, Server};
use xmpp_store_sqlite::Store;
use xmpp_tokio::Tokio;

use crate::plan::Plan;

/// Runs the server until a signal stops it or it fails; `Err` is the reason.
pub fn run(plan: Plan) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(async move {
        match &plan.db {
            Some(path) => {
                let store =
                    Store::open(path).map_err(|e| format!("store {}: {e}", path.display()))?;
                serve(plan, store).await
            }
            None => serve(plan, MemoryStore).await,
        }
    })
}

/// The certificate and key, read from their files.
fn load_tls(plan: &Plan) -> Result<ServerTlsConfig, String> {
    ServerTlsConfig::from_pem_files(&plan.cert, &plan.key).map_err(|e| {
        format!(
            "certificate {} / key {}: {e}",
            plan.cert.display(),
            plan.key.display()
        )
    })
}

async fn serve<S: DurableStore>(plan: Plan, store: S) -> Result<(), String> {
    let tls = load_tls(&plan)?;
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    let mut hup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
    let users = plan.users.clone();
    let mut server = Server::start::<Tokio, S>(&plan.settings, tls, store, users)
        .await
        .map_err(|e| e.to_string())?;
    let db = plan
        .db
        .as_ref()
        .map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string());
    let addr = server
        .starttls_addrs()
        .first()
        .or(server.direct_tls_addrs().first())
        .map_or_else(String::new, ToString::to_string);
    let direct: Vec<String> = server
        .direct_tls_addrs()
        .iter()
        .map(ToString::to_string)
        .collect();
    let metrics = server
        .metrics_addr()
        .map_or_else(String::new, |a| format!(" metrics={a}"));
    println!(
        "READY xmpp-server domain={} addr={addr} accounts={} db={db} direct_tls={}{metrics}",
        plan.settings.domain(),
        server.accounts(),
        direct.join(",")
    );
    let _ = std::io::stdout().flush();
    info!(domain = plan.settings.domain(), %addr, "ready");
    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => match load_tls(&plan) {
                Ok(tls) => {
                    server.reload_tls(tls);
                    info!(cert = %plan.cert.display(), "certificate reloaded");
                }
                Err(e) => warn!(error = %e, "certificate reload failed: keeping the old one"),
            },
            result = server.finished() => {
                return Err(match result {
                    Ok(_) => "the host thread stopped".into(),
                    Err(e) => e.to_string(),
                });
            }
        }
    }
    info!("stopping");
    let stats = server.shutdown().await.map_err(|e| e.to_string())?;
    println!(
        "STOPPED xmpp-server persisted={} commands={} overflows={}",
        stats.persisted, stats.commands, stats.overflows
    );
    Ok(())
}
