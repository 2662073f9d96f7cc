//! What stream errors, stanza errors and SASL failures share: an enum of defined
//! conditions named by element ([`conditions!`]), and an element body made of one
//! defined-condition child (possibly with character data), descriptive `<text/>`
//! children and anything else, kept.

use crate::convert::{InvalidElement, LangText, Problem, text_of};
use crate::element::{Element, Node, is_xml_whitespace};
use crate::ns::Namespace;
use crate::text::CompactStr;

/// Declares an enum of defined conditions with `ALL`, `name`, `from_name` and
/// `Display` (the element name).
macro_rules! conditions {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every condition, in the order the RFC lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The element name of the condition (`not-well-formed`, ...).
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The condition named `name`, if it is one.
            pub fn from_name(name: &str) -> Option<$name> {
                match name {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

pub(crate) use conditions;

/// The children of an error element, read by [`read_error_body`].
pub(crate) struct ErrorBody<C> {
    /// The first defined condition in the conditions' namespace, if any.
    pub(crate) condition: Option<C>,
    /// Its character data, if it has any (`see-other-host`, `gone`, `redirect`).
    pub(crate) detail: Option<CompactStr>,
    /// The `<text/>` children in the conditions' namespace.
    pub(crate) text: Vec<LangText>,
    /// Every other child element, in order.
    pub(crate) other: Vec<Element>,
}

/// Reads the children of an error element whose defined conditions and `<text/>`
/// live in namespace `ns`. A condition element must carry no attributes and no
/// child elements, and character data only when `detail_allowed`; one that does not
/// qualify (or a second condition) is kept in `other`. Non-whitespace text directly
/// inside the error element is refused.
pub(crate) fn read_error_body<C>(
    el: &Element,
    ns: &str,
    from_name: fn(&str) -> Option<C>,
    detail_allowed: bool,
) -> Result<ErrorBody<C>, InvalidElement> {
    let mut body = ErrorBody {
        condition: None,
        detail: None,
        text: Vec::new(),
        other: Vec::new(),
    };
    for node in el.nodes() {
        let child = match node {
            Node::Element(child) => child,
            Node::Text(t) if is_xml_whitespace(t) => continue,
            Node::Text(_) => return Err(InvalidElement::bad_request(Problem::UnexpectedText)),
        };
        let in_ns = *child.ns() == ns;
        let defined = if in_ns { from_name(child.name()) } else { None };
        let plain = child.attrs().is_empty()
            && child.children().next().is_none()
            && (detail_allowed || child.nodes().is_empty());
        match defined {
            Some(c) if body.condition.is_none() && plain => {
                body.condition = Some(c);
                body.detail = (!child.nodes().is_empty()).then(|| text_of(child));
            }
            _ if in_ns && child.name() == "text" => {
                body.text.push(LangText::from_element(child, "text")?);
            }
            _ => body.other.push(child.clone()),
        }
    }
    Ok(body)
}

/// Appends the children [`read_error_body`] reads: the condition element `name`
/// (with `detail` as its text), the texts, then the other elements.
pub(crate) fn write_error_body(
    el: &mut Element,
    ns: &Namespace,
    condition: Option<&'static str>,
    detail: Option<CompactStr>,
    text: &[LangText],
    other: impl IntoIterator<Item = Element>,
) {
    if let Some(name) = condition {
        let mut cond = Element::new(CompactStr::from_static(name), ns.clone());
        if let Some(d) = detail {
            cond.append_text(d);
        }
        el.append_child(cond);
    }
    for t in text {
        el.append_child(t.to_element("text", ns.clone()));
    }
    for o in other {
        el.append_child(o);
    }
}
