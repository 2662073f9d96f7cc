//! [`AuthThrottle`]: slows password guessing across connections, like ejabberd's
//! `mod_fail2ban` and Prosody's `mod_limit_auth`, without ever locking out the
//! owner of an account.
//!
//! # Why
//!
//! RFC 6120 §6.4.5 lets the receiving entity limit SASL retries, and the
//! connection core does so per stream (`max_auth_failures`). A guesser simply opens
//! another stream: without this throttle, 1,000 wrong passwords on 1,000
//! connections are all answered at full speed. XEP-0205 (Best Practices to
//! Discourage Denial of Service Attacks) §3, item 3, weighs limiting authentication
//! attempts *per JID* and rejects it — "it might result in locking out the
//! legitimate owner of a Jabber ID" — recommending limits *per IP address* instead
//! (§4.1 Simultaneous Connections, §4.2 Connection Attempts). So this throttle is
//! mainly per source address; its per-account part is deliberately mild.
//!
//! # The rule
//!
//! Each failure is recorded against three keys: the source address (an IPv4
//! address as is; an IPv6 address by its /64 prefix, since one host usually owns a
//! whole /64; an IPv4-mapped IPv6 address as the IPv4 address), the account the
//! attempt named (if any) and the (address, account) pair. A record forgets all its
//! failures once it has seen none for [`AuthThrottleConfig::forget_after`]
//! (10 minutes).
//!
//! * **Per address** (strong): the first [`free_failures`](AuthThrottleConfig::free_failures)
//!   (3) failures cost nothing; after the n-th failure beyond them the address waits
//!   `base_delay · 2^(n-1)` (1 s, 2 s, 4 s …, at most `max_delay`, 60 s) counted
//!   from that failure.
//! * **Per account** (mild, across all addresses): only once the account has seen
//!   [`account_threshold`](AuthThrottleConfig::account_threshold) (10) failures,
//!   every address waits `account_base_delay · 2^(n-1)` after the account's latest
//!   failure, capped at `account_max_delay` (2 s).
//! * An attempt waits for the larger of the two: [`AuthThrottle::delay`].
//!
//! **No lockout of the real user.** Attackers hammering `alice@example.com` from
//! any number of other addresses raise only the account part, so Alice, from her
//! own address, waits at most `account_max_delay` (2 s) — never the 60 s of the
//! address part, which only her own address's failures can raise. A success
//! forgives the failures of its (address, account) pair, in the pair's record and
//! in the address's and the account's: a user who mistyped three times and then
//! got in starts clean. It forgives *only* that pair's failures — not the whole
//! address — or a guesser holding one account of their own could log into it
//! between guesses at other accounts and never be slowed down.
//!
//! The throttle never learns whether an account exists: unknown and known accounts
//! are recorded alike, so its delays reveal nothing about which accounts exist.
//!
//! # Use
//!
//! On each authentication attempt (once the account it names is known, e.g. when
//! the SASL machine asks for credentials), take `d = delay(now, addr, account)`
//! **before** checking the credentials, and hold the answer — success *and*
//! failure — until `now + d`. Holding only failures would leak the verdict: a
//! guesser would stop waiting after a moment and read silence as "wrong". Report
//! the verdict with [`handle_failure`](AuthThrottle::handle_failure) or
//! [`handle_success`](AuthThrottle::handle_success) as soon as it is known. Call
//! [`handle_timeout`](AuthThrottle::handle_timeout) now and then (once a second,
//! or at [`next_timeout`](AuthThrottle::next_timeout)).
//!
//! Many parallel streams from one address are all held until the same instant, so
//! a guesser's rate from one address is about its concurrent streams per delay:
//! bound unauthenticated connections per address too (XEP-0205 §4.1).
//!
//! # Memory
//!
//! Each kind of record is bounded ([`max_addresses`](AuthThrottleConfig::max_addresses),
//! [`max_accounts`](AuthThrottleConfig::max_accounts),
//! [`max_pairs`](AuthThrottleConfig::max_pairs)); when one is full, the record idle
//! longest (oldest latest failure) is evicted. Every structure is a `BTreeMap`
//! with a second index by time of latest failure, so each operation costs
//! O(log n) and the behaviour depends on the inputs alone. An account's JID is
//! stored once and shared by its account and pair records.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use xmpp_jid::BareJid;

