//! Fresh connections and preambles for replays: a transcript that starts mid-stream
//! (after authentication, online, …) is replayed against a connection brought to that
//! point by a run of the in-memory pair (PLAIN over fake TLS), whose other side is
//! then dropped.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use xmpp_core::{
    ClientConfig, ClientConnection, ResourceConflict, SaslPolicy, ServerConfig, ServerConnection,
    ServerTransport, TlsInfo, TlsMode, TlsVersion,
};
use xmpp_sasl::Password;
use xmpp_sasl::scram::{ScramHash, ScramKeys};
use xmpp_stanza::Sasl;

use super::parse::Unit;
use super::scram::{ScramPeer, ScriptedEntropy, cache, client_nonce};
use xmpp_jid::BareJid;
use xmpp_sasl::{Account, ClientPolicy, Entropy, InsecureSeededEntropy, Mechanism};

use super::replay::{Setup, Side};
use crate::pair::{Pair, Router, fake_tls};

/// The password of preamble accounts.
const PASSWORD: &str = "preamble-password";

/// TLS with no channel-binding data (so a client does not pick `-PLUS`).
pub fn tls_without_binding() -> TlsInfo {
    TlsInfo::new(TlsVersion::Tls13)
}

fn bare(jid: &str) -> Result<BareJid, String> {
    BareJid::new(jid).map_err(|e| format!("{jid}: {e}"))
}

/// A client for `jid` (bare or full: the resource is requested).
pub fn client_config(jid: &str, password: &str) -> Result<ClientConfig, String> {
    let (account, resource) = match jid.split_once('/') {
        Some((account, resource)) => (account, Some(resource)),
        None => (jid, None),
    };
    let mut config = ClientConfig::new(bare(account)?, password).map_err(|e| e.to_string())?;
    if let Some(r) = resource {
        config = config.with_resource(r);
    }
    Ok(config)
}

/// A fresh client (nothing sent but its header).
pub fn fresh_client(
    config: ClientConfig,
    entropy: Box<dyn Entropy + Send>,
) -> Result<Setup, String> {
    let now = Instant::now();
    let tls_up = matches!(config.tls_mode(), TlsMode::DirectTls(_));
    let client = ClientConnection::new(config, entropy, now).map_err(|e| e.to_string())?;
    Ok(Setup {
        side: Side::Client(Box::new(client)),
        now,
        initial_output: Vec::new(),
        tls: tls_without_binding(),
        tls_up,
        account: None,
        scram: None,
    })
}

/// A fresh server.
pub fn fresh_server(config: ServerConfig) -> Setup {
    let now = Instant::now();
    let server = ServerConnection::new(
        Arc::new(config),
        ServerTransport::StartTls,
        Box::new(InsecureSeededEntropy::new(2)),
        now,
    );
    Setup {
        side: Side::Server(Box::new(server)),
        now,
        initial_output: Vec::new(),
        tls: fake_tls(),
        tls_up: false,
        account: None,
        scram: None,
    }
}

/// Where a preamble stops.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Online.
    Online,
    /// The client's `<auth/>` is held back (SASL not started on the server).
    BeforeAuth,
    /// The client's bind request is held back.
    BeforeBind,
}

/// Runs the pair for `jid` (full) until `stop`; returns it and the held-back bytes.
fn preamble(jid: &str, stop: Stop, conflict: ResourceConflict) -> Result<(Pair, Vec<u8>), String> {
    let account = bare(jid.split('/').next().unwrap_or(jid))?;
    let node = account
        .node()
        .ok_or("a preamble JID needs a localpart")?
        .to_owned();
    let client = client_config(jid, PASSWORD)?
        .with_policy(ClientPolicy::new().allow_only(&[Mechanism::Plain]))
        .with_resource_conflict(conflict);
    let server = ServerConfig::new(account.domain()).map_err(|e| e.to_string())?;
    // A password-only account: PLAIN needs no key derivation.
    let router = Router::with_accounts(vec![(node, Account::with_password(PASSWORD))]);
    let mut pair = Pair::new(client, server, router, 9);
    let held = Rc::new(RefCell::new(Vec::new()));
    let prefix = match stop {
        Stop::Online => None,
        Stop::BeforeAuth => Some("<auth"),
        Stop::BeforeBind => Some("<iq"),
    };
    if let Some(prefix) = prefix {
        let held = Rc::clone(&held);
        pair.rewrite_c2s = Some(Box::new(move |bytes: &[u8]| {
            if bytes.starts_with(prefix.as_bytes()) {
                held.borrow_mut().extend_from_slice(bytes);
                Vec::new()
            } else {
                bytes.to_vec()
            }
        }));
    }
    pair.run();
    if stop == Stop::Online && !pair.client_online() {
        return Err(format!("preamble: not online ({:?})", pair.client_closed));
    }
    let held = held.borrow().clone();
    Ok((pair, held))
}

/// Our client for `jid`, brought to `stop`.
pub fn client_at(jid: &str, stop: Stop, conflict: ResourceConflict) -> Result<Setup, String> {
    let (pair, held) = preamble(jid, stop, conflict)?;
    let now = pair.now();
    let Pair { client, .. } = pair;
    Ok(Setup {
        side: Side::Client(Box::new(client)),
        now,
        initial_output: held,
        tls: tls_without_binding(),
        tls_up: true,
        account: None,
        scram: None,
    })
}

