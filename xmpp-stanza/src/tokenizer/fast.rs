//! The fast tokenizer: the same tokens and errors as `xmlparser` in fragment mode
//! (see the module above), from a byte scanner.
//!
//! Grammar and error classification, by the state the tokenizer is in:
//!
//! * content: `<!--` (comment), `<!` other than `<![CDATA[` (DTD) and `<?` (PI)
//!   are restricted; `<![CDATA[…]]>` is a CDATA section (no `]]>`: a CDATA syntax
//!   error); `</qname S? >` an end tag (a bad name or another byte before `>`: an
//!   end-tag syntax error, the input ending first: truncated); `<qname` a start tag
//!   (bad name: start-tag syntax error); a lone `<` at the end: markup syntax
//!   error; anything else character data up to the next `<` (a forbidden character
//!   anywhere in it: illegal character, else `]]>` in it: text syntax error).
//! * inside a start tag: `S? >` or `S? />` ends it; otherwise `S qname S? = S?`
//!   then a quoted value without `<` is an attribute. A missing space is an
//!   attribute syntax error (or the restricted markup starting there); the input
//!   ending before the closing quote, `=`, quote or `>` is truncated, but ending
//!   where a name is expected is an attribute syntax error; a forbidden character
//!   in the value is an illegal character.
//!
//! Every error is reported at the start of the token being read (where the last
//! good token ended), exactly like the `xmlparser` seam does.

use super::scan::{
    is_allowed_control, is_noncharacter_at, is_space, ncname_end, text_stop_from, value_stop_from,
};
use super::{Token, TokenSource};
use crate::error::{Construct, ParseError, XmlRule};

/// Tokens of element content over a complete input, from the byte scanner.
pub(crate) struct FastTokens<'a> {
    input: &'a str,
    /// Where the next token starts.
    pos: usize,
    /// Inside a start tag (attributes or its end come next).
    in_tag: bool,
    failed: bool,
}

/// A qualified name: `prefix` (empty if none) and `local`, and where it ends.
struct QName<'a> {
    prefix: &'a str,
    local: &'a str,
    end: usize,
}

impl<'a> FastTokens<'a> {
    /// Tokenizes `input` as element content (no prolog, any number of elements).
    pub(crate) fn new(input: &'a str) -> FastTokens<'a> {
        FastTokens {
            input,
            pos: 0,
            in_tag: false,
            failed: false,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.input.as_bytes()
    }

    fn starts_with(&self, at: usize, prefix: &[u8]) -> bool {
        self.bytes()
            .get(at..)
            .is_some_and(|s| s.starts_with(prefix))
    }

    /// A token of content (outside tags) starting at `p`.
    #[inline(always)]
    fn content(&mut self, p: usize) -> Result<Token<'a>, XmlRule> {
        let b = self.bytes();
        if b[p] != b'<' {
            return self.text(p);
        }
        match b.get(p + 1) {
            None => Err(XmlRule::Syntax(Construct::Markup)),
            Some(b'/') => self.end_tag(p),
            Some(b'!') => {
                if self.starts_with(p, b"<![CDATA[") {
                    self.cdata(p)
                } else if self.starts_with(p, b"<!--") {
                    Ok(Token::Restricted {
                        rule: XmlRule::Comment,
                        offset: p,
                    })
                } else {
                    Ok(Token::Restricted {
                        rule: XmlRule::Dtd,
                        offset: p,
                    })
                }
            }
            Some(b'?') => Ok(Token::Restricted {
                rule: XmlRule::ProcessingInstruction,
                offset: p,
            }),
            Some(_) => {
                let name = self
                    .qname(p + 1)
                    .ok_or(XmlRule::Syntax(Construct::StartTag))?;
                self.pos = name.end;
                self.in_tag = true;
                Ok(Token::StartTag {
                    prefix: name.prefix,
                    local: name.local,
                    offset: p,
                })
            }
        }
    }

    /// `</qname S? >` at `p`.
    #[inline(always)]
    fn end_tag(&mut self, p: usize) -> Result<Token<'a>, XmlRule> {
        let b = self.bytes();
        let name = self
            .qname(p + 2)
            .ok_or(XmlRule::Syntax(Construct::EndTag))?;
        let mut i = name.end;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match b.get(i) {
            None => Err(XmlRule::Truncated),
            Some(b'>') => {
                self.pos = i + 1;
                Ok(Token::EndTag {
                    prefix: name.prefix,
                    local: name.local,
                    offset: p,
                })
            }
            Some(_) => Err(XmlRule::Syntax(Construct::EndTag)),
        }
    }