/// The throttle's settings; [`Default`] gives the values in the module
/// documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthThrottleConfig {
    /// Failures an address may have before its attempts are delayed (default 3).
    pub free_failures: u32,
    /// Delay after the first failure beyond the free ones; each further failure
    /// doubles it (default 1 s).
    pub base_delay: Duration,
    /// Cap on the per-address delay (default 60 s).
    pub max_delay: Duration,
    /// Failures an account must have seen, from all addresses together, before the
    /// per-account delay applies (default 10).
    pub account_threshold: u32,
    /// Per-account delay at the threshold; doubles with each further failure
    /// (default 1 s).
    pub account_base_delay: Duration,
    /// Cap on the per-account delay: the most that attacks from other addresses
    /// can make the account's owner wait (default 2 s).
    pub account_max_delay: Duration,
    /// A record with no failure for this long is forgotten (default 10 minutes).
    pub forget_after: Duration,
    /// Source addresses (IPv4 addresses, IPv6 /64 prefixes) tracked at most
    /// (default 100,000; 0 disables the per-address part).
    pub max_addresses: usize,
    /// Accounts tracked at most (default 100,000; 0 disables the per-account part).
    pub max_accounts: usize,
    /// (Address, account) pairs tracked at most, for forgiving on success
    /// (default 100,000).
    pub max_pairs: usize,
}

impl Default for AuthThrottleConfig {
    fn default() -> AuthThrottleConfig {
        AuthThrottleConfig {
            free_failures: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            account_threshold: 10,
            account_base_delay: Duration::from_secs(1),
            account_max_delay: Duration::from_secs(2),
            forget_after: Duration::from_secs(600),
            max_addresses: 100_000,
            max_accounts: 100_000,
            max_pairs: 100_000,
        }
    }
}

/// Authentication failures by source address, account and pair, turned into a
/// delay for each new attempt, to slow password guessing across connections.
///
/// * **Per address** (an IPv4 address; an IPv6 /64): after `free_failures` (3)
///   free failures, each further one doubles the wait — 1 s, 2 s, 4 s … up to
///   `max_delay` (60 s) — counted from the latest failure.
/// * **Per account**, across addresses, mild: only from `account_threshold` (10)
///   failures on, and at most `account_max_delay` (2 s). Attacks on an account from
///   other addresses therefore never keep its owner waiting more than 2 s.
/// * A success forgives the failures of its (address, account) pair only, so a
///   guesser cannot reset their address by logging into an account of their own.
/// * Records are forgotten after `forget_after` (10 minutes) without failures, and
///   each kind is bounded, evicting the record idle longest.
///
/// Whether an account exists is never an input, so delays reveal nothing about it.
/// Take [`delay`](Self::delay) before checking the credentials and hold every
/// answer — success or failure — that long, or the hold itself tells a guesser
/// which answers are failures.
///
/// ```
/// use std::net::IpAddr;
/// use std::time::{Duration, Instant};
/// use xmpp_jid::BareJid;
/// use xmpp_server::{AuthThrottle, AuthThrottleConfig};
///
/// let mut throttle = AuthThrottle::new(AuthThrottleConfig::default());
/// let now = Instant::now();
/// let addr: IpAddr = "192.0.2.7".parse().unwrap();
/// let alice = BareJid::new("alice@example.com").unwrap();
/// for _ in 0..4 {
///     assert!(throttle.delay(now, addr, Some(&alice)) <= Duration::from_secs(1));
///     throttle.handle_failure(now, addr, Some(&alice));
/// }
/// assert_eq!(throttle.delay(now, addr, Some(&alice)), Duration::from_secs(1));
/// throttle.handle_success(now, addr, &alice);
/// assert_eq!(throttle.delay(now, addr, Some(&alice)), Duration::ZERO);
/// ```
#[derive(Debug)]
pub struct AuthThrottle {
    config: AuthThrottleConfig,
    addresses: Table<IpAddr>,
    accounts: Table<Arc<BareJid>>,
    pairs: Table<(IpAddr, Arc<BareJid>)>,
}

impl AuthThrottle {
    /// An empty throttle.
    pub fn new(config: AuthThrottleConfig) -> AuthThrottle {
        AuthThrottle {
            addresses: Table::new(config.max_addresses),
            accounts: Table::new(config.max_accounts),
            pairs: Table::new(config.max_pairs),
            config,
        }
    }

    /// The configuration it was made with.
    pub fn config(&self) -> &AuthThrottleConfig {
        &self.config
    }

