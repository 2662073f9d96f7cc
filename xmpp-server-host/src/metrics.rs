//! [`Metrics`]: the server's counters and gauges, kept with atomics by the
//! connection tasks and the host thread, and rendered in the OpenMetrics text format
//! (as Prosody's `mod_http_openmetrics` serves them) by
//! [`Metrics::render`]; [`crate::Server`] serves them over HTTP at `/metrics` when
//! a metrics address is configured.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use xmpp_sasl::Mechanism;
use xmpp_stanza::Stanza;

/// Stanza kinds, in label order.
const KINDS: [&str; 3] = ["message", "presence", "iq"];

/// Upper bounds (seconds) of the store write latency histogram's buckets.
const WRITE_BUCKETS: [f64; 10] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1.0,
];

fn kind_index(stanza: &Stanza) -> usize {
    match stanza {
        Stanza::Message(_) => 0,
        Stanza::Presence(_) => 1,
        Stanza::Iq(_) => 2,
    }
}

/// Per-mechanism counters (index `Mechanism::ALL.len()`: no known mechanism).
#[derive(Debug, Default)]
struct ByMechanism([AtomicU64; Mechanism::ALL.len() + 1]);

impl ByMechanism {
    fn inc(&self, mechanism: Option<Mechanism>) {
        let i = mechanism
            .and_then(|m| Mechanism::ALL.iter().position(|x| *x == m))
            .unwrap_or(Mechanism::ALL.len());
        if let Some(counter) = self.0.get(i) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn samples(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        Mechanism::ALL
            .iter()
            .map(|m| m.name())
            .chain(["none"])
            .zip(self.0.iter().map(|c| c.load(Ordering::Relaxed)))
    }
}

/// The server's metrics. Cheap to update from any thread.
#[derive(Debug, Default)]
pub struct Metrics {
    connections_accepted: AtomicU64,
    connections_refused: AtomicU64,
    connections_open: AtomicI64,
    sessions_online: AtomicI64,
    stanzas_received: [AtomicU64; 3],
    stanzas_sent: [AtomicU64; 3],
    stanzas_rerouted: AtomicU64,
    queue_overflows: AtomicU64,
    auth_successes: ByMechanism,
    auth_failures: ByMechanism,
    auth_delayed: AtomicU64,
    store_writes: [AtomicU64; WRITE_BUCKETS.len() + 1],
    store_write_nanos: AtomicU64,
}

/// An open connection, counted until dropped.
#[derive(Debug)]
pub(crate) struct OpenConnection(std::sync::Arc<Metrics>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.connection_closed();
    }
}

impl Metrics {
    /// A connection was accepted; it counts as open until the guard is dropped.
    pub(crate) fn open(this: &std::sync::Arc<Metrics>) -> OpenConnection {
        this.connection_accepted();
        OpenConnection(this.clone())
    }

