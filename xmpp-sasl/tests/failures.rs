//! Every failure condition of RFC 6120 §6.5, and every client-side refusal, through the
//! public API.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Failure, binding_for, client_options, exchange, server_config, tls_exporter};
use xmpp_sasl::scram::{
    SaltedPasswordCache, ScramClient, ScramClientOptions, ScramHash, ScramKeys, ScramServer,
};
use xmpp_sasl::{
    Account, AccountStatus, ChannelBinding, ChannelBindingType, ClientCredentials,
    CredentialAnswer, Gs2Binding, InsecureSeededEntropy, Malformation, Mechanism, MessageKind,
    Password, SaslClient, SaslCondition, SaslError, SaslServer, ScramServerError, Selection,
    ServerConfig, ServerStep, decode_payload,
};

fn sel(mechanism: Mechanism) -> Selection {
    Selection {
        mechanism,
        binding: binding_for(mechanism, ChannelBindingType::TlsExporter),
    }
}

fn found(password: &str) -> CredentialAnswer {
    CredentialAnswer::Found(Account::with_password(password))
}

/// Runs every mechanism against a store answering `answer`; all must fail on the server
/// side with `expected`.
fn all_fail_with(creds: &ClientCredentials, answer: CredentialAnswer, expected: SaslError) {
    for mechanism in Mechanism::ALL {
        let result = exchange(&sel(mechanism), creds, &server_config(), 1, &mut |_| {
            answer.clone()
        });
        assert_eq!(
            result,
            Err(Failure::Server(expected.clone())),
            "{mechanism}"
        );
    }
}

#[test]
fn aborted() {
    let mut entropy = InsecureSeededEntropy::new(1);
    let mut server = SaslServer::start(&server_config(), "SCRAM-SHA-256", &mut entropy).unwrap();
    server.initial(Some(b"n,,n=user,r=abc")).unwrap();
    let error = server.abort();
    assert_eq!(error.condition(), SaslCondition::Aborted);
    assert_eq!(
        server.respond(b"c=biws,r=abc,p=AA=="),
        Err(SaslError::UnexpectedStep)
    );
}

#[test]
fn account_disabled_and_credentials_expired_only_after_a_good_proof() {
    let creds = ClientCredentials::new("juliet", "r0m30");
    for (status, error) in [
        (AccountStatus::Disabled, SaslError::AccountDisabled),
        (
            AccountStatus::CredentialsExpired,
            SaslError::CredentialsExpired,
        ),
    ] {
        let answer = CredentialAnswer::Found(Account::with_password("r0m30").status(status));
        all_fail_with(&creds, answer.clone(), error.clone());
        // With the wrong password the state is not revealed.
        let wrong = ClientCredentials::new("juliet", "nope");
        all_fail_with(&wrong, answer, SaslError::AuthenticationFailed);
    }
    assert_eq!(
        SaslError::AccountDisabled.condition(),
        SaslCondition::AccountDisabled
    );
    assert_eq!(
        SaslError::CredentialsExpired.condition(),
        SaslCondition::CredentialsExpired
    );
}

#[test]
fn encryption_required_for_plain_without_tls() {
    let mut entropy = InsecureSeededEntropy::new(1);
    let config = ServerConfig::new(false);
    assert!(!config.offered_mechanisms().contains(&Mechanism::Plain));
    let error = SaslServer::start(&config, "PLAIN", &mut entropy).unwrap_err();
    assert_eq!(error.condition(), SaslCondition::EncryptionRequired);
    let insecure = ServerConfig::new(false).insecure_allow_plain_without_tls();
    assert!(SaslServer::start(&insecure, "PLAIN", &mut entropy).is_ok());
}

#[test]
fn incorrect_encoding() {
    let error = decode_payload("not base64!").unwrap_err();
    assert_eq!(error.condition(), SaslCondition::IncorrectEncoding);
}

