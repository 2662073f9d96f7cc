//! What the host configures: the served domain, key derivation cost and the limits
//! that bound every per-account and per-session structure ([`RouterConfig`],
//! [`RouterLimits`], [`FloodLimit`]).

use xmpp_jid::BareJid;

/// The router's configuration.
///
/// ```
/// use xmpp_jid::BareJid;
/// use xmpp_server::RouterConfig;
/// let config = RouterConfig::new(BareJid::new("example.com").unwrap());
/// assert_eq!(config.scram_iterations, 4096);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouterConfig {
    /// The domain the router serves (a domain-only JID such as `example.com`; a
    /// localpart given here is ignored); every account is `user@domain`, and every
    /// other domain is remote.
    pub domain: BareJid,
    /// PBKDF2 iteration count for the SCRAM keys derived when an account is created
    /// or its password changed (RFC 7677 recommends at least 4096). Must be non-zero.
    pub scram_iterations: u32,
    /// Bounds on what one account or session may make the router hold.
    pub limits: RouterLimits,
}

impl RouterConfig {
    /// A configuration for `domain` with 4096 SCRAM iterations and default limits.
    pub fn new(domain: BareJid) -> RouterConfig {
        RouterConfig {
            domain,
            scram_iterations: 4096,
            limits: RouterLimits::default(),
        }
    }
}

/// Bounds on what one account or session may make the router hold, so that no
/// peer can make it spend memory without limit. Exceeding one is answered with the
/// stanza error the protocol names (usually `resource-constraint` or
/// `not-acceptable`), never with a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouterLimits {
    /// Simultaneously bound resources per account (RFC 6120 §7.6.2.1:
    /// `resource-constraint` beyond it).
    pub max_resources_per_account: usize,
    /// Roster items per account.
    pub max_roster_items: usize,
    /// Bytes of a roster item name or group name (RFC 6121 §2.3.3:
    /// `not-acceptable` beyond it).
    pub max_roster_text_len: usize,
    /// Groups per roster item.
    pub max_groups_per_item: usize,
    /// Privacy lists per account (the blocklist lives in one of them).
    pub max_privacy_lists: usize,
    /// Items per privacy list (blocked JIDs count here too).
    pub max_privacy_items: usize,
    /// Bytes of a privacy list name.
    pub max_privacy_name_len: usize,
    /// Messages stored offline per account; beyond it the sender gets
    /// `service-unavailable` (RFC 6121 §8.5.2.2.1).
    pub max_offline_messages: usize,
    /// Bytes of messages (as serialised) stored offline per account; beyond it the
    /// sender gets `service-unavailable` too. Stanzas may be large (256 KiB on a
    /// default client stream), so the message count alone would let one account
    /// make the router hold hundreds of megabytes for each other account.
    pub max_offline_bytes: usize,
    /// Subscription requests waiting for an answer per account (RFC 6121 §3.1.3).
    pub max_pending_subscriptions: usize,
    /// Entities one session may have sent directed presence to (RFC 6121 §4.6).
    pub max_directed_presences: usize,
    /// Stanzas a session may send per time (`None`: unlimited). A session that
    /// exceeds it is closed with the `policy-violation` stream error.
    pub flood: Option<FloodLimit>,
}

impl Default for RouterLimits {
    fn default() -> RouterLimits {
        RouterLimits {
            max_resources_per_account: 32,
            max_roster_items: 2000,
            max_roster_text_len: 1023,
            max_groups_per_item: 32,
            max_privacy_lists: 32,
            max_privacy_items: 1000,
            max_privacy_name_len: 1023,
            max_offline_messages: 1000,
            max_offline_bytes: 4 * 1024 * 1024,
            max_pending_subscriptions: 1000,
            max_directed_presences: 256,
            flood: Some(FloodLimit::default()),
        }
    }
}

/// A token bucket: a session may send `burst` stanzas at once and `per_second` on
/// average. The defaults (burst 2000, 1000/s) are far above any interactive client
/// and meant to stop runaway or hostile ones; a load generator may need more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FloodLimit {
    /// Stanzas that may arrive back to back.
    pub burst: u32,
    /// The sustained rate.
    pub per_second: u32,
}

impl Default for FloodLimit {
    fn default() -> FloodLimit {
        FloodLimit {
            burst: 2000,
            per_second: 1000,
        }
    }
}
