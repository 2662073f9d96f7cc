//! [`IqTracker`]: IQ requests waiting for their response, matched by id and sender,
//! each with its own deadline.

use std::time::Instant;

use xmpp_jid::{FullJid, Jid};
use xmpp_stanza::{CompactStr, Iq, IqPayload};

use crate::connection::CommandError;

/// One request in flight.
#[derive(Debug)]
struct Pending {
    id: CompactStr,
    to: Option<Jid>,
    /// `None`: never (a timeout too large to represent).
    deadline: Option<Instant>,
}

/// The IQ requests in flight, in the order they were sent (no hashing: expiry and
/// iteration order are deterministic).
#[derive(Debug, Default)]
pub(crate) struct IqTracker {
    pending: Vec<Pending>,
}

impl IqTracker {
    /// Fails if a request with `id` is already in flight (or `id` is empty).
    pub(crate) fn check_new(&self, id: &str) -> Result<(), CommandError> {
        if id.is_empty() {
            return Err(CommandError::MissingIqId);
        }
        if self.pending.iter().any(|p| p.id == id) {
            return Err(CommandError::DuplicateIqId);
        }
        Ok(())
    }

    /// Tracks a request sent to `to` with `id` until `deadline` (`None`: forever).
    pub(crate) fn insert(&mut self, id: CompactStr, to: Option<Jid>, deadline: Option<Instant>) {
        self.pending.push(Pending { id, to, deadline });
    }

    /// If `iq` is the response to a request in flight (same id, from the entity the
    /// request went to), stops tracking that request and returns true. `own` is the
    /// session's JID.
    pub(crate) fn take_response(&mut self, iq: &Iq, own: &FullJid) -> bool {
        if iq.payload.is_request() {
            return false;
        }
        let Some(index) = self
            .pending
            .iter()
            .position(|p| p.id == iq.id && sender_matches(p.to.as_ref(), iq.from.as_ref(), own))
        else {
            return false;
        };
        self.remove(index);
        true
    }

    /// Removes entry `index`, releasing the table's memory when it empties.
    fn remove(&mut self, index: usize) -> Pending {
        let p = self.pending.remove(index);
        if self.pending.is_empty() {
            self.pending = Vec::new();
        }
        p
    }

    /// The earliest deadline.
    pub(crate) fn earliest(&self) -> Option<Instant> {
        self.pending.iter().filter_map(|p| p.deadline).min()
    }

    /// Removes and returns the id of the first request (in sending order) whose
    /// deadline is at or before `now`.
    pub(crate) fn take_expired(&mut self, now: Instant) -> Option<CompactStr> {
        let index = self
            .pending
            .iter()
            .position(|p| p.deadline.is_some_and(|d| d <= now))?;
        Some(self.remove(index).id)
    }

    /// Number of requests in flight.
    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }

    /// Heap bytes held (memory accounting; JID strings not counted).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.pending.capacity() * std::mem::size_of::<Pending>()
    }
}

/// Whether a response from `from` may answer a request sent to `to` by `own`
/// (RFC 6120 §8.1.2.1, §10.3): from the addressee itself; for a request without `to`
/// (handled by the server for the account), from nobody, the account or the server.
fn sender_matches(to: Option<&Jid>, from: Option<&Jid>, own: &FullJid) -> bool {
    let bare = own.to_bare();
    let is_account = |j: &Jid| {
        j.as_str() == bare.as_str() || j.as_str() == own.as_str() || j.as_str() == own.domain()
    };
    match (to, from) {
        (None, None) => true,
        (None, Some(f)) => is_account(f),
        (Some(t), Some(f)) => t == f,
        (Some(t), None) => t.as_str() == bare.as_str() || t.as_str() == own.domain(),
    }
}

/// Whether `iq` is a request that must be tracked.
pub(crate) fn is_request(iq: &Iq) -> bool {
    matches!(iq.payload, IqPayload::Get(_) | IqPayload::Set(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use xmpp_stanza::Element;

    fn jid(s: &str) -> Jid {
        Jid::new(s).unwrap()
    }

    fn result(id: &str, from: Option<&str>) -> Iq {
        let mut iq = Iq::new(id, IqPayload::Result(None));
        iq.from = from.map(jid);
        iq
    }

    #[test]
    fn matching_by_id_and_sender() {
        let own = FullJid::new("juliet@example.com/balcony").unwrap();
        let t0 = Instant::now();
        let mut t = IqTracker::default();
        assert_eq!(t.check_new(""), Err(CommandError::MissingIqId));
        t.insert("a".into(), None, Some(t0 + Duration::from_secs(5)));
        t.insert("b".into(), Some(jid("romeo@example.net/orchard")), Some(t0));
        assert_eq!(t.check_new("a"), Err(CommandError::DuplicateIqId));
        // A spoofed sender does not answer "b".
        assert!(!t.take_response(&result("b", Some("mallory@evil.example")), &own));
        assert!(!t.take_response(&result("b", None), &own));
        assert!(t.take_response(&result("b", Some("romeo@example.net/orchard")), &own));
        // "a" went to the server: no from, or the account, or the domain.
        assert!(t.take_response(&result("a", Some("example.com")), &own));
        assert_eq!(t.len(), 0);
        let request = Iq::get("c", Element::new("ping", "urn:xmpp:ping"));
        assert!(is_request(&request));
        assert!(!t.take_response(&request, &own));
    }

    #[test]
    fn expiry_in_sending_order() {
        let t0 = Instant::now();
        let mut t = IqTracker::default();
        t.insert("late".into(), None, Some(t0 + Duration::from_secs(9)));
        t.insert("never".into(), None, None);
        t.insert("x".into(), None, Some(t0 + Duration::from_secs(3)));
        t.insert("y".into(), None, Some(t0 + Duration::from_secs(2)));
        assert_eq!(t.earliest(), Some(t0 + Duration::from_secs(2)));
        let now = t0 + Duration::from_secs(4);
        assert_eq!(t.take_expired(now).as_deref(), Some("x"));
        assert_eq!(t.take_expired(now).as_deref(), Some("y"));
        assert_eq!(t.take_expired(now), None);
        assert_eq!(t.len(), 2);
    }
}
