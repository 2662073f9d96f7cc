//! The server's negotiation steps other than SASL and binding: stream headers,
//! features by state and policy, and STARTTLS (RFC 6120 §4.3, §5).

use std::time::Instant;

use xmpp_jid::{BareJid, Jid};
use xmpp_stanza::{
    CompactStr, Element, Namespace, SessionFeature, StartTls, StartTlsFeature, StreamFeatures, ns,
};

use super::bind::PendingBind;
use super::sasl::Exchange;
use super::{ServerConnection, ServerEvent};
use crate::connection::role::{Shared, is_stanza};
use crate::connection::wire::Wire;
use crate::connection::{CloseReason, TlsRole, Violation, ids};
use crate::stream::{StreamAttributes, StreamHeader, StreamVersion};

/// XEP-0440's namespace.
const SASL_CB_NS: &str = xmpp_stanza::ns::SASL_CB;

/// Where the server is in the negotiation.
#[derive(Debug)]
pub(super) enum Phase {
    /// Waiting for the client's stream header.
    AwaitHeader,
    /// Features sent before authentication; STARTTLS or `<auth/>` is expected.
    Negotiating,
    /// `<proceed/>` is out; the TLS handshake is with the caller.
    TlsHandshake,
    /// A SASL exchange is running.
    Sasl(Box<Exchange>),
    /// Authenticated, features with bind sent; the bind request is expected.
    AwaitBind,
    /// The application is deciding a bind request.
    BindPending(Box<PendingBind>),
    /// Online: stanzas flow.
    Online,
    /// Our `</stream:stream>` is out; the client's is awaited.
    Closing,
}

/// The violation for an element that has no place here.
pub(super) fn unexpected(element: &Element) -> Violation {
    if is_stanza(element) {
        return Violation::StanzaBeforeAuth;
    }
    Violation::UnexpectedElement {
        name: element.name().into(),
        ns: element.ns().clone(),
    }
}

impl Shared for ServerConnection {
    type Event = ServerEvent;

    fn machinery(&mut self) -> &mut Wire<ServerEvent> {
        &mut self.wire
    }

    /// The client's stream header (the first, or after a restart).
    fn on_header(&mut self, now: Instant, header: &StreamHeader) {
        let to_ok = header
            .to()
            .and_then(|to| BareJid::new(to).ok())
            .is_some_and(|to| to == self.config.domain);
        if !to_ok {
            self.reject(Violation::HostUnknown);
            return;
        }
        if header.version().is_none_or(|v| v < StreamVersion::V1_0) {
            self.reject(Violation::UnsupportedVersion);
            return;
        }
        // Answer `to` the client's `from`, if it is a JID (RFC 6120 §4.7.2).
        let peer = header.from().and_then(|f| Jid::new(f).ok());
        let attrs = self.header_attrs(peer.as_ref().map(|j| j.as_str()));
        if self.wire.open(now, &attrs).is_err() {
            return;
        }
        let features = self.features();
        if self.send_internal(now, &Element::from(features)) {
            self.phase = if self.user.is_some() {
                Phase::AwaitBind
            } else {
                Phase::Negotiating
            };
        }
    }

    /// A top-level element other than a stream error.
    fn on_element(&mut self, now: Instant, element: Element, more: bool) {
        match &self.phase {
            Phase::Negotiating if *element.ns() == ns::XMPP_TLS => {
                self.on_starttls(now, &element, more)
            }
            Phase::Negotiating | Phase::Sasl(_) if *element.ns() == ns::XMPP_SASL => {
                self.on_sasl(now, &element)
            }
            Phase::AwaitBind | Phase::BindPending(_) if is_stanza(&element) => {
                self.on_bind_stanza(now, element)
            }
            Phase::Online | Phase::Closing if is_stanza(&element) => self.on_stanza(now, element),
            _ => self.reject(unexpected(&element)),
        }
    }

    fn is_closing(&self) -> bool {
        matches!(self.phase, Phase::Closing)
    }

    /// Writes a header if ours is not out yet (to precede a stream error).
    fn ensure_open(&mut self) {
        if self.wire.writer.is_open() || self.wire.tls_pending() || self.wire.is_closed() {
            return;
        }
        let attrs = self.header_attrs(None);
        // Cannot fail: the attributes are our own, the writer is not open.
        let _ = self.wire.writer.open(self.wire.out.bytes(), &attrs);
    }
}

impl ServerConnection {
    /// Our stream header's attributes, with a fresh stream id (RFC 6120 §4.7.3).
    fn header_attrs(&mut self, to: Option<&str>) -> StreamAttributes {
        let id = ids::token(self.entropy.as_mut(), 16);
        let mut attrs = StreamAttributes::new()
            .from(self.config.domain())
            .id(id)
            .lang("en");
        if let Some(to) = to {
            attrs = attrs.to(to);
        }
        attrs
    }

    /// The features for the current state (RFC 6120 §4.3.2): STARTTLS alone while it
    /// is mandatory and not done; then the SASL mechanisms (with the XEP-0440 binding
    /// types when `-PLUS` is offered); after authentication, bind and the optional
    /// legacy session.
    fn features(&self) -> StreamFeatures {
        let mut features = StreamFeatures::default();
        if self.user.is_some() {
            features.bind = true;
            if self.config.legacy_session {
                features.session = Some(SessionFeature { optional: true });
            }
            features
                .other
                .extend(self.config.bind_features.iter().cloned());
            return features;
        }
        if self.tls.is_none() && self.starttls {
            features.starttls = Some(StartTlsFeature { required: true });
            return features;
        }
        let sasl = &self.sasl;
        features.mechanisms = Some(
            sasl.offered_mechanisms()
                .iter()
                .map(|m| CompactStr::from_static(m.name()))
                .collect(),
        );
        let types = sasl.offered_channel_binding_types();
        if !types.is_empty() {
            let ns = Namespace::from_static(SASL_CB_NS);
            let mut cb = Element::new(CompactStr::from_static("sasl-channel-binding"), ns.clone());
            for t in types {
                cb.append_child(
                    Element::new(CompactStr::from_static("channel-binding"), ns.clone())
                        .with_attr("type", t.as_str()),
                );
            }
            features.other.push(cb);
        }
        features
    }

    /// `<starttls/>` (RFC 6120 §5.4.2).
    fn on_starttls(&mut self, now: Instant, element: &Element, more: bool) {
        if StartTls::try_from(element) != Ok(StartTls::Request) {
            self.reject(unexpected(element));
            return;
        }
        if more {
            // Plaintext pipelined behind the request: an injection attempt
            // (RFC 6120 §5.4.3.3). As when it arrives after `<proceed/>` went out,
            // the transport is abandoned without another word.
            self.reject(Violation::PlaintextBeforeTls);
            return;
        }
        let offered = self.tls.is_none() && self.starttls;
        if !offered {
            // RFC 6120 §5.4.2.2: `<failure/>`, then close.
            let _ = self.wire.send(now, &Element::from(StartTls::Failure));
            self.wire.close_stream();
            self.wire
                .finish(CloseReason::Violation(Violation::UnsupportedFeature));
            return;
        }
        if self.send_internal(now, &Element::from(StartTls::Proceed)) {
            self.phase = Phase::TlsHandshake;
            let domain = CompactStr::from(self.config.domain());
            self.wire.start_tls(TlsRole::Server, domain);
        }
    }
}
