//! The stream header: the XML declaration and the stream's start tag, and the
//! RFC 6120 checks on them (namespaces, prefix, version, encoding).

use xmpp_stanza::{CompactStr, Namespace, NsContext, TreeBuilder, XmlRule, parse_xml_declaration};

use super::error::{ReadError, ReadErrorKind};
use super::event::{StreamHeader, StreamVersion};
use super::limits::Limits;

/// Checks the XML declaration `text` (which starts at absolute offset `start`):
/// XML 1.0, UTF-8 if an encoding is named, and really a declaration (not a
/// processing instruction that merely starts with `<?`).
pub(crate) fn check_declaration(text: &str, start: u64, limits: &Limits) -> Result<(), ReadError> {
    if !is_declaration(text) {
        return Err(ReadError::new(
            ReadErrorKind::Xml(XmlRule::ProcessingInstruction),
            start,
        ));
    }
    parse_xml_declaration(text)
        .map(|_| ())
        .map_err(|e| ReadError::from_parse(e, start, limits))
}

/// Whether `text` (`<?…?>`) has the target `xml` (and so is a declaration).
fn is_declaration(text: &str) -> bool {
    text.strip_prefix("<?xml")
        .and_then(|rest| rest.bytes().next())
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'?'))
}

/// A stream header that passed its checks, with what the reader keeps of it.
pub(crate) struct OpenedStream {
    /// What the caller gets.
    pub(crate) header: StreamHeader,
    /// The qualified name of the stream element (`stream:stream`), which the
    /// closing tag must repeat.
    pub(crate) qname: CompactStr,
}

/// Parses and checks the stream's start tag `text` (prolog whitespace allowed in
/// front), which starts at absolute offset `start`. `content_ns` is the content
/// namespace the configuration expects.
pub(crate) fn open_stream(
    builder: &mut TreeBuilder,
    text: &str,
    start: u64,
    content_ns: &Namespace,
    limits: &Limits,
) -> Result<OpenedStream, ReadError> {
    let open = builder
        .parse_start_tag(text, &NsContext::empty())
        .map_err(|e| ReadError::from_parse(e, start, limits))?;
    let tag_at = start + (text.len() - text.trim_start().len()) as u64;
    let fail = |kind| Err(ReadError::new(kind, tag_at));
    if open.self_closing {
        return fail(ReadErrorKind::EmptyStream);
    }
    let element = open.element;
    if *element.ns() != Namespace::STREAM {
        return fail(ReadErrorKind::StreamNamespace);
    }
    if element.name() != "stream" {
        return fail(ReadErrorKind::NotStreamElement);
    }
    let Some(prefix) = open.prefix else {
        return fail(ReadErrorKind::UnprefixedStream);
    };
    let context = open.context;
    let default_ns = context.default_ns();
    if !default_ns.is_none() && default_ns != content_ns {
        return fail(ReadErrorKind::ContentNamespace);
    }
    let version = match element.attr("version") {
        None => None,
        Some(v) => match StreamVersion::parse(v) {
            Some(v) if v.major <= 1 => Some(v),
            _ => return fail(ReadErrorKind::UnsupportedVersion),
        },
    };
    let qname = CompactStr::from(format!("{prefix}:stream"));
    Ok(OpenedStream {
        header: StreamHeader {
            element,
            prefix: Some(prefix),
            context,
            version,
        },
        qname,
    })
}

