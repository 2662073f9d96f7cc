//! [`Shared`]: what both roles do the same way on top of their own steps — routing
//! reader events, closing for a peer violation or an error of our own, the peer's
//! close and stream errors, end of file, expired timers, and the start of the close
//! handshake (RFC 6120 §4.4, §4.9).

use std::time::{Duration, Instant};

use xmpp_stanza::{Element, StreamError};

use super::close::{CloseReason, Violation};
use super::error::CommandError;
use super::timers::TimerKind;
use super::wire::{self, Role, Wire};
use crate::stream::{StreamEvent, StreamHeader, WriteError};

/// A role's own steps, and the behaviour both roles share built on them. Every
/// `Shared` type is a [`Role`] whose input loop routes events through
/// [`dispatch`](Shared::dispatch).
pub(crate) trait Shared {
    /// The role's event type.
    type Event;

    /// The shared machinery.
    fn machinery(&mut self) -> &mut Wire<Self::Event>;

    /// The peer's stream header (the first, or after a restart).
    fn on_header(&mut self, now: Instant, header: &StreamHeader);

    /// A top-level element other than a stream error; `more`: see [`Role::on_event`].
    fn on_element(&mut self, now: Instant, element: Element, more: bool);

    /// Whether our `</stream:stream>` is out and the peer's is awaited.
    fn is_closing(&self) -> bool;

    /// Writes our stream header if it is not out yet, so that a stream error can
    /// follow it (RFC 6120 §4.9.1.2). The client's is always out: nothing to do.
    fn ensure_open(&mut self) {}

    /// Routes one reader event to the role's steps or the shared ones.
    fn dispatch(&mut self, now: Instant, event: StreamEvent, more: bool) {
        match event {
            StreamEvent::StreamOpened(header) => self.on_header(now, &header),
            StreamEvent::Element(e) if e.is("error", xmpp_stanza::ns::STREAM) => {
                self.on_stream_error(&e)
            }
            // Our close is out: negotiation elements the peer sent before it saw it
            // are no violation (RFC 6120 §4.4: go on processing until its close).
            StreamEvent::Element(e) if self.is_closing() && !is_stanza(&e) => {}
            StreamEvent::Element(e) => self.on_element(now, e, more),
            StreamEvent::StreamClosed => self.on_peer_close(),
        }
    }

    /// Closes for a peer violation: the stream error it calls for, then `Closed` —
    /// or, while TLS is starting (or for plaintext injected before it), nothing but
    /// `Closed`: the transport is abandoned.
    fn reject(&mut self, violation: Violation) {
        let wire = self.machinery();
        if wire.tls_pending() || violation == Violation::PlaintextBeforeTls {
            wire.abandon(CloseReason::Violation(violation));
            return;
        }
        self.ensure_open();
        let wire = self.machinery();
        wire.stream_error(&StreamError::new(violation.condition()));
        wire.finish(CloseReason::Violation(violation));
    }

    /// Closes with a stream error of our own (the application's, or
    /// `internal-server-error` for an element we could not serialize).
    fn fail_locally(&mut self, error: &StreamError) {
        self.ensure_open();
        let wire = self.machinery();
        wire.stream_error(error);
        wire.finish(CloseReason::LocalError(error.condition));
    }

    /// The peer closed its stream: the end of our close handshake, or the start of
    /// its own (we close ours in return).
    fn on_peer_close(&mut self) {
        let closing = self.is_closing();
        let wire = self.machinery();
        if closing {
            wire.finish(CloseReason::Local);
        } else {
            wire.close_stream();
            wire.finish(CloseReason::Peer);
        }
    }

    /// The peer sent a stream error: we close our stream and report it
    /// (`see-other-host` as the redirect it is).
    fn on_stream_error(&mut self, element: &Element) {
        let wire = self.machinery();
        wire.close_stream();
        let reason = match StreamError::try_from(element) {
            Ok(e) => match e.see_other_host_target() {
                Some(host) => CloseReason::SeeOtherHost { host: host.into() },
                None => CloseReason::PeerError(Box::new(e)),
            },
            Err(_) => CloseReason::Violation(Violation::Malformed {
                element: "stream:error",
            }),
        };
        wire.finish(reason);
    }

    /// The transport reached end of file.
    fn on_eof(&mut self) {
        let closing = self.is_closing();
        let wire = self.machinery();
        if !wire.is_closed() {
            let reason = if closing {
                CloseReason::Local
            } else {
                CloseReason::ConnectionLost
            };
            wire.abandon(reason);
        }
    }

    /// Acts on the timers that expired by `now`, in [`TimerKind::ALL`] order: a
    /// keepalive is written and re-armed; the others close the connection. Each
    /// timer fires at most once per call, so one re-armed for `now` itself (a zero
    /// keepalive interval) waits for the next call instead of firing forever.
    fn on_timers(&mut self, now: Instant) {
        for kind in TimerKind::ALL {
            let wire = self.machinery();
            if wire.is_closed() || !wire.timers.take_if_expired(kind, now) {
                continue;
            }
            if kind == TimerKind::Keepalive {
                wire.keepalive(now);
                wire.start_keepalive(now);
            } else {
                self.ensure_open();
                wire::timeout_close(self.machinery(), kind);
            }
        }
    }

    /// Starts the close handshake (RFC 6120 §4.4): our `</stream:stream>`, then the
    /// peer's is awaited for `timeout`. Mid-TLS nothing can be written: the
    /// connection just stops. The caller moves its phase to closing.
    fn start_close(&mut self, now: Instant, timeout: Duration) {
        if self.machinery().tls_pending() {
            self.machinery().abandon(CloseReason::Local);
            return;
        }
        self.ensure_open();
        let wire = self.machinery();
        wire.close_stream();
        wire.timers.clear(TimerKind::Negotiation);
        wire.timers.clear(TimerKind::Keepalive);
        wire.timers
            .set_after(TimerKind::CloseHandshake, now, Some(timeout));
    }

    /// Writes a stanza the application gave: one that cannot be serialized, or a
    /// stream that takes no more, is a command error and nothing is written.
    fn send_for_app(&mut self, now: Instant, element: &Element) -> Result<(), CommandError> {
        self.machinery().send(now, element).map_err(|e| match e {
            WriteError::Serialize(e) => CommandError::Unserializable(e),
            _ => CommandError::Closed,
        })
    }
}

/// Whether `element` is a stanza of a client-to-server stream: `message`, `presence`
/// or `iq` in `jabber:client`. The same names in any other namespace (`jabber:server`
/// above all) never get here: the stream reader ends the stream with
/// `invalid-namespace` for them (RFC 6120 §4.8.3, see `stream::toplevel`).
pub(crate) fn is_stanza(element: &Element) -> bool {
    *element.ns() == xmpp_stanza::ns::CLIENT && xmpp_stanza::Stanza::is_stanza(element)
}

impl<T: Shared> Role for T {
    type Event = T::Event;

    fn wire(&mut self) -> &mut Wire<T::Event> {
        self.machinery()
    }

    fn on_event(&mut self, now: Instant, event: StreamEvent, more: bool) {
        self.dispatch(now, event, more);
    }

    fn violation(&mut self, _now: Instant, violation: Violation) {
        self.reject(violation);
    }
}
