//! [`Output`]: what a connection hands its driver, and the ordered queue it is
//! drained from.

use std::collections::VecDeque;
use std::time::Instant;

use xmpp_stanza::CompactStr;

use super::close::CloseReason;
use super::tls::TlsRole;

/// One output of a connection, from
/// [`Connection::poll_output`](crate::Connection::poll_output). Outputs come in the
/// order they must take effect; drain them until [`Output::Wait`].
///
/// Deliberately exhaustive: a driver loop must handle every kind, so a new one
/// would be a breaking change that the compiler points out.
#[derive(Debug)]
pub enum Output<E> {
    /// Bytes to write to the transport (through TLS once it is up).
    Transmit(Vec<u8>),
    /// Every earlier byte has been handed out: flush them, then run a TLS handshake
    /// on the transport in `role`, and call
    /// [`handle_tls_established`](crate::Connection::handle_tls_established) when it
    /// completes. Until then the connection neither writes nor reads.
    StartTls {
        /// Which side of the handshake to take.
        role: TlsRole,
        /// Client: the XMPP domain, for SNI and to check the certificate against.
        /// Server: its own domain, to choose the certificate.
        server_name: CompactStr,
    },
    /// Something the application should know or answer.
    Event(E),
    /// The connection is finished: flush what was transmitted, then close the
    /// transport. Comes once; afterwards `poll_output` returns `Wait(None)`.
    Closed(CloseReason),
    /// Nothing more to do until input, a command, or the deadline (if any), when
    /// [`handle_timeout`](crate::Connection::handle_timeout) is due.
    Wait(Option<Instant>),
}

impl<E> Output<E> {
    /// The event, if this is one.
    pub fn event(&self) -> Option<&E> {
        match self {
            Output::Event(e) => Some(e),
            _ => None,
        }
    }
}

/// An output waiting in the queue (everything but `Wait`).
#[derive(Debug)]
enum Item<E> {
    Bytes(Vec<u8>),
    StartTls {
        role: TlsRole,
        server_name: CompactStr,
    },
    Event(E),
    Closed(CloseReason),
}

/// The ordered output queue. Consecutive writes share one byte buffer (`tail`), so a
/// burst of elements leaves as one [`Output::Transmit`].
#[derive(Debug)]
pub(crate) struct OutputQueue<E> {
    items: VecDeque<Item<E>>,
    /// Bytes written after the last queued item.
    tail: Vec<u8>,
    /// `Closed` was handed out: nothing more comes.
    finished: bool,
}

impl<E> Default for OutputQueue<E> {
    fn default() -> Self {
        OutputQueue {
            items: VecDeque::new(),
            tail: Vec::new(),
            finished: false,
        }
    }
}

impl<E> OutputQueue<E> {
    /// The byte buffer at the end of the queue, to append to.
    pub(crate) fn bytes(&mut self) -> &mut Vec<u8> {
        &mut self.tail
    }

    /// Moves the tail bytes into the queue, ahead of an item that follows them.
    fn seal(&mut self) {
        if !self.tail.is_empty() {
            let bytes = std::mem::take(&mut self.tail);
            self.items.push_back(Item::Bytes(bytes));
        }
    }

    /// Queues an event.
    pub(crate) fn event(&mut self, event: E) {
        self.seal();
        self.items.push_back(Item::Event(event));
    }

    /// Queues the TLS hand-off.
    pub(crate) fn start_tls(&mut self, role: TlsRole, server_name: CompactStr) {
        self.seal();
        self.items.push_back(Item::StartTls { role, server_name });
    }

    /// Queues the terminal `Closed`.
    pub(crate) fn closed(&mut self, reason: CloseReason) {
        self.seal();
        self.items.push_back(Item::Closed(reason));
    }

    /// Drops bytes and a TLS hand-off queued but not handed out (used when the
    /// transport is to be abandoned without writing, e.g. plaintext injected after
    /// `<proceed/>`). Events stay.
    pub(crate) fn discard_transport(&mut self) {
        self.tail = Vec::new();
        self.items
            .retain(|i| !matches!(i, Item::Bytes(_) | Item::StartTls { .. }));
    }

    /// The next output; `Wait(deadline)` when the queue is empty.
    pub(crate) fn pop(&mut self, deadline: Option<Instant>) -> Output<E> {
        if self.finished {
            return Output::Wait(None);
        }
        let Some(item) = self.items.pop_front() else {
            if !self.tail.is_empty() {
                return Output::Transmit(std::mem::take(&mut self.tail));
            }
            if self.items.capacity() > 0 {
                // Drained: an idle connection keeps no queue memory.
                self.items = VecDeque::new();
            }
            return Output::Wait(deadline);
        };
        match item {
            Item::Bytes(b) => Output::Transmit(b),
            Item::StartTls { role, server_name } => Output::StartTls { role, server_name },
            Item::Event(e) => Output::Event(e),
            Item::Closed(reason) => {
                self.finished = true;
                self.items = VecDeque::new();
                self.tail = Vec::new();
                Output::Closed(reason)
            }
        }
    }

    /// Bytes of heap memory held by the queue (for memory accounting).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<Item<E>>()
            + self.tail.capacity()
            + self
                .items
                .iter()
                .map(|i| match i {
                    Item::Bytes(b) => b.capacity(),
                    _ => 0,
                })
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_coalescing_and_end() {
        let mut q: OutputQueue<u8> = OutputQueue::default();
        q.bytes().extend_from_slice(b"ab");
        q.bytes().extend_from_slice(b"cd");
        q.start_tls(TlsRole::Client, "example.com".into());
        q.bytes();
        q.event(7);
        q.closed(CloseReason::Peer);
        assert!(matches!(q.pop(None), Output::Transmit(b) if b == b"abcd"));
        assert!(matches!(
            q.pop(None),
            Output::StartTls {
                role: TlsRole::Client,
                ..
            }
        ));
        assert!(matches!(q.pop(None), Output::Event(7)));
        assert!(matches!(q.pop(None), Output::Closed(CloseReason::Peer)));
        let later = Instant::now();
        assert!(matches!(q.pop(Some(later)), Output::Wait(None)));
    }

    #[test]
    fn discarding_the_transport_keeps_events() {
        let mut q: OutputQueue<u8> = OutputQueue::default();
        q.bytes().push(b'x');
        q.event(1);
        q.start_tls(TlsRole::Server, "example.com".into());
        q.bytes().push(b'y');
        q.discard_transport();
        assert!(matches!(q.pop(None), Output::Event(1)));
        assert!(matches!(q.pop(None), Output::Wait(None)));
    }
}
