//! Which transcripts apply to which role, with which setup and checks.

use xmpp_core::{CloseReason, ResourceConflict};
use xmpp_sasl::InsecureSeededEntropy;
use xmpp_stanza::StanzaErrorCondition;

use super::checks::{
    client_saw_stream_error, closed_by_peer, closed_local, digest_check, expect, not_online, open,
    stream_error,
};
use super::compare::Payloads;
use super::parse::{Dir, Unit};
use super::replay::{Outcome, Setup};
use super::setups::{
    Stop, client_at, client_config, client_plain_before_auth, digest_client, fresh_client,
    full_client, full_server, server_at,
};

/// Which role our connection plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Our client; the transcript's `S:` units are input.
    Client,
    /// Our server; the transcript's `C:` units are input.
    Server,
}

/// Which units of the file one replay uses.
#[derive(Clone, Copy, Debug)]
pub enum Select {
    /// All of them.
    All,
    /// These (by index).
    Indices(&'static [usize]),
    /// One replay per commentary group.
    EachGroup,
    /// One replay per `<stream:error/>` (with the close tag after it).
    EachStreamError,
}

/// One replay case.
pub struct Case {
    pub file: &'static str,
    pub role: Role,
    pub name: &'static str,
    pub select: Select,
    pub setup: fn(&[Unit]) -> Result<Setup, String>,
    pub payloads: Payloads,
    /// Why this instance is not replayed in this role, if it is not.
    pub skip: fn(&[Unit]) -> Option<&'static str>,
    /// What must hold after the replay.
    pub check: fn(&Outcome, &[Unit]) -> Result<(), String>,
}

/// Transcripts that do not apply to a client-to-server stream, with the reason.
pub const NOT_C2S: &[(&str, &str)] = &[
    ("rfc3920-s2s-sasl-digest-md5.txt", "server-to-server"),
    ("rfc3920-s2s-tls.txt", "server-to-server"),
    ("rfc6120-s2s-tls-sasl-external.txt", "server-to-server"),
    (
        "rfc6121-presence-probe.txt",
        "a probe is sent between servers (RFC 6121 §4.3)",
    ),
];

/// Corrections of transcripts that a reconstruction got wrong: (file, unit index,
/// the direction it really has, why).
pub const ERRATA: &[(&str, usize, Dir, &str)] = &[(
    "rfc3920-c2s-tls.txt",
    5,
    Dir::C,
    "step 7's stream header (to=, no id) is the client's, labelled S:",
)];

fn never(_: &[Unit]) -> Option<&'static str> {
    None
}