    /// How long to hold the answer to an authentication attempt from `addr` for
    /// `account` (`None` when the attempt names none): `Duration::ZERO` means answer
    /// now. Take it before checking the credentials and hold every answer, success
    /// or failure. Never more than the larger of `max_delay` and
    /// `account_max_delay`.
    ///
    /// A pure query (`&self`, unlike the `handle_*` inputs): asking changes
    /// nothing, so a host may ask as often as it likes.
    pub fn delay(&self, now: Instant, addr: IpAddr, account: Option<&BareJid>) -> Duration {
        let c = &self.config;
        let by_addr = self
            .addresses
            .live(&source(addr), now, c.forget_after)
            .map_or(Duration::ZERO, |r| {
                let step = backoff(r.failures, c.free_failures, c.base_delay, c.max_delay);
                until(r.last, step, now)
            });
        let by_account = account
            .and_then(|a| self.accounts.live(a, now, c.forget_after))
            .map_or(Duration::ZERO, |r| {
                let free = c.account_threshold.saturating_sub(1);
                let step = backoff(r.failures, free, c.account_base_delay, c.account_max_delay);
                until(r.last, step, now)
            });
        by_addr.max(by_account)
    }

    /// An attempt from `addr` failed: wrong password, unknown account, malformed
    /// or aborted exchange. `account` is the account the attempt named, whether
    /// or not it exists (`None` if it named none).
    pub fn handle_failure(&mut self, now: Instant, addr: IpAddr, account: Option<&BareJid>) {
        let forget = self.config.forget_after;
        let addr = source(addr);
        self.addresses.fail(addr, now, forget);
        if let Some(account) = account {
            let shared = self.shared(account);
            self.accounts.fail(Arc::clone(&shared), now, forget);
            self.pairs.fail((addr, shared), now, forget);
        }
    }

    /// An attempt from `addr` for `account` succeeded: forgets the failures of
    /// this (address, account) pair, in its own record and in the address's and
    /// the account's. Failures from this address on other accounts stay.
    pub fn handle_success(&mut self, now: Instant, addr: IpAddr, account: &BareJid) {
        let forget = self.config.forget_after;
        let addr = source(addr);
        let key = (addr, self.shared(account));
        let forgiven = self.pairs.live(&key, now, forget).map_or(0, |r| r.failures);
        self.pairs.remove(&key);
        if forgiven > 0 {
            self.addresses.forgive(&addr, forgiven);
            self.accounts.forgive(account, forgiven);
        }
    }

    /// Drops the records with no failure for `forget_after` (call now and then,
    /// e.g. once a second); returns how many records remain, as [`tracked`](Self::tracked).
    pub fn handle_timeout(&mut self, now: Instant) -> usize {
        let forget = self.config.forget_after;
        self.addresses.expire(now, forget);
        self.accounts.expire(now, forget);
        self.pairs.expire(now, forget);
        self.tracked()
    }

    /// When the earliest record will be forgotten: the next useful
    /// [`handle_timeout`](Self::handle_timeout) (`None`: nothing tracked).
    pub fn next_timeout(&self) -> Option<Instant> {
        let forget = self.config.forget_after;
        [
            self.addresses.oldest(),
            self.accounts.oldest(),
            self.pairs.oldest(),
        ]
        .into_iter()
        .flatten()
        .min()
        .map(|oldest| oldest.checked_add(forget).unwrap_or(oldest))
    }

    /// Records held: addresses, accounts and (address, account) pairs together.
    pub fn tracked(&self) -> usize {
        self.addresses.len() + self.accounts.len() + self.pairs.len()
    }

    /// The account's JID as stored once and shared by its records.
    fn shared(&self, account: &BareJid) -> Arc<BareJid> {
        self.accounts
            .key(account)
            .map_or_else(|| Arc::new(account.clone()), Arc::clone)
    }
}

