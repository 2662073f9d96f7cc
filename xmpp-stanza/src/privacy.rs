//! Privacy lists (RFC 3921 §10, XEP-0016): `<query xmlns='jabber:iq:privacy'/>`.

use crate::convert::{InvalidElement, Problem, expect, no_text, only_attrs, push_attrs};
use crate::element::{Attribute, Element};
use crate::ns::{self, Namespace};
use crate::stanza_error::StanzaErrorCondition;
use crate::stanza_parts::find_duplicate;
use crate::text::CompactStr;

/// What a privacy item matches on (`type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrivacyItemType {
    /// A JID (`value` is the JID).
    Jid,
    /// A roster group (`value` is the group name).
    Group,
    /// A subscription state (`value` is both, to, from or none).
    Subscription,
}

/// The stanza kinds a privacy item applies to; all `false` means every kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PrivacyStanzas {
    /// `<message/>`.
    pub message: bool,
    /// `<iq/>`.
    pub iq: bool,
    /// `<presence-in/>`.
    pub presence_in: bool,
    /// `<presence-out/>`.
    pub presence_out: bool,
}

/// One `<item/>` of a privacy list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivacyItem {
    /// What the item matches on; `None` is the fall-through item.
    pub kind: Option<PrivacyItemType>,
    /// The value matched (required when `kind` is set).
    pub value: Option<CompactStr>,
    /// `true` for `action='allow'`, `false` for `deny`.
    pub allow: bool,
    /// The processing order (unique within the list).
    pub order: u32,
    /// The stanza kinds the item applies to.
    pub stanzas: PrivacyStanzas,
}

/// A named privacy list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivacyList {
    /// The list name.
    pub name: CompactStr,
    /// The items (possibly none: a request for the list, or its removal).
    pub items: Vec<PrivacyItem>,
}

/// A privacy query: names of lists, the active and default list, list contents.
///
/// `active` and `default` are `Some(None)` for the element without a name (decline
/// the use of any list) and `Some(Some(name))` to name one.
///
/// ```
/// use xmpp_stanza::{Element, NsContext, Privacy, parse_element};
///
/// let xml = "<query xmlns='jabber:iq:privacy'><active name='private'/><default/>\
///     <list name='private'><item type='jid' value='tybalt@example.com' action='deny' order='1'>\
///     <message/><presence-in/></item><item action='allow' order='2'/></list></query>";
/// let p = Privacy::try_from(&parse_element(xml, &NsContext::client()).unwrap()).unwrap();
/// assert_eq!(p.active, Some(Some("private".into())));
/// assert_eq!(p.default, Some(None));
/// assert_eq!(p.lists[0].items.len(), 2);
/// assert_eq!(Element::from(p).to_xml_in(&NsContext::client()).unwrap(), xml);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Privacy {
    /// The `<active/>` child.
    pub active: Option<Option<CompactStr>>,
    /// The `<default/>` child.
    pub default: Option<Option<CompactStr>>,
    /// The `<list/>` children.
    pub lists: Vec<PrivacyList>,
    /// Attributes of the query, kept.
    pub attrs: Vec<Attribute>,
}

fn bad(problem: Problem) -> InvalidElement {
    InvalidElement::bad_request(problem)
}

