//! Namespace processing of a start tag: declarations, prefixes, attributes.

use super::{AttrKind, Binding, PendingStart, TreeBuilder, range_in, slice};
use crate::context::NsContext;
use crate::element::{Attribute, Element};
use crate::error::{ParseError, XmlRule};
use crate::ns::{self, Namespace};
use crate::reference::{needs_resolving, resolve_into};
use crate::text::CompactStr;

impl TreeBuilder {
    /// Processes the collected start tag: namespace declarations first, then the
    /// element name and the other attributes. Pushes the tag's bindings; returns the
    /// element and the default namespace in force for its content.
    pub(super) fn open_element(
        &mut self,
        input: &str,
        ctx: &NsContext,
        start: PendingStart<'_>,
    ) -> Result<(Element, Namespace), ParseError> {
        let mut default_ns = match self.frames.last() {
            Some(f) => f.default_ns.clone(),
            None => ctx.default_ns().clone(),
        };
        let mut plain = 0;
        for (i, a) in self.raw_attrs.iter().enumerate() {
            if a.kind != AttrKind::Declaration {
                plain += 1;
                continue;
            }
            let prefix = slice(input, a.prefix);
            let local = slice(input, a.local);
            let is_default_decl = prefix.is_empty();
            // Declarations are compared by qname (xmlns='' twice, xmlns:p twice).
            let dup = self.raw_attrs[..i].iter().any(|b| {
                b.kind == AttrKind::Declaration
                    && slice(input, b.prefix) == prefix
                    && slice(input, b.local) == local
            });
            if dup {
                return Err(ParseError::new(XmlRule::DuplicateAttribute, a.offset));
            }
            let value_offset = a.value.0;
            let uri = resolve_value(&mut self.scratch, slice(input, a.value), value_offset)?;
            let reserved = uri == ns::XMLNS || (uri == ns::XML && local != "xml");
            if is_default_decl {
                if reserved || uri == ns::XML {
                    return Err(ParseError::new(XmlRule::ReservedPrefix, a.offset));
                }
                default_ns = Namespace::intern(uri);
                continue;
            }
            if local == "xmlns" || (local == "xml" && uri != ns::XML) || reserved {
                return Err(ParseError::new(XmlRule::ReservedPrefix, a.offset));
            }
            if uri.is_empty() {
                return Err(ParseError::new(XmlRule::EmptyPrefixBinding, a.offset));
            }
            if ctx.binding(local).is_some_and(|b| b.fixed && b.ns != uri) {
                return Err(ParseError::new(XmlRule::RebindsFixedPrefix, a.offset));
            }
            let ns = Namespace::intern(uri);
            self.bindings.push(Binding {
                prefix: a.local,
                ns,
            });
        }

        let ns = self.resolve_prefix(input, ctx, start.prefix, &default_ns, start.offset)?;
        let mut attrs: Vec<Attribute> = Vec::with_capacity(plain);
        let any_prefixed = self.raw_attrs.iter().any(|a| a.kind == AttrKind::Prefixed);
        for (i, a) in self.raw_attrs.iter().enumerate() {
            let local = slice(input, a.local);
            let attr_ns = match a.kind {
                AttrKind::Declaration => continue,
                AttrKind::Plain => Namespace::NONE,
                AttrKind::Prefixed => {
                    let prefix = slice(input, a.prefix);
                    self.resolve_prefix(input, ctx, prefix, &default_ns, a.offset)?
                }
            };
            let dup = if any_prefixed {
                attrs.iter().any(|b| b.name == local && b.ns == attr_ns)
            } else {
                // Unprefixed only: compare the raw names, no namespace to resolve.
                self.raw_attrs[..i]
                    .iter()
                    .any(|b| b.kind == AttrKind::Plain && slice(input, b.local) == local)
            };
            if dup {
                return Err(ParseError::new(XmlRule::DuplicateAttribute, a.offset));
            }
            let raw = slice(input, a.value);
            let value = if needs_resolving(raw, true) {
                CompactStr::from(resolve_value(&mut self.scratch, raw, a.value.0)?)
            } else {
                CompactStr::from_range(input, a.value.0, a.value.1)
            };
            attrs.push(Attribute {
                ns: attr_ns,
                name: CompactStr::from_range(input, a.local.0, a.local.1),
                value,
            });
        }
        Ok((
            Element::from_parts(
                {
                    let (s, e) = range_in(input, start.local);
                    CompactStr::from_range(input, s, e)
                },
                ns,
                attrs,
            ),
            default_ns,
        ))
    }

    fn resolve_prefix(
        &self,
        input: &str,
        ctx: &NsContext,
        prefix: &str,
        default_ns: &Namespace,
        offset: usize,
    ) -> Result<Namespace, ParseError> {
        match prefix {
            "" => Ok(default_ns.clone()),
            "xml" => Ok(Namespace::XML),
            "xmlns" => Err(ParseError::new(XmlRule::ReservedPrefix, offset)),
            _ => {
                if let Some(b) = self
                    .bindings
                    .iter()
                    .rev()
                    .find(|b| slice(input, b.prefix) == prefix)
                {
                    return Ok(b.ns.clone());
                }
                ctx.prefix_ns(prefix)
                    .cloned()
                    .ok_or(ParseError::new(XmlRule::UndeclaredPrefix, offset))
            }
        }
    }
}

pub(super) fn attr_kind(prefix: &str, local: &str) -> AttrKind {
    if prefix == "xmlns" || (prefix.is_empty() && local == "xmlns") {
        AttrKind::Declaration
    } else if prefix.is_empty() {
        AttrKind::Plain
    } else {
        AttrKind::Prefixed
    }
}

/// Resolves an attribute value, borrowing it when it needs nothing done.
pub(super) fn resolve_value<'s>(
    scratch: &'s mut String,
    raw: &'s str,
    offset: usize,
) -> Result<&'s str, ParseError> {
    if !needs_resolving(raw, true) {
        return Ok(raw);
    }
    scratch.clear();
    resolve_into(raw, offset, true, scratch)?;
    Ok(scratch.as_str())
}
