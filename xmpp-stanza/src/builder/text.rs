//! Character data of the open element: adjacent text, references and CDATA
//! sections are collected into one text node.

use super::{TreeBuilder, range_in, slice};
use crate::element::Node;
use crate::error::ParseError;
use crate::reference::resolve_into;
use crate::text::CompactStr;

/// Character data collected for the current element but not yet stored.
#[derive(Clone, Copy)]
pub(super) enum PendingText {
    None,
    /// One piece that needs no resolving: a range of the input.
    Span(usize, usize),
    /// Resolved pieces, in the scratch buffer.
    Buffered,
}

impl TreeBuilder {
    /// Adds raw character data (`plain`: it has nothing to resolve).
    #[inline]
    pub(super) fn add_text(
        &mut self,
        input: &str,
        raw: &str,
        offset: usize,
        plain: bool,
        pending: &mut PendingText,
    ) -> Result<(), ParseError> {
        if plain && matches!(pending, PendingText::None) {
            let (s, e) = range_in(input, raw);
            *pending = PendingText::Span(s, e);
            return Ok(());
        }
        self.buffer_pending(input, pending);
        resolve_into(raw, offset, false, &mut self.scratch)
    }

    /// Adds the content of a CDATA section (no references; only line ends are
    /// normalised).
    pub(super) fn add_cdata(&mut self, input: &str, text: &str, pending: &mut PendingText) {
        if !text.contains('\r') && matches!(pending, PendingText::None) {
            let (s, e) = range_in(input, text);
            *pending = PendingText::Span(s, e);
            return;
        }
        self.buffer_pending(input, pending);
        let mut chars = text.char_indices().peekable();
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
    }

    /// Moves what is pending into the scratch buffer, so more can be appended.
    fn buffer_pending(&mut self, input: &str, pending: &mut PendingText) {
        match *pending {
            PendingText::None => self.scratch.clear(),
            PendingText::Span(s, e) => {
                self.scratch.clear();
                self.scratch.push_str(slice(input, (s, e)));
            }
            PendingText::Buffered => {}
        }
        *pending = PendingText::Buffered;
    }

    /// Stores the pending text as a child of the open element.
    #[inline]
    pub(super) fn flush_text(&mut self, input: &str, pending: &mut PendingText) {
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
