//! Reading transcript files (`C: ` / `S: ` lines, `#` commentary, `#alt` lines that
//! are not part of the main flow) into top-level units, and splitting any XML text —
//! transcript lines or a connection's output — into units with a small tag scanner.

use xmpp_stanza::{Element, Namespace, NsContext, TreeBuilder, parse_element};

/// Who sends a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// The initiating entity (client).
    C,
    /// The receiving entity (server).
    S,
}

/// What a unit is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A stream header (`<stream:stream …>`), as an element with its attributes.
    Header(Element),
    /// `</stream:stream>`.
    Close,
    /// A top-level element.
    Element(Element),
    /// Character data outside any element (commentary written as a `C:`/`S:` line).
    Text,
}

/// One top-level unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Its sender.
    pub dir: Dir,
    /// Its text as written.
    pub text: String,
    /// What it is.
    pub kind: Kind,
    /// The commentary group it is in: groups are separated by `#` lines that follow
    /// content (one group per block of a file of examples).
    pub group: usize,
}

impl Unit {
    /// The element, if the unit is one.
    pub fn element(&self) -> Option<&Element> {
        match &self.kind {
            Kind::Element(e) => Some(e),
            _ => None,
        }
    }
}

/// Parses a transcript file's text into its units (main flow only).
pub fn transcript(text: &str) -> Result<Vec<Unit>, String> {
    let mut units = Vec::new();
    let mut group = 0;
    let mut run: Option<(Dir, String)> = None;
    let mut content_since_comment = false;
    let flush = |run: &mut Option<(Dir, String)>, units: &mut Vec<Unit>, group: usize| {
        if let Some((dir, text)) = run.take() {
            for (text, kind) in split(&text)? {
                units.push(Unit {
                    dir,
                    text,
                    kind,
                    group,
                });
            }
        }
        Ok::<(), String>(())
    };
    for line in text.lines() {
        let (dir, body) = if let Some(rest) = line.strip_prefix("C:") {
            (Dir::C, rest)
        } else if let Some(rest) = line.strip_prefix("S:") {
            (Dir::S, rest)
        } else {
            // Commentary, `#alt` steps and blank lines end a run; a comment after
            // content starts a new group.
            flush(&mut run, &mut units, group)?;
            if line.starts_with('#') && content_since_comment {
                group += 1;
                content_since_comment = false;
            }
            continue;
        };
        content_since_comment = true;
        let body = body.strip_prefix(' ').unwrap_or(body);
        match &mut run {
            Some((d, text)) if *d == dir => {
                text.push('\n');
                text.push_str(body);
            }
            _ => {
                flush(&mut run, &mut units, group)?;
                run = Some((dir, body.to_owned()));
            }
        }
    }
    flush(&mut run, &mut units, group)?;
    Ok(units)
}

/// The namespace context transcript elements are read in: a client stream's.
pub fn context() -> NsContext {
    NsContext::stream(Namespace::CLIENT)
}

/// Splits XML text into top-level units: an XML declaration is kept with the header
/// that follows it; whitespace between units is dropped.
pub fn split(text: &str) -> Result<Vec<(String, Kind)>, String> {
    let bytes = text.as_bytes();
    let mut units = Vec::new();
    let mut pos = 0;
    let mut unit_start: Option<usize> = None;
    while pos < bytes.len() {
        if unit_start.is_none() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
            continue;
        }
        let start = *unit_start.get_or_insert(pos);
        if bytes[pos] != b'<' {
            let end = text[pos..].find('<').map_or(bytes.len(), |i| pos + i);
            units.push((text[start..end].trim().to_owned(), Kind::Text));
            unit_start = None;
            pos = end;
            continue;
        }
        let rest = &text[pos..];
        if rest.starts_with("<?") {
            let end = rest.find("?>").ok_or("unterminated declaration")? + 2;
            pos += end;
            continue;
        }
        let tag_end = pos + tag_len(rest).ok_or_else(|| format!("unterminated tag: {rest}"))?;
        if rest.starts_with("</") {
            units.push((text[start..tag_end].to_owned(), Kind::Close));
        } else if rest.starts_with("<stream:stream") || rest.starts_with("<stream ") {
            let unit = &text[start..tag_end];
            let tag = &text[pos..tag_end];
            let open = TreeBuilder::new()
                .parse_start_tag(tag, &NsContext::empty())
                .map_err(|e| format!("stream header {tag}: {e}"))?;
            units.push((unit.to_owned(), Kind::Header(open.element)));
        } else {
            let end = element_end(text, pos)?;
            let unit = &text[start..end];
            let element =
                parse_element(&text[pos..end], &context()).map_err(|e| format!("{e} in {unit}"))?;
            units.push((unit.to_owned(), Kind::Element(element)));
            pos = end;
            unit_start = None;
            continue;
        }
        pos = tag_end;
        unit_start = None;
    }
    Ok(units)
}

/// Length of the tag at the start of `s` (through its `>`, quotes respected).
fn tag_len(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate() {
        match (quote, b) {
            (None, b'\'' | b'"') => quote = Some(b),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// End (exclusive) of the element whose start tag is at `start`.
fn element_end(text: &str, start: usize) -> Result<usize, String> {
    let mut depth = 0usize;
    let mut pos = start;
    loop {
        let rel = text[pos..]
            .find('<')
            .ok_or_else(|| format!("unterminated element: {}", &text[start..]))?;
        pos += rel;
        let len = tag_len(&text[pos..]).ok_or("unterminated tag")?;
        let tag = &text[pos..pos + len];
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
        } else if !tag.ends_with("/>") {
            depth += 1;
        }
        pos += len;
        if depth == 0 {
            return Ok(pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_runs_and_groups() {
        let text = "# intro\nC: <a xmlns='urn:x'\nC:    b='1'/>\nS: <stream:stream\nS:  xmlns='jabber:client'\nS:  xmlns:stream='http://etherx.jabber.org/streams'>\n# next\n#alt S: <x/>\nS: </stream:stream>\n";
        let units = transcript(text).unwrap();
        assert_eq!(units.len(), 3);
        assert_eq!(units[0].dir, Dir::C);
        assert_eq!(units[0].element().unwrap().attr("b"), Some("1"));
        assert!(matches!(units[1].kind, Kind::Header(_)));
        assert_eq!((units[1].group, units[2].group), (0, 1));
        assert_eq!(units[2].kind, Kind::Close);
    }

    #[test]
    fn split_output_with_declarations() {
        let out = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='a'><m xmlns='urn:x'><n/>t</m> </stream:stream>";
        let units = split(out).unwrap();
        assert_eq!(units.len(), 3);
        assert!(units[0].0.starts_with("<?xml"));
        assert_eq!(units[1].0, "<m xmlns='urn:x'><n/>t</m>");
        assert_eq!(units[2].1, Kind::Close);
        assert_eq!(split("text <a xmlns='urn:x'/>").unwrap()[0].1, Kind::Text);
    }
}