/// The cases, in file order.
pub const CASES: &[Case] = &[
    Case {
        file: "rfc6120-c2s-full.txt",
        role: Role::Client,
        name: "STARTTLS, SCRAM-SHA-1 with the RFC's nonce, bind, messages, close",
        select: Select::All,
        setup: full_client,
        payloads: Payloads::Exact,
        skip: never,
        check: closed_local,
    },
    Case {
        file: "rfc6120-c2s-full.txt",
        role: Role::Server,
        name: "STARTTLS, SCRAM-SHA-1 (client messages recomputed for our nonce), bind, messages, close",
        select: Select::All,
        setup: full_server,
        payloads: Payloads::Structural,
        skip: never,
        check: closed_by_peer,
    },
    Case {
        file: "rfc6120-c2s-bind.txt",
        role: Role::Client,
        name: "server-assigned resource",
        select: Select::Indices(&[0, 1]),
        setup: |_| {
            client_at(
                "juliet@im.example.com",
                Stop::BeforeBind,
                ResourceConflict::default(),
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(
                o.events
                    .iter()
                    .any(|e| e.starts_with("Online(juliet@im.example.com/4db06f06")),
                || format!("{:?}", o.events),
            )
        },
    },
    Case {
        file: "rfc6120-c2s-bind.txt",
        role: Role::Client,
        name: "bad-request",
        select: Select::Indices(&[2, 3]),
        setup: |_| {
            client_at(
                "juliet@im.example.com/balcony",
                Stop::BeforeBind,
                ResourceConflict::default(),
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(
                o.closed == Some(CloseReason::BindFailed(StanzaErrorCondition::BadRequest)),
                || format!("{:?}", o.closed),
            )
        },
    },
    Case {
        file: "rfc6120-c2s-bind.txt",
        role: Role::Client,
        name: "conflict (configured not to retry)",
        select: Select::Indices(&[2, 4]),
        setup: |_| {
            client_at(
                "juliet@im.example.com/balcony",
                Stop::BeforeBind,
                ResourceConflict::Fail,
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(
                o.closed == Some(CloseReason::BindFailed(StanzaErrorCondition::Conflict)),
                || format!("{:?}", o.closed),
            )
        },
    },
    Case {
        file: "rfc6120-c2s-bind.txt",
        role: Role::Server,
        name: "server-assigned resource",
        select: Select::Indices(&[0, 1]),
        setup: |_| server_at("juliet@im.example.com/x", Stop::BeforeBind),
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(o.events.iter().any(|e| e.starts_with("Online(")), || {
                format!("{:?}", o.events)
            })
        },
    },
    Case {
        file: "rfc6120-c2s-bind.txt",
        role: Role::Server,
        name: "bad-request",
        select: Select::Indices(&[2, 3]),
        setup: |_| server_at("juliet@im.example.com/x", Stop::BeforeBind),
        payloads: Payloads::Exact,
        skip: never,
        check: not_online,
    },
    Case {
        file: "rfc6120-c2s-bind.txt",
        role: Role::Server,
        name: "conflict",
        select: Select::Indices(&[2, 4]),
        setup: |_| server_at("juliet@im.example.com/x", Stop::BeforeBind),
        payloads: Payloads::Exact,
        skip: never,
        check: not_online,
    },
    Case {
        file: "rfc6120-c2s-sasl-failure.txt",
        role: Role::Client,
        name: "PLAIN not-authorized",
        select: Select::Indices(&[0, 1]),
        setup: |_| client_plain_before_auth(),
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(
                matches!(&o.closed, Some(CloseReason::AuthFailed(e)) if e.condition() == Some(xmpp_sasl::SaslCondition::NotAuthorized)),
                || format!("{:?}", o.closed),
            )
        },
    },
    Case {
        file: "rfc6120-c2s-sasl-failure.txt",
        role: Role::Server,
        name: "PLAIN not-authorized, then abort",
        select: Select::All,
        setup: |_| server_at("juliet@im.example.com/x", Stop::BeforeAuth),
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| expect(o.closed.is_none(), || format!("{:?}", o.closed)),
    },
    Case {
        file: "rfc3920-c2s-tls.txt",
        role: Role::Client,
        name: "STARTTLS, then SASL (PLAIN chosen from DIGEST-MD5, PLAIN, EXTERNAL)",
        select: Select::All,
        setup: |_| {
            fresh_client(
                client_config("juliet@example.com", "pw")?,
                Box::new(InsecureSeededEntropy::new(1)),
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(
                o.leftover.iter().any(|u| u.contains("mechanism='PLAIN'")),
                || format!("{:?}", o.leftover),
            )
        },
    },
    Case {
        file: "rfc3920-c2s-sasl-digest-md5.txt",
        role: Role::Client,
        name: "DIGEST-MD5 up to the RFC's rspauth (which cannot verify, see the vectors' caveat): refused",
        select: Select::Indices(&[0, 1, 2, 3, 4, 5, 6]),
        setup: |_| digest_client(),
        payloads: Payloads::Structural,
        skip: never,
        check: digest_check,
    },
    Case {
        file: "rfc6120-stream-errors.txt",
        role: Role::Client,
        name: "stream error from the server",
        select: Select::EachStreamError,
        setup: |_| {
            client_at(
                "juliet@example.com/balcony",
                Stop::Online,
                ResourceConflict::default(),
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: client_saw_stream_error,
    },
    Case {
        file: "rfc6120-stream-errors.txt",
        role: Role::Server,
        name: "stream error sent on command",
        select: Select::EachStreamError,
        setup: |_| server_at("juliet@example.com/balcony", Stop::Online),
        payloads: Payloads::Exact,
        skip: |units| {
            let rfc3920 = stream_error(units).is_some_and(|e| !e.condition.is_rfc6120());
            rfc3920.then_some("an RFC 3920 condition, never sent by us")
        },
        check: |o, units| {
            let want = stream_error(units).map(|e| CloseReason::LocalError(e.condition));
            expect(o.closed == want, || format!("{:?}", o.closed))
        },
    },
    Case {
        file: "rfc6120-stanza-errors.txt",
        role: Role::Client,
        name: "stanza error answering a request",
        select: Select::EachGroup,
        setup: |_| {
            client_at(
                "romeo@example.net/orchard",
                Stop::Online,
                ResourceConflict::default(),
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(
                o.closed.is_none()
                    && o.events.iter().any(|e| {
                        e.starts_with("IqError(") || e.starts_with("Stanza(message type=error")
                    }),
                || format!("{:?} {:?}", o.closed, o.events),
            )
        },
    },
    Case {
        file: "rfc6120-stanza-errors.txt",
        role: Role::Server,
        name: "request delivered, error sent on command",
        select: Select::EachGroup,
        setup: |_| server_at("romeo@example.net/orchard", Stop::Online),
        payloads: Payloads::Exact,
        skip: never,
        check: open,
    },
    Case {
        file: "rfc6121-message-chat.txt",
        role: Role::Client,
        name: "chat",
        select: Select::All,
        setup: |_| {
            client_at(
                "juliet@example.com/balcony",
                Stop::Online,
                ResourceConflict::default(),
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(
                o.events
                    .iter()
                    .any(|e| e.contains("body=\"Neither, fair saint")),
                || format!("{:?}", o.events),
            )
        },
    },
    Case {
        file: "rfc6121-message-chat.txt",
        role: Role::Server,
        name: "chat",
        select: Select::All,
        setup: |_| server_at("juliet@example.com/balcony", Stop::Online),
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(
                o.events
                    .iter()
                    .any(|e| e.contains("from=juliet@example.com/balcony")),
                || format!("{:?}", o.events),
            )
        },
    },
    Case {
        file: "rfc6121-roster-get.txt",
        role: Role::Client,
        name: "roster get",
        select: Select::All,
        setup: |_| {
            client_at(
                "juliet@example.com/balcony",
                Stop::Online,
                ResourceConflict::default(),
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(
                o.events.iter().any(|e| e.starts_with("IqResult(bv1bs71f")),
                || format!("{:?}", o.events),
            )
        },
    },
    Case {
        file: "rfc6121-roster-get.txt",
        role: Role::Server,
        name: "roster get",
        select: Select::All,
        setup: |_| server_at("juliet@example.com/balcony", Stop::Online),
        payloads: Payloads::Exact,
        skip: never,
        check: open,
    },
    Case {
        file: "rfc6121-roster-set-push.txt",
        role: Role::Client,
        name: "roster set, push, remove",
        select: Select::All,
        setup: |_| {
            client_at(
                "juliet@example.com/balcony",
                Stop::Online,
                ResourceConflict::default(),
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: |o, _| {
            expect(
                [
                    "IqResult(rs1",
                    "IqResult(hm4hs97y",
                    "Stanza(iq type=set id=a78b4q6ha463",
                ]
                .iter()
                .all(|want| o.events.iter().any(|e| e.starts_with(want))),
                || format!("{:?}", o.events),
            )
        },
    },
    Case {
        file: "rfc6121-roster-set-push.txt",
        role: Role::Server,
        name: "roster set, push, remove",
        select: Select::All,
        setup: |_| server_at("juliet@example.com/balcony", Stop::Online),
        payloads: Payloads::Exact,
        skip: never,
        check: open,
    },
    Case {
        file: "rfc6121-subscription.txt",
        role: Role::Client,
        name: "subscription request, approval, roster push",
        select: Select::All,
        setup: |_| {
            client_at(
                "romeo@example.net/orchard",
                Stop::Online,
                ResourceConflict::default(),
            )
        },
        payloads: Payloads::Exact,
        skip: never,
        check: open,
    },
    Case {
        file: "rfc6121-subscription.txt",
        role: Role::Server,
        name: "subscription request, approval, roster push",
        select: Select::All,
        setup: |_| server_at("romeo@example.net/orchard", Stop::Online),
        payloads: Payloads::Exact,
        skip: never,
        check: open,
    },
];
