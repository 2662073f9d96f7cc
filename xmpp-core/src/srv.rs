//! Which hosts to connect to, and in which order: DNS SRV records for
//! `_xmpps-client._tcp` (direct TLS, XEP-0368) and `_xmpp-client._tcp` (STARTTLS,
//! RFC 6120 §3.2) ordered by RFC 2782 — priority, then a weighted random draw from the
//! injected entropy — with the fallback to the domain itself on port 5222 when there
//! are no records (RFC 6120 §3.2.2). A pure function: the adapters resolve, this
//! orders, the adapters try every target in turn.

use xmpp_sasl::Entropy;

/// The default port of client-to-server STARTTLS streams (RFC 6120 §14.7).
pub const DEFAULT_PORT: u16 = 5222;

/// The customary port of direct-TLS client streams (XEP-0368 §3), used when a client
/// that only does direct TLS finds no `_xmpps-client._tcp` records.
pub const DIRECT_TLS_PORT: u16 = 5223;

/// The most targets [`order_targets`] returns. RFC 2782 sets no limit, but every
/// target costs a connect attempt with its own timeout: a DNS answer with thousands
/// of records would keep a client trying for hours. The most preferred ones are kept.
pub const MAX_TARGETS: usize = 32;

/// One SRV resource record (RFC 2782).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SrvRecord {
    /// Lower is tried first.
    pub priority: u16,
    /// Relative share among records of the same priority (0: only when no other).
    pub weight: u16,
    /// The port to connect to.
    pub port: u16,
    /// The host (a trailing dot is ignored; `.` alone means "no service here").
    pub target: String,
}

impl SrvRecord {
    /// A record.
    pub fn new(priority: u16, weight: u16, port: u16, target: impl Into<String>) -> SrvRecord {
        SrvRecord {
            priority,
            weight,
            port,
            target: target.into(),
        }
    }
}

/// How the stream is secured on a connection target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetTls {
    /// TLS from the first byte (XEP-0368): construct the client with
    /// [`TlsMode::DirectTls`](crate::TlsMode::DirectTls).
    Direct,
    /// STARTTLS after the stream opens.
    StartTls,
}

/// A host to try.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConnectTarget {
    /// The host name (without trailing dot).
    pub host: String,
    /// The port.
    pub port: u16,
    /// TLS from the start, or STARTTLS.
    pub tls: TargetTls,
}

/// The answer of one SRV lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SrvAnswer<'a> {
    /// The name has no SRV records (no data, or the name does not exist).
    NoRecords,
    /// The records found.
    Records(&'a [SrvRecord]),
}