/// Whether `text` is the end tag `</qname>` (whitespace allowed before `>`).
pub(crate) fn is_close_tag(text: &str, qname: &str) -> bool {
    text.strip_prefix("</")
        .and_then(|rest| rest.strip_prefix(qname))
        .and_then(|rest| rest.strip_suffix('>'))
        .is_some_and(|gap| {
            gap.bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_stanza::StreamErrorCondition as C;

    const NS: &str = "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'";

    fn open(tag: &str) -> Result<OpenedStream, ReadError> {
        open_stream(
            &mut TreeBuilder::new(),
            tag,
            100,
            &Namespace::CLIENT,
            &Limits::c2s(),
        )
    }

    fn condition(tag: &str) -> C {
        match open(tag) {
            Ok(_) => panic!("accepted {tag}"),
            Err(e) => e.condition(),
        }
    }

    #[test]
    fn a_good_header() {
        let s = open(&format!(
            "\n <stream:stream to='example.com' version='1.0' xml:lang='en' {NS} xmlns:db='jabber:server:dialback'>"
        ))
        .unwrap();
        assert_eq!(s.qname, "stream:stream");
        assert_eq!(s.header.to(), Some("example.com"));
        assert_eq!(s.header.version(), Some(StreamVersion::V1_0));
        assert_eq!(
            s.header.context().prefix_ns("db").map(|n| n.as_str()),
            Some("jabber:server:dialback")
        );
        assert_eq!(s.header.context().lang(), Some("en"));
        let other =
            open("<s:stream xmlns:s='http://etherx.jabber.org/streams' version='1.5'>").unwrap();
        assert_eq!(other.qname, "s:stream");
        assert!(other.header.content_namespace().is_none());
        assert_eq!(
            other.header.version(),
            Some(StreamVersion { major: 1, minor: 5 })
        );
        assert_eq!(
            open(&format!("<stream:stream {NS}>"))
                .unwrap()
                .header
                .version(),
            None
        );
    }

    #[test]
    fn header_violations_map_to_their_conditions() {
        let wrong_stream_ns =
            "<stream:stream xmlns='jabber:client' xmlns:stream='http://wrong.example/ns'>";
        assert_eq!(condition(wrong_stream_ns), C::InvalidNamespace);
        assert_eq!(
            condition(
                "<stream:stream xmlns='jabber:wrong' xmlns:stream='http://etherx.jabber.org/streams'>"
            ),
            C::InvalidNamespace
        );
        assert_eq!(
            condition("<stream xmlns='http://etherx.jabber.org/streams'>"),
            C::BadNamespacePrefix
        );
        assert_eq!(
            condition("<stream xmlns='jabber:client'>"),
            C::InvalidNamespace
        );
        assert_eq!(
            condition("<stream:stream xmlns='jabber:client'>"),
            C::BadNamespacePrefix
        );
        assert_eq!(condition(&format!("<stream:foo {NS}>")), C::BadFormat);
        assert_eq!(
            condition(&format!("<stream:stream version='2.0' {NS}>")),
            C::UnsupportedVersion
        );
        assert_eq!(
            condition(&format!("<stream:stream version='one' {NS}>")),
            C::UnsupportedVersion
        );
        assert_eq!(
            condition(&format!("<stream:stream to='a' to='b' {NS}>")),
            C::NotWellFormed
        );
        assert_eq!(
            condition(&format!("<stream:stream {NS}/>")),
            C::NotWellFormed
        );
        assert_eq!(
            condition(
                "<stream:stream xmlns='http://etherx.jabber.org/streams' xmlns:stream='http://etherx.jabber.org/streams'>"
            ),
            C::InvalidNamespace
        );
        let e = open("  <stream xmlns='jabber:client'>").err().unwrap();
        assert_eq!(e.offset(), 102);
        assert_eq!(e.kind(), ReadErrorKind::StreamNamespace);
    }

    #[test]
    fn declarations() {
        let l = Limits::c2s();
        assert!(check_declaration("<?xml version='1.0'?>", 0, &l).is_ok());
        assert!(
            check_declaration(
                "<?xml version=\"1.0\" encoding=\"utf-8\" standalone='yes' ?>",
                0,
                &l
            )
            .is_ok()
        );
        let cond = |d| check_declaration(d, 0, &l).unwrap_err().condition();
        assert_eq!(cond("<?xml version='1.1'?>"), C::NotWellFormed);
        assert_eq!(
            cond("<?xml version='1.0' encoding='ISO-8859-1'?>"),
            C::UnsupportedEncoding
        );
        assert_eq!(cond("<?xml-stylesheet href='a'?>"), C::RestrictedXml);
        assert_eq!(cond("<?foo?>"), C::RestrictedXml);
        assert_eq!(cond("<?xml?>"), C::NotWellFormed);
        assert_eq!(cond("<?xml encoding='UTF-8'?>"), C::NotWellFormed);
    }

    #[test]
    fn close_tags() {
        assert!(is_close_tag("</stream:stream>", "stream:stream"));
        assert!(is_close_tag("</stream:stream \n>", "stream:stream"));
        assert!(!is_close_tag("</stream:streamx>", "stream:stream"));
        assert!(!is_close_tag("</s:stream>", "stream:stream"));
        assert!(!is_close_tag("</message>", "stream:stream"));
    }
}
