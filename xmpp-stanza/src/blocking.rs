//! The blocking command (XEP-0191): `<blocklist/>`, `<block/>`, `<unblock/>` in
//! `urn:xmpp:blocking`.

use xmpp_jid::Jid;

use crate::convert::{InvalidElement, Problem, jid_attr, no_text, one_of, only_attrs};
use crate::element::Element;
use crate::ns::{self, Namespace};
use crate::text::CompactStr;

/// A blocking command payload.
///
/// ```
/// use xmpp_stanza::{Blocking, Element, NsContext};
/// use xmpp_jid::Jid;
///
/// let block = Blocking::Block(vec![Jid::new("romeo@montague.net").unwrap()]);
/// assert_eq!(Element::from(block.clone()).to_xml_in(&NsContext::client()).unwrap(),
///     "<block xmlns='urn:xmpp:blocking'><item jid='romeo@montague.net'/></block>");
/// assert_eq!(Blocking::try_from(&Element::from(block.clone())).unwrap(), block);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocking {
    /// `<blocklist/>`: empty in a get, the blocked JIDs in a result.
    Blocklist(Vec<Jid>),
    /// `<block/>`: block these JIDs (at least one).
    Block(Vec<Jid>),
    /// `<unblock/>`: unblock these JIDs, or everything when empty.
    Unblock(Vec<Jid>),
}

impl Blocking {
    fn name(&self) -> &'static str {
        match self {
            Blocking::Blocklist(_) => "blocklist",
            Blocking::Block(_) => "block",
            Blocking::Unblock(_) => "unblock",
        }
    }
}

impl TryFrom<&Element> for Blocking {
    type Error = InvalidElement;

    fn try_from(el: &Element) -> Result<Blocking, InvalidElement> {
        if *el.ns() != ns::BLOCKING {
            return Err(InvalidElement::bad_request(Problem::UnexpectedElement));
        }
        let name = one_of(el.name(), &["blocklist", "block", "unblock"])?;
        no_text(el)?;
        only_attrs(el, name, &[])?;
        let mut jids = Vec::new();
        for child in el.children() {
            let only_jid = child.attrs().iter().all(|a| a.is("jid", ""));
            if !child.is("item", ns::BLOCKING)
                || !only_jid
                || child.nodes().iter().any(|n| !n.is_whitespace())
            {
                return Err(InvalidElement::bad_request(Problem::InvalidChild("item")));
            }
            let jid = jid_attr(child, "jid")?.ok_or(InvalidElement::bad_request(
                Problem::MissingAttribute("jid"),
            ))?;
            jids.push(jid);
        }
        match name {
            "blocklist" => Ok(Blocking::Blocklist(jids)),
            "block" if jids.is_empty() => {
                Err(InvalidElement::bad_request(Problem::MissingChild("item")))
            }
            "block" => Ok(Blocking::Block(jids)),
            "unblock" => Ok(Blocking::Unblock(jids)),
            _ => Err(InvalidElement::bad_request(Problem::UnexpectedElement)),
        }
    }
}

impl From<Blocking> for Element {
    fn from(b: Blocking) -> Element {
        let ns = Namespace::from_static(ns::BLOCKING);
        let mut el = Element::new(CompactStr::from_static(b.name()), ns.clone());
        let (Blocking::Blocklist(jids) | Blocking::Block(jids) | Blocking::Unblock(jids)) = b;
        for jid in jids {
            el.append_child(
                Element::new(CompactStr::from_static("item"), ns.clone())
                    .with_attr("jid", jid.as_str()),
            );
        }
        el
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_refusals() {
        let jid = Jid::new("iago@shakespeare.lit").unwrap();
        for b in [
            Blocking::Blocklist(Vec::new()),
            Blocking::Blocklist(vec![jid.clone()]),
            Blocking::Block(vec![jid.clone()]),
            Blocking::Unblock(Vec::new()),
        ] {
            assert_eq!(Blocking::try_from(&Element::from(b.clone())).unwrap(), b);
        }
        let empty_block = Element::new("block", ns::BLOCKING);
        assert_eq!(
            Blocking::try_from(&empty_block).unwrap_err().problem(),
            Problem::MissingChild("item")
        );
        let bad =
            Element::new("block", ns::BLOCKING).with_child(Element::new("item", ns::BLOCKING));
        assert_eq!(
            Blocking::try_from(&bad).unwrap_err().problem(),
            Problem::MissingAttribute("jid")
        );
    }
}
