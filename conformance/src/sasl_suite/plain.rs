//! PLAIN records (RFC 4616).

use xmpp_sasl::{
    Account, ClientCredentials, CredentialAnswer, InsecureSeededEntropy, SaslError, SaslServer,
    ServerConfig, ServerStep, plain,
};

use super::Outcome;
use super::record::{Record, expect_eq, hex_decode, show};

pub(crate) fn check(record: &Record<'_>) -> Outcome {
    run(record).into()
}

fn run(record: &Record<'_>) -> Result<(), String> {
    let authzid = record.opt_str("authzid").unwrap_or("");
    let authcid = record.str("authcid")?;
    let password = record.str("password")?;
    let message = hex_decode(record.str("message_hex")?)?;
    let exact = record.flag("skip_saslprep", false);
    if let Some(b64) = record.opt_str("message_b64") {
        expect_eq(
            "message_b64",
            xmpp_sasl::encode_payload(&message).as_bytes(),
            b64.as_bytes(),
        )?;
    }
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

    let outcome = serve(&message, authcid, password, exact);
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

/// Runs the server on `message` with a store holding `authcid`/`password`; a user may
/// only authorize as itself.
fn serve(message: &[u8], authcid: &str, password: &str, exact: bool) -> Result<(), SaslError> {
    let mut config = ServerConfig::new(true);
    if exact {
        config = config.without_saslprep();
    }
    let mut entropy = InsecureSeededEntropy::new(1);
    let mut server = SaslServer::start(&config, "PLAIN", &mut entropy)?;
    let ServerStep::NeedCredentials(request) = server.initial(Some(message))? else {
        return Err(SaslError::UnexpectedStep);
    };
    let stored_name = if exact {
        authcid.to_owned()
    } else {
        xmpp_sasl::saslprep_query(authcid)
            .map_err(|_| SaslError::AuthenticationFailed)?
            .into_owned()
    };
    let answer = if request.authcid == stored_name {
        let mut account = Account::with_password(password);
        if request
            .authzid
            .as_deref()
            .is_none_or(|a| a == authcid || a == stored_name)
        {
            account = account.permit_authzid();
        }
        CredentialAnswer::Found(account)
    } else {
        CredentialAnswer::UnknownUser
    };
    match server.provide(answer)? {
        ServerStep::Success(_) => Ok(()),
        _ => Err(SaslError::UnexpectedStep),
    }
}
