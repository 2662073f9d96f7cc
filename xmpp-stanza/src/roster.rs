//! The roster payload (RFC 6121 §2): `<query xmlns='jabber:iq:roster'/>` with
//! version and items.

use std::fmt;

use xmpp_jid::Jid;

use crate::convert::{
    InvalidElement, Problem, expect, jid_attr, no_text, other_attrs, plain_text, push_attrs,
};
use crate::element::{Attribute, Element};
use crate::ns::{self, Namespace};
use crate::stanza_error::StanzaErrorCondition;
use crate::stanza_parts::find_duplicate;
use crate::text::CompactStr;

/// The subscription state of a roster item (RFC 6121 §2.1.2.5), or `remove` in a
/// roster set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subscription {
    /// Neither side is subscribed.
    None,
    /// The user is subscribed to the contact's presence.
    To,
    /// The contact is subscribed to the user's presence.
    From,
    /// Both directions.
    Both,
    /// Remove the item (roster set only).
    Remove,
}

impl Subscription {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Subscription::None => "none",
            Subscription::To => "to",
            Subscription::From => "from",
            Subscription::Both => "both",
            Subscription::Remove => "remove",
        }
    }

    /// The state for an attribute value.
    pub fn from_name(s: &str) -> Option<Subscription> {
        Some(match s {
            "none" => Subscription::None,
            "to" => Subscription::To,
            "from" => Subscription::From,
            "both" => Subscription::Both,
            "remove" => Subscription::Remove,
            _ => return None,
        })
    }
}

impl fmt::Display for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `<item/>` of a roster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterItem {
    /// The contact's JID.
    pub jid: Jid,
    /// The handle the user gave the contact.
    pub name: Option<CompactStr>,
    /// The subscription state (`None` when the attribute is absent).
    pub subscription: Option<Subscription>,
    /// `ask='subscribe'`: a subscription request is pending.
    pub ask: bool,
    /// `approved`: the subscription is pre-approved (RFC 6121 §3.4); `None` when
    /// the attribute is absent.
    pub approved: Option<bool>,
    /// The groups the item is in (distinct, non-empty).
    pub groups: Vec<CompactStr>,
    /// Other child elements, kept.
    pub other: Vec<Element>,
    /// Other attributes, kept.
    pub attrs: Vec<Attribute>,
}

impl RosterItem {
    /// An item with just a JID.
    pub fn new(jid: Jid) -> RosterItem {
        RosterItem {
            jid,
            name: None,
            subscription: None,
            ask: false,
            approved: None,
            groups: Vec::new(),
            other: Vec::new(),
            attrs: Vec::new(),
        }
    }
}

/// A roster query: a get (no items), a result, a set or a push.
///
/// ```
/// use xmpp_stanza::{Roster, RosterItem, Subscription, Element};
/// use xmpp_jid::Jid;
///
/// let mut item = RosterItem::new(Jid::new("romeo@example.net").unwrap());
/// item.subscription = Some(Subscription::Both);
/// item.groups.push("Friends".into());
/// let roster = Roster { ver: Some("ver11".into()), items: vec![item], ..Roster::default() };
/// assert_eq!(Roster::try_from(&Element::from(roster.clone())).unwrap(), roster);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Roster {
    /// The roster version (RFC 6121 §2.6), if any.
    pub ver: Option<CompactStr>,
    /// The items.
    pub items: Vec<RosterItem>,
    /// Other child elements, kept.
    pub other: Vec<Element>,
    /// Other attributes, kept.
    pub attrs: Vec<Attribute>,
}

fn item(el: &Element) -> Result<RosterItem, InvalidElement> {
    no_text(el)?;
    let jid = jid_attr(el, "jid")?.ok_or(InvalidElement::bad_request(
        Problem::MissingAttribute("jid"),
    ))?;
    let subscription = match el.attr("subscription") {
        None => None,
        Some(s) => Some(
            Subscription::from_name(s).ok_or(InvalidElement::bad_request(
                Problem::InvalidAttribute("subscription"),
            ))?,
        ),
    };
    let ask = match el.attr("ask") {
        None => false,
        Some("subscribe") => true,
        Some(_) => {
            return Err(InvalidElement::bad_request(Problem::InvalidAttribute(
                "ask",
            )));
        }
    };
    let approved = match el.attr("approved") {
        None => None,
        Some("true" | "1") => Some(true),
        Some("false" | "0") => Some(false),
        Some(_) => {
            return Err(InvalidElement::bad_request(Problem::InvalidAttribute(
                "approved",
            )));
        }
    };
    let mut groups: Vec<CompactStr> = Vec::new();
    let mut other = Vec::new();
    for child in el.children() {
        if child.is("group", ns::ROSTER) {
            let g = plain_text(child, "group")?;
            if g.is_empty() {
                // RFC 6121 §2.3.3: an empty group name is not acceptable.
                return Err(InvalidElement::new(
                    Problem::InvalidChild("group"),
                    StanzaErrorCondition::NotAcceptable,
                ));
            }
            groups.push(g);
        } else {
            other.push(child.clone());
        }
    }
    if groups.len() > 1 && find_duplicate(groups.iter().collect()).is_some() {
        return Err(InvalidElement::bad_request(Problem::DuplicateChild(
            "group",
        )));
    }
    Ok(RosterItem {
        jid,
        name: el.attr("name").map(CompactStr::from),
        subscription,
        ask,
        approved,
        groups,
        other,
        attrs: other_attrs(
            el,
            &["jid", "name", "subscription", "ask", "approved"],
            false,
        ),
    })
}

