//! The `stanzas` suite: `conformance stanzas FILE...`.
//!
//! Each file holds a sequence of top-level elements, optionally after an XML
//! declaration and inside a `<stream:stream ...>` header and its close tag (the
//! header's namespaces become the parsing context; without one the context is a
//! client stream's). For every stanza (message, presence, iq): parse it, convert it
//! to its typed form, serialize that relative to the stream context, parse the
//! output and compare with the original (formatting whitespace ignored; a
//! stanza's direct children compared as a set, since typed stanzas write known
//! children in a canonical order). Other top-level elements (nonzas) are skipped.

use std::process::ExitCode;

use xmpp_stanza::{Element, NsContext, Stanza, TreeBuilder, parse_xml_declaration};

use crate::tally::Tally;

/// Runs the suite over `files`.
pub fn run(files: &[String]) -> ExitCode {
    if files.is_empty() {
        eprintln!("usage: conformance stanzas FILE...");
        return ExitCode::from(2);
    }
    let mut tally = Tally::default();
    for file in files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::from(2);
            }
        };
        match top_level_elements(&text) {
            Ok((elements, ctx)) => {
                for (i, el) in elements.iter().enumerate() {
                    if Stanza::is_stanza(el) {
                        tally.record(format!("{file}#{i}"), check(el, &ctx));
                    } else {
                        tally.skip();
                    }
                }
            }
            Err(why) => tally.fail(file, why),
        }
    }
    tally.finish()
}

/// The elements of a file, and the namespace context they are in.
fn top_level_elements(text: &str) -> Result<(Vec<Element>, NsContext), String> {
    let mut rest = text.trim_start();
    if rest.starts_with("<?xml") {
        let end = rest.find("?>").ok_or("unterminated XML declaration")? + 2;
        parse_xml_declaration(&rest[..end]).map_err(|e| format!("XML declaration: {e}"))?;
        rest = rest[end..].trim_start();
    }
    let mut builder = TreeBuilder::new();
    let mut ctx = NsContext::client();
    let mut body = rest;
    if rest.starts_with("<stream:stream") || rest.starts_with("<stream ") {
        let end = start_tag_end(rest).ok_or("unterminated stream header")?;
        let open = builder
            .parse_start_tag(&rest[..end], &NsContext::empty())
            .map_err(|e| format!("stream header: {e}"))?;
        ctx = open.context;
        body = rest[end..].trim_end();
        body = body.strip_suffix("</stream:stream>").unwrap_or(body);
    }
    let wrapped = format!("<w>{body}</w>");
    let wrapper = builder
        .build(&wrapped, &ctx)
        .map_err(|e| format!("parse: {e}"))?;
    if wrapper
        .nodes()
        .iter()
        .any(|n| !n.is_whitespace() && n.as_element().is_none())
    {
        return Err("character data between top-level elements".into());
    }
    Ok((wrapper.children().cloned().collect(), ctx))
}

/// End (exclusive) of the first start tag: the first `>` outside quotes.
fn start_tag_end(s: &str) -> Option<usize> {
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

/// Typed round trip of one stanza.
fn check(el: &Element, ctx: &NsContext) -> Result<(), String> {
    let typed = Stanza::try_from(el.clone()).map_err(|e| format!("to typed: {e}"))?;
    let mut out = Vec::new();
    Element::from(typed)
        .write_to(&mut out, ctx)
        .map_err(|e| format!("serialize: {e}"))?;
    let xml = String::from_utf8(out).map_err(|_| "serializer wrote invalid UTF-8".to_string())?;
    let mut again = TreeBuilder::new()
        .build(&xml, ctx)
        .map_err(|e| format!("reparse: {e}: {xml}"))?;
    let mut original = el.clone();
    original.strip_formatting();
    again.strip_formatting();
    if again.eq_ignoring_child_order(&original) {
        Ok(())
    } else {
        Err(format!("typed round trip differs: {xml}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vector_file_passes() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/stanzas");
        let mut stanzas = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let (elements, ctx) = top_level_elements(&text).unwrap();
            for el in elements.iter().filter(|e| Stanza::is_stanza(e)) {
                stanzas += 1;
                check(el, &ctx).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
        }
        assert!(stanzas >= 70, "{stanzas}");
    }

    #[test]
    fn failures_are_reported() {
        let (els, ctx) =
            top_level_elements("<iq type='get' id='1'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>")
                .unwrap();
        assert!(
            check(&els[0], &ctx)
                .unwrap_err()
                .contains("wrong number of IQ payload")
        );
        assert!(top_level_elements("<message>").is_err());
        assert!(top_level_elements("hello<message/>").is_err());
        let (els, ctx) = top_level_elements(
            "<?xml version='1.0'?><stream:stream xmlns='jabber:server' \
             xmlns:stream='http://etherx.jabber.org/streams'><message/></stream:stream>",
        )
        .unwrap();
        assert_eq!(els.len(), 1);
        assert_eq!(ctx.default_ns().as_str(), "jabber:server");
        assert!(check(&els[0], &ctx).is_ok());
    }
}
