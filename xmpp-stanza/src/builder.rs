//! The tree builder: one complete element from a `&str`, checked for
//! well-formedness and resolved against a namespace context.
//!
//! This is what a stream framer calls for each complete top-level element: it owns
//! reusable scratch space (open-element stack, namespace bindings, attribute list,
//! text buffer) so that, once warm, building an element allocates only for the tree
//! it returns.

use crate::context::NsContext;
use crate::element::{Attribute, Element, Node, is_xml_whitespace};
use crate::error::{ParseError, XmlRule};
use crate::ns::{self, Namespace};
use crate::reference::{needs_resolving, resolve_into};
use crate::text::CompactStr;
use crate::tokenizer::{Token, Tokenizer};

/// Limits the tree builder enforces (a stream framer should enforce the same ones
/// earlier, while scanning, before buffering).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum nesting depth; the element itself is depth 1.
    pub max_depth: usize,
    /// Maximum number of attributes (namespace declarations included) on one element.
    pub max_attributes: usize,
}

impl Default for Limits {
    /// 64 levels, 100 attributes.
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_attributes: 100,
        }
    }
}

/// A start tag read on its own, such as a stream header: the element (no children),
/// the prefix it was written with, and the namespace context its content inherits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenElement {
    /// The element with its attributes (namespace declarations resolved away).
    pub element: Element,
    /// The prefix of the element name (`Some("stream")` for `<stream:stream>`).
    pub prefix: Option<CompactStr>,
    /// The context of the element's content: the caller's context plus the
    /// declarations and `xml:lang` of this tag. A `stream` prefix declared here is
    /// fixed (content may not rebind it).
    pub context: NsContext,
    /// Whether the tag was self-closing (`<stream:stream .../>`).
    pub self_closing: bool,
}

/// Parses one complete element with default [`Limits`]; see [`TreeBuilder::build`].
///
/// ```
/// use xmpp_stanza::{parse_element, NsContext, ns};
///
/// let e = parse_element("<message to='romeo@example.net'><body>hi &amp; bye</body></message>",
///                       &NsContext::client()).unwrap();
/// assert!(e.is("message", ns::CLIENT));
/// assert_eq!(e.child("body", ns::CLIENT).unwrap().text(), "hi & bye");
/// ```
pub fn parse_element(input: &str, ctx: &NsContext) -> Result<Element, ParseError> {
    TreeBuilder::new().build(input, ctx)
}

/// Builds element trees from complete elements; reuse one per stream.
#[derive(Debug, Default)]
pub struct TreeBuilder {
    limits: Limits,
    frames: Vec<Frame>,
    /// Children of the open elements, innermost last; moved into an exactly sized
    /// `Vec` when their element closes.
    nodes: Vec<Node>,
    bindings: Vec<Binding>,
    raw_attrs: Vec<RawAttr>,
    scratch: String,
}

#[derive(Debug)]
struct Frame {
    element: Element,
    /// Where this element's children start in `TreeBuilder::nodes`.
    nodes_start: usize,
    /// Where `prefix:local` of the start tag lies in the input.
    qname: (usize, usize),
    default_ns: Namespace,
    bindings_mark: usize,
}

#[derive(Debug)]
struct Binding {
    prefix: (usize, usize),
    ns: Namespace,
}

/// What an attribute of a start tag is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AttrKind {
    /// `name='v'`.
    Plain,
    /// `p:name='v'`.
    Prefixed,
    /// `xmlns='uri'` or `xmlns:p='uri'`.
    Declaration,
}

#[derive(Debug)]
struct RawAttr {
    kind: AttrKind,
    prefix: (usize, usize),
    local: (usize, usize),
    value: (usize, usize),
    offset: usize,
}

/// The start tag being read: qname position, prefix, local name and offset.
#[derive(Clone, Copy)]
struct PendingStart<'a> {
    prefix: &'a str,
    local: &'a str,
    offset: usize,
}

/// Character data collected for the current element but not yet stored.
#[derive(Clone, Copy)]
enum PendingText {
    None,
    /// One piece that needs no resolving: a range of the input.
    Span(usize, usize),
    /// Resolved pieces, in the scratch buffer.
    Buffered,
}

