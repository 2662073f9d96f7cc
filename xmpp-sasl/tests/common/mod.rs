//! Drives a client and a server against each other the way the XMPP core does.

// Each test binary uses a different subset of these helpers; they panic loudly on misuse.
#![allow(dead_code, clippy::panic)]

use xmpp_sasl::scram::{SaltedPasswordCache, ScramClientOptions};
use xmpp_sasl::{
    ChannelBinding, ChannelBindingType, ClientCredentials, ClientOptions, CredentialAnswer,
    CredentialRequest, Gs2Binding, InsecureSeededEntropy, Mechanism, SaslClient, SaslError,
    SaslServer, Selection, ServerConfig, ServerStep, ServerSuccess,
};

/// Which side failed an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The client refused (it would send `<abort/>`).
    Client(SaslError),
    /// The server refused (it would send `<failure/>`).
    Server(SaslError),
}

pub fn tls_exporter() -> ChannelBinding {
    ChannelBinding::new(ChannelBindingType::TlsExporter, (0..32).collect())
}

/// A TLS server config offering everything, DIGEST-MD5 included, with cheap SCRAM.
pub fn server_config() -> ServerConfig {
    ServerConfig::new(true)
        .with_channel_binding(tls_exporter())
        .with_channel_binding(ChannelBinding::new(
            ChannelBindingType::TlsServerEndPoint,
            vec![7; 48],
        ))
        .with_channel_binding(ChannelBinding::new(
            ChannelBindingType::TlsUnique,
            vec![9; 12],
        ))
        .enable_historic_digest_md5("example.com", "example.com")
        .with_scram_iterations(2)
}

pub fn client_options() -> ClientOptions {
    ClientOptions {
        scram: ScramClientOptions::new().insecure_min_iterations_for_tests(1),
        digest_md5_host: Some("example.com".to_owned()),
    }
}

/// The binding a client would use for `mechanism` against [`server_config`].
pub fn binding_for(mechanism: Mechanism, kind: ChannelBindingType) -> Gs2Binding {
    if !mechanism.is_plus() {
        return Gs2Binding::NotSupported;
    }
    let data = match kind {
        ChannelBindingType::TlsExporter => (0..32).collect(),
        ChannelBindingType::TlsServerEndPoint => vec![7; 48],
        _ => vec![9; 12],
    };
    Gs2Binding::Bound(ChannelBinding::new(kind, data))
}

/// Runs one exchange; `store` answers credential requests. Returns the server's success
/// after the client verified it.
pub fn exchange(
    selection: &Selection,
    credentials: &ClientCredentials,
    config: &ServerConfig,
    seed: u64,
    store: &mut dyn FnMut(&CredentialRequest) -> CredentialAnswer,
) -> Result<ServerSuccess, Failure> {
    exchange_with_cache(
        selection,
        credentials,
        config,
        seed,
        SaltedPasswordCache::new(),
        store,
    )
    .0
}

/// Like [`exchange`], threading a salted-password cache through.
pub fn exchange_with_cache(
    selection: &Selection,
    credentials: &ClientCredentials,
    config: &ServerConfig,
    seed: u64,
    cache: SaltedPasswordCache,
    store: &mut dyn FnMut(&CredentialRequest) -> CredentialAnswer,
) -> (Result<ServerSuccess, Failure>, SaltedPasswordCache) {
    let mut entropy = InsecureSeededEntropy::new(seed);
    let (mut client, initial) = match SaslClient::start(
        selection,
        credentials,
        &client_options(),
        cache,
        &mut entropy,
    ) {
        Ok(started) => started,
        Err(e) => return (Err(Failure::Client(e)), SaltedPasswordCache::new()),
    };
    let result = run(
        &mut client,
        initial,
        selection.mechanism,
        config,
        &mut entropy,
        store,
    );
    (result, client.take_cache())
}

fn run(
    client: &mut SaslClient,
    initial: Option<Vec<u8>>,
    mechanism: Mechanism,
    config: &ServerConfig,
    entropy: &mut InsecureSeededEntropy,
    store: &mut dyn FnMut(&CredentialRequest) -> CredentialAnswer,
) -> Result<ServerSuccess, Failure> {
    let mut server =
        SaslServer::start(config, mechanism.name(), entropy).map_err(Failure::Server)?;
    let mut step = server
        .initial(initial.as_deref())
        .map_err(Failure::Server)?;
    for _ in 0..10 {
        step = match step {
            ServerStep::NeedCredentials(request) => {
                server.provide(store(&request)).map_err(Failure::Server)?
            }
            ServerStep::Challenge(challenge) => {
                let response = client.respond(&challenge).map_err(Failure::Client)?;
                server.respond(&response).map_err(Failure::Server)?
            }
            ServerStep::Success(success) => {
                client
                    .finish(success.additional_data.as_deref())
                    .map_err(Failure::Client)?;
                return Ok(success);
            }
            other => panic!("unknown step {other:?}"),
        };
    }
    panic!("exchange did not finish in 10 steps")
}

/// Every mechanism with every binding type that applies, as selections.
pub fn all_selections() -> Vec<Selection> {
    let mut out = Vec::new();
    for mechanism in Mechanism::ALL {
        if mechanism.is_plus() {
            for kind in ChannelBindingType::ALL {
                out.push(Selection {
                    mechanism,
                    binding: binding_for(mechanism, kind),
                });
            }
        } else {
            out.push(Selection {
                mechanism,
                binding: Gs2Binding::NotSupported,
            });
        }
    }
    out
}
