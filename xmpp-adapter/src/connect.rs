//! Connection setup, generic over the runtime: targets in order, TCP connect and
//! direct-TLS handshake with timeouts, then the driver loop in the background until
//! the session is online.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use futures::channel::mpsc;
use rustls::ClientConfig;
use tracing::{Instrument, debug, info_span};
use xmpp_core::srv::{ConnectTarget, TargetTls};
use xmpp_core::{ClientConnection, TlsInfo, TlsMode};

use crate::client::{ClientApp, Event, Events};
use crate::config::{ConnectConfig, Security};
use crate::dns;
use crate::driver::Driver;
use crate::runtime::TlsSide;
use crate::runtime::timeout;
use crate::{Client, Error, OsEntropy, Runtime, Transport, tls};

/// Room in the request and event channels.
const CHANNEL: usize = 64;

/// Connects with runtime `R` and returns once the session is online (or failed):
/// the handle and the event stream, which starts with [`Event::Authenticated`] and
/// [`Event::Online`].
pub async fn connect_with<R: Runtime>(config: ConnectConfig) -> Result<(Client, Events), Error> {
    let span = info_span!("xmpp_client", account = %config.core.jid());
    async move {
        let mut entropy = OsEntropy::new()?;
        let tls = tls::client_config(config.ca_file.as_deref())?;
        let targets = dns::targets::<R>(&config, &mut entropy).await?;
        let (transport, direct) = open::<R>(&config, &targets, &tls).await?;
        let mode = match (direct, config.security) {
            (Some(info), _) => TlsMode::DirectTls(info),
            (None, Security::InsecurePlaintext) => TlsMode::InsecureAllowPlaintext,
            (None, _) => TlsMode::StartTlsRequired,
        };
        let core = config.core.clone().with_tls(mode);
        let conn = ClientConnection::new(core, Box::new(entropy), Instant::now())?;
        let (requests, request_rx) = mpsc::channel(CHANNEL);
        let (events, mut rx) = mpsc::channel(CHANNEL);
        let driver = Driver::<R, _, _> {
            conn,
            transport,
            tls: Some(TlsSide::Client(tls)),
            handshake_timeout: config.tls_timeout,
            write_timeout: crate::driver::WRITE_TIMEOUT,
            requests: request_rx,
            events,
            app: ClientApp::default(),
        };
        R::spawn(driver.run().instrument(tracing::Span::current()));
        // Events before `Online` wait here. The core bounds them: past
        // `ClientConfig::with_max_stanzas_before_online` stanzas it ends the stream
        // itself, and `Closed` follows.
        let mut early = VecDeque::new();
        while let Some(event) = rx.next().await {
            match event {
                Event::Online { jid, features } => {
                    let client = Client {
                        requests,
                        jid: jid.clone(),
                        features: features.clone(),
                    };
                    early.push_back(Event::Online { jid, features });
                    return Ok((client, Events { early, rx }));
                }
                Event::Closed(error) => return Err(error.unwrap_or(Error::Closed)),
                other => early.push_back(other),
            }
        }
        Err(Error::Closed)
    }
    .instrument(span)
    .await
}

/// The first target that accepts a TCP connection (and, for direct TLS, completes the
/// handshake): its transport and TLS result. Every target is tried in order; when all
/// fail, [`Error::Unreachable`] lists them with their errors (a single target's error
/// is returned as it is).
async fn open<R: Runtime>(
    config: &ConnectConfig,
    targets: &[ConnectTarget],
    tls: &Arc<ClientConfig>,
) -> Result<(R::Transport, Option<TlsInfo>), Error> {
    let mut failures = Vec::new();
    for target in targets {
        let span =
            info_span!("attempt", host = %target.host, port = target.port, tls = ?target.tls);
        match attempt::<R>(config, target, tls).instrument(span).await {
            Ok(opened) => return Ok(opened),
            Err(e) if targets.len() == 1 => return Err(e),
            Err(e) => {
                debug!(host = %target.host, port = target.port, error = %e, "target failed");
                failures.push((target.clone(), e));
            }
        }
    }
    Err(Error::Unreachable(failures))
}

async fn attempt<R: Runtime>(
    config: &ConnectConfig,
    target: &ConnectTarget,
    tls: &Arc<ClientConfig>,
) -> Result<(R::Transport, Option<TlsInfo>), Error> {
    let connecting = R::connect(&target.host, target.port);
    let mut transport = timeout::<R, _>(config.connect_timeout, "connect", connecting)
        .await?
        .map_err(Error::io("connect"))?;
    if target.tls == TargetTls::StartTls {
        return Ok((transport, None));
    }
    let side = TlsSide::Client(tls::with_alpn(tls));
    let handshake = transport.start_tls(&side, config.domain());
    let info = timeout::<R, _>(config.tls_timeout, "TLS handshake", handshake).await??;
    Ok((transport, Some(info)))
}
