//! SCRAM records (RFC 5802, RFC 7677; any hash, with or without `-PLUS`).

use xmpp_sasl::scram::{
    SaltedPassword, ScramClient, ScramClientOptions, ScramHash, ScramKeys, ScramServer,
};
use xmpp_sasl::{
    Account, ChannelBinding, ChannelBindingType, ClientCredentials, CredentialAnswer, Gs2Binding,
    InsecureSeededEntropy, Mechanism, Password, Preparation, SaslError, ServerConfig, ServerStep,
    decode_payload,
};

use super::Outcome;
use super::record::{Record, expect_eq, hex_decode, hex_encode, show};

/// Everything a SCRAM record specifies.
struct Vector<'a> {
    mechanism: Mechanism,
    hash: ScramHash,
    username: &'a str,
    password: &'a str,
    authzid: &'a str,
    binding: Gs2Binding,
    client_nonce: &'a str,
    server_nonce_full: &'a str,
    salt: Vec<u8>,
    iterations: u32,
    preparation: Preparation,
    client_first: &'a str,
    server_first: &'a str,
    client_final: &'a str,
    server_final: &'a str,
}

pub(crate) fn check(record: &Record<'_>) -> Outcome {
    let vector = match Vector::read(record) {
        Ok(v) => v,
        Err(why) => return Outcome::Fail(why),
    };
    if record.valid() {
        run_valid(record, &vector).into()
    } else {
        run_invalid(record, &vector).into()
    }
}

impl<'a> Vector<'a> {
    fn read(record: &Record<'a>) -> Result<Self, String> {
        let name = record.str("mechanism")?;
        let mechanism = Mechanism::from_name(name).ok_or(format!("unknown mechanism {name}"))?;
        let hash = mechanism
            .scram_hash()
            .ok_or(format!("{name} is not SCRAM"))?;
        let cb_data = decode_payload(record.opt_str("channel_binding_data_b64").unwrap_or(""))
            .map_err(|e| format!("channel_binding_data_b64: {e}"))?;
        let gs2 = record.str("gs2_header")?;
        let flag = gs2.split(',').next().unwrap_or("");
        let binding = match flag {
            "n" => Gs2Binding::NotSupported,
            "y" => Gs2Binding::ServerLacksSupport,
            _ => {
                let cb_name = flag
                    .strip_prefix("p=")
                    .ok_or(format!("gs2 header {gs2:?}"))?;
                let kind = ChannelBindingType::from_name(cb_name)
                    .ok_or(format!("unsupported channel-binding type {cb_name:?}"))?;
                Gs2Binding::Bound(ChannelBinding::new(kind, cb_data))
            }
        };
        let salt_b64 = record.str("salt_b64")?;
        let salt = decode_payload(salt_b64).map_err(|e| format!("salt_b64: {e}"))?;
        Ok(Vector {
            mechanism,
            hash,
            username: record.str("username")?,
            password: record.str("password")?,
            authzid: record.opt_str("authzid").unwrap_or(""),
            binding,
            client_nonce: record.str("client_nonce")?,
            server_nonce_full: record.str("server_nonce_full")?,
            salt,
            iterations: record.u32("iterations")?,
            preparation: if record.flag("skip_saslprep", false) {
                Preparation::Exact
            } else {
                Preparation::Saslprep
            },
            client_first: record.opt_str("client_first").unwrap_or(""),
            server_first: record.opt_str("server_first").unwrap_or(""),
            client_final: record.opt_str("client_final").unwrap_or(""),
            server_final: record.opt_str("server_final").unwrap_or(""),
        })
    }

    fn credentials(&self) -> ClientCredentials {
        let creds = ClientCredentials::new(self.username, self.password).with_authzid(self.authzid);
        match self.preparation {
            Preparation::Exact => creds.without_saslprep(),
            _ => creds,
        }
    }

    fn client(&self) -> Result<(ScramClient, Vec<u8>), SaslError> {
        let options = ScramClientOptions::new().insecure_min_iterations_for_tests(1);
        ScramClient::start_with_nonce(
            self.hash,
            self.binding.clone(),
            &self.credentials(),
            options,
            self.client_nonce,
        )
    }