    /// Character data from `p` to the next `<` (or the end).
    #[inline(always)]
    fn text(&mut self, p: usize) -> Result<Token<'a>, XmlRule> {
        let b = self.bytes();
        let mut i = p;
        let mut plain = true;
        let mut cdata_end = false;
        loop {
            i = text_stop_from(b, i);
            let Some(&c) = b.get(i) else { break };
            match c {
                b'<' => break,
                b'&' | b'\r' => plain = false,
                b'>' => cdata_end |= i >= p + 2 && b[i - 2] == b']' && b[i - 1] == b']',
                0xEF if !is_noncharacter_at(b, i) => {}
                c if c < 0x20 && is_allowed_control(c) => {}
                _ => return Err(XmlRule::IllegalCharacter),
            }
            i += 1;
        }
        if cdata_end {
            return Err(XmlRule::Syntax(Construct::Text));
        }
        self.pos = i;
        Ok(Token::Text {
            raw: self.input.get(p..i).unwrap_or_default(),
            offset: p,
            plain,
        })
    }

    /// `<![CDATA[…]]>` at `p`.
    fn cdata(&mut self, p: usize) -> Result<Token<'a>, XmlRule> {
        let b = self.bytes();
        let start = p + b"<![CDATA[".len();
        let mut i = start;
        while i < b.len() {
            match b[i] {
                b']' if self.starts_with(i, b"]]>") => {
                    self.pos = i + 3;
                    return Ok(Token::Cdata {
                        text: self.input.get(start..i).unwrap_or_default(),
                        offset: p,
                    });
                }
                0xEF if is_noncharacter_at(b, i) => return Err(XmlRule::IllegalCharacter),
                c if c < 0x20 && !is_allowed_control(c) => return Err(XmlRule::IllegalCharacter),
                _ => i += 1,
            }
        }
        Err(XmlRule::Syntax(Construct::Cdata))
    }

    /// What follows inside a start tag, from `p`: its end or an attribute.
    #[inline(always)]
    fn in_start_tag(&mut self, p: usize) -> Result<Token<'a>, XmlRule> {
        let b = self.bytes();
        let mut i = p;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match b.get(i) {
            Some(b'>') => {
                self.pos = i + 1;
                self.in_tag = false;
                return Ok(Token::StartTagEnd { empty: false });
            }
            Some(b'/') => {
                return match b.get(i + 1) {
                    Some(b'>') => {
                        self.pos = i + 2;
                        self.in_tag = false;
                        Ok(Token::StartTagEnd { empty: true })
                    }
                    Some(_) => Err(XmlRule::Syntax(Construct::Attribute)),
                    None => Err(XmlRule::Truncated),
                };
            }
            None if i == p => return Err(XmlRule::Truncated),
            _ if i == p => return Err(self.missing_space(p)),
            _ => {}
        }
        let name_start = i;
        let name = self.qname(i).ok_or(XmlRule::Syntax(Construct::Attribute))?;
        let mut i = name.end;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match b.get(i) {
            Some(b'=') => i += 1,
            Some(_) => return Err(XmlRule::Syntax(Construct::Attribute)),
            None => return Err(XmlRule::Truncated),
        }
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let quote = match b.get(i) {
            Some(&q @ (b'\'' | b'"')) => q,
            Some(_) => return Err(XmlRule::Syntax(Construct::Attribute)),
            None => return Err(XmlRule::Truncated),
        };
        let start = i + 1;
        let mut i = start;
        let mut plain = true;
        loop {
            i = value_stop_from(b, i, quote);
            let Some(&c) = b.get(i) else {
                return Err(XmlRule::Truncated);
            };
            match c {
                _ if c == quote => break,
                b'<' => return Err(XmlRule::Syntax(Construct::Attribute)),
                b'&' | b'\t' | b'\n' | b'\r' => plain = false,
                0xEF if !is_noncharacter_at(b, i) => {}
                _ => return Err(XmlRule::IllegalCharacter),
            }
            i += 1;
        }
        self.pos = i + 1;
        Ok(Token::Attribute {
            prefix: name.prefix,
            local: name.local,
            value: self.input.get(start..i).unwrap_or_default(),
            offset: name_start,
            plain,
        })
    }

    /// The error for a start tag whose next byte (at `p`) is neither whitespace,
    /// `>` nor `/`: restricted markup is named as such, anything else is a
    /// malformed attribute.
    #[cold]
    fn missing_space(&self, p: usize) -> XmlRule {
        if self.starts_with(p, b"<!--") {
            XmlRule::Comment
        } else if self.starts_with(p, b"<?") {
            XmlRule::ProcessingInstruction
        } else if self.starts_with(p, b"<!") && !self.starts_with(p, b"<![CDATA[") {
            XmlRule::Dtd
        } else {
            XmlRule::Syntax(Construct::Attribute)
        }
    }

    /// The qualified name starting at `start`: an optional prefix and `:`, then
    /// the local name, each an `NCName`; a second `:` is an error. Like `xmlparser`,
    /// a name starting with `:` reads as an empty prefix (the builder refuses it).
    #[inline(always)]
    fn qname(&self, start: usize) -> Option<QName<'a>> {
        let b = self.bytes();
        let first = if b.get(start) == Some(&b':') {
            start
        } else {
            ncname_end(self.input, start)?
        };
        if b.get(first) != Some(&b':') {
            return Some(QName {
                prefix: "",
                local: self.input.get(start..first)?,
                end: first,
            });
        }
        let end = ncname_end(self.input, first + 1)?;
        if b.get(end) == Some(&b':') {
            return None;
        }
        Some(QName {
            prefix: self.input.get(start..first)?,
            local: self.input.get(first + 1..end)?,
            end,
        })
    }
}

impl<'a> TokenSource<'a> for FastTokens<'a> {
    #[inline(always)]
    fn next_token(&mut self) -> Option<Result<Token<'a>, ParseError>> {
        let p = self.pos;
        if self.failed || p >= self.input.len() {
            return None;
        }
        let token = if self.in_tag {
            self.in_start_tag(p)
        } else {
            self.content(p)
        };
        Some(token.map_err(|rule| {
            self.failed = true;
            ParseError::new(rule, p)
        }))
    }
}
