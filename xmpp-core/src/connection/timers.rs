//! The connection's timers: a small fixed table, one slot per [`TimerKind`], whose
//! earliest deadline the connection reports with [`Output::Wait`](crate::Output::Wait).

use std::time::{Duration, Instant};

/// The timers a connection runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimerKind {
    /// From construction until the session is online (or, on the server, until the
    /// client has bound a resource): a peer that takes longer is dropped.
    Negotiation,
    /// From sending `</stream:stream>` until the peer closes its stream in return.
    CloseHandshake,
    /// Time since we last sent anything, once online: when it fires, a whitespace
    /// keepalive (RFC 6120 §4.6.1) is sent.
    Keepalive,
    /// Time since the peer last sent anything: when it fires, the stream is closed
    /// with `connection-timeout`.
    ReadIdle,
}

impl TimerKind {
    /// Every timer, in the order expired timers are handled.
    pub const ALL: [TimerKind; 4] = [
        TimerKind::CloseHandshake,
        TimerKind::Negotiation,
        TimerKind::ReadIdle,
        TimerKind::Keepalive,
    ];

    fn slot(self) -> usize {
        match self {
            TimerKind::CloseHandshake => 0,
            TimerKind::Negotiation => 1,
            TimerKind::ReadIdle => 2,
            TimerKind::Keepalive => 3,
        }
    }
}

/// One deadline per [`TimerKind`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Timers {
    slots: [Option<Instant>; 4],
}

impl Timers {
    /// Arms `kind` to fire at `at` (replacing an earlier setting).
    #[cfg(test)]
    pub(crate) fn set(&mut self, kind: TimerKind, at: Instant) {
        self.slots[kind.slot()] = Some(at);
    }

    /// Arms `kind` to fire `after` from `now`, if `after` is given; disarms it if not.
    pub(crate) fn set_after(&mut self, kind: TimerKind, now: Instant, after: Option<Duration>) {
        self.slots[kind.slot()] = after.and_then(|d| now.checked_add(d));
    }

    /// Disarms `kind`.
    pub(crate) fn clear(&mut self, kind: TimerKind) {
        self.slots[kind.slot()] = None;
    }

    /// Disarms every timer.
    pub(crate) fn clear_all(&mut self) {
        self.slots = [None; 4];
    }

    /// The deadline of `kind`, if armed.
    pub(crate) fn get(&self, kind: TimerKind) -> Option<Instant> {
        self.slots[kind.slot()]
    }

    /// The earliest armed deadline.
    pub(crate) fn earliest(&self) -> Option<Instant> {
        self.slots.iter().flatten().min().copied()
    }

    /// Whether `kind` is due at `now`; if so, it is disarmed.
    pub(crate) fn take_if_expired(&mut self, kind: TimerKind, now: Instant) -> bool {
        let due = self.get(kind).is_some_and(|at| at <= now);
        if due {
            self.clear(kind);
        }
        due
    }
}

/// The earlier of two optional deadlines.
pub(crate) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_and_expiry_order() {
        let base = Instant::now();
        let at = |s| base + Duration::from_secs(s);
        let mut t = Timers::default();
        assert_eq!(t.earliest(), None);
        t.set(TimerKind::Keepalive, at(5));
        t.set(TimerKind::Negotiation, at(5));
        t.set_after(TimerKind::ReadIdle, base, Some(Duration::from_secs(9)));
        t.set_after(TimerKind::CloseHandshake, base, None);
        assert_eq!(t.earliest(), Some(at(5)));
        assert!(!t.take_if_expired(TimerKind::Keepalive, at(4)));
        assert!(t.take_if_expired(TimerKind::Negotiation, at(6)));
        assert!(!t.take_if_expired(TimerKind::Negotiation, at(6)));
        assert!(!t.take_if_expired(TimerKind::ReadIdle, at(6)));
        assert!(t.take_if_expired(TimerKind::Keepalive, at(6)));
        assert_eq!(t.earliest(), Some(at(9)));
        t.clear_all();
        assert_eq!(t.earliest(), None);
        assert_eq!(earliest(Some(at(1)), Some(at(2))), Some(at(1)));
        assert_eq!(earliest(None, Some(at(2))), Some(at(2)));
    }
}
