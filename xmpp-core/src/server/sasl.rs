//! The server's SASL exchange (RFC 6120 §6): the step machine comes from
//! `xmpp-sasl`; credential lookups go to the application as
//! [`ServerEvent::CredentialsRequested`] and come back as
//! [`ServerCommand::ProvideCredentials`](super::ServerCommand::ProvideCredentials).

use std::time::Instant;

use xmpp_jid::BareJid;
use xmpp_sasl::{
    CredentialAnswer, Malformation, Mechanism, MessageKind, SaslError, SaslServer, ServerStep,
    ServerSuccess,
};
use xmpp_stanza::{Element, Problem, Sasl, SaslCondition, SaslFailure};

use super::negotiate::{Phase, unexpected};
use super::{RequestId, ServerConnection, ServerEvent};
use crate::connection::role::Shared;
use crate::connection::{CommandError, Violation};

/// A SASL exchange in progress.
#[derive(Debug)]
pub(super) struct Exchange {
    server: SaslServer,
    /// The credential request the application has not answered yet.
    pending: Option<RequestId>,
}

/// The error for a SASL element that could not be read (its §6.5 condition is what
/// `<failure/>` carries): bad base64 is `incorrect-encoding`, a missing mechanism
/// `invalid-mechanism`, anything else about the element `malformed-request`.
fn error_for(problem: Problem) -> SaslError {
    match problem {
        Problem::MissingAttribute("mechanism") => SaslError::InvalidMechanism,
        Problem::InvalidBase64 => SaslError::IncorrectEncoding,
        _ => SaslError::Malformed {
            message: MessageKind::XmppElement,
            what: Malformation::UnexpectedData,
        },
    }
}

/// The `<failure/>` child for a condition (the two crates name the same RFC 6120
/// §6.5 list; an unknown name cannot occur and would be `not-authorized`).
fn wire_condition(condition: xmpp_sasl::SaslCondition) -> SaslCondition {
    SaslCondition::from_name(condition.as_str()).unwrap_or(SaslCondition::NotAuthorized)
}

impl ServerConnection {
    /// Whether SASL may run on this stream (TLS done if it is mandatory).
    fn sasl_allowed(&self) -> bool {
        self.user.is_none() && (self.tls.is_some() || !self.starttls)
    }

    /// A SASL element from the client.
    pub(super) fn on_sasl(&mut self, now: Instant, element: &Element) {
        if !self.sasl_allowed() {
            self.reject(unexpected(element));
            return;
        }
        // The mechanism an `<auth/>` names, for a failure before an exchange runs.
        let requested = match element.name() {
            "auth" => element.attr("mechanism").and_then(Mechanism::from_name),
            _ => None,
        };
        let sasl = match Sasl::try_from(element) {
            Ok(s) => s,
            Err(e) => {
                self.fail(now, error_for(e.problem()), requested);
                return;
            }
        };
        let step = match (sasl, &mut self.phase) {
            (Sasl::Auth { mechanism, data }, Phase::Negotiating) => {
                match SaslServer::start(&self.sasl, &mechanism, self.entropy.as_mut()) {
                    Ok(mut server) => {
                        let step = server.initial(data.as_deref());
                        self.phase = Phase::Sasl(Box::new(Exchange {
                            server,
                            pending: None,
                        }));
                        step
                    }
                    Err(e) => Err(e),
                }
            }
            (Sasl::Response(data), Phase::Sasl(exchange)) => {
                exchange.pending = None;
                exchange.server.respond(data.as_deref().unwrap_or_default())
            }
            (Sasl::Abort, Phase::Sasl(exchange)) => Err(exchange.server.abort()),
            // An abort with no exchange running is answered all the same.
            (Sasl::Abort, Phase::Negotiating) => Err(SaslError::Aborted),
            (Sasl::Response(_), Phase::Negotiating) => Err(SaslError::UnexpectedStep),
            _ => {
                self.reject(unexpected(element));
                return;
            }
        };
        self.step(now, step, requested);
    }

    /// Answers a credential request.
    pub(super) fn provide(
        &mut self,
        now: Instant,
        id: RequestId,
        answer: CredentialAnswer,
    ) -> Result<(), CommandError> {
        let Phase::Sasl(exchange) = &mut self.phase else {
            return Err(CommandError::UnknownRequest);
        };
        if exchange.pending != Some(id) {
            return Err(CommandError::UnknownRequest);
        }
        exchange.pending = None;
        let step = exchange.server.provide(answer);
        self.step(now, step, None);
        Ok(())
    }

