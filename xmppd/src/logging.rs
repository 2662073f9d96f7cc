//! Logs to standard error through `tracing-subscriber`: the level comes from
//! `RUST_LOG` (a `tracing` target list such as `info,xmpp_server_host=debug`), else
//! from the configuration's `log_level`, else `info`. Secrets are never logged by
//! the libraries (passwords, SASL payloads and stanza bytes stay out of records).

use std::str::FromStr;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the subscriber; a bad `RUST_LOG` is reported and `level` used instead.
pub fn init(level: Option<&str>) {
    let fallback = level.unwrap_or("info");
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => Targets::from_str(&spec).unwrap_or_else(|e| {
            eprintln!("xmppd: RUST_LOG {spec:?} is not a valid filter ({e}); using {fallback}");
            Targets::from_str(fallback).unwrap_or_default()
        }),
        _ => Targets::from_str(fallback).unwrap_or_default(),
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(true);
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .try_init();
}