    fn server_config(&self) -> ServerConfig {
        let mut config = ServerConfig::new(true);
        if let Gs2Binding::Bound(cb) = &self.binding {
            config = config.with_channel_binding(cb.clone());
        }
        match self.preparation {
            Preparation::Exact => config.without_saslprep(),
            _ => config,
        }
    }

    fn server(&self) -> Result<ScramServer, String> {
        let server_nonce = self
            .server_nonce_full
            .strip_prefix(self.client_nonce)
            .ok_or("server_nonce_full does not extend client_nonce")?;
        let mut entropy = InsecureSeededEntropy::new(1);
        ScramServer::with_server_nonce(
            self.mechanism,
            &self.server_config(),
            server_nonce,
            &mut entropy,
        )
        .map_err(|e| format!("server setup: {e}"))
    }

    fn keys(&self) -> Result<ScramKeys, String> {
        ScramKeys::derive_with(
            self.hash,
            &Password::new(self.password),
            &self.salt,
            self.iterations,
            self.preparation,
        )
        .map_err(|e| format!("key derivation: {e}"))
    }

    /// The credential store's answer: it holds only this record's user, who may act only as
    /// the record's authzid.
    fn answer(&self, authcid: &str) -> Result<CredentialAnswer, String> {
        let prepared = match self.preparation {
            Preparation::Exact => self.username.to_owned(),
            _ => xmpp_sasl::saslprep_query(self.username)
                .map_err(|e| format!("username: {e}"))?
                .into_owned(),
        };
        if authcid != prepared {
            return Ok(CredentialAnswer::UnknownUser);
        }
        Ok(CredentialAnswer::Found(
            Account::with_scram_keys(self.keys()?).permit_authzid(),
        ))
    }
}

fn run_valid(record: &Record<'_>, v: &Vector<'_>) -> Result<(), String> {
    check_intermediates(record, v)?;

    // Client side.
    let (mut client, first) = v.client().map_err(|e| format!("client start: {e}"))?;
    if client.mechanism() != v.mechanism {
        return Err(format!(
            "client runs {}, record is {}",
            client.mechanism(),
            v.mechanism
        ));
    }
    expect_eq("client_first", &first, v.client_first.as_bytes())?;
    let fin = client
        .respond(v.server_first.as_bytes())
        .map_err(|e| format!("client on server_first: {e}"))?;
    expect_eq("client_final", &fin, v.client_final.as_bytes())?;
    client
        .finish(Some(v.server_final.as_bytes()))
        .map_err(|e| format!("client on server_final: {e}"))?;

    // Server side.
    let mut server = v.server()?;
    let step = server
        .initial(Some(v.client_first.as_bytes()))
        .map_err(|e| format!("server on client_first: {e}"))?;
    let ServerStep::NeedCredentials(request) = step else {
        return Err(format!(
            "server: expected a credential request, got {step:?}"
        ));
    };
    let expected_authzid = (!v.authzid.is_empty()).then_some(v.authzid);
    if request.authzid.as_deref() != expected_authzid {
        return Err(format!(
            "server saw authzid {:?}, expected {expected_authzid:?}",
            request.authzid
        ));
    }
    let answer = v.answer(&request.authcid)?;
    if matches!(answer, CredentialAnswer::UnknownUser) {
        return Err(format!(
            "server asked for unexpected user {:?}",
            request.authcid
        ));
    }
    match server.provide(answer) {
        Ok(ServerStep::Challenge(sf)) => expect_eq("server_first", &sf, v.server_first.as_bytes())?,
        other => return Err(format!("server: expected server_first, got {other:?}")),
    }
    match server.respond(v.client_final.as_bytes()) {
        Ok(ServerStep::Success(success)) => expect_eq(
            "server_final",
            success.additional_data.as_deref().unwrap_or(b""),
            v.server_final.as_bytes(),
        ),
        other => Err(format!(
            "server on client_final: expected success, got {other:?}"
        )),
    }
}

