//! The server's gs2 channel-binding flag rules (RFC 5802 §6, RFC 9266, XEP-0440 §3),
//! message by message, including the exact first messages slixmpp 1.8.3 sends on
//! TLS 1.3 (`p=tls-unique`, then `y`).

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmpp_sasl::{
    Account, ChannelBinding, ChannelBindingType, CredentialAnswer, InsecureSeededEntropy,
    Malformation, Mechanism, MessageKind, SaslError, SaslServer, ServerConfig, ServerStep,
    encode_payload,
};

/// What a TLS 1.3 connection through rustls gives: `tls-exporter` and
/// `tls-server-end-point`, no `tls-unique`.
fn tls13() -> ServerConfig {
    ServerConfig::new(true)
        .with_channel_binding(ChannelBinding::new(
            ChannelBindingType::TlsExporter,
            vec![1; 32],
        ))
        .with_channel_binding(ChannelBinding::new(
            ChannelBindingType::TlsServerEndPoint,
            vec![2; 32],
        ))
        .with_scram_iterations(2)
}

/// TLS without any channel-binding data: no `-PLUS` on offer.
fn no_bindings() -> ServerConfig {
    ServerConfig::new(true).with_scram_iterations(2)
}

/// The outcome of `mechanism` with `first` as the initial response.
fn first(config: &ServerConfig, mechanism: Mechanism, message: &str) -> Result<(), SaslError> {
    let mut entropy = InsecureSeededEntropy::new(3);
    let mut server = SaslServer::start(config, mechanism.name(), &mut entropy)?;
    match server.initial(Some(message.as_bytes()))? {
        ServerStep::NeedCredentials(request) => {
            assert_eq!(request.authcid, "alice");
            assert_eq!(server.authcid(), Some("alice"));
            Ok(())
        }
        other => panic!("{other:?}"),
    }
}

fn mismatch() -> SaslError {
    SaslError::Malformed {
        message: MessageKind::ScramClientFirst,
        what: Malformation::ChannelBindingFlagMismatch,
    }
}

#[test]
fn slixmpp_1_8_3_on_tls_1_3_is_refused_for_its_binding_before_any_lookup() {
    let config = tls13();
    assert!(config.plus_offered());
    // The PLUS attempts: tls-unique, which is not defined for TLS 1.3 and which
    // rustls cannot give us, is never accepted unverified.
    for m in [
        Mechanism::ScramSha512Plus,
        Mechanism::ScramSha256Plus,
        Mechanism::ScramSha1Plus,
    ] {
        let e = first(&config, m, "p=tls-unique,,n=alice,r=2191702974047166").unwrap_err();
        assert_eq!(e, SaslError::UnsupportedChannelBindingType);
        assert!(e.is_channel_binding_refusal());
    }
    // Its retries without PLUS say "y": indistinguishable from a binding client
    // whose -PLUS offer was stripped, so refused while -PLUS is on offer.
    for m in [
        Mechanism::ScramSha512,
        Mechanism::ScramSha256,
        Mechanism::ScramSha1,
    ] {
        let e = first(&config, m, "y,,n=alice,r=33919581914979513").unwrap_err();
        assert_eq!(e, SaslError::ChannelBindingDowngrade);
        assert!(e.is_channel_binding_refusal());
    }
    // The refusal names no identity: none was looked at.
    let mut entropy = InsecureSeededEntropy::new(1);
    let mut server = SaslServer::start(&config, "SCRAM-SHA-1", &mut entropy).unwrap();
    assert!(server.initial(Some(b"y,,n=alice,r=1")).is_err());
    assert_eq!(server.authcid(), None);
}

#[test]
fn a_binding_type_this_connection_has_is_accepted() {
    let config = tls13();
    for (m, flag) in [
        (Mechanism::ScramSha512Plus, "p=tls-exporter"),
        (Mechanism::ScramSha256Plus, "p=tls-server-end-point"),
        (Mechanism::ScramSha1Plus, "p=tls-exporter"),
    ] {
        assert_eq!(first(&config, m, &format!("{flag},,n=alice,r=abc")), Ok(()));
    }
    // Unknown or unregistered names are refused like tls-unique.
    for flag in ["p=x-new-binding", "p=tls-unique-for-telnet"] {
        assert_eq!(
            first(
                &config,
                Mechanism::ScramSha256Plus,
                &format!("{flag},,n=alice,r=a")
            ),
            Err(SaslError::UnsupportedChannelBindingType)
        );
    }
}

