//! [`Wire`]: what both roles share — the stream reader and writer, the output queue,
//! the timer table — and the input loop that feeds the reader and hands each event
//! to the role.

use std::time::{Duration, Instant};

use xmpp_stanza::{CompactStr, Element, StreamError};

use super::close::{CloseReason, Violation};
use super::output::{Output, OutputQueue};
use super::timers::{TimerKind, Timers};
use super::tls::TlsRole;
use crate::stream::{
    ReaderConfig, StreamAttributes, StreamEvent, StreamReader, StreamWriter, WriteError,
};

/// One connection's stream machinery, role-independent.
#[derive(Debug)]
pub(crate) struct Wire<E> {
    pub(crate) reader: StreamReader,
    pub(crate) writer: StreamWriter,
    pub(crate) out: OutputQueue<E>,
    pub(crate) timers: Timers,
    /// The keepalive interval, applied while the keepalive timer is armed.
    keepalive: Option<Duration>,
    /// How long the peer may stay silent.
    read_idle: Option<Duration>,
    /// `StartTls` was queued and the handshake has not completed: nothing is written
    /// or read.
    tls_pending: bool,
    /// `Closed` was queued: the connection is finished.
    closed: bool,
}

impl<E> Wire<E> {
    /// Machinery for a stream read with `reader`, timers as given.
    pub(crate) fn new(
        reader: ReaderConfig,
        keepalive: Option<Duration>,
        read_idle: Option<Duration>,
        now: Instant,
    ) -> Wire<E> {
        let mut timers = Timers::default();
        timers.set_after(TimerKind::ReadIdle, now, read_idle);
        Wire {
            reader: StreamReader::new(reader),
            writer: StreamWriter::c2s(),
            out: OutputQueue::default(),
            timers,
            // A zero interval would ask for whitespace on every call: it means "off".
            keepalive: keepalive.filter(|interval| !interval.is_zero()),
            read_idle,
            tls_pending: false,
            closed: false,
        }
    }

    /// Whether `Closed` was queued.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Whether the TLS handshake is under way.
    pub(crate) fn tls_pending(&self) -> bool {
        self.tls_pending
    }

    /// Whether the writer can write (header sent, not closed, TLS not starting).
    pub(crate) fn can_write(&self) -> bool {
        !self.closed && !self.tls_pending && self.writer.is_open()
    }

    /// Notes that we wrote at `now` (the keepalive timer counts from here).
    fn wrote(&mut self, now: Instant) {
        if self.timers.get(TimerKind::Keepalive).is_some() {
            self.timers
                .set_after(TimerKind::Keepalive, now, self.keepalive);
        }
    }

    /// Starts the keepalive timer (when the session goes online).
    pub(crate) fn start_keepalive(&mut self, now: Instant) {
        self.timers
            .set_after(TimerKind::Keepalive, now, self.keepalive);
    }

    /// Notes that the peer sent something at `now`.
    pub(crate) fn heard(&mut self, now: Instant) {
        if self.read_idle.is_some() {
            self.timers
                .set_after(TimerKind::ReadIdle, now, self.read_idle);
        }
    }

    /// Writes our stream header.
    pub(crate) fn open(
        &mut self,
        now: Instant,
        attrs: &StreamAttributes,
    ) -> Result<(), WriteError> {
        self.writer.open(self.out.bytes(), attrs)?;
        self.wrote(now);
        Ok(())
    }

    /// Writes a top-level element; nothing is written on error.
    pub(crate) fn send(&mut self, now: Instant, element: &Element) -> Result<(), WriteError> {
        if self.tls_pending || self.closed {
            return Err(WriteError::Closed);
        }
        self.writer.element(self.out.bytes(), element)?;
        self.wrote(now);
        Ok(())
    }

    /// Writes a whitespace keepalive.
    pub(crate) fn keepalive(&mut self, now: Instant) {
        if self.can_write() && self.writer.keepalive(self.out.bytes()).is_ok() {
            self.wrote(now);
        }
    }

    /// Writes `</stream:stream>` if our stream is open.
    pub(crate) fn close_stream(&mut self) {
        if self.can_write() {
            // Cannot fail: the writer is open.
            let _ = self.writer.close(self.out.bytes());
        }
    }

    /// Writes a stream error and `</stream:stream>`, if our stream is open.
    pub(crate) fn stream_error(&mut self, error: &StreamError) {
        if self.can_write() {
            // Cannot fail on an open writer; an unserializable application condition
            // is dropped by writing the bare condition instead.
            if self.writer.stream_error(self.out.bytes(), error).is_err() {
                let _ = self
                    .writer
                    .stream_error(self.out.bytes(), &StreamError::new(error.condition));
            }
        }
        self.close_stream();
    }

