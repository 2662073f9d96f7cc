//! The server's SASL exchange (RFC 6120 §6): the step machine comes from
//! `xmpp-sasl`; credential lookups go to the application as
//! [`ServerEvent::CredentialsRequested`] and come back as
//! [`ServerCommand::ProvideCredentials`](super::ServerCommand::ProvideCredentials).

use std::time::Instant;

use xmpp_jid::BareJid;
use xmpp_sasl::{CredentialAnswer, SaslError, SaslServer, ServerStep, ServerSuccess};
use xmpp_stanza::{Element, Problem, Sasl, SaslCondition, SaslFailure};

use super::negotiate::{Phase, unexpected};
use super::{RequestId, ServerConnection, ServerEvent, ServerTls};
use crate::connection::role::Shared;
use crate::connection::{CommandError, Violation};

/// A SASL exchange in progress.
#[derive(Debug)]
pub(super) struct Exchange {
    server: SaslServer,
    /// The credential request the application has not answered yet.
    pending: Option<RequestId>,
}

/// The §6.5 condition for a SASL element that could not be read.
fn condition_for(problem: Problem) -> SaslCondition {
    match problem {
        Problem::MissingAttribute("mechanism") => SaslCondition::InvalidMechanism,
        Problem::InvalidBase64 => SaslCondition::IncorrectEncoding,
        _ => SaslCondition::MalformedRequest,
    }
}

impl ServerConnection {
    /// Whether SASL may run on this stream (TLS done if it is mandatory).
    fn sasl_allowed(&self) -> bool {
        self.user.is_none()
            && (self.tls.is_some() || self.config.tls != ServerTls::StartTlsRequired)
    }

    /// A SASL element from the client.
    pub(super) fn on_sasl(&mut self, now: Instant, element: &Element) {
        if !self.sasl_allowed() {
            self.reject(unexpected(element));
            return;
        }
        let sasl = match Sasl::try_from(element) {
            Ok(s) => s,
            Err(e) => {
                self.fail(now, condition_for(e.problem()));
                return;
            }
        };
        let step = match (sasl, &mut self.phase) {
            (Sasl::Auth { mechanism, data }, Phase::Negotiating) => {
                let config = self.sasl_config();
                match SaslServer::start(&config, &mechanism, self.entropy.as_mut()) {
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
        self.step(now, step);
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
        self.step(now, step);
        Ok(())
    }

    /// Acts on the machine's answer.
    fn step(&mut self, now: Instant, step: Result<ServerStep, SaslError>) {
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
            Ok(_) => self.fail(now, SaslCondition::TemporaryAuthFailure),
            Err(e) => {
                let condition = SaslCondition::from_name(e.condition().as_str())
                    .unwrap_or(SaslCondition::NotAuthorized);
                self.fail(now, condition);
            }
        }
    }

    /// The account the exchange authenticated: the authorization identity if one was
    /// requested (and permitted), else the user name at our domain.
    fn account(&self, success: &ServerSuccess) -> Result<BareJid, SaslCondition> {
        match &success.authzid {
            Some(authzid) => BareJid::new(authzid)
                .ok()
                .filter(|j| j.node().is_some() && j.domain() == self.config.domain())
                .ok_or(SaslCondition::InvalidAuthzid),
            None => BareJid::from_parts(Some(&success.authcid), self.config.domain())
                .map_err(|_| SaslCondition::NotAuthorized),
        }
    }

    /// `<success/>` and the stream restart (RFC 6120 §6.4.6).
    fn succeed(&mut self, now: Instant, success: ServerSuccess) {
        let user = match self.account(&success) {
            Ok(user) => user,
            Err(condition) => {
                self.fail(now, condition);
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
        });
    }

    /// `<failure/>`; too many of them close the stream. Every failure counts, an
    /// `<aborted/>` one too: otherwise `<auth/>` + `<abort/>` could start exchanges
    /// (and credential lookups) without end on one stream (RFC 6120 §6.4.5).
    fn fail(&mut self, now: Instant, condition: SaslCondition) {
        self.phase = Phase::Negotiating;
        let failure = Element::from(Sasl::Failure(SaslFailure::new(condition)));
        if !self.send_internal(now, &failure) {
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
        assert_eq!(
            condition_for(Problem::MissingAttribute("mechanism")),
            SaslCondition::InvalidMechanism
        );
        assert_eq!(
            condition_for(Problem::InvalidBase64),
            SaslCondition::IncorrectEncoding
        );
        assert_eq!(
            condition_for(Problem::UnexpectedText),
            SaslCondition::MalformedRequest
        );
    }
}