    pub(crate) fn connection_accepted(&self) {
        self.connections_accepted.fetch_add(1, Ordering::Relaxed);
        self.connections_open.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn connection_refused(&self) {
        self.connections_refused.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn connection_closed(&self) {
        self.connections_open.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn session_online(&self, online: bool) {
        let delta = if online { 1 } else { -1 };
        self.sessions_online.fetch_add(delta, Ordering::Relaxed);
    }

    pub(crate) fn stanza_received(&self, stanza: &Stanza) {
        if let Some(c) = self.stanzas_received.get(kind_index(stanza)) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn stanza_sent(&self, stanza: &Stanza) {
        if let Some(c) = self.stanzas_sent.get(kind_index(stanza)) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn rerouted(&self) {
        self.stanzas_rerouted.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn overflow(&self) {
        self.queue_overflows.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn auth_succeeded(&self, mechanism: Mechanism) {
        self.auth_successes.inc(Some(mechanism));
    }

    pub(crate) fn auth_failed(&self, mechanism: Option<Mechanism>) {
        self.auth_failures.inc(mechanism);
    }

    pub(crate) fn auth_delayed(&self) {
        self.auth_delayed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn store_write(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let bucket = WRITE_BUCKETS
            .iter()
            .position(|le| seconds <= *le)
            .unwrap_or(WRITE_BUCKETS.len());
        if let Some(c) = self.store_writes.get(bucket) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.store_write_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Every metric in the OpenMetrics 1.0 text format, ending with `# EOF`.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let counter = |out: &mut String, name: &str, help: &str, samples: &[(String, u64)]| {
            let _ = writeln!(out, "# TYPE {name} counter\n# HELP {name} {help}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}_total{labels} {value}");
            }
        };
        let plain = |v: u64| vec![(String::new(), v)];
        let by_kind = |a: &[AtomicU64; 3]| {
            KINDS
                .iter()
                .zip(a.iter())
                .map(|(k, c)| (format!("{{kind=\"{k}\"}}"), load(c)))
                .collect::<Vec<_>>()
        };
        let by_mechanism = |m: &ByMechanism| {
            m.samples()
                .map(|(name, v)| (format!("{{mechanism=\"{name}\"}}"), v))
                .collect::<Vec<_>>()
        };
        counter(
            &mut out,
            "xmppd_connections_accepted",
            "Client connections accepted.",
            &plain(load(&self.connections_accepted)),
        );
        counter(
            &mut out,
            "xmppd_connections_refused",
            "Client connections refused: too many unauthenticated ones in total or from one address.",
            &plain(load(&self.connections_refused)),
        );
        counter(
            &mut out,
            "xmppd_stanzas_received",
            "Stanzas received from clients, by kind.",
            &by_kind(&self.stanzas_received),
        );
        counter(
            &mut out,
            "xmppd_stanzas_sent",
            "Stanzas sent to clients, by kind.",
            &by_kind(&self.stanzas_sent),
        );
        counter(
            &mut out,
            "xmppd_stanzas_rerouted",
            "Stanzas that could not be handed to their session (a client that does not read, a closed connection) and were routed again.",
            &plain(load(&self.stanzas_rerouted)),
        );
        counter(
            &mut out,
            "xmppd_queue_overflows",
            "Sessions closed because their command queue was full.",
            &plain(load(&self.queue_overflows)),
        );
        counter(
            &mut out,
            "xmppd_auth_successes",
            "Successful authentications, by SASL mechanism.",
            &by_mechanism(&self.auth_successes),
        );
        counter(
            &mut out,
            "xmppd_auth_failures",
            "Failed authentication attempts, by SASL mechanism.",
            &by_mechanism(&self.auth_failures),
        );
        counter(
            &mut out,
            "xmppd_auth_delayed",
            "Credential requests held by the authentication throttle.",
            &plain(load(&self.auth_delayed)),
        );
        for (name, help, value) in [
            (
                "xmppd_connections_open",
                "Client connections open now.",
                self.connections_open.load(Ordering::Relaxed),
            ),
            (
                "xmppd_sessions_online",
                "Sessions online now (resource bound).",
                self.sessions_online.load(Ordering::Relaxed),
            ),
        ] {
            let _ = writeln!(
                out,
                "# TYPE {name} gauge\n# HELP {name} {help}\n{name} {value}"
            );
        }
        let name = "xmppd_store_write_seconds";
        let _ = writeln!(
            out,
            "# TYPE {name} histogram\n# HELP {name} Time to make one change durable."
        );
        let mut cumulative = 0;
        for (i, le) in WRITE_BUCKETS.iter().enumerate() {
            cumulative += self.store_writes.get(i).map_or(0, load);
            let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {cumulative}");
        }
        cumulative += self.store_writes.last().map_or(0, load);
        let sum = Duration::from_nanos(load(&self.store_write_nanos)).as_secs_f64();
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {cumulative}");
        out.push_str("# EOF\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_as_openmetrics() {
        let m = Metrics::default();
        m.connection_accepted();
        m.connection_accepted();
        m.connection_closed();
        let message = Stanza::Message(xmpp_stanza::Message::default());
        m.stanza_received(&message);
        m.stanza_sent(&message);
        m.stanza_sent(&message);
        m.auth_succeeded(Mechanism::ScramSha256Plus);
        m.auth_failed(None);
        m.store_write(Duration::from_micros(300));
        m.store_write(Duration::from_secs(5));
        let text = m.render();
        for line in [
            "xmppd_connections_accepted_total 2",
            "xmppd_connections_open 1",
            "xmppd_stanzas_received_total{kind=\"message\"} 1",
            "xmppd_stanzas_sent_total{kind=\"message\"} 2",
            "xmppd_stanzas_sent_total{kind=\"iq\"} 0",
            "xmppd_auth_successes_total{mechanism=\"SCRAM-SHA-256-PLUS\"} 1",
            "xmppd_auth_failures_total{mechanism=\"none\"} 1",
            "xmppd_store_write_seconds_bucket{le=\"0.0005\"} 1",
            "xmppd_store_write_seconds_bucket{le=\"1\"} 1",
            "xmppd_store_write_seconds_bucket{le=\"+Inf\"} 2",
            "xmppd_store_write_seconds_count 2",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        assert!(text.ends_with("# EOF\n"));
        // Every sample belongs to a family declared before it.
        let mut declared = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                declared.push(rest.split(' ').next().unwrap_or_default().to_owned());
            } else if !line.starts_with('#') {
                assert!(
                    declared
                        .iter()
                        .any(|family| line.starts_with(family.as_str())),
                    "{line}"
                );
            }
        }
    }
}
