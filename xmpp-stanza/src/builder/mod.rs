//! The tree builder: one complete element from a `&str`, checked for
//! well-formedness and resolved against a namespace context.
//!
//! This is what a stream framer calls for each complete top-level element: it owns
//! reusable scratch space (open-element stack, namespace bindings, attribute list,
//! text buffer) so that, once warm, building an element allocates only for the tree
//! it returns.

mod namespaces;
mod open_tag;

pub use open_tag::OpenElement;

use namespaces::attr_kind;

use crate::context::NsContext;
use crate::element::{Element, Node, is_xml_whitespace};
use crate::error::{ParseError, XmlRule};
use crate::ns::Namespace;
use crate::reference::{needs_resolving, resolve_into};
use crate::text::CompactStr;
use crate::tokenizer::{Token, Tokenizer};

/// Limits the tree builder enforces (a stream framer should enforce the same ones
/// earlier, while scanning, before buffering).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum nesting depth; the element itself is depth 1. Values above
    /// [`Limits::MAX_DEPTH`] act as `MAX_DEPTH`.
    pub max_depth: usize,
    /// Maximum number of attributes (namespace declarations included) on one element.
    pub max_attributes: usize,
}

impl Limits {
    /// The deepest tree the builder ever produces, whatever `max_depth` says.
    ///
    /// Serializing, cloning, comparing, printing and dropping an [`Element`] recurse
    /// once per level; this ceiling keeps a peer's nesting from overflowing the stack
    /// of the thread that handles it (without it, about 2000 levels overflowed a
    /// 2 MiB thread in a debug build). Real stanzas nest a dozen levels at most.
    pub const MAX_DEPTH: usize = 256;

    /// The depth limit in force: `max_depth`, at most [`Limits::MAX_DEPTH`].
    pub fn effective_max_depth(&self) -> usize {
        self.max_depth.min(Limits::MAX_DEPTH)
    }
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
                    if self.frames.len() >= self.limits.effective_max_depth() {
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
                } => self.push_attr(input, prefix, local, value, offset)?,
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
            PendingText::Span(s, e) => CompactStr::from_range(input, s, e),
            PendingText::Buffered => {
                let t = CompactStr::from(self.scratch.as_str());
                self.scratch.clear();
                t
            }
        };
        *pending = PendingText::None;
        if !self.frames.is_empty() && !text.as_bytes().is_empty() {
            self.nodes.push(Node::Text(text));
        }
    }
}

impl TreeBuilder {
    /// Records one attribute of the open start tag, within the attribute limit.
    fn push_attr(
        &mut self,
        input: &str,
        prefix: &str,
        local: &str,
        value: &str,
        offset: usize,
    ) -> Result<(), ParseError> {
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
        Ok(())
    }

    /// Hands a closed element to its parent (or makes it the result).
    fn attach(&mut self, root: &mut Option<Element>, element: Element) {
        if self.frames.is_empty() {
            *root = Some(element);
        } else {
            self.nodes.push(Node::Element(element));
        }
    }
}
