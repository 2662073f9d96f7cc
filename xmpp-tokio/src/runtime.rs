//! [`Runtime`]: what an async runtime lends the shared code — TCP connect, a timer,
//! spawning, and hickory's DNS connection provider.

use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

use futures::FutureExt;
use hickory_resolver::ConnectionProvider;

use crate::{Error, Transport};

/// An async runtime, as the driver loop and connection setup need it. Implemented by
/// `xmpp_tokio::Tokio` and `xmpp_smol::Smol`.
pub trait Runtime: Send + Sync + 'static {
    /// The plain-or-TLS transport.
    type Transport: Transport;
    /// hickory-resolver's view of the runtime.
    type Dns: ConnectionProvider;

    /// Opens a TCP connection to `host:port` (resolving A/AAAA; every address is tried).
    fn connect(host: &str, port: u16) -> impl Future<Output = io::Result<Self::Transport>> + Send;
    /// Completes at `at`.
    fn sleep_until(at: Instant) -> impl Future<Output = ()> + Send;
    /// Runs `task` in the background.
    fn spawn(task: impl Future<Output = ()> + Send + 'static);
    /// The DNS connection provider for a hickory resolver.
    fn dns() -> Self::Dns;
}

/// `fut`'s output, or [`Error::Timeout`] naming `what` after `after`.
pub(crate) async fn timeout<R: Runtime, T>(
    after: Duration,
    what: &'static str,
    fut: impl Future<Output = T>,
) -> Result<T, Error> {
    let deadline = Instant::now().checked_add(after);
    let timer = async {
        match deadline {
            Some(at) => R::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    futures::select_biased! {
        value = fut.fuse() => Ok(value),
        () = timer.fuse() => Err(Error::Timeout(what)),
    }
}
