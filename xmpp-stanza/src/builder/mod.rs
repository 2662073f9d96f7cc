//! The tree builder: one complete element from a `&str`, checked for
//! well-formedness and resolved against a namespace context.
//!
//! This is what a stream framer calls for each complete top-level element: it owns
//! reusable scratch space (open-element stack, namespace bindings, attribute list,
//! text buffer) so that, once warm, building an element allocates only for the tree
//! it returns: one exactly sized `Vec` for the attributes of an element that has
//! any, one for the children of an element that has any, and the strings longer
//! than [`CompactStr::INLINE_CAPACITY`](crate::CompactStr::INLINE_CAPACITY).
//!
//! The builder runs on either tokenizer behind the seam ([`TokenizerKind`]); it is
//! generic over the token source, so the default fast one is compiled straight into
//! its loop.

mod namespaces;
mod open_tag;
mod text;

pub use open_tag::OpenElement;

use text::PendingText;

use crate::context::NsContext;
use crate::element::{Element, Node, is_xml_whitespace};
use crate::error::{Construct, ParseError, XmlRule};
use crate::ns::Namespace;
use crate::tokenizer::{FastTokens, Token, TokenSource, TokenizerKind, XmlparserTokens};

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
    tokenizer: TokenizerKind,
    frames: Vec<Frame>,
    /// Children of the open elements, innermost last; moved into an exactly sized
    /// `Vec` when their element closes.
    nodes: Vec<Node>,
    bindings: Vec<Binding>,
    /// The attributes of the start tag being read.
    raw_attrs: Vec<RawAttr>,
    /// How many of `raw_attrs` are namespace declarations, and how many prefixed.
    declarations: usize,
    prefixed: usize,
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
    /// The value needs no reference resolution or normalisation.
    plain: bool,
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

/// Position of `part` (a subslice of `input`) in `input`.
#[inline]
fn range_in(input: &str, part: &str) -> (usize, usize) {
    let start = (part.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
    (start, start + part.len())
}

#[inline]
fn slice(input: &str, (start, end): (usize, usize)) -> &str {
    input.get(start..end).unwrap_or("")
}

/// Refuses a name written with an empty prefix (`:local`), which the tokenizers
/// read as unprefixed but Namespaces in XML does not allow (a `QName` is
/// `prefix:local` or `local`). `at` is where the name should start.
#[inline]
fn check_name_start(
    input: &str,
    prefix: &str,
    local: &str,
    at: usize,
    rule: XmlRule,
    offset: usize,
) -> Result<(), ParseError> {
    if prefix.is_empty() && range_in(input, local).0 != at {
        return Err(ParseError::new(rule, offset));
    }
    Ok(())
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

    /// The same builder running on the given tokenizer (the default is
    /// [`TokenizerKind::Fast`]; [`TokenizerKind::Xmlparser`] is the reference it is
    /// checked against).
    pub fn with_tokenizer(mut self, tokenizer: TokenizerKind) -> TreeBuilder {
        self.tokenizer = tokenizer;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The tokenizer in use.
    pub fn tokenizer(&self) -> TokenizerKind {
        self.tokenizer
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
        let result = match self.tokenizer {
            TokenizerKind::Fast => self.build_from(FastTokens::new(input), input, ctx),
            TokenizerKind::Xmlparser => self.build_from(XmlparserTokens::new(input), input, ctx),
        };
        self.clear();
        result
    }

    /// Forgets everything of the last input (the capacity is kept).
    fn clear(&mut self) {
        self.frames.clear();
        self.nodes.clear();
        self.bindings.clear();
        self.raw_attrs.clear();
        self.scratch.clear();
    }

    fn build_from<'a>(
        &mut self,
        mut tokens: impl TokenSource<'a>,
        input: &'a str,
        ctx: &NsContext,
    ) -> Result<Element, ParseError> {
        let mut root: Option<Element> = None;
        let mut pending: Option<PendingStart<'a>> = None;
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
                    check_name_start(
                        input,
                        prefix,
                        local,
                        offset + 1,
                        XmlRule::Syntax(Construct::StartTag),
                        offset,
                    )?;
                    self.begin_start_tag();
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
                    plain,
                } => self.push_attr(input, prefix, local, value, offset, plain)?,
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
                        self.frames.push(Frame {
                            element,
                            nodes_start: self.nodes.len(),
                            qname: (start.offset + 1, range_in(input, start.local).1),
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
                    self.close_element(input, prefix, local, offset, &mut root)?;
                }
                Token::Text { raw, offset, plain } => {
                    if !self.frames.is_empty() {
                        self.add_text(input, raw, offset, plain, &mut text)?;
                    } else if !is_xml_whitespace(raw) {
                        return Err(ParseError::new(XmlRule::TextOutsideElement, offset));
                    }
                }
                Token::Cdata {
                    text: cdata,
                    offset,
                } => {
                    if self.frames.is_empty() {
                        return Err(ParseError::new(XmlRule::TextOutsideElement, offset));
                    }
                    self.add_cdata(input, cdata, &mut text);
                }
                Token::Restricted { rule, offset } => return Err(ParseError::new(rule, offset)),
            }
        }
        if pending.is_some() || !self.frames.is_empty() {
            return Err(ParseError::new(XmlRule::Truncated, input.len()));
        }
        root.ok_or(ParseError::new(XmlRule::NoElement, input.len()))
    }

    /// The end tag `</prefix:local>` at `offset` closes the innermost open element.
    fn close_element(
        &mut self,
        input: &str,
        prefix: &str,
        local: &str,
        offset: usize,
        root: &mut Option<Element>,
    ) -> Result<(), ParseError> {
        let Some(frame) = self.frames.pop() else {
            return Err(ParseError::new(XmlRule::UnexpectedEndTag, offset));
        };
        // Both names are slices of `input`: compare the written qnames.
        let start = if prefix.is_empty() { local } else { prefix };
        let end_qname = (range_in(input, start).0, range_in(input, local).1);
        if end_qname.0 != offset + 2 || slice(input, frame.qname) != slice(input, end_qname) {
            return Err(ParseError::new(XmlRule::MismatchedEndTag, offset));
        }
        self.bindings.truncate(frame.bindings_mark);
        let mut element = frame.element;
        if self.nodes.len() > frame.nodes_start {
            element.set_children(self.nodes.split_off(frame.nodes_start));
        }
        self.attach(root, element);
        Ok(())
    }

    /// Starts collecting the attributes of a new start tag.
    fn begin_start_tag(&mut self) {
        self.raw_attrs.clear();
        self.declarations = 0;
        self.prefixed = 0;
    }

    /// Records one attribute of the open start tag, within the attribute limit.
    fn push_attr(
        &mut self,
        input: &str,
        prefix: &str,
        local: &str,
        value: &str,
        offset: usize,
        plain: bool,
    ) -> Result<(), ParseError> {
        if self.raw_attrs.len() >= self.limits.max_attributes {
            return Err(ParseError::new(XmlRule::TooManyAttributes, offset));
        }
        check_name_start(
            input,
            prefix,
            local,
            offset,
            XmlRule::Syntax(Construct::Attribute),
            offset,
        )?;
        let kind = if prefix == "xmlns" || (prefix.is_empty() && local == "xmlns") {
            self.declarations += 1;
            AttrKind::Declaration
        } else if prefix.is_empty() {
            AttrKind::Plain
        } else {
            self.prefixed += 1;
            AttrKind::Prefixed
        };
        self.raw_attrs.push(RawAttr {
            kind,
            plain,
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