/// Compares the record's intermediate values (when given) with our key derivation, and its
/// auth message with the one the messages compose.
fn check_intermediates(record: &Record<'_>, v: &Vector<'_>) -> Result<(), String> {
    let salted = SaltedPassword::derive_with(
        v.hash,
        &Password::new(v.password),
        &v.salt,
        v.iterations,
        v.preparation,
    )
    .map_err(|e| format!("SaltedPassword: {e}"))?;
    let ours = [
        ("salted_password_hex", salted.as_bytes().to_vec()),
        ("client_key_hex", salted.client_key()),
        ("stored_key_hex", salted.stored_key()),
        ("server_key_hex", salted.server_key()),
    ];
    for (field, value) in ours {
        if let Some(expected) = record.nested_str("intermediate", field) {
            let expected = hex_decode(expected)?;
            if value != expected {
                return Err(format!(
                    "{field}: got {}, expected {}",
                    hex_encode(&value),
                    hex_encode(&expected)
                ));
            }
        }
    }
    if let Some(expected) = record.nested_str("intermediate", "auth_message") {
        let bare = v.client_first.splitn(3, ',').nth(2).unwrap_or("");
        let without_proof = v.client_final.rsplit_once(",p=").map_or("", |(w, _)| w);
        let composed = format!("{bare},{},{without_proof}", v.server_first);
        expect_eq("auth_message", composed.as_bytes(), expected.as_bytes())?;
    }
    Ok(())
}

fn run_invalid(record: &Record<'_>, v: &Vector<'_>) -> Result<(), String> {
    match record.str("fail_at")? {
        "client_first" => server_rejects_client_first(v),
        "client_final" => server_rejects_client_final(v),
        "server_first" => client_rejects(v, true),
        "server_final" => client_rejects(v, false),
        other => Err(format!("unknown fail_at {other:?}")),
    }
}

/// The server must reject `client_first`, or answer with a (decoy) challenge and reject the
/// client-final our client sends in reply.
fn server_rejects_client_first(v: &Vector<'_>) -> Result<(), String> {
    let mut server = v.server()?;
    let request = match server.initial(Some(v.client_first.as_bytes())) {
        Err(_) => return Ok(()),
        Ok(ServerStep::NeedCredentials(request)) => request,
        Ok(other) => return Err(format!("server answered client_first with {other:?}")),
    };
    let challenge = match server.provide(v.answer(&request.authcid)?) {
        Err(_) => return Ok(()),
        Ok(ServerStep::Challenge(c)) => c,
        Ok(other) => return Err(format!("server answered the lookup with {other:?}")),
    };
    let (mut client, _) = v.client().map_err(|e| format!("client start: {e}"))?;
    let Ok(reply) = client.respond(&challenge) else {
        // Our client cannot even answer the decoy: the server cannot succeed either.
        return Ok(());
    };
    match server.respond(&reply) {
        Err(_) => Ok(()),
        Ok(step) => Err(format!("server accepted an invalid exchange: {step:?}")),
    }
}

/// The server must accept `client_first` and reject `client_final`.
fn server_rejects_client_final(v: &Vector<'_>) -> Result<(), String> {
    let mut server = v.server()?;
    let request = match server.initial(Some(v.client_first.as_bytes())) {
        Ok(ServerStep::NeedCredentials(request)) => request,
        other => return Err(format!("server should accept client_first, got {other:?}")),
    };
    match server.provide(v.answer(&request.authcid)?) {
        Ok(ServerStep::Challenge(_)) => {}
        other => return Err(format!("server should send server_first, got {other:?}")),
    }
    match server.respond(v.client_final.as_bytes()) {
        Err(_) => Ok(()),
        Ok(step) => Err(format!(
            "server accepted client_final {}: {step:?}",
            show(v.client_final.as_bytes())
        )),
    }
}

/// The client must reject `server_first` (`at_first`) or `server_final`.
fn client_rejects(v: &Vector<'_>, at_first: bool) -> Result<(), String> {
    let (mut client, _) = v.client().map_err(|e| format!("client start: {e}"))?;
    let reply = client.respond(v.server_first.as_bytes());
    if at_first {
        return match reply {
            Err(_) => Ok(()),
            Ok(fin) => Err(format!(
                "client accepted server_first and sent {}",
                show(&fin)
            )),
        };
    }
    reply.map_err(|e| format!("client should accept server_first: {e}"))?;
    match client.finish(Some(v.server_final.as_bytes())) {
        Err(_) => Ok(()),
        Ok(()) => Err(format!(
            "client accepted server_final {}",
            show(v.server_final.as_bytes())
        )),
    }
}
