//! Shared helpers of the integration tests: transcript extraction and typed round
//! trips.

#![allow(dead_code, clippy::unwrap_used)]

use xmpp_stanza::{Element, NsContext, Stanza, TreeBuilder, parse_element};

/// The elements of a transcript, with a label (direction and line) and the
/// namespace context of the stream they were sent on. Lines are grouped by their
/// `C: ` / `S: ` / `#alt C: ` / `#alt S: ` prefix; stream headers set the context,
/// stream close tags and non-XML lines are skipped.
pub fn transcript_elements(text: &str) -> Vec<(String, Element, NsContext)> {
    let mut chunks: Vec<(String, usize, String)> = Vec::new();
    let mut last: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let prefix = ["#alt C: ", "#alt S: ", "C: ", "S: "].into_iter().find(|p| line.starts_with(p));
        match prefix {
            Some(p) => {
                let body = &line[p.len()..];
                if last.as_deref() == Some(p) {
                    let chunk = chunks.last_mut().unwrap();
                    chunk.2.push('\n');
                    chunk.2.push_str(body);
                } else {
                    chunks.push((p.trim().to_string(), n + 1, body.to_string()));
                }
                last = Some(p.to_string());
            }
            None => last = None,
        }
    }
    let mut out = Vec::new();
    let mut client_ctx = NsContext::client();
    let mut server_ctx = NsContext::client();
    let mut builder = TreeBuilder::new();
    for (who, line, chunk) in chunks {
        let ctx = if who.ends_with('C') { &mut client_ctx } else { &mut server_ctx };
        let mut rest = chunk.replace("</stream:stream>", "");
        let trimmed = rest.trim_start();
        if trimmed.starts_with("<stream:stream") {
            let end = header_end(trimmed).expect("stream header end");
            let open = builder.parse_start_tag(&trimmed[..end], &NsContext::empty()).unwrap();
            *ctx = open.context;
            rest = trimmed[end..].to_string();
        }
        let wrapped = format!("<w>{rest}</w>");
        let Ok(w) = builder.build(&wrapped, ctx) else { continue };
        for el in w.children() {
            out.push((format!("{who} line {line}"), el.clone(), ctx.clone()));
        }
    }
    out
}

/// End (exclusive) of the first start tag in `s`: the first `>` outside quotes.
pub fn header_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate() {
        match (quote, b) {
            (None, b'\'' | b'"') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Converts a stanza to its typed form, back to an element, serializes and parses
/// it, and compares with the original (formatting whitespace ignored, a stanza's
/// direct children compared as a set). `None` if the element is not a stanza.
pub fn typed_round_trip(el: &Element, ctx: &NsContext) -> Option<Result<(), String>> {
    if !Stanza::is_stanza(el) {
        return None;
    }
    let mut original = el.clone();
    original.strip_formatting();
    Some((|| {
        let typed = Stanza::try_from(el.clone()).map_err(|e| format!("typed: {e}"))?;
        let xml = Element::from(typed).to_xml_in(ctx).map_err(|e| e.to_string())?;
        let mut back = parse_element(&xml, ctx).map_err(|e| format!("reparse: {e}: {xml}"))?;
        back.strip_formatting();
        if back.eq_ignoring_child_order(&original) {
            Ok(())
        } else {
            Err(format!("differs after typed round trip: {xml}"))
        }
    })())
}
