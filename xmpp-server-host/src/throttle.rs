//! [`ReadThrottle`]: per-connection flood control by reading more slowly, as
//! Prosody's `mod_limits` and ejabberd's shapers do — a client that sends faster
//! than its stanza or byte rate is not cut off (which would lose what it had in
//! flight); its socket is read later, and TCP pushes back on it.

use std::time::{Duration, Instant};

/// A stanza and a byte rate, each a token bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rates {
    /// Stanzas per second, and the burst allowed above it (`None`: unlimited).
    pub stanzas: Option<(u32, u32)>,
    /// Bytes per second; bursts of one second (`None`: unlimited).
    pub bytes: Option<u32>,
}

/// One token bucket in fixed point (nanotokens), so that refills at any rate are
/// exact.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    /// Tokens per second.
    rate: u64,
    /// Capacity, in nanotokens.
    capacity: i128,
    /// Tokens now, in nanotokens; negative when in debt.
    level: i128,
    at: Instant,
}

const NANO: i128 = 1_000_000_000;

impl Bucket {
    fn new(rate: u32, burst: u32, now: Instant) -> Bucket {
        let capacity = i128::from(burst.max(1)) * NANO;
        Bucket {
            rate: u64::from(rate.max(1)),
            capacity,
            level: capacity,
            at: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at);
        self.at = now;
        let nanos = i128::try_from(elapsed.as_nanos()).unwrap_or(i128::MAX);
        let gained = nanos.saturating_mul(i128::from(self.rate));
        self.level = self.level.saturating_add(gained).min(self.capacity);
    }

    fn take(&mut self, now: Instant, tokens: u64) {
        self.refill(now);
        self.level = self.level.saturating_sub(i128::from(tokens) * NANO);
    }

    /// When the debt is paid, if there is one.
    fn clear_at(&mut self, now: Instant) -> Option<Instant> {
        self.refill(now);
        if self.level >= 0 {
            return None;
        }
        let nanos = (-self.level) / i128::from(self.rate);
        let wait = Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
        now.checked_add(wait)
    }
}

/// The buckets of one connection.
#[derive(Clone, Debug)]
pub(crate) struct ReadThrottle {
    stanzas: Option<Bucket>,
    bytes: Option<Bucket>,
    /// Time spent waiting so far (for metrics and tests).
    pub(crate) paused: Duration,
}

impl ReadThrottle {
    pub(crate) fn new(rates: Rates, now: Instant) -> ReadThrottle {
        ReadThrottle {
            stanzas: rates
                .stanzas
                .map(|(rate, burst)| Bucket::new(rate, burst, now)),
            bytes: rates.bytes.map(|rate| Bucket::new(rate, rate, now)),
            paused: Duration::ZERO,
        }
    }

    /// A stanza arrived.
    pub(crate) fn stanza(&mut self, now: Instant) {
        if let Some(bucket) = &mut self.stanzas {
            bucket.take(now, 1);
        }
    }

    /// `n` bytes arrived.
    pub(crate) fn bytes(&mut self, now: Instant, n: usize) {
        if let Some(bucket) = &mut self.bytes {
            bucket.take(now, u64::try_from(n).unwrap_or(u64::MAX));
        }
    }

    /// When the socket may be read again (`None`: now).
    pub(crate) fn resume_at(&mut self, now: Instant) -> Option<Instant> {
        let a = self.stanzas.as_mut().and_then(|b| b.clear_at(now));
        let b = self.bytes.as_mut().and_then(|b| b.clear_at(now));
        let at = a.max(b)?;
        self.paused += at.saturating_duration_since(now);
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_burst_is_free_then_the_rate_holds() {
        let t0 = Instant::now();
        let mut t = ReadThrottle::new(
            Rates {
                stanzas: Some((100, 10)),
                bytes: None,
            },
            t0,
        );
        for _ in 0..10 {
            t.stanza(t0);
        }
        assert_eq!(t.resume_at(t0), None, "the burst is allowed");
        t.stanza(t0);
        // One stanza in debt at 100/s: 10 ms.
        assert_eq!(t.resume_at(t0), Some(t0 + Duration::from_millis(10)));
        assert_eq!(t.resume_at(t0 + Duration::from_millis(10)), None);
    }

    #[test]
    fn bytes_are_limited_too_and_the_later_limit_wins() {
        let t0 = Instant::now();
        let mut t = ReadThrottle::new(
            Rates {
                stanzas: Some((1000, 1000)),
                bytes: Some(1000),
            },
            t0,
        );
        t.bytes(t0, 3000);
        t.stanza(t0);
        // 2000 bytes in debt at 1000 B/s.
        assert_eq!(t.resume_at(t0), Some(t0 + Duration::from_secs(2)));
        assert_eq!(t.paused, Duration::from_secs(2));
    }

    #[test]
    fn unlimited_never_pauses() {
        let t0 = Instant::now();
        let mut t = ReadThrottle::new(
            Rates {
                stanzas: None,
                bytes: None,
            },
            t0,
        );
        for _ in 0..100_000 {
            t.stanza(t0);
            t.bytes(t0, usize::MAX);
        }
        assert_eq!(t.resume_at(t0), None);
    }

    #[test]
    fn refills_are_capped_at_the_burst() {
        let t0 = Instant::now();
        let mut t = ReadThrottle::new(
            Rates {
                stanzas: Some((10, 5)),
                bytes: None,
            },
            t0,
        );
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..6 {
            t.stanza(later);
        }
        assert_eq!(t.resume_at(later), Some(later + Duration::from_millis(100)));
    }
}
