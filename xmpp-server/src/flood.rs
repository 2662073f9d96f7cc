//! Flood control: a [`TokenBucket`] per session, fed by the `now` of each input.

use std::time::Instant;

use crate::config::FloodLimit;

/// One token in the bucket's unit (`u32::MAX` tokens of it still fit a `u64`).
const NANO: u64 = 1_000_000_000;

/// A token bucket refilled continuously at `per_second`, holding at most `burst`.
#[derive(Clone, Debug)]
pub(crate) struct TokenBucket {
    limit: FloodLimit,
    /// Tokens, in billionths: a refill of `per_second` tokens a second is then
    /// exactly `per_second` of these a nanosecond, so no interval is rounded.
    nano_tokens: u64,
    last: Instant,
}

impl TokenBucket {
    pub(crate) fn new(limit: FloodLimit, now: Instant) -> TokenBucket {
        TokenBucket {
            limit,
            nano_tokens: u64::from(limit.burst) * NANO,
            last: now,
        }
    }

    /// Takes one token; `false` when the bucket is empty (the sender floods). A
    /// `now` earlier than the previous one refills nothing.
    pub(crate) fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last);
        self.last = self.last.max(now);
        let refill = elapsed
            .as_nanos()
            .saturating_mul(u128::from(self.limit.per_second));
        let cap = u64::from(self.limit.burst) * NANO;
        let refill = u64::try_from(refill).unwrap_or(u64::MAX);
        self.nano_tokens = self.nano_tokens.saturating_add(refill).min(cap);
        if self.nano_tokens >= NANO {
            self.nano_tokens -= NANO;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(
            FloodLimit {
                burst: 3,
                per_second: 2,
            },
            t0,
        );
        assert!(b.take(t0) && b.take(t0) && b.take(t0));
        assert!(!b.take(t0));
        assert!(!b.take(t0 + Duration::from_millis(400)));
        assert!(b.take(t0 + Duration::from_millis(500)));
        assert!(!b.take(t0 + Duration::from_millis(500)));
        // Going back in time refills nothing and never panics.
        assert!(!b.take(t0));
        // A long pause refills only up to the burst.
        let later = t0 + Duration::from_secs(3600);
        assert!(b.take(later) && b.take(later) && b.take(later));
        assert!(!b.take(later));
    }

    /// The refill counts every elapsed nanosecond, not whole milliseconds: a
    /// client within its rate whose stanzas arrive at fractional-millisecond
    /// spacing must not lose the fractions (300/s allows one stanza every
    /// 3.33 ms; one every 3.9 ms is well within it).
    #[test]
    fn fractional_milliseconds_refill() {
        let t0 = Instant::now();
        let limit = FloodLimit {
            burst: 5,
            per_second: 300,
        };
        let mut b = TokenBucket::new(limit, t0);
        let mut t = t0;
        for n in 0..1000 {
            t += Duration::from_micros(3900);
            assert!(b.take(t), "stanza {n} at 256/s refused by a 300/s limit");
        }
        let mut b = TokenBucket::new(
            FloodLimit {
                burst: 1,
                per_second: 1000,
            },
            t0,
        );
        assert!(b.take(t0));
        assert!(!b.take(t0 + Duration::from_micros(500)));
        assert!(
            b.take(t0 + Duration::from_micros(1000)),
            "1 ms is one token"
        );
    }
}
