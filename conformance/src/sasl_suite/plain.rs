//! PLAIN records (RFC 4616).

use xmpp_sasl::{
    Account, ClientCredentials, CredentialAnswer, CredentialRequest, InsecureSeededEntropy,
    SaslError, SaslServer, ServerConfig, ServerStep, plain,
};

use super::Outcome;
use super::record::{Record, expect_eq, hex_decode, show};

pub(crate) fn check(record: &Record<'_>) -> Outcome {
    run(record).into()
}

fn run(record: &Record<'_>) -> Result<(), String> {
    let message = hex_decode(record.str("message_hex")?)?;
    let exact = record.flag("skip_saslprep", false);
    if let Some(b64) = record.opt_str("message_b64") {
        expect_eq(
            "message_b64",
            xmpp_sasl::encode_payload(&message).as_bytes(),
            b64.as_bytes(),
        )?;
    }
    if record.opt_str("authcid").is_none() && record.opt_str("password").is_none() {
        return message_only(record, &message, exact);
    }
    let authzid = record.opt_str("authzid").unwrap_or("");
    let authcid = record.str("authcid")?;
    let password = record.str("password")?;
    let expect_success = record.valid()
        && !record
            .opt_str("expected")
            .is_some_and(|e| e.trim_start().starts_with("failure"));

    if record.valid() {
        let mut creds = ClientCredentials::new(authcid, password).with_authzid(authzid);
        if exact {
            creds = creds.without_saslprep();
        }
        let produced = plain::client_message(&creds).map_err(|e| format!("client: {e}"))?;
        expect_eq("client message", &produced, &message)?;
    }

    let outcome = serve(&message, exact, |request| {
        single_user(request, authcid, password, exact)
    });
    match (outcome, expect_success) {
        (Ok(()), true) => Ok(()),
        (Err(e), false) => {
            // A well-formed message refused by policy must be refused for the right reason.
            let policy = !record.valid() || e == SaslError::InvalidAuthzid;
            if policy {
                Ok(())
            } else {
                Err(format!(
                    "server failed with {e} ({}), expected an authorization refusal",
                    e.condition()
                ))
            }
        }
        (Ok(()), false) => Err(format!(
            "server accepted {}, expected failure",
            show(&message)
        )),
        (Err(e), true) => Err(format!(
            "server rejected the message: {e} ({})",
            e.condition()
        )),
    }
}

/// A record that gives only the message (`{"valid": false, "fail_at": "message",
/// "message_hex", "expected"}`): the server must reject it, even with a store that holds
/// every user with the password the message itself carries — so only the message's own
/// defects (or the runner's self-only authorization policy) can refuse it.
fn message_only(record: &Record<'_>, message: &[u8], exact: bool) -> Result<(), String> {
    if record.valid() {
        return Err("a PLAIN record without authcid and password must be \"valid\": false".into());
    }
    match record.opt_str("fail_at") {
        None | Some("message") => {}
        Some(other) => {
            return Err(format!(
                "fail_at {other:?}: a PLAIN exchange has only the message"
            ));
        }
    }
    match serve(message, exact, |request| any_user(request, message)) {
        Ok(()) => Err(format!(
            "server accepted {}, expected rejection",
            show(message)
        )),
        Err(_) => Ok(()),
    }
}

/// A store holding `authcid`/`password`; a user may only authorize as itself.
fn single_user(
    request: &CredentialRequest,
    authcid: &str,
    password: &str,
    exact: bool,
) -> CredentialAnswer {
    let stored_name = if exact {
        authcid.to_owned()
    } else {
        match xmpp_sasl::saslprep_query(authcid) {
            Ok(name) => name.into_owned(),
            Err(_) => return CredentialAnswer::UnknownUser,
        }
    };
    if request.authcid != stored_name {
        return CredentialAnswer::UnknownUser;
    }
    let mut account = Account::with_password(password);
    if request
        .authzid
        .as_deref()
        .is_none_or(|a| a == authcid || a == stored_name)
    {
        account = account.permit_authzid();
    }
    CredentialAnswer::Found(account)
}

/// A store that knows every user, with the password `message` carries (its third
/// NUL-separated field, when there are three and it is UTF-8); a user may only
/// authorize as itself.
fn any_user(request: &CredentialRequest, message: &[u8]) -> CredentialAnswer {
    let fields: Vec<&[u8]> = message.split(|b| *b == 0).collect();
    let password = match fields.as_slice() {
        [_, _, password] => std::str::from_utf8(password).ok(),
        _ => None,
    };
    let Some(password) = password else {
        return CredentialAnswer::UnknownUser;
    };
    let mut account = Account::with_password(password);
    if request
        .authzid
        .as_deref()
        .is_none_or(|a| a == request.authcid)
    {
        account = account.permit_authzid();
    }
    CredentialAnswer::Found(account)
}

/// Runs the server on `message`, answering its credential request with `store`.
fn serve(
    message: &[u8],
    exact: bool,
    store: impl FnOnce(&CredentialRequest) -> CredentialAnswer,
) -> Result<(), SaslError> {
    let mut config = ServerConfig::new(true);
    if exact {
        config = config.without_saslprep();
    }
    let mut entropy = InsecureSeededEntropy::new(1);
    let mut server = SaslServer::start(&config, "PLAIN", &mut entropy)?;
    let ServerStep::NeedCredentials(request) = server.initial(Some(message))? else {
        return Err(SaslError::UnexpectedStep);
    };
    match server.provide(store(&request))? {
        ServerStep::Success(_) => Ok(()),
        _ => Err(SaslError::UnexpectedStep),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn outcome(value: &serde_json::Value) -> Result<(), String> {
        run(&Record::new(value, 0))
    }

    #[test]
    fn message_only_records_need_the_server_to_reject_the_message() {
        let record = |hex: &str| {
            json!({"valid": false, "fail_at": "message", "message_hex": hex,
                   "expected": "failure: malformed-request"})
        };
        // Two fields (no authzid separator), an empty authcid, an empty password,
        // four fields, a password that is not UTF-8: all rejected.
        for hex in [
            "74696d0074616e737461616674616e7374616166",
            "000074616e7374616166",
            "0074696d00",
            "0074696d0070770078",
            "0074696d00ff",
        ] {
            assert_eq!(outcome(&record(hex)), Ok(()), "{hex}");
        }
        // A well-formed message: the accommodating store accepts it, so the record
        // (wrongly claiming rejection) fails.
        let well_formed = outcome(&record("0074696d0074616e737461616674616e7374616166"));
        assert!(
            well_formed.as_ref().is_err_and(|e| e.contains("accepted")),
            "{well_formed:?}"
        );
        // Acting for someone else is refused by the runner's policy.
        assert_eq!(
            outcome(&record("557273656c004b757274007869706a33706c6d71")),
            Ok(())
        );
    }

    #[test]
    fn message_only_records_must_be_invalid_and_fail_at_the_message() {
        let valid = json!({"message_hex": "0074696d00707700"});
        assert!(outcome(&valid).is_err());
        let wrong_step = json!({"valid": false, "fail_at": "server_final",
                                "message_hex": "74696d"});
        assert!(outcome(&wrong_step).is_err());
    }

    #[test]
    fn a_record_without_mechanism_but_with_a_message_is_plain() {
        let value = json!({"valid": false, "fail_at": "message", "message_hex": "74696d"});
        assert_eq!(Record::new(&value, 0).mechanism(), Ok("PLAIN"));
        assert!(Record::new(&json!({"id": "x"}), 0).mechanism().is_err());
    }
}