/// Our server with a client `jid` brought to `stop` (held-back bytes dropped: the
/// transcript supplies them).
pub fn server_at(jid: &str, stop: Stop) -> Result<Setup, String> {
    let (pair, _) = preamble(jid, stop, ResourceConflict::default())?;
    let now = pair.now();
    let Pair { server, .. } = pair;
    Ok(Setup {
        side: Side::Server(Box::new(server)),
        now,
        initial_output: Vec::new(),
        tls: fake_tls(),
        tls_up: true,
        account: None,
        scram: None,
    })
}

/// The SCRAM parameters of the transcript's first challenge: salt and iterations.
fn scram_parameters(units: &[Unit]) -> Result<(Vec<u8>, u32), String> {
    let challenge = units
        .iter()
        .filter_map(Unit::element)
        .find_map(|e| match Sasl::try_from(e) {
            Ok(Sasl::Challenge(Some(data))) => Some(data),
            _ => None,
        })
        .ok_or("no SCRAM challenge")?;
    let text = String::from_utf8(challenge).map_err(|e| e.to_string())?;
    let attr = |name: &str| {
        text.split(',')
            .find_map(|p| p.strip_prefix(name))
            .map(str::to_owned)
            .ok_or_else(|| format!("no {name} in the challenge"))
    };
    use base64::Engine as _;
    let salt = base64::engine::general_purpose::STANDARD
        .decode(attr("s=")?)
        .map_err(|e| e.to_string())?;
    let iterations = attr("i=")?.parse().map_err(|_| "bad i=".to_owned())?;
    Ok((salt, iterations))
}

/// The password of the RFC 6120 §9.1.2 example.
const RFC_PASSWORD: &str = "r0m30myr0m30";

pub fn full_client(units: &[Unit]) -> Result<Setup, String> {
    let first = units
        .iter()
        .filter_map(Unit::element)
        .find_map(|e| match Sasl::try_from(e) {
            Ok(Sasl::Auth { data: Some(d), .. }) => Some(d),
            _ => None,
        })
        .ok_or("no auth")?;
    let nonce = client_nonce(&first).ok_or("no nonce")?;
    use base64::Engine as _;
    let nonce_bytes = base64::engine::general_purpose::STANDARD
        .decode(&nonce)
        .map_err(|_| "the RFC's nonce is not base64 of random bytes".to_owned())?;
    let config = client_config("juliet@im.example.com/balcony", RFC_PASSWORD)?
        .with_salted_password_cache(cache());
    fresh_client(config, Box::new(ScriptedEntropy::new(nonce_bytes, 5)))
}

/// The stored keys of the RFC 6120 §9.1.2 account (derived once: 4096 iterations).
static RFC_KEYS: std::sync::OnceLock<Result<ScramKeys, String>> = std::sync::OnceLock::new();

pub fn full_server(units: &[Unit]) -> Result<Setup, String> {
    let keys = RFC_KEYS
        .get_or_init(|| {
            let (salt, iterations) = scram_parameters(units)?;
            ScramKeys::derive(
                ScramHash::Sha1,
                &Password::new(RFC_PASSWORD),
                &salt,
                iterations,
            )
            .map_err(|e| e.to_string())
        })
        .clone()?;
    let sasl = SaslPolicy::default().with_mechanisms(&[
        Mechanism::ScramSha1Plus,
        Mechanism::ScramSha1,
        Mechanism::Plain,
    ]);
    let config = ServerConfig::new("im.example.com")
        .map_err(|e| e.to_string())?
        .with_sasl(sasl);
    let mut setup = fresh_server(config);
    setup.account = Some(Account::with_scram_keys(keys));
    setup.scram = Some(ScramPeer::new(ScramHash::Sha1, "juliet", RFC_PASSWORD));
    Ok(setup)
}

pub fn client_plain_before_auth() -> Result<Setup, String> {
    // PLAIN with the RFC's credentials: the preamble's client is juliet with the
    // preamble password, so build the state by hand: a fresh client over direct TLS
    // that receives features offering PLAIN only.
    let config = client_config("juliet@im.example.com", RFC_PASSWORD)?
        .with_tls(TlsMode::DirectTls(tls_without_binding()))
        .with_policy(ClientPolicy::new().allow_only(&[Mechanism::Plain]));
    let mut setup = fresh_client(config, Box::new(InsecureSeededEntropy::new(1)))?;
    let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' from='im.example.com' id='pre' version='1.0'>\
        <stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>\
        </mechanisms></stream:features>";
    if let super::replay::Side::Client(c) = &mut setup.side {
        use xmpp_core::Connection as _;
        c.handle_input(setup.now, header.as_bytes());
        // The header our client wrote at construction is not in the transcript: drop
        // it (and keep the <auth/> it wrote in answer to the features).
        let mut written = Vec::new();
        while let xmpp_core::Output::Transmit(b) = c.poll_output() {
            written.extend_from_slice(&b);
        }
        let text = String::from_utf8_lossy(&written).into_owned();
        let auth = text.find("<auth").ok_or("the client did not start PLAIN")?;
        setup.initial_output = text.as_bytes()[auth..].to_vec();
    }
    Ok(setup)
}

pub fn digest_client() -> Result<Setup, String> {
    let config = client_config("somenode@example.com", "secret")?
        .with_tls(TlsMode::DirectTls(tls_without_binding()))
        .with_policy(
            ClientPolicy::new()
                .allow_only(&[Mechanism::DigestMd5])
                .enable_historic_digest_md5(),
        );
    fresh_client(config, Box::new(InsecureSeededEntropy::new(1)))
}
