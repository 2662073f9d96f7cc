//! The tokenizer seam: turns a complete `&str` of element content into [`Token`]s
//! for the tree builder.
//!
//! Two implementations produce the same token stream:
//!
//! * [`FastTokens`] (the default, [`TokenizerKind::Fast`]): a byte scanner written
//!   for this crate. It skips character data and attribute values eight bytes at a
//!   time, reads names through a lookup table (decoding only non-ASCII name
//!   characters), and tells the builder whether a text or a value holds anything to
//!   resolve, so plain ones are never looked at again.
//! * [`XmlparserTokens`] ([`TokenizerKind::Xmlparser`]): the `xmlparser` crate that
//!   the design names as the XML tokenizer, pinned and frozen upstream. It is the
//!   reference implementation: the fast tokenizer is required to give exactly its
//!   tokens, offsets and errors (rule and offset) on every input, which the
//!   differential tests in this module and the `differential` fuzz target of
//!   `xmpp-core` check on arbitrary and mutated input.
//!
//! Why two: `xmlparser` alone costs about as much as the XMPP stream reader's whole
//! budget (it decodes and classifies every character through `char` iterators),
//! and the reader must reach a good fraction of its raw speed while also framing,
//! validating UTF-8 and building trees. Keeping it behind this seam, selectable at
//! run time, keeps the fast scanner honest.
//!
//! Neither tokenizer matches end tags, resolves namespaces or references, or
//! refuses comments, PIs and DTDs by itself: that is the builder's job. Both report
//! the first malformed token as an [`XmlRule`] at the token's start offset and then
//! stop.

mod fast;
mod scan;
mod xml_parser;

#[cfg(test)]
mod tests;

pub(crate) use fast::FastTokens;
pub(crate) use xml_parser::XmlparserTokens;
pub use xml_parser::{XmlDeclaration, parse_xml_declaration};

use crate::error::{ParseError, XmlRule};

/// A token of element content, with byte offsets into the tokenized input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<prefix:local` — attributes follow, then [`Token::StartTagEnd`].
    StartTag {
        prefix: &'a str,
        local: &'a str,
        offset: usize,
    },
    /// One attribute of the open start tag; `value` is raw (references unresolved).
    /// `plain`: the value holds no `&`, tab, CR or LF, so it is its own normalised
    /// value.
    Attribute {
        prefix: &'a str,
        local: &'a str,
        value: &'a str,
        offset: usize,
        plain: bool,
    },
    /// `>` (or `/>` when `empty`) closing the start tag.
    StartTagEnd { empty: bool },
    /// `</prefix:local>`.
    EndTag {
        prefix: &'a str,
        local: &'a str,
        offset: usize,
    },
    /// Raw character data (references unresolved); `plain`: it holds no `&` or CR,
    /// so it is its own value.
    Text {
        raw: &'a str,
        offset: usize,
        plain: bool,
    },
    /// The content of a CDATA section (taken literally).
    Cdata { text: &'a str, offset: usize },
    /// A comment, PI or DTD construct: always refused by the builder.
    Restricted { rule: XmlRule, offset: usize },
}

/// A source of [`Token`]s over one complete input: the seam the builder is generic
/// over.
pub(crate) trait TokenSource<'a> {
    /// The next token, `None` at the end of input, or the first error (after which
    /// the source returns `None`).
    fn next_token(&mut self) -> Option<Result<Token<'a>, ParseError>>;
}

/// Which tokenizer a [`TreeBuilder`](crate::TreeBuilder) runs on.
///
/// Both accept and refuse exactly the same inputs, with the same trees and the same
/// errors; [`Xmlparser`](TokenizerKind::Xmlparser) exists as the reference the fast
/// one is checked against (in tests and fuzzing), and is several times slower.
///
/// ```
/// use xmpp_stanza::{NsContext, TokenizerKind, TreeBuilder};
///
/// let input = "<message><body>a &amp; b</body></message>";
/// let ctx = NsContext::client();
/// let fast = TreeBuilder::new().build(input, &ctx);
/// let reference = TreeBuilder::new()
///     .with_tokenizer(TokenizerKind::Xmlparser)
///     .build(input, &ctx);
/// assert_eq!(fast, reference);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenizerKind {
    /// The crate's own byte scanner (the default).
    #[default]
    Fast,
    /// The `xmlparser` crate: the reference implementation.
    Xmlparser,
}

/// Whether raw character data is its own value (no `&` or CR to resolve).
#[inline]
pub(crate) fn text_is_plain(raw: &str) -> bool {
    !crate::reference::needs_resolving(raw, false)
}

/// Whether a raw attribute value is its own normalised value (no `&`, tab, CR or
/// LF).
#[inline]
pub(crate) fn value_is_plain(raw: &str) -> bool {
    !crate::reference::needs_resolving(raw, true)
}
