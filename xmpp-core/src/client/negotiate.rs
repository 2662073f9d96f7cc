//! The client's negotiation steps other than SASL: stream headers, features,
//! STARTTLS, resource binding and the legacy session (RFC 6120 §4.3, §5, §7;
//! RFC 3921 §3).

use std::time::Instant;

use xmpp_jid::FullJid;
use xmpp_stanza::{
    Bind, CompactStr, Element, Iq, IqPayload, Namespace, Session, StartTls, StreamError,
    StreamErrorCondition, StreamFeatures, ns,
};

use super::sasl::SaslRun;
use super::{ClientConnection, ClientEvent, ResourceConflict, TlsMode};
use crate::connection::ids;
use crate::connection::role::{Shared, is_stanza};
use crate::connection::wire::Wire;
use crate::connection::{CloseReason, TimerKind, TlsRole, Violation};
use crate::stream::{StreamAttributes, StreamHeader, StreamVersion};

/// Where the client is in the negotiation.
#[derive(Debug)]
pub(super) enum Phase {
    /// Our header is out; the server's is awaited.
    AwaitHeader,
    /// The server's header came; its features are awaited.
    AwaitFeatures,
    /// `<starttls/>` is out; `<proceed/>` is awaited.
    AwaitProceed,
    /// The TLS handshake is with the caller.
    TlsHandshake,
    /// A SASL exchange is running.
    Sasl(Box<SaslRun>),
    /// The bind request is out.
    Bind(Box<BindRun>),
    /// The legacy session request is out.
    Session(Box<BindRun>),
    /// Online: stanzas flow.
    Online,
    /// Our `</stream:stream>` is out; the server's is awaited.
    Closing,
}

/// A bind or session request in flight.
#[derive(Debug)]
pub(super) struct BindRun {
    /// The request's id.
    id: CompactStr,
    /// Whether this is already the retry without a resource.
    retried: bool,
    /// The post-authentication features (for the session decision and `Online`).
    features: StreamFeatures,
    /// The bound JID (during the session request).
    jid: Option<FullJid>,
}

/// Whether the features offer resource binding — also in the form with a
/// `<required/>` child that Prosody sends (RFC 6120 dropped it, but it means the same),
/// which `StreamFeatures` keeps among the unmodelled features.
fn offers_bind(features: &StreamFeatures) -> bool {
    features.bind || features.other.iter().any(|e| e.is("bind", ns::XMPP_BIND))
}

/// The violation for an element that has no place here.
pub(super) fn unexpected(element: &Element) -> Violation {
    Violation::UnexpectedElement {
        name: element.name().into(),
        ns: element.ns().clone(),
    }
}

impl Shared for ClientConnection {
    type Event = ClientEvent;

    fn machinery(&mut self) -> &mut Wire<ClientEvent> {
        &mut self.wire
    }

    /// The server's stream header.
    fn on_header(&mut self, _now: Instant, header: &StreamHeader) {
        if !matches!(self.phase, Phase::AwaitHeader) {
            self.reject(Violation::UnexpectedElement {
                name: "stream".into(),
                ns: Namespace::STREAM,
            });
            return;
        }
        if header.version().is_none_or(|v| v < StreamVersion::V1_0) {
            self.reject(Violation::UnsupportedVersion);
            return;
        }
        self.phase = Phase::AwaitFeatures;
    }

    /// A top-level element other than a stream error.
    fn on_element(&mut self, now: Instant, element: Element, more: bool) {
        match &self.phase {
            Phase::AwaitFeatures if element.is("features", ns::STREAM) => {
                self.on_features(now, &element)
            }
            Phase::AwaitProceed if *element.ns() == ns::XMPP_TLS => {
                self.on_starttls_answer(&element, more)
            }
            Phase::Sasl(_) if *element.ns() == ns::XMPP_SASL => self.on_sasl(now, &element),
            Phase::Bind(_) | Phase::Session(_) | Phase::Online | Phase::Closing
                if is_stanza(&element) =>
            {
                self.on_stanza(now, element)
            }
            _ if is_stanza(&element) => self.reject(Violation::StanzaBeforeAuth),
            _ => self.reject(unexpected(&element)),
        }
    }

    fn is_closing(&self) -> bool {
        matches!(self.phase, Phase::Closing)
    }
}

impl ClientConnection {
    /// Writes our stream header: `to` the domain, `from` the account once TLS is up
    /// (RFC 6120 §4.7.1).
    pub(super) fn open_stream(&mut self, now: Instant) {
        let mut attrs = StreamAttributes::new().to(self.domain());
        if self.tls.is_some() {
            attrs = attrs.from(self.config.jid.as_str());
        }
        if let Some(lang) = &self.config.lang {
            attrs = attrs.lang(lang.clone());
        }
        if self.wire.open(now, &attrs).is_err() {
            let error = StreamError::new(StreamErrorCondition::InternalServerError);
            self.fail_locally(&error);
        }
    }

