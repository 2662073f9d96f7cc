//! The client's SASL exchange (RFC 6120 §6): mechanism choice and the step machine
//! come from `xmpp-sasl`; here are the XML, the restart after success, and the
//! channel-binding fallback.
//!
//! The fallback: servers that offer `-PLUS` mechanisms but accept only channel
//! binding types we cannot provide (Prosody 0.12 and ejabberd 23.01 accept only
//! `tls-unique`, which rustls does not export) fail the `-PLUS` exchange like a wrong
//! password. Unless the server advertised its binding types (XEP-0440), a `-PLUS`
//! failure is therefore retried once on the same stream with the best non-PLUS
//! mechanism and gs2 flag `n`; a failure of that retry is final.

use std::time::Instant;

use xmpp_sasl::{
    ChannelBinding, ChannelBindingType, ClientCredentials, ClientOptions, ConnectionInfo, Password,
    SaslClient, SaslError,
};
use xmpp_stanza::{CompactStr, Element, Sasl, SaslFailure, StreamFeatures};

use super::negotiate::{Phase, unexpected};
use super::{ClientConnection, ClientEvent};
use crate::connection::role::Shared;
use crate::connection::{AuthError, CloseReason, Violation};

/// XEP-0440's namespace.
pub(crate) const SASL_CB_NS: &str = xmpp_stanza::ns::SASL_CB;

/// A SASL exchange in progress.
#[derive(Debug)]
pub(super) struct SaslRun {
    client: SaslClient,
    /// The mechanisms the server offered (kept for the fallback).
    offered: Vec<CompactStr>,
    /// The binding types the server advertised with XEP-0440, if it did.
    binding_types: Option<Vec<ChannelBindingType>>,
    /// Whether this is already the non-PLUS retry.
    fell_back: bool,
}

/// The channel-binding types of a XEP-0440 `<sasl-channel-binding/>` feature.
fn advertised_binding_types(features: &StreamFeatures) -> Option<Vec<ChannelBindingType>> {
    let feature = features
        .other
        .iter()
        .find(|e| e.is("sasl-channel-binding", SASL_CB_NS))?;
    Some(
        feature
            .children_named("channel-binding", SASL_CB_NS)
            .filter_map(|c| c.attr("type"))
            .filter_map(ChannelBindingType::from_name)
            .collect(),
    )
}

impl ClientConnection {
    /// Features with `<mechanisms/>` before authentication: starts SASL.
    pub(super) fn start_sasl(&mut self, now: Instant, features: &StreamFeatures) {
        let Some(offered) = features.mechanisms.clone() else {
            self.give_up(CloseReason::AuthFailed(AuthError::NoMechanism {
                offered: Vec::new(),
                error: SaslError::NoAcceptableMechanism,
            }));
            return;
        };
        let binding_types = advertised_binding_types(features);
        self.begin_exchange(now, offered, binding_types, false);
    }

    /// Chooses a mechanism and sends `<auth/>`; `fallback` forbids channel binding.
    fn begin_exchange(
        &mut self,
        now: Instant,
        offered: Vec<CompactStr>,
        binding_types: Option<Vec<ChannelBindingType>>,
        fallback: bool,
    ) {
        let no_bindings: &[ChannelBinding] = &[];
        let bindings = match &self.tls {
            Some(tls) if !fallback => tls.channel_bindings.as_slice(),
            _ => no_bindings,
        };
        let info = ConnectionInfo {
            tls_established: self.tls.is_some(),
            channel_bindings: bindings,
            server_binding_types: binding_types.as_deref(),
        };
        let selection = match self.config.policy.select(&offered, &info) {
            Ok(s) => s,
            Err(error) => {
                self.give_up(CloseReason::AuthFailed(AuthError::NoMechanism {
                    offered,
                    error,
                }));
                return;
            }
        };
        let username = self.config.jid.node().unwrap_or_default();
        let credentials = ClientCredentials::new(username, self.config.password.clone());
        let options = ClientOptions {
            scram: self.config.scram,
            digest_md5_host: Some(self.domain().to_owned()),
        };
        let cache = std::mem::take(&mut self.config.cache);
        let started = SaslClient::start(
            &selection,
            &credentials,
            &options,
            cache,
            self.entropy.as_mut(),
        );
        let (client, initial) = match started {
            Ok(started) => started,
            Err(error) => {
                self.give_up(CloseReason::AuthFailed(AuthError::Refused {
                    mechanism: selection.mechanism,
                    error,
                }));
                return;
            }
        };
        let auth = Sasl::Auth {
            mechanism: CompactStr::from_static(selection.mechanism.name()),
            data: initial,
        };
        if self.send_internal(now, &Element::from(auth)) {
            self.phase = Phase::Sasl(Box::new(SaslRun {
                client,
                offered,
                binding_types,
                fell_back: fallback,
            }));
        }
    }