#[test]
fn invalid_authzid_unless_permitted() {
    let creds = ClientCredentials::new("juliet", "r0m30").with_authzid("romeo@example.com");
    all_fail_with(&creds, found("r0m30"), SaslError::InvalidAuthzid);
    for mechanism in Mechanism::ALL {
        let ok = exchange(&sel(mechanism), &creds, &server_config(), 1, &mut |_| {
            CredentialAnswer::Found(Account::with_password("r0m30").permit_authzid())
        })
        .unwrap();
        assert_eq!(ok.authzid.as_deref(), Some("romeo@example.com"));
    }
    assert_eq!(
        SaslError::InvalidAuthzid.condition(),
        SaslCondition::InvalidAuthzid
    );
}

#[test]
fn invalid_mechanism() {
    let mut entropy = InsecureSeededEntropy::new(1);
    for (config, name) in [
        (ServerConfig::new(true), "X-FOO"),
        (ServerConfig::new(true), "scram-sha-1"),
        (ServerConfig::new(true), "SCRAM-SHA-1-PLUS"), // no binding data
        (ServerConfig::new(true), "DIGEST-MD5"),       // historic, not enabled
        (
            ServerConfig::new(true).with_mechanisms(&[Mechanism::ScramSha256]),
            "SCRAM-SHA-1",
        ),
        (
            ServerConfig::new(false).with_channel_binding(tls_exporter()),
            "SCRAM-SHA-256-PLUS",
        ),
    ] {
        let error = SaslServer::start(&config, name, &mut entropy).unwrap_err();
        assert_eq!(error.condition(), SaslCondition::InvalidMechanism, "{name}");
    }
}

#[test]
fn malformed_requests() {
    let mut entropy = InsecureSeededEntropy::new(1);
    let config = server_config();
    let oversized = vec![b'a'; xmpp_sasl::MAX_MESSAGE_LEN + 1];
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("SCRAM-SHA-1", b"".to_vec()),
        ("SCRAM-SHA-1", b"garbage".to_vec()),
        ("SCRAM-SHA-1", b"n,,n=u\xff,r=abc".to_vec()),
        ("SCRAM-SHA-1", b"n,,r=abc,n=u".to_vec()),
        ("SCRAM-SHA-1", b"n,,n=u=XX,r=abc".to_vec()),
        ("SCRAM-SHA-1", b"p=tls-exporter,,n=u,r=abc".to_vec()),
        ("SCRAM-SHA-1-PLUS", b"n,,n=u,r=abc".to_vec()),
        ("SCRAM-SHA-1", b"n,,n=\x07,r=abc".to_vec()),
        ("SCRAM-SHA-1", oversized.clone()),
        ("PLAIN", b"\0only-two".to_vec()),
        ("PLAIN", oversized),
        ("DIGEST-MD5", b"unexpected initial response".to_vec()),
    ];
    for (mechanism, initial) in cases {
        let mut server = SaslServer::start(&config, mechanism, &mut entropy).unwrap();
        let error = server.initial(Some(&initial)).unwrap_err();
        assert_eq!(
            error.condition(),
            SaslCondition::MalformedRequest,
            "{mechanism} {error}"
        );
        assert_eq!(server.respond(b"x"), Err(SaslError::UnexpectedStep));
    }
    // A client-final that is not a client-final.
    let mut server = SaslServer::start(&config, "SCRAM-SHA-1", &mut entropy).unwrap();
    server.initial(Some(b"n,,n=user,r=abc")).unwrap();
    server.provide(found("pencil")).unwrap();
    let error = server.respond(b"p=AAAA").unwrap_err();
    assert_eq!(error.condition(), SaslCondition::MalformedRequest);
    // A response while the credential lookup is pending.
    let mut server = SaslServer::start(&config, "SCRAM-SHA-1", &mut entropy).unwrap();
    server.initial(Some(b"n,,n=user,r=abc")).unwrap();
    assert_eq!(server.respond(b"c=biws"), Err(SaslError::UnexpectedStep));
}

#[test]
fn mechanism_too_weak_and_temporary_failure_from_the_store() {
    let creds = ClientCredentials::new("juliet", "r0m30");
    all_fail_with(
        &creds,
        CredentialAnswer::MechanismTooWeak,
        SaslError::MechanismTooWeak,
    );
    all_fail_with(
        &creds,
        CredentialAnswer::TemporaryFailure,
        SaslError::TemporaryFailure,
    );
    assert_eq!(
        SaslError::MechanismTooWeak.condition(),
        SaslCondition::MechanismTooWeak
    );
    assert_eq!(
        SaslError::TemporaryFailure.condition(),
        SaslCondition::TemporaryAuthFailure
    );
}

