//! Shared helpers of the integration tests: transcript extraction and typed round
//! trips.

#![allow(dead_code, clippy::unwrap_used)]

use xmpp_stanza::{
    Bind, Blocking, Element, NsContext, Privacy, Roster, Sasl, Session, Stanza, StartTls,
    StreamError, StreamFeatures, TreeBuilder, ns, parse_element,
};

/// The elements of a transcript, with a label (direction and line) and the
/// namespace context of the stream they were sent on. Lines are grouped by their
/// `C: ` / `S: ` / `#alt C: ` / `#alt S: ` prefix; stream headers set the context,
/// stream close tags and non-XML lines are skipped.
pub fn transcript_elements(text: &str) -> Vec<(String, Element, NsContext)> {
    let mut chunks: Vec<(String, usize, String)> = Vec::new();
    let mut last: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let prefix = ["#alt C: ", "#alt S: ", "C: ", "S: "]
            .into_iter()
            .find(|p| line.starts_with(p));
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
        let ctx = if who.ends_with('C') {
            &mut client_ctx
        } else {
            &mut server_ctx
        };
        let mut rest = chunk.replace("</stream:stream>", "");
        let trimmed = rest.trim_start();
        if trimmed.starts_with("<stream:stream") {
            let end = header_end(trimmed).expect("stream header end");
            let open = builder
                .parse_start_tag(&trimmed[..end], &NsContext::empty())
                .unwrap();
            *ctx = open.context;
            rest = trimmed[end..].to_string();
        }
        let wrapped = format!("<w>{rest}</w>");
        let Ok(w) = builder.build(&wrapped, ctx) else {
            continue;
        };
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

/// Converts an element to its typed form (stanza, nonza or IQ payload), back to
/// an element, serializes and parses it, and compares with the original
/// (formatting whitespace ignored, direct children compared as a set). `None` if
/// no type of this crate models the element.
pub fn typed_round_trip(el: &Element, ctx: &NsContext) -> Option<Result<(), String>> {
    let mut original = el.clone();
    original.strip_formatting();
    let typed: Result<Element, String> = if Stanza::is_stanza(el) {
        let payload_check = match el.children().next() {
            Some(p) if el.name() == "iq" => payload_round_trip(p),
            _ => Ok(()),
        };
        if let Err(e) = payload_check {
            return Some(Err(e));
        }
        Stanza::try_from(el.clone())
            .map(Element::from)
            .map_err(|e| format!("typed: {e}"))
    } else {
        typed_nonza(el)?
    };
    Some((|| {
        let xml = typed?.to_xml_in(ctx).map_err(|e| e.to_string())?;
        let mut back = parse_element(&xml, ctx).map_err(|e| format!("reparse: {e}: {xml}"))?;
        back.strip_formatting();
        if back.eq_ignoring_child_order(&original) {
            Ok(())
        } else {
            Err(format!("differs after typed round trip: {xml}"))
        }
    })())
}

fn typed_nonza(el: &Element) -> Option<Result<Element, String>> {
    let e = |e: xmpp_stanza::InvalidElement| format!("typed: {e}");
    Some(match (el.name(), el.ns().as_str()) {
        ("features", ns::STREAM) => StreamFeatures::try_from(el).map(Element::from).map_err(e),
        ("error", ns::STREAM) => StreamError::try_from(el).map(Element::from).map_err(e),
        (_, ns::XMPP_TLS) => StartTls::try_from(el).map(Element::from).map_err(e),
        (_, ns::XMPP_SASL) => Sasl::try_from(el)
            .map(Element::from)
            .map_err(e)
            .and_then(|typed| {
                // Base64 may be re-wrapped: compare the decoded values instead.
                let again = Sasl::try_from(&typed).map_err(e)?;
                if Sasl::try_from(el).map_err(e)? == again {
                    Ok(el.clone())
                } else {
                    Err("sasl data differs".into())
                }
            }),
        _ => return None,
    })
}

/// Typed round trip of an IQ payload this crate models (others pass).
pub fn payload_round_trip(p: &Element) -> Result<(), String> {
    let e = |e: xmpp_stanza::InvalidElement| format!("payload: {e}");
    let typed = match (p.name(), p.ns().as_str()) {
        ("query", ns::ROSTER) => Element::from(Roster::try_from(p).map_err(e)?),
        ("query", ns::PRIVACY) => Element::from(Privacy::try_from(p).map_err(e)?),
        ("bind", ns::XMPP_BIND) => Element::from(Bind::try_from(p).map_err(e)?),
        ("session", ns::XMPP_SESSION) => Element::from(Session::try_from(p).map_err(e)?),
        (_, ns::BLOCKING) => Element::from(Blocking::try_from(p).map_err(e)?),
        _ => return Ok(()),
    };
    let mut a = p.clone();
    a.strip_formatting();
    let mut b = typed;
    b.strip_formatting();
    if a == b {
        Ok(())
    } else {
        Err(format!("payload differs: {:?}", b.to_xml()))
    }
}