fn item(el: &Element) -> Result<PrivacyItem, InvalidElement> {
    no_text(el)?;
    let kind = match el.attr("type") {
        None => None,
        Some("jid") => Some(PrivacyItemType::Jid),
        Some("group") => Some(PrivacyItemType::Group),
        Some("subscription") => Some(PrivacyItemType::Subscription),
        Some(_) => return Err(bad(Problem::InvalidAttribute("type"))),
    };
    let value = el.attr("value").map(CompactStr::from);
    match (kind, value.as_deref()) {
        (Some(_), None) => return Err(bad(Problem::MissingAttribute("value"))),
        (None, Some(_)) => return Err(bad(Problem::InvalidAttribute("value"))),
        (Some(PrivacyItemType::Subscription), Some(v))
            if !matches!(v, "both" | "to" | "from" | "none") =>
        {
            return Err(bad(Problem::InvalidAttribute("value")));
        }
        (Some(PrivacyItemType::Jid), Some(v)) if xmpp_jid::Jid::new(v).is_err() => {
            return Err(InvalidElement::new(
                Problem::InvalidAttribute("value"),
                StanzaErrorCondition::JidMalformed,
            ));
        }
        _ => {}
    }
    let allow = match el.attr("action") {
        Some("allow") => true,
        Some("deny") => false,
        Some(_) => return Err(bad(Problem::InvalidAttribute("action"))),
        None => return Err(bad(Problem::MissingAttribute("action"))),
    };
    let order = el
        .attr("order")
        .ok_or(bad(Problem::MissingAttribute("order")))?
        .parse::<u32>()
        .map_err(|_| bad(Problem::InvalidAttribute("order")))?;
    only_attrs(el, "item", &["type", "value", "action", "order"])?;
    let mut stanzas = PrivacyStanzas::default();
    for c in el.children() {
        let flag = match c.name() {
            "message" => &mut stanzas.message,
            "iq" => &mut stanzas.iq,
            "presence-in" => &mut stanzas.presence_in,
            "presence-out" => &mut stanzas.presence_out,
            _ => return Err(bad(Problem::InvalidChild("item"))),
        };
        if *c.ns() != ns::PRIVACY || !c.attrs().is_empty() || !c.nodes().is_empty() || *flag {
            return Err(bad(Problem::InvalidChild("item")));
        }
        *flag = true;
    }
    Ok(PrivacyItem {
        kind,
        value,
        allow,
        order,
        stanzas,
    })
}

fn name_only(el: &Element, required: bool) -> Result<Option<CompactStr>, InvalidElement> {
    let only_name = el
        .attrs()
        .iter()
        .all(|a| a.ns.is_none() && a.name == "name");
    if !only_name || el.nodes().iter().any(|n| !n.is_whitespace()) && el.name() != "list" {
        return Err(bad(Problem::InvalidChild("query")));
    }
    let name = el.attr("name").map(CompactStr::from);
    if required && name.is_none() {
        return Err(bad(Problem::MissingAttribute("name")));
    }
    Ok(name)
}

impl TryFrom<&Element> for Privacy {
    type Error = InvalidElement;

    fn try_from(el: &Element) -> Result<Privacy, InvalidElement> {
        expect(el, "query", ns::PRIVACY)?;
        no_text(el)?;
        let mut p = Privacy {
            attrs: el.attrs().to_vec(),
            ..Privacy::default()
        };
        for c in el.children() {
            if *c.ns() != ns::PRIVACY {
                return Err(bad(Problem::InvalidChild("query")));
            }
            match c.name() {
                "active" | "default" => {
                    let slot = if c.name() == "active" {
                        &mut p.active
                    } else {
                        &mut p.default
                    };
                    if slot.is_some() {
                        return Err(bad(Problem::DuplicateChild("active/default")));
                    }
                    *slot = Some(name_only(c, false)?);
                }
                "list" => {
                    no_text(c)?;
                    let name = name_only(c, true)?.unwrap_or_default();
                    let mut items = Vec::new();
                    for i in c.children() {
                        if !i.is("item", ns::PRIVACY) {
                            return Err(bad(Problem::InvalidChild("list")));
                        }
                        items.push(item(i)?);
                    }
                    if find_duplicate(items.iter().map(|it| it.order).collect()).is_some() {
                        return Err(bad(Problem::InvalidAttribute("order")));
                    }
                    p.lists.push(PrivacyList { name, items });
                }
                _ => return Err(bad(Problem::InvalidChild("query"))),
            }
        }
        Ok(p)
    }
}

