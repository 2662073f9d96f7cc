//! Where to connect: the host override, DNS SRV records (`_xmpps-client._tcp` for
//! direct TLS, XEP-0368, and `_xmpp-client._tcp`, RFC 6120 §3.2) ordered by the core's
//! RFC 2782 selection, or the domain itself as the fallback.

use hickory_resolver::Resolver;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::rr::RData;
use tracing::debug;
use xmpp_sasl::Entropy;

use crate::config::{ConnectConfig, Security};
use crate::{Error, Runtime};

/// One place to try, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS from the first byte (XEP-0368) instead of STARTTLS.
    pub direct_tls: bool,
}

/// The targets for `config`, most preferred first.
pub(crate) async fn targets<R: Runtime>(
    config: &ConnectConfig,
    entropy: &mut dyn Entropy,
) -> Result<Vec<Target>, Error> {
    let direct = config.security == Security::DirectTls;
    if let Some((host, port)) = &config.server {
        let (host, port) = (host.clone(), *port);
        return Ok(vec![Target { host, port, direct_tls: direct }]);
    }
    let domain = config.domain();
    let resolver = Resolver::builder(R::dns())
        .and_then(|b| b.build())
        .map_err(|e| Error::Dns { domain: domain.into(), reason: e.to_string() })?;
    let mut records = Vec::new();
    if config.security != Security::InsecurePlaintext {
        records.extend(srv(&resolver, "_xmpps-client._tcp.", domain, true).await?);
    }
    if !direct {
        records.extend(srv(&resolver, "_xmpp-client._tcp.", domain, false).await?);
    }
    let ordered = crate::srv_shim::order(records, entropy);
    if ordered.is_empty() {
        // RFC 6120 §3.2.2 fallback (XEP-0368 has none; 5223 is the customary port).
        let port = if direct { 5223 } else { 5222 };
        return Ok(vec![Target { host: domain.into(), port, direct_tls: direct }]);
    }
    Ok(ordered
        .into_iter()
        .map(|r| Target { host: r.target.to_string(), port: r.port, direct_tls: r.direct_tls })
        .collect())
}

/// The SRV records of `service` + `domain`; none when there are none or the lookup
/// fails (the fallback applies, RFC 6120 §3.2.1); `.` as the only target means "no
/// service here" and is an error.
async fn srv<P: hickory_resolver::ConnectionProvider>(
    resolver: &Resolver<P>,
    service: &str,
    domain: &str,
    direct_tls: bool,
) -> Result<Vec<crate::srv_shim::SrvRecord>, Error> {
    let name = format!("{service}{domain}.");
    let lookup = match resolver.srv_lookup(name.as_str()).await {
        Ok(lookup) => lookup,
        Err(NetError::Dns(DnsError::NoRecordsFound(_))) => return Ok(Vec::new()),
        Err(e) => {
            debug!(%name, error = %e, "SRV lookup failed");
            return Ok(Vec::new());
        }
    };
    let records: Vec<_> = lookup
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            RData::SRV(srv) => Some(srv),
            _ => None,
        })
        .map(|srv| {
            let mut target = srv.target.to_utf8();
            if target.len() > 1 {
                target = target.trim_end_matches('.').to_owned();
            }
            crate::srv_shim::SrvRecord::new(srv.priority, srv.weight, srv.port, target, direct_tls)
        })
        .collect();
    if let [only] = records.as_slice()
        && only.target == "."
    {
        return Err(Error::Dns { domain: domain.into(), reason: format!("{name}: service not offered") });
    }
    debug!(%name, count = records.len(), "SRV records");
    Ok(records)
}
