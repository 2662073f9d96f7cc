//! Privacy list evaluation (XEP-0016 §2 "Syntax and Semantics" and "Business
//! Rules"), as pure functions of a list, a peer and the user's roster item for it.

use xmpp_jid::Jid;
use xmpp_stanza::{PrivacyItem, PrivacyItemType, PrivacyList, PrivacyStanzas};

use crate::change::RosterEntry;

/// Which kind of traffic is being checked, from the list owner's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// An incoming message (`<message/>` items).
    Message,
    /// An incoming IQ (`<iq/>` items).
    Iq,
    /// An incoming presence notification: no type or `unavailable` (`<presence-in/>`).
    PresenceIn,
    /// An outgoing presence notification (`<presence-out/>`).
    PresenceOut,
    /// Anything else — outgoing messages and IQs, subscription presences, probes,
    /// presence errors — which only items without stanza children cover.
    Other,
}

/// The outcome of checking a stanza against a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Let it through.
    Allow,
    /// Stop it; `blocked` when the matching item is a blocklist entry (a `jid` item
    /// denying everything, XEP-0191 §2), which adds the `<blocked/>` error condition.
    Deny {
        /// The item is a blocklist entry.
        blocked: bool,
    },
}

impl Verdict {
    pub(crate) fn is_allow(self) -> bool {
        self == Verdict::Allow
    }
}

/// Whether an item with these stanza children applies to `class`: no children
/// means every stanza, inbound and outbound.
fn applies_to(stanzas: PrivacyStanzas, class: Class) -> bool {
    if stanzas == PrivacyStanzas::default() {
        return true;
    }
    match class {
        Class::Message => stanzas.message,
        Class::Iq => stanzas.iq,
        Class::PresenceIn => stanzas.presence_in,
        Class::PresenceOut => stanzas.presence_out,
        Class::Other => false,
    }
}

/// Whether an item is a blocklist entry: `jid`, `deny`, every stanza kind.
pub(crate) fn is_block_item(item: &PrivacyItem) -> bool {
    item.kind == Some(PrivacyItemType::Jid)
        && !item.allow
        && item.stanzas == PrivacyStanzas::default()
}

/// XEP-0016 JID matching: `user@domain/resource` matches only itself,
/// `user@domain` any resource of it, `domain/resource` only itself, and `domain`
/// the domain, any address at it, and any subdomain.
pub(crate) fn jid_matches(item: &Jid, peer: &Jid) -> bool {
    match (item.node(), item.resource()) {
        (Some(_), Some(_)) => item == peer,
        (Some(node), None) => peer.node() == Some(node) && peer.domain() == item.domain(),
        (None, Some(resource)) => {
            peer.node().is_none()
                && peer.domain() == item.domain()
                && peer.resource() == Some(resource)
        }
        (None, None) => {
            let domain = item.domain();
            let peer_domain = peer.domain();
            peer_domain == domain
                || (peer_domain.len() > domain.len()
                    && peer_domain.ends_with(domain)
                    && peer_domain.as_bytes()[peer_domain.len() - domain.len() - 1] == b'.')
        }
    }
}

fn item_matches(item: &PrivacyItem, peer: &Jid, entry: Option<&RosterEntry>) -> bool {
    let value = item.value.as_deref().unwrap_or_default();
    match item.kind {
        None => true,
        Some(PrivacyItemType::Jid) => Jid::new(value).is_ok_and(|j| jid_matches(&j, peer)),
        Some(PrivacyItemType::Group) => entry.is_some_and(|e| e.groups.iter().any(|g| g == value)),
        Some(PrivacyItemType::Subscription) => {
            let state = entry.map(|e| e.subscription).unwrap_or_default();
            state.as_str() == value
        }
    }
}