#[test]
fn not_authorized_for_wrong_password_and_unknown_user_alike() {
    let creds = ClientCredentials::new("juliet", "wrong");
    all_fail_with(&creds, found("r0m30"), SaslError::AuthenticationFailed);
    all_fail_with(
        &creds,
        CredentialAnswer::UnknownUser,
        SaslError::AuthenticationFailed,
    );
    // Keys for another hash only: same path.
    let sha1_only =
        ScramKeys::derive(ScramHash::Sha1, &Password::new("wrong"), b"salt", 2).unwrap();
    let result = exchange(
        &sel(Mechanism::ScramSha256),
        &creds,
        &server_config(),
        1,
        &mut |_| CredentialAnswer::Found(Account::with_scram_keys(sha1_only.clone())),
    );
    assert_eq!(
        result,
        Err(Failure::Server(SaslError::AuthenticationFailed))
    );
    assert_eq!(
        SaslError::AuthenticationFailed.condition(),
        SaslCondition::NotAuthorized
    );
}

/// The decoy challenge for an unknown user looks like a real one: same shape, same
/// iteration count, and (with a decoy secret) the same salt on every attempt.
#[test]
fn unknown_user_gets_a_stable_decoy_challenge() {
    let config = ServerConfig::new(true).with_decoy_secret([42; 32]);
    let challenge = |seed: u64, answer: CredentialAnswer| {
        let mut entropy = InsecureSeededEntropy::new(seed);
        let mut server = SaslServer::start(&config, "SCRAM-SHA-256", &mut entropy).unwrap();
        server.initial(Some(b"n,,n=mallory,r=abc")).unwrap();
        match server.provide(answer).unwrap() {
            ServerStep::Challenge(c) => String::from_utf8(c).unwrap(),
            other => panic!("{other:?}"),
        }
    };
    let salt_of = |c: &str| {
        c.split(",s=")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_owned()
    };
    let first = challenge(1, CredentialAnswer::UnknownUser);
    let second = challenge(2, CredentialAnswer::UnknownUser);
    assert_ne!(first, second); // different nonces
    assert_eq!(salt_of(&first), salt_of(&second));
    assert!(first.ends_with(",i=4096"));
    // A password-only account gets the same kind of salt.
    let real = challenge(3, found("pencil"));
    assert_eq!(real.len(), first.len());
    assert_eq!(salt_of(&real), salt_of(&first)); // same name, same derived salt
}

#[test]
fn channel_binding_failures_are_not_authorized() {
    let creds = ClientCredentials::new("juliet", "r0m30");
    let config = server_config();
    // Downgrade: the client says "y" to a server that offered -PLUS.
    let y = Selection {
        mechanism: Mechanism::ScramSha256,
        binding: Gs2Binding::ServerLacksSupport,
    };
    let result = exchange(&y, &creds, &config, 1, &mut |_| found("r0m30"));
    assert_eq!(
        result,
        Err(Failure::Server(SaslError::ChannelBindingDowngrade))
    );
    // Without -PLUS on offer, "y" is fine.
    let plain_config = ServerConfig::new(true).with_scram_iterations(2);
    assert!(exchange(&y, &creds, &plain_config, 1, &mut |_| found("r0m30")).is_ok());
    // Different binding data (a man in the middle terminates TLS twice).
    let other = Selection {
        mechanism: Mechanism::ScramSha256Plus,
        binding: Gs2Binding::Bound(ChannelBinding::new(
            ChannelBindingType::TlsExporter,
            vec![0; 32],
        )),
    };
    let result = exchange(&other, &creds, &config, 1, &mut |_| found("r0m30"));
    assert_eq!(
        result,
        Err(Failure::Server(SaslError::ChannelBindingMismatch))
    );
    // A binding type the server has no data for.
    let only_exporter = ServerConfig::new(true).with_channel_binding(tls_exporter());
    let unique = Selection {
        mechanism: Mechanism::ScramSha1Plus,
        binding: binding_for(Mechanism::ScramSha1Plus, ChannelBindingType::TlsUnique),
    };
    let result = exchange(&unique, &creds, &only_exporter, 1, &mut |_| found("r0m30"));
    assert_eq!(
        result,
        Err(Failure::Server(SaslError::UnsupportedChannelBindingType))
    );
    for e in [
        SaslError::ChannelBindingDowngrade,
        SaslError::ChannelBindingMismatch,
        SaslError::UnsupportedChannelBindingType,
    ] {
        assert_eq!(e.condition(), SaslCondition::NotAuthorized);
    }
    // A -PLUS selection without binding data is refused by the client.
    let mut entropy = InsecureSeededEntropy::new(1);
    let bad = Selection {
        mechanism: Mechanism::ScramSha1Plus,
        binding: Gs2Binding::NotSupported,
    };
    let error = SaslClient::start(
        &bad,
        &creds,
        &client_options(),
        SaltedPasswordCache::new(),
        &mut entropy,
    )
    .unwrap_err();
    assert_eq!(error, SaslError::ChannelBindingUnavailable);
}

