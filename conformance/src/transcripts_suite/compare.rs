//! Structural comparison of an expected transcript unit with one a connection wrote:
//! names, namespaces and the attributes that matter; ids are matched through a map
//! (the transcripts' ids are examples); whitespace and child order are editorial.

use xmpp_stanza::{Element, Node, StreamFeatures, ns};

use super::parse::{Kind, Unit};

/// Expected ids and the ids our side used in their place.
#[derive(Debug, Default)]
pub struct IdMap {
    pairs: Vec<(String, String)>,
}

impl IdMap {
    /// Binds expected `e` to ours `o`, or checks an earlier binding.
    fn bind(&mut self, e: &str, o: &str) -> Result<(), String> {
        match self.pairs.iter().find(|(x, _)| x == e) {
            Some((_, y)) if y == o => Ok(()),
            Some((_, y)) => Err(format!("id {e} stands for {y}, not {o}")),
            None => {
                self.pairs.push((e.to_owned(), o.to_owned()));
                Ok(())
            }
        }
    }

    /// Our id standing for expected `e` (itself if unbound).
    pub fn ours<'a>(&'a self, e: &'a str) -> &'a str {
        self.pairs
            .iter()
            .find(|(x, _)| x == e)
            .map_or(e, |(_, y)| y.as_str())
    }
}

/// How SASL payloads are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payloads {
    /// Byte for byte (decoded): our side used the transcript's nonces.
    Exact,
    /// Not compared here (the scenario checks them its own way).
    Structural,
}

/// Which side wrote the unit under comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writer {
    /// Our client wrote it.
    Client {
        /// Whether TLS was up (a client includes `from` in its header only then).
        tls: bool,
    },
    /// Our server wrote it.
    Server,
}

/// Compares `expected` with `ours`.
pub fn units(
    expected: &Unit,
    ours: &Unit,
    ids: &mut IdMap,
    payloads: Payloads,
    writer: Writer,
) -> Result<(), String> {
    match (&expected.kind, &ours.kind) {
        (Kind::Close, Kind::Close) => Ok(()),
        (Kind::Header(e), Kind::Header(o)) => headers(e, o, writer),
        (Kind::Element(e), Kind::Element(o)) => top_level(e, o, ids, payloads),
        _ => Err("different kinds of unit".into()),
    }
}

/// Stream headers: `to` and `version` must agree; `from` when both have it (a
/// client omits it before TLS, RFC 6120 §4.7.1; RFC 3920 clients never sent it);
/// `id` and `xml:lang` are the writer's own.
fn headers(e: &Element, o: &Element, writer: Writer) -> Result<(), String> {
    if e.name() != o.name() {
        return Err("not a stream header".into());
    }
    for attr in ["version", "to"] {
        let (x, y) = (e.attr(attr), o.attr(attr));
        let omitted_to = attr == "to" && y.is_none() && writer == Writer::Server;
        if x != y && !omitted_to {
            return Err(format!("header {attr}: expected {x:?}, got {y:?}"));
        }
    }
    match (e.attr("from"), o.attr("from")) {
        (Some(x), Some(y)) if x != y => Err(format!("header from: expected {x}, got {y}")),
        (Some(_), None) if writer != (Writer::Client { tls: false }) => {
            Err("header from missing".into())
        }
        _ => Ok(()),
    }
}

fn top_level(e: &Element, o: &Element, ids: &mut IdMap, payloads: Payloads) -> Result<(), String> {
    if e.name() != o.name() || e.ns() != o.ns() {
        return Err(format!("expected <{}/>, got <{}/>", e.name(), o.name()));
    }
    if e.is("features", ns::STREAM) {
        return features(e, o);
    }
    if let (Some(x), Some(y)) = (e.attr("id"), o.attr("id")) {
        ids.bind(x, y)?;
    } else if e.attr("id").is_some() != o.attr("id").is_some() {
        return Err("id present on one side only".into());
    }
    if attrs(e, true) != attrs(o, true) {
        return Err(format!(
            "attributes differ: {:?} vs {:?}",
            attrs(e, true),
            attrs(o, true)
        ));
    }
    if *e.ns() == ns::XMPP_SASL && payloads == Payloads::Structural {
        return Ok(());
    }
    if *e.ns() == ns::XMPP_SASL {
        return sasl_payload(e, o);
    }
    let (x, y) = (children(e), children(o));
    if x != y {
        return Err(format!(
            "content differs:\n  expected {x:?}\n  got      {y:?}"
        ));
    }
    Ok(())
}

/// SASL data compared decoded (line breaks in the transcript's base64 are editorial).
fn sasl_payload(e: &Element, o: &Element) -> Result<(), String> {
    let decode = |el: &Element| xmpp_stanza::Sasl::try_from(el).map_err(|err| err.to_string());
    let (x, y) = (decode(e)?, decode(o)?);
    if x != y {
        return Err(format!("SASL data differs: expected {x:?}, got {y:?}"));
    }
    Ok(())
}

/// Attributes other than `id` (and `xml:lang` on stanzas if asked), sorted.
fn attrs(el: &Element, skip_id: bool) -> Vec<String> {
    let mut list: Vec<String> = el
        .attrs()
        .iter()
        .filter(|a| !(skip_id && a.ns.is_none() && a.name.as_str() == "id"))
        .map(|a| {
            format!(
                "{{{}}}{}={}",
                a.ns.as_str(),
                a.name.as_str(),
                a.value.as_str()
            )
        })
        .collect();
    list.sort();
    list
}

/// A canonical form of the content: children as a sorted list of canonical forms,
/// text trimmed.
fn children(el: &Element) -> Vec<String> {
    let mut list: Vec<String> = el.children().map(canonical).collect();
    let text: String = el.nodes().iter().filter_map(Node::as_text).collect();
    let text = text.trim();
    if !text.is_empty() {
        list.push(format!("text:{text}"));
    }
    list.sort();
    list
}

fn canonical(el: &Element) -> String {
    format!(
        "<{{{}}}{} {:?} {:?}>",
        el.ns().as_str(),
        el.name(),
        attrs(el, false),
        children(el)
    )
}

/// Stream features compared by meaning: STARTTLS (and whether required), the set of
/// mechanisms, bind, and the legacy session — where an `<optional/>` session equals
/// none (it asks nothing of the client). Extension features are not compared.
fn features(e: &Element, o: &Element) -> Result<(), String> {
    let read = |el: &Element| StreamFeatures::try_from(el).map_err(|err| err.to_string());
    let (x, y) = (read(e)?, read(o)?);
    let mechanisms = |f: &StreamFeatures| {
        f.mechanisms.as_ref().map(|m| {
            let mut names: Vec<String> = m.iter().map(|n| n.to_string()).collect();
            names.sort();
            names
        })
    };
    let session = |f: &StreamFeatures| f.session.filter(|s| !s.optional);
    if x.starttls != y.starttls
        || mechanisms(&x) != mechanisms(&y)
        || x.bind != y.bind
        || session(&x) != session(&y)
    {
        return Err(format!("features differ: expected {x:?}, got {y:?}"));
    }
    Ok(())
}
