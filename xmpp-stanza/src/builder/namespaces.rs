//! Namespace processing of a start tag: declarations, prefixes, attributes.

use super::{AttrKind, Binding, PendingStart, TreeBuilder, range_in, slice};
use crate::context::NsContext;
use crate::element::{Attribute, Element};
use crate::error::{ParseError, XmlRule};
use crate::ns::{self, Namespace};
use crate::reference::resolve_into;
use crate::text::CompactStr;

impl TreeBuilder {
    /// Processes the collected start tag: namespace declarations first, then the
    /// element name and the other attributes. Pushes the tag's bindings; returns the
    /// element and the default namespace in force for its content.
    ///
    /// Inlined so that the element is built where the caller puts it, not moved
    /// through a returned `Result`.
    #[inline(always)]
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
        if self.declarations > 0 {
            self.declare(input, ctx, &mut default_ns)?;
        }
        let ns = self.resolve_prefix(input, ctx, start.prefix, &default_ns, start.offset)?;
        let (s, e) = range_in(input, start.local);
        let name = CompactStr::from_range(input, s, e);
        let count = self.raw_attrs.len() - self.declarations;
        let attrs = if count == 0 {
            Vec::new()
        } else {
            self.attributes(input, ctx, &default_ns, count)?
        };
        Ok((Element::from_parts(name, ns, attrs), default_ns))
    }

    /// Reads the namespace declarations of the start tag: sets `default_ns` and
    /// pushes the prefix bindings.
    fn declare(
        &mut self,
        input: &str,
        ctx: &NsContext,
        default_ns: &mut Namespace,
    ) -> Result<(), ParseError> {
        for (i, a) in self.raw_attrs.iter().enumerate() {
            if a.kind != AttrKind::Declaration {
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
            let raw = slice(input, a.value);
            let uri = if a.plain {
                raw
            } else {
                self.scratch.clear();
                resolve_into(raw, a.value.0, true, &mut self.scratch)?;
                self.scratch.as_str()
            };
            let reserved = uri == ns::XMLNS || (uri == ns::XML && local != "xml");
            if is_default_decl {
                if reserved || uri == ns::XML {
                    return Err(ParseError::new(XmlRule::ReservedPrefix, a.offset));
                }
                *default_ns = Namespace::intern(uri);
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
        Ok(())
    }

    /// The `count` attributes of the start tag that are not namespace
    /// declarations, resolved, in document order.
    fn attributes(
        &mut self,
        input: &str,
        ctx: &NsContext,
        default_ns: &Namespace,
        count: usize,
    ) -> Result<Vec<Attribute>, ParseError> {
        let mut attrs: Vec<Attribute> = Vec::with_capacity(count);
        for (i, a) in self.raw_attrs.iter().enumerate() {
            let local = slice(input, a.local);
            let dup = match a.kind {
                AttrKind::Declaration => continue,
                // Unprefixed only: compare the raw names, no namespace to resolve.
                AttrKind::Plain if self.prefixed == 0 => self.raw_attrs[..i]
                    .iter()
                    .any(|b| b.kind == AttrKind::Plain && slice(input, b.local) == local),
                _ => false,
            };
            let attr_ns = match a.kind {
                AttrKind::Prefixed => {
                    let prefix = slice(input, a.prefix);
                    self.resolve_prefix(input, ctx, prefix, default_ns, a.offset)?
                }
                _ => Namespace::NONE,
            };
            let dup = dup
                || (self.prefixed > 0 && attrs.iter().any(|b| b.name == local && b.ns == attr_ns));
            if dup {
                return Err(ParseError::new(XmlRule::DuplicateAttribute, a.offset));
            }
            let value = if a.plain {
                CompactStr::from_range(input, a.value.0, a.value.1)
            } else {
                self.scratch.clear();
                resolve_into(slice(input, a.value), a.value.0, true, &mut self.scratch)?;
                CompactStr::from(self.scratch.as_str())
            };
            attrs.push(Attribute {
                ns: attr_ns,
                name: CompactStr::from_range(input, a.local.0, a.local.1),
                value,
            });
        }
        Ok(attrs)
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
