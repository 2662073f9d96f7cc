//! The embedded XMPP server on tokio: `xmpp_server`'s router behind its `Host` glue
//! on one thread with the SQLite store, and the adapter's `serve` for every accepted
//! connection. Shared by the `server` binary, the `demo` and the tests (included
//! with `#[path]`).
//!
//! | module | job |
//! |---|---|
//! | `host_thread` | the router and the store on their own thread; actions in order |
//! | `sessions` | accept loop; per connection an event forwarder and a command pump |
//! | `store` | SQLite: one transaction per change, load at start-up |
//! | `rows` | typed values to and from rows |

pub mod host_thread;
pub mod rows;
pub mod sessions;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use xmpp_core::{SaslPolicy, ServerConfig};
use xmpp_jid::BareJid;
use xmpp_sasl::{Mechanism, Password};
use xmpp_server::{Change, FloodLimit, Host, Router, RouterConfig};
use xmpp_tokio::{OsEntropy, ServerTlsConfig};

use host_thread::{Input, Stats};
use store::{Store, StoreError};

/// How to run the server.
pub struct Options {
    /// The domain served.
    pub domain: String,
    /// The certificate for STARTTLS.
    pub tls: ServerTlsConfig,
    /// The durable store (a file, or in memory).
    pub store: Store,
    /// Accounts to create, or whose password to set, at start-up.
    pub users: Vec<(String, Password)>,
    /// PBKDF2 iterations of new SCRAM keys.
    pub scram_iterations: u32,
    /// Per-session flood control (`None`: unlimited, for load tests).
    pub flood: Option<FloodLimit>,
    /// Offer SCRAM `-PLUS` (on TLS 1.3, where the default binding `tls-exporter`
    /// exists). Off only for clients that bind with `tls-unique` even on TLS 1.3
    /// (slixmpp up to 1.8.4).
    pub channel_binding: bool,
}

/// A running server.
pub struct Server {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// How many accounts it has.
    pub accounts: usize,
    inputs: mpsc::Sender<Input>,
    /// The host thread's result when it ends.
    done: oneshot::Receiver<Result<Stats, StoreError>>,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The configuration is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The saved state does not load.
    #[error("loading the saved state: {0}")]
    Load(String),
    /// The listener or the host thread failed.
    #[error("{0}")]
    Io(String),
}

impl Server {
    /// Loads the saved state, sets up the accounts, and serves connections accepted
    /// on `listener` (on the current tokio runtime).
    pub async fn start(listener: TcpListener, mut options: Options) -> Result<Server, ServerError> {
        let addr = listener
            .local_addr()
            .map_err(|e| ServerError::Io(e.to_string()))?;
        let domain = BareJid::new(&options.domain)
            .map_err(|e| ServerError::Config(format!("domain {}: {e}", options.domain)))?;
        let mut config = RouterConfig::new(domain);
        config.scram_iterations = options.scram_iterations;
        config.limits.flood = options.flood;
        let entropy = OsEntropy::new().map_err(|e| ServerError::Config(e.to_string()))?;
        let saved = options.store.load()?;
        let router =
            Router::load(config, entropy, saved).map_err(|e| ServerError::Load(e.to_string()))?;
        let mut decoy = [0u8; 32];
        let mut entropy = OsEntropy::new().map_err(|e| ServerError::Config(e.to_string()))?;
        xmpp_sasl::Entropy::fill(&mut entropy, &mut decoy);
        let mut sasl = SaslPolicy::default();
        if !options.channel_binding {
            let plain_scram: Vec<Mechanism> = Mechanism::ALL
                .into_iter()
                .filter(|m| !m.is_plus() && *m != Mechanism::DigestMd5)
                .collect();
            sasl = sasl.with_mechanisms(&plain_scram);
        }
        let sasl = sasl
            .plus_only_with_default_binding()
            .with_scram_iterations(options.scram_iterations)
            .with_decoy_secret(decoy);
        let core = ServerConfig::new(&options.domain)
            .map_err(|e| ServerError::Config(format!("domain: {e}")))?
            .with_sasl(sasl)
            .with_bind_features(Host::<OsEntropy>::bind_features());
        let (inputs, receiver) = mpsc::channel(4096);
        let host = Host::new(router);
        let store = options.store;
        let (finished, done) = oneshot::channel();
        std::thread::Builder::new()
            .name("xmpp-host".into())
            .spawn(move || {
                let _ = finished.send(host_thread::run(host, store, receiver));
            })
            .map_err(|e| ServerError::Io(format!("host thread: {e}")))?;
        let mut server = Server {
            addr,
            accounts: 0,
            inputs,
            done,
        };
        for (name, password) in std::mem::take(&mut options.users) {
            server.set_user(&name, password).await?;
        }
        server.accounts = server
            .snapshot()
            .await?
            .iter()
            .filter(|c| matches!(c, Change::AccountSet { .. }))
            .count();
        let acceptor = sessions::Acceptor {
            config: Arc::new(core),
            tls: options.tls,
            inputs: server.inputs.clone(),
        };
        tokio::spawn(sessions::accept_loop(listener, acceptor));
        Ok(server)
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
            .map_err(|_| self.stopped())?
            .map_err(|e| ServerError::Config(format!("user {name}: {e}")))
    }

    /// The durable state as the router holds it.
    pub async fn snapshot(&self) -> Result<Vec<Change>, ServerError> {
        let (reply, answer) = oneshot::channel();
        self.send(Input::Snapshot { reply }).await?;
        answer.await.map_err(|_| self.stopped())
    }

    /// Closes every session with `system-shutdown`, stops the host thread and
    /// returns its counters (or the store error that stopped it earlier).
    pub async fn shutdown(mut self) -> Result<Stats, ServerError> {
        let _ = self.inputs.send(Input::Shutdown).await;
        self.finished().await
    }

    /// Completes when the host thread ends — after [`Server::shutdown`], or on its
    /// own when the store fails (the server must then stop: nothing after an
    /// unpersisted change may be acted on).
    pub async fn finished(&mut self) -> Result<Stats, ServerError> {
        match (&mut self.done).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(ServerError::Io("the host thread panicked".into())),
        }
    }

    async fn send(&self, input: Input) -> Result<(), ServerError> {
        self.inputs.send(input).await.map_err(|_| self.stopped())
    }

    fn stopped(&self) -> ServerError {
        ServerError::Io("the host thread has stopped (see its error at shutdown)".into())
    }
}