/// Position of `part` (a subslice of `input`) in `input`.
fn range_in(input: &str, part: &str) -> (usize, usize) {
    let start = (part.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
    (start, start + part.len())
}

fn slice(input: &str, (start, end): (usize, usize)) -> &str {
    input.get(start..end).unwrap_or("")
}

impl TreeBuilder {
    /// A builder with default [`Limits`].
    pub fn new() -> TreeBuilder {
        TreeBuilder::default()
    }

    /// A builder with the given limits.
    pub fn with_limits(limits: Limits) -> TreeBuilder {
        TreeBuilder {
            limits,
            ..TreeBuilder::default()
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Builds the single element that makes up `input` (whitespace around it is
    /// allowed), resolving names against `ctx`.
    ///
    /// Checks what the tokenizer does not: matching end tags, unique attributes
    /// (also by expanded name), declared prefixes and the reserved `xml`/`xmlns`
    /// ones, the stream prefix not being rebound, references (the five predefined
    /// entities and legal character references only), and refuses comments,
    /// processing instructions and DTDs. Errors carry the offset in `input` and map
    /// to an RFC 6120 stream error condition.
    pub fn build(&mut self, input: &str, ctx: &NsContext) -> Result<Element, ParseError> {
        let result = self.build_inner(input, ctx);
        self.frames.clear();
        self.nodes.clear();
        self.bindings.clear();
        self.raw_attrs.clear();
        self.scratch.clear();
        result
    }

    fn build_inner(&mut self, input: &str, ctx: &NsContext) -> Result<Element, ParseError> {
        let mut tokens = Tokenizer::new(input);
        let mut root: Option<Element> = None;
        let mut pending: Option<PendingStart<'_>> = None;
        let mut text = PendingText::None;
        while let Some(token) = tokens.next_token() {
            match token? {
                Token::StartTag {
                    prefix,
                    local,
                    offset,
                } => {
                    self.flush_text(input, &mut text);
                    if root.is_some() {
                        return Err(ParseError::new(XmlRule::MultipleElements, offset));
                    }
                    if self.frames.len() >= self.limits.max_depth {
                        return Err(ParseError::new(XmlRule::TooDeep, offset));
                    }
                    self.raw_attrs.clear();
                    pending = Some(PendingStart {
                        prefix,
                        local,
                        offset,
                    });
                }
                Token::Attribute {
                    prefix,
                    local,
                    value,
                    offset,
                } => {
                    if self.raw_attrs.len() >= self.limits.max_attributes {
                        return Err(ParseError::new(XmlRule::TooManyAttributes, offset));
                    }
                    self.raw_attrs.push(RawAttr {
                        kind: attr_kind(prefix, local),
                        prefix: range_in(input, prefix),
                        local: range_in(input, local),
                        value: range_in(input, value),
                        offset,
                    });
                }
                Token::StartTagEnd { empty } => {
                    let Some(start) = pending.take() else {
                        return Err(ParseError::new(XmlRule::Truncated, input.len()));
                    };
                    let mark = self.bindings.len();
                    let (element, default_ns) = self.open_element(input, ctx, start)?;
                    if empty {
                        self.bindings.truncate(mark);
                        self.attach(&mut root, element);
                    } else {
                        let qname_start = start.offset + 1;
                        let qname_end = range_in(input, start.local).1;
                        self.frames.push(Frame {
                            element,
                            nodes_start: self.nodes.len(),
                            qname: (qname_start, qname_end),
                            default_ns,
                            bindings_mark: mark,
                        });
                    }
                }
                Token::EndTag {
                    prefix,
                    local,
                    offset,
                } => {
                    self.flush_text(input, &mut text);
                    let Some(frame) = self.frames.pop() else {
                        return Err(ParseError::new(XmlRule::UnexpectedEndTag, offset));
                    };
                    let open = slice(input, frame.qname);
                    let matches = match open.split_once(':') {
                        Some((p, l)) => p == prefix && l == local,
                        None => prefix.is_empty() && open == local,
                    };
                    if !matches {
                        return Err(ParseError::new(XmlRule::MismatchedEndTag, offset));
                    }
                    self.bindings.truncate(frame.bindings_mark);
                    let mut element = frame.element;
                    if self.nodes.len() > frame.nodes_start {
                        element.set_children(self.nodes.drain(frame.nodes_start..).collect());
                    }
                    self.attach(&mut root, element);
                }
                Token::Text { raw, offset } => {
                    if self.frames.is_empty() {
                        if !is_xml_whitespace(raw) {
                            return Err(ParseError::new(XmlRule::TextOutsideElement, offset));
                        }
                    } else {
                        self.add_text(input, raw, offset, false, &mut text)?;
                    }
                }
                Token::Cdata {
                    text: cdata,
                    offset,
                } => {
                    if self.frames.is_empty() {
                        return Err(ParseError::new(XmlRule::TextOutsideElement, offset));
                    }
                    self.add_text(input, cdata, offset, true, &mut text)?;
                }
                Token::Restricted { rule, offset } => return Err(ParseError::new(rule, offset)),
            }
        }
        if pending.is_some() || !self.frames.is_empty() {
            return Err(ParseError::new(XmlRule::Truncated, input.len()));
        }
        root.ok_or(ParseError::new(XmlRule::NoElement, input.len()))
    }

    /// Reads a start tag alone (`<stream:stream ...>`), as at the opening of a
    /// stream: returns the element, its prefix, and the context for its content.
    ///
    /// ```
    /// use xmpp_stanza::{NsContext, Namespace, TreeBuilder};
    ///
    /// let open = TreeBuilder::new().parse_start_tag(
    ///     "<stream:stream to='example.com' version='1.0' xml:lang='en' \
    ///      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
    ///     &NsContext::empty()).unwrap();
    /// assert!(open.element.is("stream", xmpp_stanza::ns::STREAM));
    /// assert_eq!(open.prefix.as_deref(), Some("stream"));
    /// assert_eq!(open.context.default_ns(), &Namespace::CLIENT);
    /// assert_eq!(open.context.lang(), Some("en"));
    /// ```
    pub fn parse_start_tag(
        &mut self,
        input: &str,
        ctx: &NsContext,
    ) -> Result<OpenElement, ParseError> {
        let result = self.parse_start_tag_inner(input, ctx);
        self.bindings.clear();
        self.raw_attrs.clear();
        self.scratch.clear();
        result
    }

    fn parse_start_tag_inner(
        &mut self,
        input: &str,
        ctx: &NsContext,
    ) -> Result<OpenElement, ParseError> {
        let mut tokens = Tokenizer::new(input);
        let mut pending: Option<PendingStart<'_>> = None;
        let mut open: Option<OpenElement> = None;
        while let Some(token) = tokens.next_token() {
            match token? {
                Token::Text { raw, .. } if is_xml_whitespace(raw) => {}
                Token::StartTag {
                    prefix,
                    local,
                    offset,
                } if pending.is_none() && open.is_none() => {
                    pending = Some(PendingStart {
                        prefix,
                        local,
                        offset,
                    });
                }
                Token::Attribute {
                    prefix,
                    local,
                    value,
                    offset,
                } if open.is_none() => {
                    if self.raw_attrs.len() >= self.limits.max_attributes {
                        return Err(ParseError::new(XmlRule::TooManyAttributes, offset));
                    }
                    self.raw_attrs.push(RawAttr {
                        kind: attr_kind(prefix, local),
                        prefix: range_in(input, prefix),
                        local: range_in(input, local),
                        value: range_in(input, value),
                        offset,
                    });
                }
                Token::StartTagEnd { empty } if open.is_none() => {
                    let Some(start) = pending.take() else {
                        return Err(ParseError::new(XmlRule::Truncated, input.len()));
                    };
                    let (element, default_ns) = self.open_element(input, ctx, start)?;
                    let mut context = ctx.clone();
                    context.set_default_ns(default_ns);
                    for b in &self.bindings {
                        let prefix = CompactStr::from(slice(input, b.prefix));
                        let fixed =
                            prefix == "stream" || ctx.binding(&prefix).is_some_and(|old| old.fixed);
                        context.bind(prefix, b.ns.clone(), fixed);
                    }
                    if let Some(lang) = element.lang() {
                        context.set_lang(Some(CompactStr::from(lang)));
                    }
                    let prefix = (!start.prefix.is_empty()).then(|| CompactStr::from(start.prefix));
                    open = Some(OpenElement {
                        element,
                        prefix,
                        context,
                        self_closing: empty,
                    });
                }
                Token::Restricted { rule, offset } => return Err(ParseError::new(rule, offset)),
                Token::Text { offset, .. } | Token::Cdata { offset, .. } => {
                    return Err(ParseError::new(XmlRule::TextOutsideElement, offset));
                }
                Token::StartTag { offset, .. }
                | Token::EndTag { offset, .. }
                | Token::Attribute { offset, .. } => {
                    return Err(ParseError::new(XmlRule::MultipleElements, offset));
                }
                Token::StartTagEnd { .. } => {
                    return Err(ParseError::new(XmlRule::MultipleElements, input.len()));
                }
            }
        }
        open.ok_or(ParseError::new(
            if pending.is_some() {
                XmlRule::Truncated
            } else {
                XmlRule::NoElement
            },
            input.len(),
        ))
    }

    /// Processes the collected start tag: namespace declarations first, then the
    /// element name and the other attributes. Pushes the tag's bindings; returns the
    /// element and the default namespace in force for its content.
    fn open_element(
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
            let value = resolve_value(&mut self.scratch, slice(input, a.value), a.value.0)?;
            attrs.push(Attribute {
                ns: attr_ns,
                name: CompactStr::from(local),
                value: CompactStr::from(value),
            });
        }
        Ok((
            Element::from_parts(CompactStr::from(start.local), ns, attrs),
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

    fn add_text(
        &mut self,
        input: &str,
        raw: &str,
        offset: usize,
        cdata: bool,
        pending: &mut PendingText,
    ) -> Result<(), ParseError> {
        let needs = if cdata {
            raw.contains('\r')
        } else {
            needs_resolving(raw, false)
        };
        match *pending {
            PendingText::None if !needs => {
                let (s, e) = range_in(input, raw);
                *pending = PendingText::Span(s, e);
                return Ok(());
            }
            PendingText::None => self.scratch.clear(),
            PendingText::Span(s, e) => {
                self.scratch.clear();
                self.scratch.push_str(slice(input, (s, e)));
            }
            PendingText::Buffered => {}
        }
        *pending = PendingText::Buffered;
        if cdata {
            // CDATA holds no references; only line ends are normalised.
            let mut chars = raw.char_indices().peekable();
            while let Some((_, c)) = chars.next() {
                if c == '\r' {
                    self.scratch.push('\n');
                    if chars.peek().is_some_and(|&(_, n)| n == '\n') {
                        chars.next();
                    }
                } else {
                    self.scratch.push(c);
                }
            }
            Ok(())
        } else {
            resolve_into(raw, offset, false, &mut self.scratch)
        }
    }

    fn flush_text(&mut self, input: &str, pending: &mut PendingText) {
        let text = match *pending {
            PendingText::None => return,
            PendingText::Span(s, e) => CompactStr::from(slice(input, (s, e))),
            PendingText::Buffered => {
                let t = CompactStr::from(self.scratch.as_str());
                self.scratch.clear();
                t
            }
        };
        *pending = PendingText::None;
        if !self.frames.is_empty() && !text.is_empty() {
            self.nodes.push(Node::Text(text));
        }
    }
}

fn attr_kind(prefix: &str, local: &str) -> AttrKind {
    if prefix == "xmlns" || (prefix.is_empty() && local == "xmlns") {
        AttrKind::Declaration
    } else if prefix.is_empty() {
        AttrKind::Plain
    } else {
        AttrKind::Prefixed
    }
}

/// Resolves an attribute value, borrowing it when it needs nothing done.
fn resolve_value<'s>(
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

impl TreeBuilder {
    /// Hands a closed element to its parent (or makes it the result).
    fn attach(&mut self, root: &mut Option<Element>, element: Element) {
        if self.frames.is_empty() {
            *root = Some(element);
        } else {
            self.nodes.push(Node::Element(element));
        }
    }
}
