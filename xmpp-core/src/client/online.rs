//! The client once online: stanzas from the server as events (IQ responses matched
//! to their requests), stanzas out on command, and the close handshake.

use std::time::{Duration, Instant};

use xmpp_stanza::{Element, IqPayload, Stanza, StreamError};

use super::negotiate::Phase;
use super::{ClientConnection, ClientEvent, IqResponse, iq};
use crate::connection::role::Shared;
use crate::connection::{CommandError, Violation};

impl ClientConnection {
    /// A stanza from the server (after authentication).
    pub(super) fn on_stanza(&mut self, now: Instant, element: Element) {
        let stanza = match Stanza::try_from(element) {
            Ok(s) => s,
            Err(invalid) => {
                if self.refuse_early_stanza() {
                    return;
                }
                self.wire
                    .event(ClientEvent::InvalidStanza(Box::new(invalid)));
                return;
            }
        };
        if let Stanza::Iq(iq) = &stanza
            && self.on_negotiation_iq(now, iq)
        {
            return;
        }
        if self.refuse_early_stanza() {
            return;
        }
        let Stanza::Iq(iq) = stanza else {
            self.wire.event(ClientEvent::Stanza(Box::new(stanza)));
            return;
        };
        let answered = match &self.jid {
            Some(own) => self.iqs.take_response(&iq, own),
            None => false,
        };
        if !answered {
            self.wire
                .event(ClientEvent::Stanza(Box::new(Stanza::Iq(iq))));
            return;
        }
        let id = iq.id.clone();
        let response = if matches!(iq.payload, IqPayload::Error { .. }) {
            IqResponse::Error(Box::new(iq))
        } else {
            IqResponse::Result(Box::new(iq))
        };
        self.wire.event(ClientEvent::IqResponse { id, response });
    }

    /// Counts a stanza (other than the answer to our bind or session request) that
    /// arrives before the session is online; past the configured maximum the stream
    /// ends with `policy-violation` (RFC 6120 §7.1: stanzas flow once a resource is
    /// bound). Returns whether the stanza was refused.
    fn refuse_early_stanza(&mut self) -> bool {
        if !matches!(self.phase, Phase::Bind(_) | Phase::Session(_)) {
            return false;
        }
        self.early_stanzas += 1;
        if self.early_stanzas <= self.config.max_stanzas_before_online {
            return false;
        }
        self.reject(Violation::TooManyStanzasBeforeOnline);
        true
    }

    /// Whether the state allows a command that writes: `Ok` online.
    fn check_online(&self) -> Result<(), CommandError> {
        if self.wire.is_closed() {
            return Err(CommandError::Closed);
        }
        match self.phase {
            Phase::Online => Ok(()),
            Phase::Closing => Err(CommandError::Closed),
            _ => Err(CommandError::NotOnline),
        }
    }

    /// Sends a stanza; tracks an IQ request with `timeout` (or the configured one).
    pub(super) fn send_stanza(
        &mut self,
        now: Instant,
        stanza: Stanza,
        timeout: Option<Duration>,
    ) -> Result<(), CommandError> {
        self.check_online()?;
        let track = match &stanza {
            Stanza::Iq(iq) if iq::is_request(iq) => {
                self.iqs.check_new(&iq.id)?;
                Some((iq.id.clone(), iq.to.clone()))
            }
            _ => None,
        };
        self.send_for_app(now, &Element::from(stanza))?;
        if let Some((id, to)) = track {
            let timeout = timeout.unwrap_or(self.config.timeouts.iq);
            self.iqs.insert(id, to, now.checked_add(timeout));
        }
        Ok(())
    }

    /// Starts the close handshake (RFC 6120 §4.4).
    pub(super) fn close(&mut self, now: Instant) -> Result<(), CommandError> {
        if self.wire.is_closed() {
            return Err(CommandError::Closed);
        }
        if !matches!(self.phase, Phase::Closing) {
            self.start_close(now, self.config.timeouts.close);
            self.phase = Phase::Closing;
        }
        Ok(())
    }

    /// Closes with our own stream error.
    pub(super) fn close_with_error(&mut self, error: StreamError) -> Result<(), CommandError> {
        if self.wire.is_closed() {
            return Err(CommandError::Closed);
        }
        self.fail_locally(&error);
        Ok(())
    }
}