/// Orders the targets to try for a domain, from the answers of the
/// `_xmpps-client._tcp` (`direct`) and `_xmpp-client._tcp` (`starttls`) lookups.
///
/// * Records are grouped by priority across both lookups, lowest first; within a
///   priority, direct-TLS records come before STARTTLS ones (XEP-0368), and each kind
///   is ordered by the RFC 2782 weighted draw (weight-0 records only get a chance
///   when drawn by a zero; the draw uses `entropy`).
/// * A lookup whose only record has the target `.` says the service is decidedly not
///   available: it contributes nothing.
/// * When neither lookup found any record at all, the one target is the domain on
///   port 5222 with STARTTLS (RFC 6120 §3.2.2). When records exist but all say `.`,
///   the result is empty: there is nothing to try.
///
/// ```
/// use xmpp_core::srv::{order_targets, SrvAnswer, SrvRecord, TargetTls};
/// use xmpp_sasl::InsecureSeededEntropy;
///
/// let direct = [SrvRecord::new(5, 0, 5223, "xmpp.example.com.")];
/// let starttls = [
///     SrvRecord::new(5, 10, 5222, "xmpp.example.com."),
///     SrvRecord::new(10, 0, 5222, "backup.example.com."),
/// ];
/// let mut entropy = InsecureSeededEntropy::new(1);
/// let targets = order_targets(
///     "example.com",
///     SrvAnswer::Records(&direct),
///     SrvAnswer::Records(&starttls),
///     &mut entropy,
/// );
/// let order: Vec<_> = targets.iter().map(|t| (t.host.as_str(), t.port, t.tls)).collect();
/// assert_eq!(order, [
///     ("xmpp.example.com", 5223, TargetTls::Direct),
///     ("xmpp.example.com", 5222, TargetTls::StartTls),
///     ("backup.example.com", 5222, TargetTls::StartTls),
/// ]);
///
/// let fallback = order_targets("example.com", SrvAnswer::NoRecords, SrvAnswer::NoRecords, &mut entropy);
/// assert_eq!((fallback[0].host.as_str(), fallback[0].port), ("example.com", 5222));
/// ```
pub fn order_targets(
    domain: &str,
    direct: SrvAnswer<'_>,
    starttls: SrvAnswer<'_>,
    entropy: &mut dyn Entropy,
) -> Vec<ConnectTarget> {
    if direct == SrvAnswer::NoRecords && starttls == SrvAnswer::NoRecords {
        return vec![ConnectTarget {
            host: domain.trim_end_matches('.').to_owned(),
            port: DEFAULT_PORT,
            tls: TargetTls::StartTls,
        }];
    }
    let direct = usable(direct);
    let starttls = usable(starttls);
    let mut priorities: Vec<u16> = direct
        .iter()
        .chain(starttls.iter())
        .map(|r| r.priority)
        .collect();
    priorities.sort_unstable();
    priorities.dedup();
    let mut targets = Vec::with_capacity((direct.len() + starttls.len()).min(MAX_TARGETS));
    for priority in priorities {
        if targets.len() >= MAX_TARGETS {
            break;
        }
        for (records, tls) in [(direct, TargetTls::Direct), (starttls, TargetTls::StartTls)] {
            let group: Vec<&SrvRecord> =
                records.iter().filter(|r| r.priority == priority).collect();
            for record in weighted_order(group, entropy) {
                targets.push(ConnectTarget {
                    host: record.target.trim_end_matches('.').to_owned(),
                    port: record.port,
                    tls,
                });
            }
        }
    }
    targets.truncate(MAX_TARGETS);
    targets
}

/// Orders the targets of a client that only uses direct TLS (XEP-0368): the
/// `_xmpps-client._tcp` records as [`order_targets`] orders them, or, when there are
/// none, the domain on [`DIRECT_TLS_PORT`] (XEP-0368 defines no fallback; that port is
/// the custom). A lone `.` record leaves nothing to try.
///
/// ```
/// use xmpp_core::srv::{order_direct_targets, SrvAnswer, TargetTls};
/// use xmpp_sasl::InsecureSeededEntropy;
///
/// let mut entropy = InsecureSeededEntropy::new(1);
/// let t = order_direct_targets("example.com", SrvAnswer::NoRecords, &mut entropy);
/// assert_eq!((t[0].host.as_str(), t[0].port, t[0].tls), ("example.com", 5223, TargetTls::Direct));
/// ```
pub fn order_direct_targets(
    domain: &str,
    direct: SrvAnswer<'_>,
    entropy: &mut dyn Entropy,
) -> Vec<ConnectTarget> {
    if direct == SrvAnswer::NoRecords {
        return vec![ConnectTarget {
            host: domain.trim_end_matches('.').to_owned(),
            port: DIRECT_TLS_PORT,
            tls: TargetTls::Direct,
        }];
    }
    order_targets(domain, direct, SrvAnswer::Records(&[]), entropy)
}

impl<'a> From<Option<&'a [SrvRecord]>> for SrvAnswer<'a> {
    /// `None` (the lookup found nothing) is [`SrvAnswer::NoRecords`].
    fn from(records: Option<&'a [SrvRecord]>) -> Self {
        records.map_or(SrvAnswer::NoRecords, SrvAnswer::Records)
    }
}

