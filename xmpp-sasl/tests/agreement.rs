//! Client and server agree for arbitrary user names and passwords (with `,` `=`, quotes,
//! backslashes and non-ASCII text that SASLprep maps), for every mechanism, channel-binding
//! type and kind of stored secret; a wrong password never succeeds.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Failure, all_selections, exchange, server_config};
use proptest::prelude::*;
use xmpp_sasl::scram::{ScramHash, ScramKeys};
use xmpp_sasl::{
    Account, ClientCredentials, CredentialAnswer, Mechanism, Password, SaslError, saslprep_query,
};

fn text() -> impl Strategy<Value = String> {
    let chars = prop::sample::select(vec![
        'a',
        'Z',
        '0',
        ',',
        '=',
        '@',
        '.',
        ' ',
        '"',
        '\\',
        'é',
        'ß',
        'ª',
        '\u{AD}',
        '\u{2168}',
        '日',
        '\u{A0}',
        'ﬁ',
        '\u{1F600}',
    ]);
    prop::collection::vec(chars, 1..10).prop_map(|v| v.into_iter().collect())
}

/// Stored secrets: a password, or SCRAM keys for all three hashes derived from it.
fn account(password: &str, scram_keys: bool) -> Account {
    if !scram_keys {
        return Account::with_password(password);
    }
    let salt = b"proptest-salt-16";
    let mut keys = ScramHash::ALL
        .into_iter()
        .map(|h| ScramKeys::derive(h, &Password::new(password), salt, 2).unwrap());
    let mut account = Account::with_scram_keys(keys.next().unwrap());
    for k in keys {
        account = account.and_scram_keys(k);
    }
    account
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_mechanism_agrees(
        username in text(),
        password in text(),
        authzid in prop::option::of(text()),
        scram_keys in any::<bool>(),
        seed in any::<u64>(),
    ) {
        // What a server stores and compares: the prepared forms (DIGEST-MD5 uses raw text).
        let prepared_user = saslprep_query(&username).map(|c| c.into_owned());
        let prepared_pass = saslprep_query(&password).map(|c| c.into_owned());
        let mut creds = ClientCredentials::new(username.as_str(), password.as_str());
        if let Some(a) = &authzid {
            creds = creds.with_authzid(a.as_str());
        }
        let config = server_config();
        for selection in all_selections() {
            let digest = selection.mechanism == Mechanism::DigestMd5;
            if digest && scram_keys {
                continue; // DIGEST-MD5 needs the password itself.
            }
            let expected_user = if digest { Ok(username.clone()) } else { prepared_user.clone() };
            let stored_password = match (&prepared_pass, digest) {
                (_, true) => password.clone(),
                (Ok(p), false) => p.clone(),
                (Err(_), false) => password.clone(),
            };
            let mut asked = None;
            let result = exchange(&selection, &creds, &config, seed, &mut |req| {
                asked = Some(req.clone());
                let found = account(&stored_password, scram_keys && !digest);
                CredentialAnswer::Found(found.permit_authzid())
            });
            let preparable = expected_user.as_ref().is_ok_and(|u| !u.is_empty())
                && (digest || prepared_pass.as_ref().is_ok_and(|p| !p.is_empty()));
            if !preparable {
                // SASLprep rejected or emptied a name or password: the client refuses first.
                prop_assert!(
                    matches!(result, Err(Failure::Client(SaslError::Saslprep { .. } | SaslError::EmptyField { .. }))),
                    "{:?}: {:?}", selection.mechanism, result
                );
                continue;
            }
            let success = result.map_err(|e| TestCaseError::fail(format!("{:?}: {e:?}", selection.mechanism)))?;
            let expected_user = expected_user.unwrap();
            prop_assert_eq!(&success.authcid, &expected_user);
            prop_assert_eq!(success.authzid.as_deref(), authzid.as_deref());
            prop_assert_eq!(success.mechanism, selection.mechanism);
            let asked = asked.unwrap();
            prop_assert_eq!(asked.authcid, expected_user);
            prop_assert_eq!(asked.authzid, authzid.clone());
        }
    }

    #[test]
    fn wrong_password_never_succeeds(
        username in "[a-z]{1,8}",
        password in text(),
        wrong in text(),
        scram_keys in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let (Ok(p), Ok(w)) = (saslprep_query(&password), saslprep_query(&wrong)) else {
            return Ok(());
        };
        prop_assume!(!p.is_empty() && !w.is_empty() && p != w && password != wrong);
        let creds = ClientCredentials::new(username.as_str(), wrong.as_str());
        for selection in all_selections() {
            let digest = selection.mechanism == Mechanism::DigestMd5;
            if digest && scram_keys {
                continue;
            }
            let stored = if digest { password.clone() } else { p.clone().into_owned() };
            let result = exchange(&selection, &creds, &server_config(), seed, &mut |_| {
                CredentialAnswer::Found(account(&stored, scram_keys && !digest))
            });
            prop_assert_eq!(result, Err(Failure::Server(SaslError::AuthenticationFailed)));
        }
    }
}