    /// Acts on the machine's answer; `requested` is the mechanism an `<auth/>` named
    /// (for a failure before any exchange ran).
    fn step(
        &mut self,
        now: Instant,
        step: Result<ServerStep, SaslError>,
        requested: Option<Mechanism>,
    ) {
        match step {
            Ok(ServerStep::Challenge(data)) => {
                self.send_internal(now, &Element::from(Sasl::Challenge(Some(data))));
            }
            Ok(ServerStep::NeedCredentials(request)) => {
                let id = self.request_id();
                if let Phase::Sasl(exchange) = &mut self.phase {
                    exchange.pending = Some(id);
                }
                self.wire.event(ServerEvent::CredentialsRequested {
                    id,
                    mechanism: request.mechanism,
                    authcid: request.authcid,
                    authzid: request.authzid,
                });
            }
            Ok(ServerStep::Success(success)) => self.succeed(now, success),
            Ok(_) => self.fail(now, SaslError::TemporaryFailure, requested),
            Err(e) => self.fail(now, e, requested),
        }
    }

    /// The account the exchange authenticated: the authorization identity if one was
    /// requested (and permitted), else the user name at our domain.
    fn account(&self, success: &ServerSuccess) -> Result<BareJid, SaslError> {
        match &success.authzid {
            Some(authzid) => BareJid::new(authzid)
                .ok()
                .filter(|j| j.node().is_some() && j.domain() == self.config.domain())
                .ok_or(SaslError::InvalidAuthzid),
            None => BareJid::from_parts(Some(&success.authcid), self.config.domain())
                .map_err(|_| SaslError::AuthenticationFailed),
        }
    }

    /// `<success/>` and the stream restart (RFC 6120 §6.4.6).
    fn succeed(&mut self, now: Instant, success: ServerSuccess) {
        let user = match self.account(&success) {
            Ok(user) => user,
            Err(error) => {
                self.fail(now, error, None);
                return;
            }
        };
        if !self.send_internal(now, &Element::from(Sasl::Success(success.additional_data))) {
            return;
        }
        self.user = Some(user.clone());
        self.phase = Phase::AwaitHeader;
        self.wire.restart();
        self.wire.reader.set_limits(self.config.limits);
        self.wire.event(ServerEvent::Authenticated {
            jid: user,
            mechanism: success.mechanism,
            channel_binding: success.channel_binding,
        });
    }

    /// [`ServerEvent::AuthFailed`], then `<failure/>`; too many failures close the
    /// stream (RFC 6120 §6.4.5).
    ///
    /// Every failure counts toward `max_auth_failures`, an `<aborted/>` one too
    /// (otherwise `<auth/>` + `<abort/>` could start exchanges, and credential
    /// lookups, without end on one stream) — except the first refusal per mechanism
    /// of a first message for its channel-binding flag alone
    /// ([`SaslError::is_channel_binding_refusal`]): no credential was consulted, and
    /// clients that bind only with `tls-unique` (slixmpp 1.8.3) get one for every
    /// offered SCRAM mechanism before they reach PLAIN. Bounded by the number of
    /// mechanisms.
    fn fail(&mut self, now: Instant, error: SaslError, requested: Option<Mechanism>) {
        let (mechanism, authcid) = match &self.phase {
            Phase::Sasl(exchange) => (
                Some(exchange.server.mechanism()),
                exchange.server.authcid().map(str::to_owned),
            ),
            _ => (requested, None),
        };
        let uncounted = match mechanism {
            Some(m) if error.is_channel_binding_refusal() && !self.binding_refused.contains(&m) => {
                self.binding_refused.push(m);
                true
            }
            _ => false,
        };
        let condition = error.condition();
        self.phase = Phase::Negotiating;
        self.wire.event(ServerEvent::AuthFailed {
            mechanism,
            authcid,
            condition,
            error,
        });
        let failure = Element::from(Sasl::Failure(SaslFailure::new(wire_condition(condition))));
        if !self.send_internal(now, &failure) || uncounted {
            return;
        }
        self.auth_failures = self.auth_failures.saturating_add(1);
        if self.auth_failures >= self.config.max_auth_failures {
            self.reject(Violation::TooManyAuthFailures);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_sasl_elements_map_to_their_conditions() {
        let condition = |p| wire_condition(error_for(p).condition());
        assert_eq!(
            condition(Problem::MissingAttribute("mechanism")),
            SaslCondition::InvalidMechanism
        );
        assert_eq!(
            condition(Problem::InvalidBase64),
            SaslCondition::IncorrectEncoding
        );
        assert_eq!(
            condition(Problem::UnexpectedText),
            SaslCondition::MalformedRequest
        );
    }

    #[test]
    fn every_sasl_condition_has_its_wire_form() {
        for c in xmpp_sasl::SaslCondition::ALL {
            assert_eq!(wire_condition(c).name(), c.as_str());
        }
    }
}
