//! TEMPORARY stand-in for `xmpp_core::srv` until the core's RFC 2782 function lands:
//! priority order only (no weighted draw). Deleted on the next merge of the core.

use xmpp_sasl::Entropy;

/// An SRV record.
#[derive(Clone, Debug)]
pub struct SrvRecord {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    pub target: String,
    pub direct_tls: bool,
}

impl SrvRecord {
    pub fn new(priority: u16, weight: u16, port: u16, target: String, direct_tls: bool) -> Self {
        SrvRecord { priority, weight, port, target, direct_tls }
    }
}

pub fn order(mut records: Vec<SrvRecord>, _entropy: &mut dyn Entropy) -> Vec<SrvRecord> {
    records.sort_by_key(|r| (r.priority, std::cmp::Reverse(r.weight)));
    records
}