impl TryFrom<&Element> for Roster {
    type Error = InvalidElement;

    fn try_from(el: &Element) -> Result<Roster, InvalidElement> {
        expect(el, "query", ns::ROSTER)?;
        no_text(el)?;
        let mut roster = Roster {
            ver: el.attr("ver").map(CompactStr::from),
            attrs: other_attrs(el, &["ver"], false),
            ..Roster::default()
        };
        for child in el.children() {
            if child.is("item", ns::ROSTER) {
                roster.items.push(item(child)?);
            } else {
                roster.other.push(child.clone());
            }
        }
        Ok(roster)
    }
}

impl From<Roster> for Element {
    fn from(r: Roster) -> Element {
        let ns = Namespace::from_static(ns::ROSTER);
        let mut el = Element::new(CompactStr::from_static("query"), ns.clone());
        if let Some(ver) = r.ver {
            el.set_attr("ver", ver);
        }
        push_attrs(&mut el, &r.attrs);
        for i in r.items {
            let mut e = Element::new(CompactStr::from_static("item"), ns.clone());
            e.set_attr("jid", i.jid.as_str());
            if let Some(name) = i.name {
                e.set_attr("name", name);
            }
            if let Some(s) = i.subscription {
                e.set_attr("subscription", CompactStr::from_static(s.as_str()));
            }
            if i.ask {
                e.set_attr("ask", CompactStr::from_static("subscribe"));
            }
            if let Some(a) = i.approved {
                e.set_attr(
                    "approved",
                    CompactStr::from_static(if a { "true" } else { "false" }),
                );
            }
            push_attrs(&mut e, &i.attrs);
            for g in i.groups {
                e.append_child(
                    Element::new(CompactStr::from_static("group"), ns.clone()).with_text(g),
                );
            }
            for o in i.other {
                e.append_child(o);
            }
            el.append_child(e);
        }
        for o in r.other {
            el.append_child(o);
        }
        el
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NsContext, parse_element};

    fn roster(xml: &str) -> Result<Roster, InvalidElement> {
        Roster::try_from(&parse_element(xml, &NsContext::client()).unwrap())
    }

    #[test]
    fn items_round_trip() {
        let xml = "<query xmlns='jabber:iq:roster' ver='v1'><item jid='romeo@example.net' \
            name='Romeo' subscription='both' ask='subscribe' approved='true'><group>Friends</group>\
            <group>Lovers</group></item><item jid='nurse@example.com' subscription='remove'/></query>";
        let r = roster(xml).unwrap();
        assert_eq!(r.items.len(), 2);
        assert!(r.items[0].ask);
        assert_eq!(r.items[0].groups.len(), 2);
        assert_eq!(r.items[1].subscription, Some(Subscription::Remove));
        assert_eq!(
            Element::from(r).to_xml_in(&NsContext::client()).unwrap(),
            xml
        );
    }

    #[test]
    fn invalid_items() {
        let p = |xml: &str| roster(xml).unwrap_err();
        let q = |inner: &str| format!("<query xmlns='jabber:iq:roster'>{inner}</query>");
        assert_eq!(p(&q("<item/>")).problem(), Problem::MissingAttribute("jid"));
        assert_eq!(
            p(&q("<item jid='@'/>")).condition(),
            StanzaErrorCondition::JidMalformed
        );
        assert_eq!(
            p(&q("<item jid='a@b' subscription='all'/>")).problem(),
            Problem::InvalidAttribute("subscription")
        );
        assert_eq!(
            p(&q("<item jid='a@b' ask='unsubscribe'/>")).problem(),
            Problem::InvalidAttribute("ask")
        );
        assert_eq!(
            p(&q("<item jid='a@b'><group/></item>")).condition(),
            StanzaErrorCondition::NotAcceptable
        );
        assert_eq!(
            p(&q(
                "<item jid='a@b'><group>x</group><group>x</group></item>"
            ))
            .problem(),
            Problem::DuplicateChild("group")
        );
    }
}
