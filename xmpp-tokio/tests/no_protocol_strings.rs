//! The adapters and the server host hold no protocol logic: their sources (library
//! and examples, of `xmpp-adapter`, `xmpp-tokio`, `xmpp-smol`, `xmpp-server-host` and
//! `xmppd`) contain no string literal with an XMPP namespace (`urn:ietf`, `urn:xmpp:`,
//! `jabber:`, `http://jabber.org/`) or XML markup (`<`). Comments may mention them.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The contents of the string and char literals of `source`, outside comments.
fn literals(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '"' => {
                let mut literal = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => literal.extend(chars.next()),
                        '"' => break,
                        c => literal.push(c),
                    }
                }
                found.push(literal);
            }
            '\'' => {
                // A char literal ('x', '\n') or a lifetime ('a): take at most 3 chars.
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') || rest.chars().nth(1) == Some('\'') {
                    let literal: String = chars.by_ref().take_while(|c| *c != '\'').collect();
                    found.push(literal);
                }
            }
            _ => {}
        }
    }
    found
}

#[test]
fn the_scanner_sees_literals_and_skips_comments() {
    let source = "// \"<skipped/>\"\nlet a = \"jabber:client\"; /* \"urn:ietf\" */ let b = '<'; fn f<'a>() {}";
    assert_eq!(literals(source), ["jabber:client", "<"]);
}

#[test]
fn adapter_sources_hold_no_xml_or_namespaces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in [
        "xmpp-adapter/src",
        "xmpp-tokio/src",
        "xmpp-tokio/examples",
        "xmpp-smol/src",
        "xmpp-smol/examples",
        "xmpp-server-host/src",
        "xmppd/src",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() >= 15, "too few sources found: {files:?}");
    let mut offences = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for literal in literals(&source) {
            let namespace = ["urn:ietf", "urn:xmpp:", "jabber:", "http://jabber.org/"]
                .iter()
                .any(|ns| literal.contains(ns));
            if namespace || literal.contains('<') {
                offences.push(format!("{}: {literal:?}", file.display()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "protocol strings in adapter or host code:\n{}",
        offences.join("\n")
    );
}
