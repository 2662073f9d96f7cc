//! [`Server`]: a running server — started with [`Server::start`], administered
//! while it runs, stopped with [`Server::shutdown`].

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use futures::SinkExt;
use futures::channel::{mpsc, oneshot};
use xmpp_adapter::{OsEntropy, Runtime, ServerTlsConfig};
use xmpp_sasl::{Entropy, Password};
use xmpp_server::{Change, DurableStore, Host, Router};

use crate::connection::{Acceptor, ListenKind, Unauthenticated, accept_loop, bound_addr};
use crate::error::{ServerError, SettingsError};
use crate::host_loop::{self, HostStats, Input};
use crate::metrics::Metrics;
use crate::metrics_http;
use crate::settings::ServerSettings;

/// Inputs that may wait for the host thread (beyond one per connection).
const INPUTS: usize = 4096;

/// How often the host thread releases held credential requests and looks for
/// account changes in the store.
const TICK: Duration = Duration::from_millis(250);

/// A running server.
#[derive(Debug)]
pub struct Server {
    starttls_addrs: Vec<SocketAddr>,
    direct_tls_addrs: Vec<SocketAddr>,
    accounts: usize,
    inputs: mpsc::Sender<Input>,
    tls: Arc<RwLock<ServerTlsConfig>>,
    unauthenticated: Arc<Unauthenticated>,
    metrics: Arc<Metrics>,
    metrics_addr: Option<SocketAddr>,
    done: oneshot::Receiver<Result<HostStats, host_loop::StoreFailure>>,
}

impl Server {
    /// Loads the saved state from `store`, binds every listen address of
    /// `settings`, and serves connections on runtime `R` (call it inside that
    /// runtime). `users` are created, or get their password set, before the first
    /// connection is accepted.
    pub async fn start<R: Runtime, S: DurableStore>(
        settings: &ServerSettings,
        tls: ServerTlsConfig,
        mut store: S,
        users: Vec<(String, Password)>,
    ) -> Result<Server, ServerError> {
        if settings.starttls_listen().is_empty() && settings.direct_tls_listen().is_empty() {
            return Err(SettingsError::NoListener.into());
        }
        let mut entropy = OsEntropy::new().map_err(ServerError::Entropy)?;
        let mut decoy = [0u8; 32];
        entropy.fill(&mut decoy);
        let core = Arc::new(settings.connection_config(decoy)?);
        let saved = store.load().map_err(|e| ServerError::Store(Box::new(e)))?;
        let router = Router::load(settings.router_config()?, entropy, saved)?;
        let mut listeners = Vec::new();
        for (addrs, kind) in [
            (settings.starttls_listen(), ListenKind::StartTls),
            (settings.direct_tls_listen(), ListenKind::DirectTls),
        ] {
            for addr in addrs {
                let listener = R::bind(*addr).await.map_err(|source| ServerError::Listen {
                    addr: *addr,
                    source,
                })?;
                listeners.push((bound_addr(&listener, *addr), kind, listener));
            }
        }
        let server_metrics = Arc::new(Metrics::default());
        let metrics_listener = match settings.metrics_listen() {
            Some(addr) => {
                let listener = R::bind(addr)
                    .await
                    .map_err(|source| ServerError::Listen { addr, source })?;
                Some((bound_addr(&listener, addr), listener))
            }
            None => None,
        };
        let (inputs, receiver) = mpsc::channel(INPUTS);
        let auth = settings.auth_throttle().clone();
        let metrics = server_metrics.clone();
        let (finished, done) = oneshot::channel();
        let host = Host::new(router);
        std::thread::Builder::new()
            .name("xmpp-host".into())
            .spawn(move || {
                let _ = finished.send(host_loop::run(host, store, auth, metrics, receiver));
            })
            .map_err(ServerError::Thread)?;
        let (total, per_address) = settings.unauthenticated_limits();
        let tls = Arc::new(RwLock::new(tls));
        let mut server = Server {
            starttls_addrs: Vec::new(),
            direct_tls_addrs: Vec::new(),
            accounts: 0,
            inputs: inputs.clone(),
            tls: tls.clone(),
            unauthenticated: Arc::new(Unauthenticated::new(total, per_address)),
            metrics: server_metrics.clone(),
            metrics_addr: None,
            done,
        };
        for (name, password) in users {
            server.set_user(&name, password).await?;
        }
        server.accounts = server
            .snapshot()
            .await?
            .iter()
            .filter(|c| matches!(c, Change::AccountSet { .. }))
            .count();
        let acceptor = Arc::new(Acceptor {
            config: core,
            tls,
            inputs: inputs.clone(),
            outbox: settings.outbox(),
            tls_timeout: settings.tls_timeout(),
            write_timeout: settings.write_timeout(),
            rates: settings.rates(),
            unauthenticated: server.unauthenticated.clone(),
            next: AtomicU64::new(1),
            metrics: server_metrics.clone(),
        });
        if let Some((addr, listener)) = metrics_listener {
            server.metrics_addr = Some(addr);
            R::spawn(metrics_http::serve::<R>(listener, server_metrics));
        }
        for (addr, kind, listener) in listeners {
            match kind {
                ListenKind::StartTls => server.starttls_addrs.push(addr),
                ListenKind::DirectTls => server.direct_tls_addrs.push(addr),
            }
            R::spawn(accept_loop::<R>(listener, kind, acceptor.clone()));
        }
        R::spawn(tick::<R>(inputs));
        Ok(server)
    }

