//! Raw bytes against one connection: what a misbehaving peer gets.

use std::sync::Arc;
use std::time::Instant;

use xmpp_core::{CloseReason, Connection, Output, ServerConnection, ServerTransport, Violation};
use xmpp_sasl::InsecureSeededEntropy;
use xmpp_stanza::StreamErrorCondition;

use super::check;
use crate::pair::fake_tls;
use crate::pair_cmd::server_config;

/// The scenarios, by name.
pub const SCENARIOS: &[(&str, super::Scripted)] = &[
    ("server: stanza before authentication", stanza_before_auth),
    ("server: unknown host", unknown_host),
    ("server: missing version", missing_version),
    (
        "server: too many authentication failures",
        too_many_failures,
    ),
    (
        "server: oversized stanza before authentication",
        oversized_pre_auth,
    ),
    ("server: auth before STARTTLS", auth_before_starttls),
    ("server: restricted XML", restricted_xml),
];

const HEADER: &str = "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
    xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/// Feeds `input` to a fresh server (TLS as given); its output bytes and close reason.
fn server_run(tls: ServerTransport, input: &[u8]) -> (String, Option<CloseReason>) {
    let now = Instant::now();
    let mut server = ServerConnection::new(
        Arc::new(server_config()),
        tls,
        Box::new(InsecureSeededEntropy::new(3)),
        now,
    );
    server.handle_input(now, input);
    let mut out = Vec::new();
    let mut closed = None;
    for _ in 0..1000 {
        match server.poll_output() {
            Output::Transmit(b) => out.extend_from_slice(&b),
            Output::Closed(r) => closed = Some(r),
            Output::Wait(_) => break,
            _ => {}
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

fn ends_with_error(out: &str, condition: StreamErrorCondition) -> Result<(), String> {
    let tail = format!(
        "<stream:error><{} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>",
        condition.name()
    );
    check(out.ends_with(&tail), || {
        format!("output does not end with {tail}: {out}")
    })
}

fn stanza_before_auth() -> Result<(), String> {
    let input = format!("{HEADER}<message to='romeo@example.net'><body>hi</body></message>");
    let (out, closed) = server_run(ServerTransport::StartTls, input.as_bytes());
    ends_with_error(&out, StreamErrorCondition::NotAuthorized)?;
    check(
        closed == Some(CloseReason::Violation(Violation::StanzaBeforeAuth)),
        || format!("{closed:?}"),
    )
}

fn unknown_host() -> Result<(), String> {
    let input = HEADER.replace("to='example.com'", "to='example.org'");
    let (out, closed) = server_run(ServerTransport::StartTls, input.as_bytes());
    check(
        out.starts_with("<?xml version='1.0'?><stream:stream"),
        || "no header before the error".into(),
    )?;
    ends_with_error(&out, StreamErrorCondition::HostUnknown)?;
    check(
        closed == Some(CloseReason::Violation(Violation::HostUnknown)),
        || format!("{closed:?}"),
    )
}

fn missing_version() -> Result<(), String> {
    let input = HEADER.replace("to='example.com' version='1.0'", "to='example.com'");
    let (out, closed) = server_run(ServerTransport::StartTls, input.as_bytes());
    ends_with_error(&out, StreamErrorCondition::UnsupportedVersion)?;
    check(
        closed == Some(CloseReason::Violation(Violation::UnsupportedVersion)),
        || format!("{closed:?}"),
    )
}

fn too_many_failures() -> Result<(), String> {
    // PLAIN with a malformed message, three times (the default limit).
    let auth = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AAAA</auth>";
    let input = format!("{HEADER}{auth}{auth}{auth}");
    let (out, closed) = server_run(ServerTransport::DirectTls(fake_tls()), input.as_bytes());
    check(
        out.matches("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>")
            .count()
            == 3,
        || out.clone(),
    )?;
    ends_with_error(&out, StreamErrorCondition::PolicyViolation)?;
    check(
        closed == Some(CloseReason::Violation(Violation::TooManyAuthFailures)),
        || format!("{closed:?}"),
    )
}

fn oversized_pre_auth() -> Result<(), String> {
    let big = "x".repeat(9000);
    let input = format!(
        "{HEADER}<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{big}</auth>"
    );
    let (out, closed) = server_run(ServerTransport::DirectTls(fake_tls()), input.as_bytes());
    ends_with_error(&out, StreamErrorCondition::PolicyViolation)?;
    check(
        matches!(closed, Some(CloseReason::Violation(Violation::Read(_)))),
        || format!("{closed:?}"),
    )
}

fn auth_before_starttls() -> Result<(), String> {
    let input = format!(
        "{HEADER}<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>biwsbj1qdWxpZXQscj1hYmNk</auth>"
    );
    let (out, closed) = server_run(ServerTransport::StartTls, input.as_bytes());
    ends_with_error(&out, StreamErrorCondition::PolicyViolation)?;
    check(
        matches!(
            closed,
            Some(CloseReason::Violation(Violation::UnexpectedElement { .. }))
        ),
        || format!("{closed:?}"),
    )
}

fn restricted_xml() -> Result<(), String> {
    let input = format!("{HEADER}<!-- hello -->");
    let (out, closed) = server_run(ServerTransport::StartTls, input.as_bytes());
    ends_with_error(&out, StreamErrorCondition::RestrictedXml)?;
    check(
        matches!(closed, Some(CloseReason::Violation(Violation::Read(_)))),
        || format!("{closed:?}"),
    )
}