    /// A SASL element from the server.
    pub(super) fn on_sasl(&mut self, now: Instant, element: &Element) {
        let sasl = match Sasl::try_from(element) {
            Ok(s) => s,
            Err(_) => {
                self.reject(Violation::Malformed { element: "sasl" });
                return;
            }
        };
        let Phase::Sasl(run) = &mut self.phase else {
            return;
        };
        match sasl {
            Sasl::Challenge(data) => {
                match run.client.respond(data.as_deref().unwrap_or_default()) {
                    Ok(response) => {
                        let response = Element::from(Sasl::Response(Some(response)));
                        self.send_internal(now, &response);
                    }
                    Err(error) => self.refuse(now, error),
                }
            }
            Sasl::Success(data) => match run.client.finish(data.as_deref()) {
                Ok(()) => self.on_authenticated(now),
                Err(error) => {
                    let mechanism = run.client.mechanism();
                    self.give_up(CloseReason::AuthFailed(AuthError::Refused {
                        mechanism,
                        error,
                    }));
                }
            },
            Sasl::Failure(failure) => self.on_failure(now, failure),
            Sasl::Auth { .. } | Sasl::Response(_) | Sasl::Abort => self.reject(unexpected(element)),
        }
    }

    /// We cannot go on with the server's messages: abort and close.
    fn refuse(&mut self, now: Instant, error: SaslError) {
        let Phase::Sasl(run) = &self.phase else {
            return;
        };
        let mechanism = run.client.mechanism();
        let _ = self.wire.send(now, &Element::from(Sasl::Abort));
        self.give_up(CloseReason::AuthFailed(AuthError::Refused {
            mechanism,
            error,
        }));
    }

    /// `<success/>`, verified: restart the stream (RFC 6120 §6.4.6).
    fn on_authenticated(&mut self, now: Instant) {
        let Phase::Sasl(mut run) = std::mem::replace(&mut self.phase, Phase::AwaitHeader) else {
            return;
        };
        self.authenticated = true;
        self.config.cache = run.client.take_cache();
        // The password and the binding data are not needed any more.
        self.config.password = Password::default();
        if let Some(tls) = &mut self.tls {
            tls.channel_bindings = Vec::new();
        }
        self.wire.event(ClientEvent::Authenticated {
            mechanism: run.client.mechanism(),
        });
        self.wire.restart();
        self.open_stream(now);
    }

    /// `<failure/>`: the channel-binding fallback, or the end.
    fn on_failure(&mut self, now: Instant, failure: SaslFailure) {
        use xmpp_sasl::SaslCondition as C;
        let Phase::Sasl(mut run) = std::mem::replace(&mut self.phase, Phase::AwaitFeatures) else {
            return;
        };
        let condition = failure.condition.and_then(|c| C::from_name(c.name()));
        let mechanism = run.client.mechanism();
        let binding_suspect = matches!(
            condition,
            None | Some(C::NotAuthorized) | Some(C::MalformedRequest)
        );
        if mechanism.is_plus() && run.binding_types.is_none() && !run.fell_back && binding_suspect {
            self.config.cache = run.client.take_cache();
            self.begin_exchange(now, run.offered, None, true);
            return;
        }
        let text = failure.text.first().map(|t| t.text.clone());
        self.give_up(CloseReason::AuthFailed(AuthError::Rejected {
            mechanism,
            condition,
            text,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xep0440_types_are_read_and_unknown_ones_skipped() {
        let feature = Element::new("sasl-channel-binding", SASL_CB_NS)
            .with_child(
                Element::new("channel-binding", SASL_CB_NS).with_attr("type", "tls-exporter"),
            )
            .with_child(Element::new("channel-binding", SASL_CB_NS).with_attr("type", "x-new"))
            .with_child(
                Element::new("channel-binding", SASL_CB_NS)
                    .with_attr("type", "tls-server-end-point"),
            );
        let features = StreamFeatures {
            other: vec![feature],
            ..StreamFeatures::default()
        };
        assert_eq!(
            advertised_binding_types(&features),
            Some(vec![
                ChannelBindingType::TlsExporter,
                ChannelBindingType::TlsServerEndPoint
            ])
        );
        assert_eq!(advertised_binding_types(&StreamFeatures::default()), None);
    }
}