    /// The STARTTLS addresses it listens on (with the ports chosen for port 0).
    pub fn starttls_addrs(&self) -> &[SocketAddr] {
        &self.starttls_addrs
    }

    /// The direct-TLS addresses it listens on.
    pub fn direct_tls_addrs(&self) -> &[SocketAddr] {
        &self.direct_tls_addrs
    }

    /// Where the metrics endpoint listens, if it does.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The server's metrics (as the endpoint serves them: [`Metrics::render`]).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// How many accounts it had once started.
    pub fn accounts(&self) -> usize {
        self.accounts
    }

    /// Connections accepted and not yet authenticated.
    pub fn unauthenticated(&self) -> usize {
        self.unauthenticated.count()
    }

    /// Creates the account `name@domain`, or sets its password.
    pub async fn set_user(&self, name: &str, password: Password) -> Result<(), ServerError> {
        let (reply, answer) = oneshot::channel();
        let input = Input::SetUser {
            name: name.to_owned(),
            password,
            reply,
        };
        self.send(input).await?;
        answer
            .await
            .map_err(|_| ServerError::Stopped)?
            .map_err(|source| ServerError::Account {
                user: name.to_owned(),
                source,
            })
    }

    /// The durable state as the router holds it.
    pub async fn snapshot(&self) -> Result<Vec<Change>, ServerError> {
        let (reply, answer) = oneshot::channel();
        self.send(Input::Snapshot { reply }).await?;
        answer.await.map_err(|_| ServerError::Stopped)
    }

    /// Uses `tls` for connections accepted from now on (certificate rotation
    /// without a restart); established connections keep theirs.
    pub fn reload_tls(&self, tls: ServerTlsConfig) {
        *self.tls.write().unwrap_or_else(PoisonError::into_inner) = tls;
    }

    /// Closes every session with `system-shutdown`, waits (a few seconds at most)
    /// for them to close, stops the host thread and returns its counters — or the
    /// store error that stopped it earlier.
    pub async fn shutdown(mut self) -> Result<HostStats, ServerError> {
        let _ = self.inputs.send(Input::Shutdown).await;
        self.finished().await
    }

    /// Completes when the host thread ends — after [`Server::shutdown`], or on its
    /// own when the store fails (the server must then stop: nothing after an
    /// unpersisted change may be acted on).
    pub async fn finished(&mut self) -> Result<HostStats, ServerError> {
        match (&mut self.done).await {
            Ok(result) => result.map_err(ServerError::Store),
            Err(_) => Err(ServerError::Stopped),
        }
    }

    async fn send(&self, input: Input) -> Result<(), ServerError> {
        self.inputs
            .clone()
            .send(input)
            .await
            .map_err(|_| ServerError::Stopped)
    }
}

/// Ticks the host thread until it is gone.
async fn tick<R: Runtime>(mut inputs: mpsc::Sender<Input>) {
    loop {
        R::sleep_until(Instant::now() + TICK).await;
        if inputs.send(Input::Tick).await.is_err() {
            return;
        }
    }
}
