//! Where to connect: the host override, or DNS SRV records (`_xmpps-client._tcp` for
//! direct TLS, XEP-0368, and `_xmpp-client._tcp`, RFC 6120 §3.2) ordered — with the
//! fallback to the domain — by the core's pure [`order_targets`].

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{ConnectionProvider, Resolver};
use tracing::debug;
use xmpp_core::srv::{ConnectTarget, SrvRecord, TargetTls, order_direct_targets, order_targets};
use xmpp_sasl::Entropy;

use crate::config::{ConnectConfig, Security};
use crate::{Error, Runtime};

/// The targets for `config`, most preferred first.
pub(crate) async fn targets<R: Runtime>(
    config: &ConnectConfig,
    entropy: &mut (dyn Entropy + Send),
) -> Result<Vec<ConnectTarget>, Error> {
    let domain = config.domain();
    let tls = match config.security {
        Security::DirectTls => TargetTls::Direct,
        _ => TargetTls::StartTls,
    };
    if let Some((host, port)) = &config.server {
        return Ok(vec![ConnectTarget {
            host: host.clone(),
            port: *port,
            tls,
        }]);
    }
    let dns_error = |source: NetError| Error::Dns {
        domain: domain.into(),
        source,
    };
    let builder = match config.name_server {
        Some(addr) => {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let server = NameServerConfig::new(addr.ip(), true, vec![udp]);
            let config = ResolverConfig::from_name_servers(vec![server]);
            Ok(Resolver::builder_with_config(config, R::dns()))
        }
        None => Resolver::builder(R::dns()),
    };
    let resolver = builder.and_then(|b| b.build()).map_err(dns_error)?;
    let direct = match config.security {
        Security::InsecurePlaintext => None,
        _ => srv(&resolver, "_xmpps-client._tcp", domain).await,
    };
    let targets = match config.security {
        // Direct TLS only: XEP-0368 has no fallback but the customary port.
        Security::DirectTls => order_direct_targets(domain, direct.as_deref().into(), entropy),
        _ => {
            let starttls = srv(&resolver, "_xmpp-client._tcp", domain).await;
            let (direct, starttls) = (direct.as_deref(), starttls.as_deref());
            order_targets(domain, direct.into(), starttls.into(), entropy)
        }
    };
    if targets.is_empty() {
        return Err(Error::ServiceNotOffered {
            domain: domain.into(),
        });
    }
    Ok(targets)
}

/// The SRV records of `service` at `domain`; `None` when there are none or the lookup
/// failed (the fallback applies then, RFC 6120 §3.2.1).
async fn srv<P: ConnectionProvider>(
    resolver: &Resolver<P>,
    service: &str,
    domain: &str,
) -> Option<Vec<SrvRecord>> {
    let name = format!("{service}.{domain}.");
    let lookup = match resolver.srv_lookup(name.as_str()).await {
        Ok(lookup) => lookup,
        Err(NetError::Dns(DnsError::NoRecordsFound(_))) => return None,
        Err(e) => {
            debug!(%name, error = %e, "SRV lookup failed");
            return None;
        }
    };
    let records: Vec<_> = lookup
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            RData::SRV(s) => Some(SrvRecord::new(
                s.priority,
                s.weight,
                s.port,
                s.target.to_utf8(),
            )),
            _ => None,
        })
        .collect();
    debug!(%name, count = records.len(), "SRV records");
    (!records.is_empty()).then_some(records)
}
