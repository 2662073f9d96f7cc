//! Every example element in `conformance/vectors/transcripts/` round-trips: as an
//! element (parse, serialize relative to the stream context, parse again, equal),
//! and stanzas and the other typed elements also through their typed form.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{transcript_elements, typed_round_trip};
use xmpp_stanza::parse_element;

fn transcripts() -> Vec<(String, String)> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../conformance/vectors/transcripts"
    );
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn every_transcript_element_round_trips() {
    let mut elements = 0;
    let mut typed = 0;
    for (name, text) in transcripts() {
        for (label, el, ctx) in transcript_elements(&text) {
            elements += 1;
            let xml = el.to_xml_in(&ctx).unwrap();
            let back = parse_element(&xml, &ctx).unwrap();
            assert_eq!(back, el, "{name} {label}: {xml}");
            if let Some(result) = typed_round_trip(&el, &ctx) {
                typed += 1;
                if let Err(why) = result {
                    panic!("{name} {label}: {why}");
                }
            }
        }
    }
    // 15 transcripts; counted so that a broken extractor cannot pass silently.
    assert!(elements >= 150, "only {elements} elements found");
    assert!(typed >= 150, "only {typed} typed round trips");
    eprintln!("{elements} elements, {typed} typed");
}