/// The key of a source address: IPv4 as is (also when IPv4-mapped, as a
/// dual-stack socket reports it), IPv6 by its /64 prefix.
fn source(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

/// The wait after `failures`, of which `free` cost nothing: `base`, doubled for
/// each failure beyond `free + 1`, at most `cap`.
fn backoff(failures: u32, free: u32, base: Duration, cap: Duration) -> Duration {
    let Some(beyond) = failures.checked_sub(free).filter(|&n| n > 0) else {
        return Duration::ZERO;
    };
    let factor = 1u32.checked_shl(beyond - 1).unwrap_or(0);
    match base.checked_mul(factor) {
        Some(d) if factor > 0 => d.min(cap),
        _ => cap,
    }
}

/// What is left at `now` of a wait of `step` from `from`.
/// Never more than `step`, even if `now` is earlier than `from`.
fn until(from: Instant, step: Duration, now: Instant) -> Duration {
    from.checked_add(step)
        .map_or(step, |end| end.saturating_duration_since(now).min(step))
}

/// Failures counted for one key since its record last went quiet.
#[derive(Clone, Copy, Debug)]
struct Record {
    failures: u32,
    /// The latest failure (never moves back, even if `now` does).
    last: Instant,
    /// Tie-breaker in the age index: the order records were last touched.
    seq: u64,
}

/// Records by key, at most `capacity`, with an index by age for eviction and
/// expiry.
#[derive(Debug)]
struct Table<K> {
    records: BTreeMap<K, Record>,
    by_age: BTreeMap<(Instant, u64), K>,
    capacity: usize,
    next_seq: u64,
}

impl<K: Ord + Clone> Table<K> {
    fn new(capacity: usize) -> Table<K> {
        Table {
            records: BTreeMap::new(),
            by_age: BTreeMap::new(),
            capacity,
            next_seq: 0,
        }
    }

    fn len(&self) -> usize {
        self.records.len()
    }

    /// The stored key equal to `key`.
    fn key<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&K>
    where
        K: Borrow<Q>,
    {
        self.records.get_key_value(key).map(|(k, _)| k)
    }

    /// The record for `key` unless it has gone quiet for `forget`.
    fn live<Q: Ord + ?Sized>(&self, key: &Q, now: Instant, forget: Duration) -> Option<&Record>
    where
        K: Borrow<Q>,
    {
        self.records
            .get(key)
            .filter(|r| !quiet(r.last, now, forget))
    }

    /// Counts one failure for `key` at `now`, evicting the record idle longest if
    /// a new one does not fit.
    fn fail(&mut self, key: K, now: Instant, forget: Duration) {
        if self.capacity == 0 {
            return;
        }
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        if let Some(record) = self.records.get_mut(&key) {
            self.by_age.remove(&(record.last, record.seq));
            if quiet(record.last, now, forget) {
                record.failures = 0;
            }
            record.failures = record.failures.saturating_add(1);
            record.last = record.last.max(now);
            record.seq = seq;
            self.by_age.insert((record.last, seq), key);
            return;
        }
        while self.records.len() >= self.capacity {
            let Some((_, oldest)) = self.by_age.pop_first() else {
                break;
            };
            self.records.remove(&oldest);
        }
        let record = Record {
            failures: 1,
            last: now,
            seq,
        };
        self.records.insert(key.clone(), record);
        self.by_age.insert((now, seq), key);
    }

    /// Takes back `failures` from `key`'s count; a record left with none goes.
    fn forgive<Q: Ord + ?Sized>(&mut self, key: &Q, failures: u32)
    where
        K: Borrow<Q>,
    {
        let Some(record) = self.records.get_mut(key) else {
            return;
        };
        record.failures = record.failures.saturating_sub(failures);
        if record.failures == 0 {
            self.remove(key);
        }
    }

    fn remove<Q: Ord + ?Sized>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
    {
        if let Some(record) = self.records.remove(key) {
            self.by_age.remove(&(record.last, record.seq));
        }
    }

    /// Drops every record quiet for `forget` at `now`, oldest first.
    fn expire(&mut self, now: Instant, forget: Duration) {
        while let Some(entry) = self.by_age.first_entry() {
            if !quiet(entry.key().0, now, forget) {
                break;
            }
            let key = entry.remove();
            self.records.remove(&key);
        }
    }

    /// The latest failure of the record idle longest.
    fn oldest(&self) -> Option<Instant> {
        self.by_age.first_key_value().map(|(&(last, _), _)| last)
    }
}

/// Whether a record whose latest failure was at `last` has been quiet long
/// enough at `now` to be forgotten.
fn quiet(last: Instant, now: Instant, forget: Duration) -> bool {
    now.saturating_duration_since(last) >= forget
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn jid(s: &str) -> BareJid {
        BareJid::new(s).unwrap()
    }

    fn v4(n: u32) -> IpAddr {
        IpAddr::V4(std::net::Ipv4Addr::from(n))
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn fail_n(t: &mut AuthThrottle, now: Instant, addr: IpAddr, account: Option<&BareJid>, n: u32) {
        for _ in 0..n {
            t.handle_failure(now, addr, account);
        }
    }

    #[test]
    fn free_failures_then_doubling() {
        let mut t = AuthThrottle::new(AuthThrottleConfig::default());
        let now = Instant::now();
        let a = ip("192.0.2.1");
        let alice = jid("alice@example.com");
        let mut seen = Vec::new();
        for _ in 0..8 {
            seen.push(t.delay(now, a, Some(&alice)));
            t.handle_failure(now, a, Some(&alice));
        }
        seen.push(t.delay(now, a, Some(&alice)));
        let expected = [0, 0, 0, 0, 1, 2, 4, 8, 16].map(secs);
        assert_eq!(seen, expected);
        // The delay counts from the latest failure: waiting pays it off.
        assert_eq!(t.delay(now + secs(10), a, Some(&alice)), secs(6));
        assert_eq!(t.delay(now + secs(16), a, Some(&alice)), Duration::ZERO);
        // Another address is not affected.
        assert_eq!(t.delay(now, ip("192.0.2.2"), None), Duration::ZERO);
    }

    #[test]
    fn delay_is_capped() {
        let mut t = AuthThrottle::new(AuthThrottleConfig::default());
        let now = Instant::now();
        let a = ip("192.0.2.1");
        fail_n(&mut t, now, a, None, 9);
        assert_eq!(t.delay(now, a, None), secs(32));
        t.handle_failure(now, a, None);
        assert_eq!(t.delay(now, a, None), secs(60));
        fail_n(&mut t, now, a, None, 1_000);
        assert_eq!(t.delay(now, a, None), secs(60));
        // Past 32 doublings the shift itself would overflow: still the cap.
        t.addresses
            .records
            .values_mut()
            .for_each(|r| r.failures = u32::MAX - 1);
        t.handle_failure(now, a, None);
        assert_eq!(
            t.addresses.records.values().next().map(|r| r.failures),
            Some(u32::MAX)
        );
        assert_eq!(t.delay(now, a, None), secs(60));
    }

    #[test]
    fn records_decay_after_quiet() {
        let mut t = AuthThrottle::new(AuthThrottleConfig::default());
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        let alice = jid("alice@example.com");
        fail_n(&mut t, t0, a, Some(&alice), 12);
        assert_eq!(t.tracked(), 3);
        // Still remembered just before the forget period ends.
        let almost = t0 + secs(599);
        assert_eq!(t.handle_timeout(almost), 3);
        assert_eq!(t.next_timeout(), Some(t0 + secs(600)));
        t.handle_failure(almost, a, None); // the address stays busy; the account goes quiet
        let later = t0 + secs(600);
        assert_eq!(t.handle_timeout(later), 1);
        assert_eq!(t.next_timeout(), Some(almost + secs(600)));
        // The failure at `almost` was the 13th, counted in full: 60 s from then.
        assert_eq!(t.delay(later, a, None), secs(59));
        fail_n(&mut t, later, a, None, 1);
        assert_eq!(t.delay(later, a, None), secs(60));
        // A new failure after a quiet period starts again from one, even before a sweep.
        let quiet_again = later + secs(600);
        assert_eq!(t.delay(quiet_again, a, None), Duration::ZERO);
        t.handle_failure(quiet_again, a, None);
        assert_eq!(
            t.addresses.records.values().next().map(|r| r.failures),
            Some(1)
        );
        assert_eq!(t.handle_timeout(quiet_again + secs(600)), 0);
        assert_eq!(t.next_timeout(), None);
    }

    #[test]
    fn success_forgives_the_pair() {
        let mut t = AuthThrottle::new(AuthThrottleConfig::default());
        let now = Instant::now();
        let a = ip("192.0.2.1");
        let alice = jid("alice@example.com");
        fail_n(&mut t, now, a, Some(&alice), 6);
        assert_eq!(t.delay(now, a, Some(&alice)), secs(4));
        t.handle_success(now, a, &alice);
        assert_eq!(t.delay(now, a, Some(&alice)), Duration::ZERO);
        assert_eq!(t.tracked(), 0);
        // Clean again: three free failures before any delay.
        fail_n(&mut t, now, a, Some(&alice), 3);
        assert_eq!(t.delay(now, a, Some(&alice)), Duration::ZERO);
    }

    #[test]
    fn success_on_another_account_does_not_reset_the_address() {
        // A guesser who owns `mallory` cannot launder failures on `alice` by
        // logging into `mallory` between guesses.
        let mut t = AuthThrottle::new(AuthThrottleConfig::default());
        let now = Instant::now();
        let a = ip("192.0.2.66");
        let alice = jid("alice@example.com");
        let mallory = jid("mallory@example.com");
        fail_n(&mut t, now, a, Some(&alice), 6);
        fail_n(&mut t, now, a, Some(&mallory), 1);
        assert_eq!(t.delay(now, a, None), secs(8));
        t.handle_success(now, a, &mallory);
        assert_eq!(t.delay(now, a, Some(&mallory)), secs(4));
        t.handle_success(now, a, &mallory);
        assert_eq!(t.delay(now, a, Some(&alice)), secs(4));
    }

    #[test]
    fn distributed_attack_does_not_lock_out_the_owner() {
        let mut t = AuthThrottle::new(AuthThrottleConfig::default());
        let t0 = Instant::now();
        let alice = jid("alice@example.com");
        let home = ip("198.51.100.20");
        // 5,000 attackers, each guessing alice's password 20 times, interleaved.
        for round in 0..20u64 {
            let now = t0 + secs(round);
            for n in 0..5_000u32 {
                let attacker = IpAddr::from([10, (n >> 16) as u8, (n >> 8) as u8, n as u8]);
                t.handle_failure(now, attacker, Some(&alice));
            }
            // Each attacker is slowed hard; alice at home waits at most 2 s.
            let attacker = ip("10.0.0.7");
            let expected = backoff(round as u32 + 1, 3, secs(1), secs(60));
            assert_eq!(t.delay(now, attacker, Some(&alice)), expected.max(secs(2)));
            assert!(t.delay(now, home, Some(&alice)) <= secs(2));
        }
        let now = t0 + secs(19);
        assert_eq!(t.delay(now, home, Some(&alice)), secs(2));
        // She gets in; her address and other accounts were never affected.
        t.handle_success(now, home, &alice);
        assert_eq!(
            t.delay(now, home, Some(&jid("bob@example.com"))),
            Duration::ZERO
        );
        // Even her own typos on top cost her only the free failures first.
        fail_n(&mut t, now, home, Some(&alice), 3);
        assert_eq!(t.delay(now + secs(3), home, Some(&alice)), Duration::ZERO);
    }

    #[test]
    fn account_delay_needs_many_failures() {
        let mut t = AuthThrottle::new(AuthThrottleConfig::default());
        let now = Instant::now();
        let alice = jid("alice@example.com");
        let home = ip("198.51.100.20");
        for n in 0..9u8 {
            t.handle_failure(now, IpAddr::from([10, 0, 0, n]), Some(&alice));
        }
        assert_eq!(t.delay(now, home, Some(&alice)), Duration::ZERO);
        t.handle_failure(now, ip("10.0.1.1"), Some(&alice));
        assert_eq!(t.delay(now, home, Some(&alice)), secs(1));
        t.handle_failure(now, ip("10.0.1.2"), Some(&alice));
        assert_eq!(t.delay(now, home, Some(&alice)), secs(2));
        assert_eq!(t.delay(now + secs(1), home, Some(&alice)), secs(1));
        // Other accounts and attempts naming none are not slowed.
        assert_eq!(
            t.delay(now, home, Some(&jid("bob@example.com"))),
            Duration::ZERO
        );
        assert_eq!(t.delay(now, home, None), Duration::ZERO);
    }

    #[test]
    fn unknown_and_known_accounts_alike() {
        // The throttle is never told which accounts exist; the same history for
        // an existing and a made-up account gives the same delays at every step.
        let run = |account: &BareJid| {
            let mut t = AuthThrottle::new(AuthThrottleConfig::default());
            let t0 = Instant::now();
            let mut seen = Vec::new();
            for i in 0..40u64 {
                let now = t0 + Duration::from_millis(i * 700);
                let addr = IpAddr::from([203, 0, 113, (i % 3) as u8]);
                seen.push(t.delay(now, addr, Some(account)));
                t.handle_failure(now, addr, Some(account));
                seen.push(t.delay(now, ip("198.51.100.9"), Some(account)));
            }
            (seen, t.tracked())
        };
        let known = run(&jid("alice@example.com"));
        let unknown = run(&jid("no-such-user@example.com"));
        assert_eq!(known, unknown);
        assert!(known.0.iter().any(|d| *d > Duration::ZERO));
    }

    #[test]
    fn eviction_keeps_memory_bounded() {
        let config = AuthThrottleConfig {
            max_addresses: 1_000,
            max_accounts: 500,
            max_pairs: 700,
            ..AuthThrottleConfig::default()
        };
        let mut t = AuthThrottle::new(config);
        let t0 = Instant::now();
        for n in 0..2_000u32 {
            let now = t0 + Duration::from_millis(u64::from(n));
            let addr = v4(0x0a00_0000 + n);
            let account = jid(&format!("user{n}@example.com"));
            t.handle_failure(now, addr, Some(&account));
            assert!(t.addresses.len() <= 1_000);
            assert_eq!(t.addresses.by_age.len(), t.addresses.len());
            assert_eq!(t.accounts.by_age.len(), t.accounts.len());
            assert_eq!(t.pairs.by_age.len(), t.pairs.len());
        }
        assert_eq!(t.tracked(), 1_000 + 500 + 700);
        // The oldest-idle went: the first address is forgotten, the last kept.
        let now = t0 + secs(2);
        fail_n(&mut t, now, v4(0x0a00_0000 + 1_999u32), None, 3);
        assert_eq!(t.delay(now, v4(0x0a00_0000 + 1_999u32), None), secs(1));
        fail_n(&mut t, now, v4(0x0a00_0000), None, 3);
        assert_eq!(t.delay(now, v4(0x0a00_0000), None), Duration::ZERO);
        // A record touched again is young again: it outlives older ones.
        let addr = |n: u32| v4(0x0a00_0000 + n);
        t.handle_failure(now, addr(1_500), None);
        for n in 0..998u32 {
            t.handle_failure(now + secs(1), v4(0x0b00_0000 + n), None);
        }
        assert!(t.addresses.records.contains_key(&addr(1_500)));
        assert!(!t.addresses.records.contains_key(&addr(1_501)));
        assert!(!t.addresses.records.contains_key(&addr(1_999)));
        assert!(t.addresses.records.contains_key(&addr(0)));
        assert_eq!(t.addresses.len(), 1_000);
        // Capacity zero tracks nothing and never panics.
        let mut off = AuthThrottle::new(AuthThrottleConfig {
            max_addresses: 0,
            max_accounts: 0,
            max_pairs: 0,
            ..AuthThrottleConfig::default()
        });
        fail_n(
            &mut off,
            now,
            IpAddr::from([10, 0, 0, 1]),
            Some(&jid("a@b")),
            50,
        );
        assert_eq!(off.tracked(), 0);
        assert_eq!(
            off.delay(now, IpAddr::from([10, 0, 0, 1]), None),
            Duration::ZERO
        );
    }

    #[test]
    fn ipv6_grouped_by_64() {
        let mut t = AuthThrottle::new(AuthThrottleConfig::default());
        let now = Instant::now();
        fail_n(&mut t, now, ip("2001:db8:1:2::1"), None, 2);
        fail_n(&mut t, now, ip("2001:db8:1:2:ffff:ffff:ffff:ffff"), None, 2);
        // Four failures from one /64: one record, delayed.
        assert_eq!(t.tracked(), 1);
        assert_eq!(t.delay(now, ip("2001:db8:1:2:abcd::9"), None), secs(1));
        // The neighbouring /64 is someone else.
        assert_eq!(t.delay(now, ip("2001:db8:1:3::1"), None), Duration::ZERO);
        // IPv4-mapped addresses (dual-stack sockets) are their IPv4 address, not
        // all of `::ffff:0:0/96` lumped together.
        fail_n(&mut t, now, ip("::ffff:192.0.2.1"), None, 4);
        assert_eq!(t.delay(now, ip("192.0.2.1"), None), secs(1));
        assert_eq!(t.delay(now, ip("::ffff:192.0.2.2"), None), Duration::ZERO);
        // IPv4 is by the full address.
        assert_eq!(t.delay(now, ip("192.0.2.3"), None), Duration::ZERO);
        assert_eq!(source(ip("2001:db8::1:2:3:4")), ip("2001:db8::"));
    }

    #[test]
    fn time_going_backwards_never_panics_or_forgets() {
        let mut t = AuthThrottle::new(AuthThrottleConfig::default());
        let t1 = Instant::now() + secs(1_000);
        let a = ip("192.0.2.1");
        fail_n(&mut t, t1, a, None, 5);
        let earlier = t1 - secs(500);
        t.handle_failure(earlier, a, None);
        // Counted (the sixth failure: 4 s, from the latest failure at `t1`), but
        // never longer than the step, though `earlier` is 500 s before `t1`.
        assert_eq!(t.delay(earlier, a, None), secs(4));
        assert_eq!(t.delay(t1, a, None), secs(4));
        assert_eq!(t.delay(t1 + secs(3), a, None), secs(1));
        assert_eq!(t.handle_timeout(earlier), 1);
    }

    /// A long deterministic pseudo-random run (a fixed xorshift, no OS
    /// randomness): delays never exceed the caps, the indexes stay consistent and
    /// the same inputs give the same outputs.
    #[test]
    fn long_run_respects_caps_and_is_deterministic() {
        let run = || {
            let config = AuthThrottleConfig {
                max_addresses: 48,
                max_accounts: 16,
                max_pairs: 128,
                ..AuthThrottleConfig::default()
            };
            let cap = config.max_delay.max(config.account_max_delay);
            let mut t = AuthThrottle::new(config);
            let accounts: Vec<BareJid> =
                (0..24).map(|n| jid(&format!("u{n}@example.com"))).collect();
            let t0 = Instant::now();
            let mut now = t0;
            let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
            let mut trace = Vec::new();
            for _ in 0..50_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                now += Duration::from_millis(x % 200);
                // 40 IPv4 addresses and 20 IPv6 /64s (random interface ids).
                let addr = if x & 1 == 0 {
                    IpAddr::from([10, 0, 0, (x >> 8) as u8 % 40])
                } else {
                    let prefix = u128::from((x >> 8) % 20) << 64;
                    IpAddr::from(Ipv6Addr::from(prefix | u128::from(x >> 32)))
                };
                let account = (x & 2 == 0).then(|| &accounts[(x >> 16) as usize % accounts.len()]);
                let d = t.delay(now, addr, account);
                assert!(d <= cap, "{d:?}");
                match (x >> 24) % 10 {
                    0 => {
                        if let Some(account) = account {
                            t.handle_success(now, addr, account);
                        }
                    }
                    1 => {
                        let remaining = t.handle_timeout(now);
                        assert_eq!(remaining, t.tracked());
                    }
                    _ => t.handle_failure(now, addr, account),
                }
                assert!(t.addresses.len() <= 48 && t.accounts.len() <= 16 && t.pairs.len() <= 128);
                trace.push(d);
            }
            assert_eq!(t.addresses.by_age.len(), t.addresses.len());
            assert_eq!(t.accounts.by_age.len(), t.accounts.len());
            assert_eq!(t.pairs.by_age.len(), t.pairs.len());
            (trace, t.tracked(), now - t0)
        };
        let first = run();
        // The run did reach long delays, not only zeros.
        assert!(first.0.iter().any(|d| *d >= Duration::from_secs(30)));
        assert_eq!(first, run());
    }

    proptest::proptest! {
        /// Arbitrary addresses, accounts, steps and configurations: delays stay
        /// within the caps and nothing panics.
        #[test]
        fn delays_within_caps(
            ops in proptest::collection::vec((0u8..4, proptest::num::u128::ANY, 0u8..8, 0u64..1_000_000), 1..300),
            free in 0u32..6,
            threshold in 0u32..12,
            base_ms in 0u64..100_000,
            cap_ms in 0u64..100_000,
            account_cap_ms in 0u64..5_000,
            capacity in 0usize..8,
        ) {
            let config = AuthThrottleConfig {
                free_failures: free,
                base_delay: Duration::from_millis(base_ms),
                max_delay: Duration::from_millis(cap_ms),
                account_threshold: threshold,
                account_base_delay: Duration::from_millis(base_ms),
                account_max_delay: Duration::from_millis(account_cap_ms),
                forget_after: Duration::from_secs(60),
                max_addresses: capacity,
                max_accounts: capacity,
                max_pairs: capacity,
            };
            let cap = config.max_delay.max(config.account_max_delay);
            let accounts: Vec<BareJid> = (0..6).map(|n| jid(&format!("u{n}@example.com"))).collect();
            let mut t = AuthThrottle::new(config);
            let mut now = Instant::now();
            for (op, bits, who, step_ms) in ops {
                now += Duration::from_millis(step_ms);
                let addr = if bits & 1 == 0 {
                    IpAddr::from(Ipv6Addr::from(bits))
                } else {
                    IpAddr::from([192, 0, 2, (bits >> 8) as u8 % 4])
                };
                let account = accounts.get(usize::from(who));
                proptest::prop_assert!(t.delay(now, addr, account) <= cap);
                match op {
                    0 => t.handle_failure(now, addr, account),
                    1 => if let Some(a) = account { t.handle_success(now, addr, a) },
                    2 => { t.handle_timeout(now); }
                    _ => t.handle_failure(now, addr, None),
                }
                proptest::prop_assert!(t.tracked() <= 3 * capacity);
            }
        }
    }
}