fn rfc5802_client(options: ScramClientOptions) -> ScramClient {
    let creds = ClientCredentials::new("user", "pencil");
    ScramClient::start_with_nonce(
        ScramHash::Sha1,
        Gs2Binding::NotSupported,
        &creds,
        options,
        "fyko+d2lbbFgONRv9qkxdawL",
    )
    .unwrap()
    .0
}

const SERVER_FIRST: &[u8] =
    b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";

#[test]
fn client_refuses_a_server_that_cannot_prove_the_password() {
    let mut c = rfc5802_client(ScramClientOptions::new());
    c.respond(SERVER_FIRST).unwrap();
    assert_eq!(
        c.finish(Some(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQX")),
        Err(SaslError::ServerSignatureMismatch)
    );
    assert_eq!(
        c.finish(Some(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")),
        Err(SaslError::UnexpectedStep)
    );

    let mut c = rfc5802_client(ScramClientOptions::new());
    c.respond(SERVER_FIRST).unwrap();
    assert_eq!(c.finish(None), Err(SaslError::MissingServerVerification));

    let mut c = rfc5802_client(ScramClientOptions::new());
    c.respond(SERVER_FIRST).unwrap();
    assert_eq!(
        c.finish(Some(b"e=invalid-proof")),
        Err(SaslError::ServerReportedError {
            error: ScramServerError::InvalidProof
        })
    );

    // Server-final as a challenge, then success without data: verified first.
    let mut c = rfc5802_client(ScramClientOptions::new());
    c.respond(SERVER_FIRST).unwrap();
    assert_eq!(c.respond(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap(), b"");
    assert!(c.is_server_verified());
    c.finish(None).unwrap();

    // Success before any server-first.
    let mut c = rfc5802_client(ScramClientOptions::new());
    assert_eq!(c.finish(None), Err(SaslError::MissingServerVerification));
}

#[test]
fn client_enforces_iteration_limits_and_nonce_prefix() {
    let mut c = rfc5802_client(ScramClientOptions::new());
    let low = b"r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4095";
    let error = c.respond(low).unwrap_err();
    assert_eq!(
        error,
        SaslError::IterationCountTooLow {
            iterations: 4095,
            minimum: 4096
        }
    );
    assert!(error.to_string().contains("4095"));
    let mut c = rfc5802_client(ScramClientOptions::new().insecure_min_iterations_for_tests(4000));
    assert!(c.respond(low).is_ok());
    let mut c = rfc5802_client(ScramClientOptions::new().with_max_iterations(5000));
    let high = b"r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4294967295";
    assert_eq!(
        c.respond(high),
        Err(SaslError::IterationCountTooHigh {
            iterations: u32::MAX,
            maximum: 5000
        })
    );
    for server_first in [
        &b"r=XXXX+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096"[..],
        b"r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096",
    ] {
        let mut c = rfc5802_client(ScramClientOptions::new());
        assert_eq!(c.respond(server_first), Err(SaslError::NonceMismatch));
    }
    let mut c = rfc5802_client(ScramClientOptions::new());
    assert_eq!(
        c.respond(b"m=ext,r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096"),
        Err(SaslError::Malformed {
            message: MessageKind::ScramServerFirst,
            what: Malformation::UnsupportedMandatoryExtension
        })
    );
}

#[test]
fn server_rejects_a_replayed_or_altered_client_final() {
    let config = ServerConfig::new(true);
    let keys = ScramKeys::derive(
        ScramHash::Sha1,
        &Password::new("pencil"),
        &decode_payload("QSXCR+Q6sek8bf92").unwrap(),
        4096,
    )
    .unwrap();
    let mut entropy = InsecureSeededEntropy::new(1);
    let start = |entropy: &mut InsecureSeededEntropy| {
        let mut s = ScramServer::with_server_nonce(
            Mechanism::ScramSha1,
            &config,
            "3rfcNHYJY1ZVvWVs7j",
            entropy,
        )
        .unwrap();
        s.initial(Some(b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"))
            .unwrap();
        s.provide(CredentialAnswer::Found(Account::with_scram_keys(
            keys.clone(),
        )))
        .unwrap();
        s
    };
    let good =
        b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
    assert!(matches!(
        start(&mut entropy).respond(good),
        Ok(ServerStep::Success(_))
    ));
    let cases: [(&[u8], SaslError); 4] = [
        (
            b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v1X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
            SaslError::AuthenticationFailed,
        ),
        (
            b"c=biws,r=fyko+d2lbbFgONRv9qkxdawLXXXXNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
            SaslError::NonceMismatch,
        ),
        (
            b"c=eSws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
            SaslError::ChannelBindingMismatch,
        ),
        (
            b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=AAAA",
            SaslError::Malformed {
                message: MessageKind::ScramClientFinal,
                what: Malformation::WrongDigestLength,
            },
        ),
    ];
    for (message, expected) in cases {
        assert_eq!(start(&mut entropy).respond(message), Err(expected));
    }
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let creds = ClientCredentials::new("juliet", "hunter2-secret");
    let keys = ScramKeys::derive(
        ScramHash::Sha256,
        &Password::new("hunter2-secret"),
        b"salt",
        2,
    )
    .unwrap();
    let account = Account::with_password("hunter2-secret").and_scram_keys(keys.clone());
    let mut entropy = InsecureSeededEntropy::new(1);
    let (client, _) = SaslClient::start(
        &sel(Mechanism::ScramSha256),
        &creds,
        &client_options(),
        SaltedPasswordCache::new(),
        &mut entropy,
    )
    .unwrap();
    let shown = format!(
        "{creds:?} {account:?} {keys:?} {client:?} {:?}",
        server_config()
    );
    assert!(!shown.contains("hunter2"), "{shown}");
    let key_hex: String = keys
        .stored_key()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!shown.contains(&key_hex) && !shown.contains(&format!("{:?}", keys.stored_key())));
}

#[test]
fn salted_password_cache_survives_reconnects() {
    let creds = ClientCredentials::new("juliet", "r0m30");
    let keys = ScramKeys::derive(
        ScramHash::Sha256,
        &Password::new("r0m30"),
        b"0123456789abcdef",
        4096,
    )
    .unwrap();
    let config = ServerConfig::new(true);
    let mut cache = SaltedPasswordCache::new();
    for seed in 0..3 {
        let (result, back) = common::exchange_with_cache(
            &sel(Mechanism::ScramSha256),
            &creds,
            &config,
            seed,
            cache,
            &mut |_| CredentialAnswer::Found(Account::with_scram_keys(keys.clone())),
        );
        result.unwrap();
        cache = back;
        assert_eq!(cache.len(), 1);
    }
    // A different password does not hit the entry and does not authenticate.
    let wrong = ClientCredentials::new("juliet", "r0m31");
    let (result, back) = common::exchange_with_cache(
        &sel(Mechanism::ScramSha256),
        &wrong,
        &config,
        9,
        cache,
        &mut |_| CredentialAnswer::Found(Account::with_scram_keys(keys.clone())),
    );
    assert_eq!(
        result,
        Err(Failure::Server(SaslError::AuthenticationFailed))
    );
    assert_eq!(back.len(), 2);
}
