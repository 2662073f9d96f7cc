//! The shared bad-XML corpus (`conformance/vectors/bad-xml/`) through the tree
//! builder, with a minimal stand-in for the stream framer of `xmpp-core` around it.
//!
//! The stand-in does only what the framer owns — UTF-8 decoding, the stream header's
//! namespace and version, text at stream level, and which first-level elements are
//! allowed — and hands everything else to this crate: the XML declaration, the
//! stream header (`parse_start_tag`) and the stanzas (`TreeBuilder::build`). Every
//! case must end with its expected condition or an accepted alternative, and the
//! test records which cases the builder decided.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::header_end;
use xmpp_stanza::{
    Limits, NsContext, ParseError, StreamErrorCondition as C, TreeBuilder, ns,
    parse_xml_declaration,
};

/// Who decided a case.
#[derive(Debug, PartialEq)]
enum Decided {
    Builder(C),
    Framer(C),
    Accepted,
}

fn run(bytes: &[u8]) -> Decided {
    let b = |e: ParseError| Decided::Builder(e.condition());
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Decided::Framer(C::NotWellFormed);
    };
    let mut rest = text;
    if rest.starts_with("<?xml") {
        let end = rest.find("?>").map(|i| i + 2).unwrap_or(rest.len());
        if let Err(e) = parse_xml_declaration(&rest[..end]) {
            return b(e);
        }
        rest = &rest[end..];
    }
    let end = header_end(rest).unwrap_or(rest.len());
    // The stream header: one limit more than a stanza's.
    let mut builder = TreeBuilder::with_limits(Limits {
        max_depth: 65,
        ..Limits::default()
    });
    let open = match builder.parse_start_tag(&rest[..end], &NsContext::empty()) {
        Ok(open) => open,
        Err(e) => return b(e),
    };
    if *open.element.ns() != ns::STREAM {
        return Decided::Framer(C::InvalidNamespace);
    }
    if *open.context.default_ns() != ns::CLIENT {
        return Decided::Framer(C::InvalidNamespace);
    }
    if open
        .element
        .attr("version")
        .is_some_and(|v| !v.starts_with("1."))
    {
        return Decided::Framer(C::UnsupportedVersion);
    }
    let body = rest[end..].trim_start();
    if !body.is_empty() && !body.starts_with('<') {
        return Decided::Framer(C::NotWellFormed);
    }
    // The framer would cut the body into first-level elements; wrapping it in one
    // element lets the builder see them all in order.
    let wrapped = format!("<w>{body}</w>");
    let w = match builder.build(&wrapped, &open.context) {
        Ok(w) => w,
        Err(e) => return b(e),
    };
    for el in w.children() {
        let stanza_or_nonza = matches!(el.name(), "message" | "presence" | "iq")
            && *el.ns() == ns::CLIENT
            || *el.ns() == ns::STREAM;
        if !stanza_or_nonza {
            return Decided::Framer(C::UnsupportedStanzaType);
        }
    }
    Decided::Accepted
}

#[test]
fn every_case_gets_its_condition() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../conformance/vectors/bad-xml"
    );
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/index.json")).unwrap())
            .unwrap();
    let cases = index["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 36);
    let mut by_builder = Vec::new();
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let expected = case["expected_condition"].as_str().unwrap();
        let alternatives: Vec<&str> = case["acceptable_alternatives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let bytes = std::fs::read(format!("{dir}/{file}")).unwrap();
        let got = run(&bytes);
        let condition = match &got {
            Decided::Accepted => "(none: ACCEPT)",
            Decided::Builder(c) | Decided::Framer(c) => c.name(),
        };
        assert!(
            condition == expected || alternatives.contains(&condition),
            "{file}: got {got:?}, expected {expected} or {alternatives:?}"
        );
        if matches!(got, Decided::Builder(_)) {
            by_builder.push(file);
        }
    }
    println!(
        "decided by the builder: {} cases: {by_builder:?}",
        by_builder.len()
    );
    assert!(by_builder.len() >= 24, "{by_builder:?}");
}
