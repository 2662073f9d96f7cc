//! A tokio [`Runtime`] whose transport records what the client sends and receives —
//! the XML after TLS decryption, since the tap sits above rustls — for `--xml` and
//! to show which SASL mechanism and channel-binding type were really used. It only
//! wraps the adapter's public `Runtime`/`Transport` traits; the protocol runs
//! unchanged.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use xmpp_core::TlsInfo;
use xmpp_tokio::{Error, Listener, Runtime, TlsSide, Tokio, TokioTransport, Transport};

/// What the tap saw on one connection.
#[derive(Clone, Debug, Default)]
pub struct Capture {
    /// The client's label (`alice`, `bob`).
    pub label: String,
    /// What the client sent, one entry per write (the driver writes each batch of
    /// output at once), in order.
    pub writes: Vec<Vec<u8>>,
    /// The TLS handshake's result.
    pub tls: Option<TlsInfo>,
}

/// The label for the next connection, whether to print XML, and the captures.
struct TapState {
    next_label: String,
    print_xml: bool,
    captures: Vec<Capture>,
}

static STATE: Mutex<TapState> = Mutex::new(TapState {
    next_label: String::new(),
    print_xml: false,
    captures: Vec::new(),
});

fn with_state<T>(f: impl FnOnce(&mut TapState) -> T) -> T {
    let mut guard = STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut guard)
}

/// Prints the raw XML of both directions as it passes.
pub fn print_xml(on: bool) {
    with_state(|s| s.print_xml = on);
}

/// Names the connection the next `connect` opens.
pub fn label_next(label: &str) {
    with_state(|s| s.next_label = label.to_owned());
}

/// What the tap saw for `label`'s connection.
pub fn capture(label: &str) -> Option<Capture> {
    with_state(|s| s.captures.iter().find(|c| c.label == label).cloned())
}

/// Tokio, with every client transport tapped.
pub struct Tapped;

/// The tokio transport and its capture slot.
pub struct TapTransport {
    inner: TokioTransport,
    slot: usize,
    label: String,
}

impl TapTransport {
    /// Taps `inner` under the label set for the next connection.
    fn tap(inner: TokioTransport) -> TapTransport {
        let (slot, label) = with_state(|s| {
            let label = s.next_label.clone();
            s.captures.push(Capture {
                label: label.clone(),
                ..Capture::default()
            });
            (s.captures.len() - 1, label)
        });
        TapTransport { inner, slot, label }
    }
}

/// A tokio listener whose accepted transports are tapped too.
pub struct TapListener(<Tokio as Runtime>::Listener);

impl Listener for TapListener {
    type Transport = TapTransport;

    async fn accept(&mut self) -> io::Result<(TapTransport, SocketAddr)> {
        let (inner, peer) = self.0.accept().await?;
        Ok((TapTransport::tap(inner), peer))
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

impl Runtime for Tapped {
    type Transport = TapTransport;
    type Listener = TapListener;
    type Dns = <Tokio as Runtime>::Dns;

    fn bind(addr: SocketAddr) -> impl Future<Output = io::Result<TapListener>> + Send {
        let binding = <Tokio as Runtime>::bind(addr);
        async move { Ok(TapListener(binding.await?)) }
    }

    fn connect(host: &str, port: u16) -> impl Future<Output = io::Result<TapTransport>> + Send {
        let connecting = <Tokio as Runtime>::connect(host, port);
        async move { Ok(TapTransport::tap(connecting.await?)) }
    }

    fn sleep_until(at: Instant) -> impl Future<Output = ()> + Send {
        <Tokio as Runtime>::sleep_until(at)
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        <Tokio as Runtime>::spawn(task)
    }

    fn dns() -> Self::Dns {
        <Tokio as Runtime>::dns()
    }
}

impl TapTransport {
    fn show(&self, arrow: char, bytes: &[u8]) {
        if with_state(|s| s.print_xml) {
            let text = String::from_utf8_lossy(bytes);
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                say!("      {:>5} {arrow} {line}", self.label);
            }
        }
    }
}

impl Transport for TapTransport {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf).await?;
        self.show('\u{2190}', buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.show('\u{2192}', buf);
        let slot = self.slot;
        with_state(|s| {
            if let Some(c) = s.captures.get_mut(slot) {
                c.writes.push(buf.to_vec());
            }
        });
        self.inner.write_all(buf).await
    }

    async fn shutdown(&mut self) -> io::Result<()> {
        self.inner.shutdown().await
    }

    async fn start_tls(&mut self, tls: &TlsSide, server_name: &str) -> Result<TlsInfo, Error> {
        let info = self.inner.start_tls(tls, server_name).await?;
        if with_state(|s| s.print_xml) {
            say!(
                "      {:>5} == TLS handshake done ({:?})",
                self.label,
                info.version
            );
        }
        let slot = self.slot;
        with_state(|s| {
            if let Some(c) = s.captures.get_mut(slot) {
                c.tls = Some(info.clone());
            }
        });
        Ok(info)
    }
}