#[test]
fn n_is_always_accepted_and_y_only_without_a_plus_offer() {
    let plus = tls13();
    let none = no_bindings();
    assert!(!none.plus_offered());
    for m in [
        Mechanism::ScramSha512,
        Mechanism::ScramSha256,
        Mechanism::ScramSha1,
    ] {
        // "n": the client does not bind (or, per XEP-0440 §3, shares no type).
        assert_eq!(first(&plus, m, "n,,n=alice,r=a"), Ok(()));
        assert_eq!(first(&none, m, "n,,n=alice,r=a"), Ok(()));
        // "y": fine where we offered no -PLUS, a downgrade where we did.
        assert_eq!(first(&none, m, "y,,n=alice,r=a"), Ok(()));
        assert_eq!(
            first(&plus, m, "y,,n=alice,r=a"),
            Err(SaslError::ChannelBindingDowngrade)
        );
    }
    // -PLUS disabled by policy while binding data exists: nothing -PLUS is offered,
    // so "y" is the truth and is accepted.
    let disabled = tls13().with_mechanisms(&[Mechanism::ScramSha256]);
    assert!(!disabled.plus_offered());
    assert!(disabled.offered_channel_binding_types().is_empty());
    assert_eq!(
        first(&disabled, Mechanism::ScramSha256, "y,,n=alice,r=a"),
        Ok(())
    );
}

#[test]
fn flags_that_contradict_the_mechanism_are_malformed() {
    let config = tls13();
    for flag in ["n", "y"] {
        assert_eq!(
            first(
                &config,
                Mechanism::ScramSha256Plus,
                &format!("{flag},,n=alice,r=a")
            ),
            Err(mismatch())
        );
    }
    assert_eq!(
        first(
            &config,
            Mechanism::ScramSha256,
            "p=tls-exporter,,n=alice,r=a"
        ),
        Err(mismatch())
    );
    assert!(!mismatch().is_channel_binding_refusal());
    // -PLUS without binding data is not even offered.
    let mut entropy = InsecureSeededEntropy::new(1);
    let none = no_bindings();
    assert_eq!(
        SaslServer::start(&none, "SCRAM-SHA-256-PLUS", &mut entropy).unwrap_err(),
        SaslError::InvalidMechanism
    );
}

#[test]
fn the_bound_data_must_be_this_connections() {
    // A p=tls-exporter exchange carrying other exporter bytes in c= (a man in the
    // middle who terminates TLS twice) fails after the credential lookup.
    let config = tls13();
    let mut entropy = InsecureSeededEntropy::new(5);
    let mut server = SaslServer::start(&config, "SCRAM-SHA-256-PLUS", &mut entropy).unwrap();
    let step = server
        .initial(Some(b"p=tls-exporter,,n=alice,r=clientnonce"))
        .unwrap();
    assert!(matches!(step, ServerStep::NeedCredentials(_)));
    let ServerStep::Challenge(challenge) = server
        .provide(CredentialAnswer::Found(Account::with_password("pw")))
        .unwrap()
    else {
        panic!()
    };
    let challenge = String::from_utf8(challenge).unwrap();
    let nonce = challenge
        .split(',')
        .find_map(|p| p.strip_prefix("r="))
        .unwrap();
    let mut cb = b"p=tls-exporter,,".to_vec();
    cb.extend_from_slice(&[9; 32]); // not this connection's [1; 32]
    let proof = encode_payload(&[0; 32]);
    let last = format!("c={},r={nonce},p={proof}", encode_payload(&cb));
    assert_eq!(
        server.respond(last.as_bytes()),
        Err(SaslError::ChannelBindingMismatch)
    );
    assert_eq!(server.authcid(), Some("alice"));
    assert!(!SaslError::ChannelBindingMismatch.is_channel_binding_refusal());
}
