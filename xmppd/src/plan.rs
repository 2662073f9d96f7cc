//! [`Plan`]: what to run, from a configuration file or from the flags — the host's
//! [`ServerSettings`], the certificate files, the store, the accounts to set up.

use std::net::SocketAddr;
use std::path::PathBuf;

use xmpp_sasl::{Mechanism, Password};
use xmpp_server::FloodLimit;
use xmpp_server_host::ServerSettings;

use crate::cli::RunArgs;
use crate::config::{ChannelBinding, Config};

/// A server ready to be started.
#[derive(Debug)]
pub struct Plan {
    /// The host's settings.
    pub settings: ServerSettings,
    /// The certificate chain file (read again on SIGHUP).
    pub cert: PathBuf,
    /// The private key file.
    pub key: PathBuf,
    /// The SQLite database; `None`: in memory.
    pub db: Option<PathBuf>,
    /// Accounts to create or whose password to set at start.
    pub users: Vec<(String, Password)>,
    /// The log level from the configuration (`RUST_LOG` overrides it).
    pub log_level: Option<String>,
}

impl Plan {
    /// The plan a checked configuration describes.
    pub fn from_config(config: Config, add_user: &[String]) -> Result<Plan, String> {
        let mut settings = ServerSettings::new(config.domain)
            .with_starttls_listen(config.c2s.listen)
            .with_direct_tls_listen(config.c2s.direct_tls)
            .with_scram_iterations(config.c2s.scram_iterations)
            .with_channel_binding(config.c2s.channel_binding == ChannelBinding::Auto)
            .with_max_stanza_bytes(Some(config.limits.max_stanza_bytes))
            .with_unauthenticated_limits(
                config.limits.unauthenticated_connections,
                config.limits.unauthenticated_per_address,
            );
        if let Some(names) = &config.c2s.mechanisms {
            let mechanisms = names
                .iter()
                .map(|name| mechanism(name))
                .collect::<Result<Vec<_>, _>>()?;
            settings = settings.with_mechanisms(Some(mechanisms));
        }
        let mut limits = xmpp_server::RouterLimits::default();
        limits.max_resources_per_account = config.limits.max_resources_per_account;
        limits.max_offline_messages = config.limits.max_offline_messages;
        let flood = config.limits.stanza_rate.map(|per_second| FloodLimit {
            per_second,
            burst: config.limits.stanza_burst,
        });
        settings = settings
            .with_metrics_listen(config.metrics.as_ref().map(|m| m.listen))
            .with_router_limits(limits)
            .with_flood(flood)
            .with_byte_rate(config.limits.byte_rate);
        Ok(Plan {
            settings,
            cert: config.tls.cert,
            key: config.tls.key,
            db: config.storage.sqlite,
            users: users(add_user)?,
            log_level: config.log_level,
        })
    }

    /// The plan the flags describe (`--domain D --listen ADDR --cert PEM --key PEM
    /// [--db FILE] [--add-user USER:PW ...]`).
    pub fn from_flags(args: &RunArgs) -> Result<Plan, String> {
        let domain = need(&args.domain, "--domain")?;
        let listen = need(&args.listen, "--listen")?;
        let listen: SocketAddr = listen
            .parse()
            .map_err(|_| format!("--listen expects ADDR:PORT, not {listen:?}"))?;
        let mut settings = ServerSettings::new(domain).with_starttls_listen(vec![listen]);
        if let Some(n) = args.scram_iterations {
            if n == 0 {
                return Err("--scram-iterations expects a positive number".into());
            }
            settings = settings.with_scram_iterations(n);
        }
        if let Some(flood) = &args.flood {
            settings = settings.with_flood(parse_flood(flood)?);
        }
        match args.channel_binding.as_deref() {
            None | Some("on") => {}
            Some("off") => settings = settings.with_channel_binding(false),
            Some(other) => {
                return Err(format!(
                    "--channel-binding expects on or off, not {other:?}"
                ));
            }
        }
        Ok(Plan {
            settings,
            cert: need(&args.cert, "--cert")?,
            key: need(&args.key, "--key")?,
            db: args.db.clone(),
            users: users(&args.add_user)?,
            log_level: None,
        })
    }
}

/// A required flag's value.
fn need<T: Clone>(value: &Option<T>, flag: &str) -> Result<T, String> {
    value
        .clone()
        .ok_or_else(|| format!("{flag} is required (or give --config FILE)"))
}

/// A mechanism by its IANA name.
fn mechanism(name: &str) -> Result<Mechanism, String> {
    Mechanism::from_name(name).ok_or_else(|| format!("unknown SASL mechanism {name:?}"))
}

/// `USER:PASSWORD` pairs.
fn users(pairs: &[String]) -> Result<Vec<(String, Password)>, String> {
    pairs
        .iter()
        .map(|pair| {
            pair.split_once(':')
                .map(|(user, password)| (user.to_owned(), Password::new(password)))
                .ok_or_else(|| "--add-user expects USER:PASSWORD".to_owned())
        })
        .collect()
}

/// `RATE:BURST` or `off`.
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn flood_values() {
        assert_eq!(parse_flood("off").unwrap(), None);
        let limit = parse_flood("10:20").unwrap().unwrap();
        assert_eq!((limit.per_second, limit.burst), (10, 20));
        assert!(parse_flood("10").is_err());
        assert!(parse_flood("x:1").is_err());
    }

    #[test]
    fn mechanisms_by_name() {
        assert_eq!(
            mechanism("SCRAM-SHA-256-PLUS").unwrap(),
            Mechanism::ScramSha256Plus
        );
        assert!(mechanism("scram-sha-256").is_err());
    }

    #[test]
    fn the_example_configuration_makes_a_plan() {
        let (config, _warnings) =
            Config::parse(crate::config::EXAMPLE, std::path::Path::new("/")).unwrap();
        let plan = Plan::from_config(config, &[]).unwrap();
        assert_eq!(plan.settings.domain(), "example.test");
        assert_eq!(plan.settings.starttls_listen().len(), 1);
        assert_eq!(plan.settings.direct_tls_listen().len(), 1);
        assert!(plan.settings.metrics_listen().is_some());
        let router = plan.settings.router_config().unwrap();
        // The example's read rate, with the router's backstop at ten times it.
        assert_eq!(plan.settings.rates().stanzas, Some((10_000, 20_000)));
        assert_eq!(router.limits.flood.map(|f| f.per_second), Some(100_000));
        plan.settings.connection_config([0; 32]).unwrap();
    }
}