/// Checks traffic of `class` with `peer` against `list` (items in ascending order;
/// the first that matches decides; no match allows). Stored lists are kept sorted,
/// so sorting here only happens for lists that are not.
pub(crate) fn decide(
    list: &PrivacyList,
    peer: &Jid,
    entry: Option<&RosterEntry>,
    class: Class,
) -> Verdict {
    if !list.items.is_sorted_by_key(|i| i.order) {
        let mut sorted = list.clone();
        sorted.items.sort_by_key(|i| i.order);
        return decide(&sorted, peer, entry, class);
    }
    for item in &list.items {
        if applies_to(item.stanzas, class) && item_matches(item, peer, entry) {
            return if item.allow {
                Verdict::Allow
            } else {
                Verdict::Deny {
                    blocked: is_block_item(item),
                }
            };
        }
    }
    Verdict::Allow
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::RosterSubscription;
    use xmpp_jid::BareJid;

    fn jid(s: &str) -> Jid {
        Jid::new(s).unwrap()
    }

    fn item(
        kind: Option<PrivacyItemType>,
        value: Option<&str>,
        allow: bool,
        order: u32,
    ) -> PrivacyItem {
        PrivacyItem {
            kind,
            value: value.map(Into::into),
            allow,
            order,
            stanzas: PrivacyStanzas::default(),
        }
    }

    #[test]
    fn jid_matching_order_of_xep_0016() {
        let full = jid("tybalt@example.com/pda");
        assert!(jid_matches(&full, &full));
        assert!(!jid_matches(&full, &jid("tybalt@example.com/other")));
        assert!(jid_matches(&jid("tybalt@example.com"), &full));
        assert!(jid_matches(
            &jid("tybalt@example.com"),
            &jid("tybalt@example.com")
        ));
        assert!(!jid_matches(
            &jid("tybalt@example.com"),
            &jid("romeo@example.com")
        ));
        assert!(jid_matches(
            &jid("example.com/pda"),
            &jid("example.com/pda")
        ));
        assert!(!jid_matches(&jid("example.com/pda"), &full));
        assert!(jid_matches(&jid("example.com"), &full));
        assert!(jid_matches(
            &jid("example.com"),
            &jid("conference.example.com")
        ));
        assert!(!jid_matches(&jid("example.com"), &jid("badexample.com")));
        assert!(!jid_matches(&jid("example.com"), &jid("example.org")));
    }

    #[test]
    fn first_match_in_order_decides_and_fall_through_allows() {
        let list = PrivacyList {
            name: "l".into(),
            items: vec![
                item(None, None, false, 20),
                item(
                    Some(PrivacyItemType::Jid),
                    Some("nurse@example.com"),
                    true,
                    10,
                ),
            ],
        };
        let nurse = jid("nurse@example.com/x");
        assert_eq!(decide(&list, &nurse, None, Class::Message), Verdict::Allow);
        assert_eq!(
            decide(&list, &jid("tybalt@example.com"), None, Class::Message),
            Verdict::Deny { blocked: false }
        );
        let empty = PrivacyList {
            name: "e".into(),
            items: Vec::new(),
        };
        assert_eq!(decide(&empty, &nurse, None, Class::Iq), Verdict::Allow);
    }

    #[test]
    fn stanza_children_restrict_the_item() {
        let mut deny = item(
            Some(PrivacyItemType::Jid),
            Some("tybalt@example.com"),
            false,
            1,
        );
        deny.stanzas.presence_out = true;
        let list = PrivacyList {
            name: "l".into(),
            items: vec![deny],
        };
        let tybalt = jid("tybalt@example.com");
        assert!(!decide(&list, &tybalt, None, Class::PresenceOut).is_allow());
        for class in [Class::Message, Class::Iq, Class::PresenceIn, Class::Other] {
            assert!(decide(&list, &tybalt, None, class).is_allow(), "{class:?}");
        }
    }

    #[test]
    fn group_and_subscription_items_use_the_roster() {
        let mut entry = RosterEntry::new(BareJid::new("romeo@example.net").unwrap());
        entry.groups.push("Enemies".into());
        entry.subscription = RosterSubscription::Both;
        let romeo = jid("romeo@example.net/orchard");
        let groups = PrivacyList {
            name: "g".into(),
            items: vec![item(
                Some(PrivacyItemType::Group),
                Some("Enemies"),
                false,
                1,
            )],
        };
        assert!(!decide(&groups, &romeo, Some(&entry), Class::Message).is_allow());
        assert!(decide(&groups, &romeo, None, Class::Message).is_allow());
        let subs = PrivacyList {
            name: "s".into(),
            items: vec![item(
                Some(PrivacyItemType::Subscription),
                Some("none"),
                false,
                1,
            )],
        };
        assert!(decide(&subs, &romeo, Some(&entry), Class::Iq).is_allow());
        // "none" includes entities that are not in the roster at all.
        assert_eq!(
            decide(&subs, &jid("stranger@example.org"), None, Class::Iq),
            Verdict::Deny { blocked: false }
        );
    }

    #[test]
    fn blocklist_items_are_recognised() {
        let block = item(
            Some(PrivacyItemType::Jid),
            Some("iago@example.com"),
            false,
            1,
        );
        assert!(is_block_item(&block));
        let list = PrivacyList {
            name: "b".into(),
            items: vec![block],
        };
        assert_eq!(
            decide(&list, &jid("iago@example.com/x"), None, Class::Other),
            Verdict::Deny { blocked: true }
        );
    }
}
