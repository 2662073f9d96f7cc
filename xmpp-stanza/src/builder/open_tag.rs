//! Reading a start tag on its own (a stream header) into an [`OpenElement`].

use super::{PendingStart, TreeBuilder, check_name_start, slice};
use crate::context::NsContext;
use crate::element::{Element, is_xml_whitespace};
use crate::error::{Construct, ParseError, XmlRule};
use crate::text::CompactStr;
use crate::tokenizer::{FastTokens, Token, TokenSource, TokenizerKind, XmlparserTokens};

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

impl TreeBuilder {
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
        let result = match self.tokenizer {
            TokenizerKind::Fast => self.start_tag_from(FastTokens::new(input), input, ctx),
            TokenizerKind::Xmlparser => {
                self.start_tag_from(XmlparserTokens::new(input), input, ctx)
            }
        };
        self.clear();
        result
    }

    fn start_tag_from<'a>(
        &mut self,
        mut tokens: impl TokenSource<'a>,
        input: &'a str,
        ctx: &NsContext,
    ) -> Result<OpenElement, ParseError> {
        self.begin_start_tag();
        let mut pending: Option<PendingStart<'a>> = None;
        let mut open: Option<OpenElement> = None;
        while let Some(token) = tokens.next_token() {
            match token? {
                Token::Text { raw, .. } if is_xml_whitespace(raw) => {}
                Token::StartTag {
                    prefix,
                    local,
                    offset,
                } if pending.is_none() && open.is_none() => {
                    check_name_start(
                        input,
                        prefix,
                        local,
                        offset + 1,
                        XmlRule::Syntax(Construct::StartTag),
                        offset,
                    )?;
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
                } if open.is_none() => {
                    self.push_attr(input, prefix, local, value, offset, plain)?
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
}