impl From<Privacy> for Element {
    fn from(p: Privacy) -> Element {
        let ns = Namespace::from_static(ns::PRIVACY);
        let new = |name: &'static str| Element::new(CompactStr::from_static(name), ns.clone());
        let mut el = new("query");
        push_attrs(&mut el, &p.attrs);
        for (name, slot) in [("active", p.active), ("default", p.default)] {
            if let Some(n) = slot {
                let mut e = new(name);
                if let Some(n) = n {
                    e.set_attr("name", n);
                }
                el.append_child(e);
            }
        }
        for list in p.lists {
            let mut l = new("list").with_attr("name", list.name);
            for i in list.items {
                let mut e = new("item");
                if let Some(kind) = i.kind {
                    let k = match kind {
                        PrivacyItemType::Jid => "jid",
                        PrivacyItemType::Group => "group",
                        PrivacyItemType::Subscription => "subscription",
                    };
                    e.set_attr("type", CompactStr::from_static(k));
                }
                if let Some(v) = i.value {
                    e.set_attr("value", v);
                }
                e.set_attr(
                    "action",
                    CompactStr::from_static(if i.allow { "allow" } else { "deny" }),
                );
                e.set_attr("order", i.order.to_string());
                let s = i.stanzas;
                for (on, name) in [
                    (s.message, "message"),
                    (s.iq, "iq"),
                    (s.presence_in, "presence-in"),
                    (s.presence_out, "presence-out"),
                ] {
                    if on {
                        e.append_child(new(name));
                    }
                }
                l.append_child(e);
            }
            el.append_child(l);
        }
        el
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NsContext, parse_element};

    fn privacy(inner: &str) -> Result<Privacy, InvalidElement> {
        let xml = format!("<query xmlns='jabber:iq:privacy'>{inner}</query>");
        Privacy::try_from(&parse_element(&xml, &NsContext::client()).unwrap())
    }

    #[test]
    fn list_names_and_items() {
        let p = privacy("<active/><default name='public'/><list name='public'/><list name='x'>\
            <item type='subscription' value='none' action='deny' order='3'><iq/><presence-out/></item></list>")
        .unwrap();
        assert_eq!(p.active, Some(None));
        assert_eq!(p.lists.len(), 2);
        let item = &p.lists[1].items[0];
        assert!(item.stanzas.iq && item.stanzas.presence_out && !item.stanzas.message);
        assert_eq!(Privacy::try_from(&Element::from(p.clone())).unwrap(), p);
    }

    #[test]
    fn invalid_items() {
        let list = |item: &str| {
            privacy(&format!("<list name='l'>{item}</list>"))
                .unwrap_err()
                .problem()
        };
        assert_eq!(
            list("<item action='allow'/>"),
            Problem::MissingAttribute("order")
        );
        assert_eq!(
            list("<item action='maybe' order='1'/>"),
            Problem::InvalidAttribute("action")
        );
        assert_eq!(
            list("<item type='jid' action='deny' order='1'/>"),
            Problem::MissingAttribute("value")
        );
        assert_eq!(
            list("<item type='subscription' value='all' action='deny' order='1'/>"),
            Problem::InvalidAttribute("value")
        );
        assert_eq!(
            list("<item action='deny' order='-1'/>"),
            Problem::InvalidAttribute("order")
        );
        assert_eq!(
            list("<item action='deny' order='1'/><item action='allow' order='1'/>"),
            Problem::InvalidAttribute("order")
        );
        assert_eq!(
            list("<item action='deny' order='1'><chat/></item>"),
            Problem::InvalidChild("item")
        );
        assert_eq!(
            privacy("<active/><active/>").unwrap_err().problem(),
            Problem::DuplicateChild("active/default")
        );
        assert_eq!(
            privacy("<list/>").unwrap_err().problem(),
            Problem::MissingAttribute("name")
        );
        let jid =
            privacy("<list name='l'><item type='jid' value='@' action='deny' order='1'/></list>");
        assert_eq!(
            jid.unwrap_err().condition(),
            StanzaErrorCondition::JidMalformed
        );
    }
}