/// The records of an answer that name a service (RFC 2782: a single record with
/// target `.` means none).
fn usable(answer: SrvAnswer<'_>) -> &[SrvRecord] {
    match answer {
        SrvAnswer::NoRecords => &[],
        SrvAnswer::Records([only]) if only.target == "." => &[],
        SrvAnswer::Records(records) => records,
    }
}

/// RFC 2782's selection within one priority: zero-weight records first in the list,
/// then repeatedly a uniform draw in `0..=sum` picks the first record whose running
/// weight sum reaches it.
fn weighted_order<'a>(
    mut group: Vec<&'a SrvRecord>,
    entropy: &mut dyn Entropy,
) -> Vec<&'a SrvRecord> {
    // Stable: zero weights first, otherwise the order the records came in.
    group.sort_by_key(|r| r.weight != 0);
    let mut ordered = Vec::with_capacity(group.len());
    while !group.is_empty() {
        let sum: u64 = group.iter().map(|r| u64::from(r.weight)).sum();
        let draw = uniform(entropy, sum);
        let mut running = 0u64;
        let index = group
            .iter()
            .position(|r| {
                running += u64::from(r.weight);
                running >= draw
            })
            .unwrap_or(0);
        ordered.push(group.remove(index));
    }
    ordered
}

/// A uniform draw in `0..=max` (rejection sampling, so there is no modulo bias).
fn uniform(entropy: &mut dyn Entropy, max: u64) -> u64 {
    if max == 0 {
        return 0;
    }
    let span = max + 1;
    let zone = u64::MAX - (u64::MAX % span);
    for _ in 0..64 {
        let mut bytes = [0u8; 8];
        entropy.fill(&mut bytes);
        let value = u64::from_le_bytes(bytes);
        if value < zone {
            return value % span;
        }
    }
    // 64 rejections in a row have probability below 2^-64 with real randomness;
    // a broken source gets the modulo.
    let mut bytes = [0u8; 8];
    entropy.fill(&mut bytes);
    u64::from_le_bytes(bytes) % span
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_sasl::InsecureSeededEntropy;

    fn hosts(targets: &[ConnectTarget]) -> Vec<&str> {
        targets.iter().map(|t| t.host.as_str()).collect()
    }

    #[test]
    fn direct_tls_only_targets() {
        let mut entropy = InsecureSeededEntropy::new(3);
        let direct = [
            SrvRecord::new(20, 0, 443, "d20."),
            SrvRecord::new(10, 0, 5223, "d10."),
        ];
        let t = order_direct_targets("example.com", SrvAnswer::Records(&direct), &mut entropy);
        assert_eq!(hosts(&t), ["d10", "d20"]);
        assert!(t.iter().all(|t| t.tls == TargetTls::Direct));
        let none = [SrvRecord::new(0, 0, 0, ".")];
        let t = order_direct_targets("example.com", SrvAnswer::Records(&none), &mut entropy);
        assert!(t.is_empty());
        let t = order_direct_targets("example.com.", None.into(), &mut entropy);
        assert_eq!(
            (hosts(&t), t[0].port),
            (vec!["example.com"], DIRECT_TLS_PORT)
        );
    }

    #[test]
    fn priority_first_then_direct_tls_at_equal_priority() {
        let direct = [
            SrvRecord::new(20, 0, 5223, "d20."),
            SrvRecord::new(10, 0, 5223, "d10."),
        ];
        let starttls = [
            SrvRecord::new(10, 0, 5222, "s10."),
            SrvRecord::new(5, 0, 5222, "s5."),
            SrvRecord::new(20, 0, 5222, "s20."),
        ];
        let t = order_targets(
            "example.com",
            SrvAnswer::Records(&direct),
            SrvAnswer::Records(&starttls),
            &mut InsecureSeededEntropy::new(3),
        );
        assert_eq!(hosts(&t), ["s5", "d10", "s10", "d20", "s20"]);
        assert_eq!(t[1].tls, TargetTls::Direct);
        assert_eq!(t[2].port, 5222);
    }

    #[test]
    fn at_most_max_targets_the_most_preferred() {
        let records: Vec<SrvRecord> = (0..3000u16)
            .map(|i| SrvRecord::new(3000 - i, 1, 5222, format!("h{}", 3000 - i)))
            .collect();
        let t = order_targets(
            "example.com",
            SrvAnswer::NoRecords,
            SrvAnswer::Records(&records),
            &mut InsecureSeededEntropy::new(5),
        );
        assert_eq!(t.len(), MAX_TARGETS);
        assert_eq!(
            (t[0].host.as_str(), t[MAX_TARGETS - 1].host.as_str()),
            ("h1", "h32")
        );
    }

    #[test]
    fn no_service_and_fallback() {
        let dot = [SrvRecord::new(0, 0, 0, ".")];
        let starttls = [SrvRecord::new(0, 0, 5222, "xmpp.example.com")];
        let mut e = InsecureSeededEntropy::new(1);
        let t = order_targets(
            "example.com",
            SrvAnswer::Records(&dot),
            SrvAnswer::Records(&starttls),
            &mut e,
        );
        assert_eq!(hosts(&t), ["xmpp.example.com"]);
        let t = order_targets(
            "example.com",
            SrvAnswer::Records(&dot),
            SrvAnswer::NoRecords,
            &mut e,
        );
        assert!(t.is_empty());
        let t = order_targets(
            "example.com.",
            SrvAnswer::NoRecords,
            SrvAnswer::NoRecords,
            &mut e,
        );
        assert_eq!(
            t,
            [ConnectTarget {
                host: "example.com".into(),
                port: 5222,
                tls: TargetTls::StartTls
            }]
        );
    }

    #[test]
    fn weights_share_first_place_in_proportion() {
        let records = [
            SrvRecord::new(1, 0, 1, "zero"),
            SrvRecord::new(1, 10, 1, "ten"),
            SrvRecord::new(1, 30, 1, "thirty"),
        ];
        let mut e = InsecureSeededEntropy::new(42);
        let mut first = std::collections::BTreeMap::new();
        for _ in 0..4000 {
            let t = order_targets(
                "x",
                SrvAnswer::NoRecords,
                SrvAnswer::Records(&records),
                &mut e,
            );
            assert_eq!(t.len(), 3);
            *first.entry(t[0].host.clone()).or_insert(0u32) += 1;
        }
        // Expected shares 1/41, 10/41, 30/41 of 4000: about 98, 976, 2927.
        let zero = first.get("zero").copied().unwrap_or(0);
        let ten = first.get("ten").copied().unwrap_or(0);
        let thirty = first.get("thirty").copied().unwrap_or(0);
        assert!((40..200).contains(&zero), "{first:?}");
        assert!((800..1150).contains(&ten), "{first:?}");
        assert!((2700..3150).contains(&thirty), "{first:?}");
    }

    #[test]
    fn the_same_entropy_gives_the_same_order() {
        let records: Vec<SrvRecord> = (0..8)
            .map(|i| SrvRecord::new(1, 1 + i, 5222, format!("h{i}")))
            .collect();
        let a = order_targets(
            "x",
            SrvAnswer::NoRecords,
            SrvAnswer::Records(&records),
            &mut InsecureSeededEntropy::new(5),
        );
        let b = order_targets(
            "x",
            SrvAnswer::NoRecords,
            SrvAnswer::Records(&records),
            &mut InsecureSeededEntropy::new(5),
        );
        assert_eq!(a, b);
        let mut sorted = hosts(&a);
        sorted.sort_unstable();
        assert_eq!(sorted, ["h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7"]);
    }

    #[test]
    fn uniform_covers_its_range() {
        let mut e = InsecureSeededEntropy::new(8);
        let mut seen = [false; 4];
        for _ in 0..200 {
            let v = uniform(&mut e, 3);
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(uniform(&mut e, 0), 0);
    }
}
