//! A tokio [`Runtime`] whose transport records what the client sends and receives —
//! the XML after TLS decryption, since the tap sits above rustls — for `--xml` and
//! to show which SASL mechanism and channel-binding type were really used. It only
//! wraps the adapter's public `Runtime`/`Transport` traits; the protocol runs
//! unchanged.

use std::future::Future;
use std::io;
use std::sync::Mutex;
use std::time::Instant;

use xmpp_core::TlsInfo;
use xmpp_tokio::{Error, Runtime, TlsSide, Tokio, TokioTransport, Transport};

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

impl Runtime for Tapped {
    type Transport = TapTransport;
    type Dns = <Tokio as Runtime>::Dns;

    fn connect(host: &str, port: u16) -> impl Future<Output = io::Result<TapTransport>> + Send {
        let connecting = <Tokio as Runtime>::connect(host, port);
        async move {
            let inner = connecting.await?;
            let (slot, label) = with_state(|s| {
                let label = s.next_label.clone();
                s.captures.push(Capture {
                    label: label.clone(),
                    ..Capture::default()
                });
                (s.captures.len() - 1, label)
            });
            Ok(TapTransport { inner, slot, label })
        }
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