    /// Queues an event.
    pub(crate) fn event(&mut self, event: E) {
        if !self.closed {
            self.out.event(event);
        }
    }

    /// Queues the TLS hand-off; reading and writing stop until [`tls_established`].
    ///
    /// [`tls_established`]: Self::tls_established
    pub(crate) fn start_tls(&mut self, role: TlsRole, server_name: CompactStr) {
        self.out.start_tls(role, server_name);
        self.tls_pending = true;
    }

    /// The TLS handshake completed: the stream restarts.
    pub(crate) fn tls_established(&mut self) {
        self.tls_pending = false;
        self.restart();
    }

    /// Both directions start a new stream (RFC 6120 §4.3.3).
    pub(crate) fn restart(&mut self) {
        self.reader.reset();
        self.writer.reset();
    }

    /// Ends the connection with `reason` (after whatever was queued).
    pub(crate) fn finish(&mut self, reason: CloseReason) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.timers.clear_all();
        self.out.closed(reason);
    }

    /// Ends the connection without writing anything more: queued bytes and a queued
    /// TLS hand-off are dropped (used when the transport must be abandoned).
    pub(crate) fn abandon(&mut self, reason: CloseReason) {
        self.out.discard_transport();
        self.finish(reason);
    }

    /// The next output; `Wait` reports the earlier of the timers and `extra`.
    pub(crate) fn poll(&mut self, extra: Option<Instant>) -> Output<E> {
        let deadline = super::timers::earliest(self.timers.earliest(), extra);
        self.out.pop(deadline)
    }

    /// Heap bytes held by the reader buffer and the output queue (memory accounting).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.reader.buffered_capacity() + self.out.heap_bytes()
    }
}

/// What a role does with the events of the input loop.
pub(crate) trait Role {
    /// The role's event type.
    type Event;

    /// The shared machinery.
    fn wire(&mut self) -> &mut Wire<Self::Event>;

    /// Handles one reader event; `more` says whether bytes other than whitespace
    /// follow it in the input.
    fn on_event(&mut self, now: Instant, event: StreamEvent, more: bool);

    /// Closes the connection for a peer violation.
    fn violation(&mut self, now: Instant, violation: Violation);
}

/// Feeds `input` to the role's reader, one event at a time, until it is used up or
/// the connection stops reading (closed, or TLS starting).
pub(crate) fn feed<R: Role>(role: &mut R, now: Instant, input: &[u8]) {
    let wire = role.wire();
    if wire.is_closed() || input.is_empty() {
        return;
    }
    if wire.tls_pending() {
        if !is_whitespace(input) {
            role.violation(now, Violation::PlaintextBeforeTls);
        }
        return;
    }
    wire.heard(now);
    let mut rest = input;
    while !rest.is_empty() {
        let wire = role.wire();
        if wire.is_closed() {
            return;
        }
        if wire.tls_pending() {
            // Whitespace between elements means nothing (RFC 6120 §11.7): clients
            // such as go-sendxmpp end `<starttls/>` with a newline in the same
            // write. Anything else is plaintext injected before TLS.
            if !is_whitespace(rest) {
                role.violation(now, Violation::PlaintextBeforeTls);
            }
            return;
        }
        let read = wire.reader.read(rest);
        if rest.len() == read.as_ref().map_or(0, |s| s.consumed) {
            // The input is used up: between elements, give back the parsing
            // scratch memory, so an idle connection holds little.
            wire.reader.release_memory();
        }
        match read {
            Ok(step) => {
                rest = rest.get(step.consumed..).unwrap_or_default();
                if let Some(event) = step.event {
                    role.on_event(now, event, !is_whitespace(rest));
                }
            }
            Err(e) => {
                role.violation(now, Violation::Read(e));
                return;
            }
        }
    }
}

/// Whether `bytes` are XML whitespace only (empty included).
fn is_whitespace(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// The reason a timer closes the connection with, after writing what it needs.
/// `Keepalive` is handled by the roles (it does not close).
pub(crate) fn timeout_close<E>(wire: &mut Wire<E>, kind: TimerKind) {
    use xmpp_stanza::StreamErrorCondition as C;
    if wire.tls_pending() {
        // Nothing can be written mid-handshake; drop the hand-off too.
        wire.abandon(CloseReason::Timeout(kind));
        return;
    }
    match kind {
        TimerKind::CloseHandshake => {}
        TimerKind::Negotiation | TimerKind::ReadIdle => {
            wire.stream_error(&StreamError::new(C::ConnectionTimeout));
        }
        TimerKind::Keepalive => return,
    }
    wire.finish(CloseReason::Timeout(kind));
}