    /// `<stream:features/>`: the next negotiation step.
    fn on_features(&mut self, now: Instant, element: &Element) {
        let features = match StreamFeatures::try_from(element) {
            Ok(f) => f,
            Err(_) => {
                self.reject(Violation::Malformed {
                    element: "stream:features",
                });
                return;
            }
        };
        if self.authenticated {
            self.start_bind(now, features);
            return;
        }
        if self.tls.is_none() {
            if features.starttls.is_some() {
                if self.send_internal(now, &Element::from(StartTls::Request)) {
                    self.phase = Phase::AwaitProceed;
                }
                return;
            }
            if !matches!(self.config.tls, TlsMode::InsecureAllowPlaintext) {
                self.give_up(CloseReason::TlsNotOffered);
                return;
            }
        }
        self.start_sasl(now, &features);
    }

    /// `<proceed/>` or `<failure/>` after our `<starttls/>`.
    fn on_starttls_answer(&mut self, element: &Element, more: bool) {
        match StartTls::try_from(element) {
            Ok(StartTls::Proceed) if more => self.reject(Violation::PlaintextBeforeTls),
            Ok(StartTls::Proceed) => {
                self.phase = Phase::TlsHandshake;
                let domain = CompactStr::from(self.domain());
                self.wire.start_tls(TlsRole::Client, domain);
            }
            Ok(StartTls::Failure) => self.give_up(CloseReason::TlsFailed),
            Ok(StartTls::Request) => self.reject(unexpected(element)),
            Err(_) => self.reject(Violation::Malformed { element: "proceed" }),
        }
    }

    /// After authentication: requests a resource (RFC 6120 §7).
    fn start_bind(&mut self, now: Instant, features: StreamFeatures) {
        if !offers_bind(&features) {
            self.give_up(CloseReason::BindNotOffered);
            return;
        }
        let resource = self.config.resource.clone();
        self.send_bind(now, features, resource, false);
    }

    fn send_bind(
        &mut self,
        now: Instant,
        features: StreamFeatures,
        resource: Option<CompactStr>,
        retried: bool,
    ) {
        let id = ids::token(self.entropy.as_mut(), 12);
        let iq = Iq::set(id.clone(), Element::from(Bind::Request { resource }));
        if self.send_internal(now, &Element::from(iq)) {
            self.phase = Phase::Bind(Box::new(BindRun {
                id,
                retried,
                features,
                jid: None,
            }));
        }
    }

    /// Whether `iq` answers the bind or session request in flight; if so, handles it.
    pub(super) fn on_negotiation_iq(&mut self, now: Instant, iq: &Iq) -> bool {
        let (run, is_bind) = match &self.phase {
            Phase::Bind(run) => (run, true),
            Phase::Session(run) => (run, false),
            _ => return false,
        };
        if iq.id != run.id || iq.payload.is_request() {
            return false;
        }
        let Some(run) = self.take_bind_run() else {
            return false;
        };
        if is_bind {
            self.on_bind_answer(now, *run, iq);
        } else {
            self.on_session_answer(now, *run, iq);
        }
        true
    }

    fn take_bind_run(&mut self) -> Option<Box<BindRun>> {
        match std::mem::replace(&mut self.phase, Phase::AwaitFeatures) {
            Phase::Bind(run) | Phase::Session(run) => Some(run),
            other => {
                self.phase = other;
                None
            }
        }
    }

    fn on_bind_answer(&mut self, now: Instant, run: BindRun, iq: &Iq) {
        match &iq.payload {
            IqPayload::Result(Some(payload)) => match Bind::try_from(payload) {
                Ok(Bind::Result { jid }) if jid.to_bare() == self.config.jid => {
                    self.after_bind(now, run, jid)
                }
                _ => self.reject(Violation::Malformed { element: "bind" }),
            },
            IqPayload::Error { error, .. } => {
                use xmpp_stanza::StanzaErrorCondition as C;
                let retry = error.condition == C::Conflict
                    && !run.retried
                    && self.config.on_conflict == ResourceConflict::ServerAssigned;
                if retry {
                    self.send_bind(now, run.features, None, true);
                } else {
                    self.give_up(CloseReason::BindFailed(error.condition));
                }
            }
            _ => self.reject(Violation::Malformed { element: "bind" }),
        }
    }

    /// Bound: the legacy session if the server requires it, else online.
    fn after_bind(&mut self, now: Instant, mut run: BindRun, jid: FullJid) {
        let session_required = run.features.session.is_some_and(|s| !s.optional);
        if !session_required {
            self.go_online(now, jid, run.features);
            return;
        }
        run.id = ids::token(self.entropy.as_mut(), 12);
        let iq = Iq::set(run.id.clone(), Element::from(Session));
        run.jid = Some(jid);
        if self.send_internal(now, &Element::from(iq)) {
            self.phase = Phase::Session(Box::new(run));
        }
    }

    fn on_session_answer(&mut self, now: Instant, run: BindRun, iq: &Iq) {
        match (&iq.payload, run.jid) {
            (IqPayload::Result(_), Some(jid)) => self.go_online(now, jid, run.features),
            (IqPayload::Error { error, .. }, _) => {
                self.give_up(CloseReason::SessionFailed(error.condition))
            }
            _ => self.reject(Violation::Malformed { element: "session" }),
        }
    }

    fn go_online(&mut self, now: Instant, jid: FullJid, features: StreamFeatures) {
        self.phase = Phase::Online;
        self.jid = Some(jid.clone());
        self.wire.timers.clear(TimerKind::Negotiation);
        self.wire.start_keepalive(now);
        self.wire.event(ClientEvent::Online {
            jid,
            features: Box::new(features),
        });
    }
}
