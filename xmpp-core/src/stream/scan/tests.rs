use super::*;

const HEADER: &str = "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
                      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Out {
    Decl(u64),
    Unit(UnitKind, u64),
    Fault(Fault, u64),
}

/// Runs the scanner over `input` fed in `chunk`-byte pieces; boundaries and the
/// first fault, at absolute offsets.
fn run_chunked(input: &[u8], chunk: usize, limits: &Limits) -> Vec<Out> {
    let mut s = Scanner::default();
    let mut out = Vec::new();
    let mut base = 0u64;
    for piece in input.chunks(chunk.max(1)) {
        let mut rest = piece;
        loop {
            match s.scan(rest, base, limits) {
                Scan::NeedMore => {
                    base += rest.len() as u64;
                    break;
                }
                Scan::DeclEnd { end } => {
                    out.push(Out::Decl(base + end as u64));
                    base += end as u64;
                    rest = &rest[end..];
                }
                Scan::UnitEnd { end, kind } => {
                    out.push(Out::Unit(kind, base + end as u64));
                    base += end as u64;
                    rest = &rest[end..];
                }
                Scan::Fault { at, offset, fault } => {
                    assert!(at <= rest.len());
                    out.push(Out::Fault(fault, offset));
                    return out;
                }
            }
        }
    }
    out
}

/// Runs whole, then at every chunk size up to 8 and every two-piece split, and
/// checks they all agree; returns the result.
fn run_all(input: &[u8], limits: &Limits) -> Vec<Out> {
    let whole = run_chunked(input, input.len().max(1), limits);
    for chunk in 1..=8 {
        assert_eq!(
            run_chunked(input, chunk, limits),
            whole,
            "chunk size {chunk}"
        );
    }
    for split in 0..=input.len() {
        let mut s = Scanner::default();
        let (a, b) = input.split_at(split);
        let mut out = Vec::new();
        let mut base = 0u64;
        'pieces: for piece in [a, b] {
            let mut rest = piece;
            loop {
                match s.scan(rest, base, limits) {
                    Scan::NeedMore => {
                        base += rest.len() as u64;
                        break;
                    }
                    Scan::DeclEnd { end } => {
                        out.push(Out::Decl(base + end as u64));
                        base += end as u64;
                        rest = &rest[end..];
                    }
                    Scan::UnitEnd { end, kind } => {
                        out.push(Out::Unit(kind, base + end as u64));
                        base += end as u64;
                        rest = &rest[end..];
                    }
                    Scan::Fault { offset, fault, .. } => {
                        out.push(Out::Fault(fault, offset));
                        break 'pieces;
                    }
                }
            }
        }
        assert_eq!(out, whole, "split at {split}");
    }
    whole
}

fn stream(body: &str) -> Vec<u8> {
    format!("{HEADER}{body}").into_bytes()
}

fn header_outs() -> Vec<Out> {
    vec![
        Out::Decl(21),
        Out::Unit(UnitKind::Header, HEADER.len() as u64),
    ]
}

fn at(body_offset: usize) -> u64 {
    (HEADER.len() + body_offset) as u64
}

#[test]
fn header_and_stanzas_are_framed() {
    let body = "<message to='a@b' id='x>y'><body>a &amp; b &gt; c</body></message> \n\t\
                <presence/><iq type=\"get\" id='1'><query xmlns='jabber:iq:roster'/></iq>\
                </stream:stream>  ";
    let input = stream(body);
    let mut want = header_outs();
    let m_end = body.find("</message>").unwrap() + "</message>".len();
    let p_end = body.find("<presence/>").unwrap() + "<presence/>".len();
    let iq_end = body.find("</iq>").unwrap() + "</iq>".len();
    let close_end = body.find("</stream:stream>").unwrap() + "</stream:stream>".len();
    want.push(Out::Unit(UnitKind::Element, at(m_end)));
    want.push(Out::Unit(UnitKind::Element, at(p_end)));
    want.push(Out::Unit(UnitKind::Element, at(iq_end)));
    want.push(Out::Unit(UnitKind::StreamClose, at(close_end)));
    assert_eq!(run_all(&input, &Limits::c2s()), want);
}

#[test]
fn gt_and_quotes_inside_values_and_cdata_do_not_end_elements() {
    let body = "<message a='>' b=\"'>\"><body><![CDATA[</message> ]] ]> ]]]>x</body></message>";
    let mut want = header_outs();
    want.push(Out::Unit(UnitKind::Element, at(body.len())));
    assert_eq!(run_all(&stream(body), &Limits::c2s()), want);
}

#[test]
fn a_header_without_declaration_and_with_bom() {
    let input = b"\xEF\xBB\xBF<stream:stream xmlns='jabber:client'><a/>";
    let header_end = input.len() as u64 - 4;
    assert_eq!(
        run_all(input, &Limits::c2s()),
        vec![
            Out::Unit(UnitKind::Header, header_end),
            Out::Unit(UnitKind::Element, header_end + 4)
        ]
    );
    let input = b"  \n<stream:stream>";
    assert_eq!(
        run_all(input, &Limits::c2s()),
        vec![Out::Unit(UnitKind::Header, 18)]
    );
}

#[test]
fn restricted_markup_is_refused_at_its_lt() {
    let l = Limits::c2s();
    let cases: &[(&str, Fault, usize)] = &[
        ("<!-- hi --><message/>", Fault::Comment, 0),
        (
            "<message><body>a<!-- c -->b</body></message>",
            Fault::Comment,
            16,
        ),
        ("<?foo bar?><message/>", Fault::ProcessingInstruction, 0),
        ("<message><?pi?></message>", Fault::ProcessingInstruction, 9),
        ("<message><!DOCTYPE x></message>", Fault::Dtd, 9),
        ("<![CDATA[x]]>", Fault::TextOutsideElements, 0),
        ("<message><![CDAT x></message>", Fault::Dtd, 9),
    ];
    for &(body, fault, offset) in cases {
        let mut want = header_outs();
        want.push(Out::Fault(fault, at(offset)));
        assert_eq!(run_all(&stream(body), &l), want, "{body}");
    }
}

#[test]
fn prolog_faults() {
    let l = Limits::c2s();
    let doctype = b"<?xml version='1.0'?><!DOCTYPE s [<!ENTITY x 'y'>]><stream:stream>";
    assert_eq!(
        run_all(doctype, &l),
        vec![Out::Decl(21), Out::Fault(Fault::Dtd, 21)]
    );
    assert_eq!(
        run_all(b"<!-- x --><stream:stream>", &l),
        vec![Out::Fault(Fault::Comment, 0)]
    );
    assert_eq!(
        run_all(b"<?xml version='1.0'?><?pi?><stream:stream>", &l),
        vec![Out::Decl(21), Out::Fault(Fault::ProcessingInstruction, 21)]
    );
    assert_eq!(
        run_all(b"\xFF\xFE<\0?\0", &l),
        vec![Out::Fault(Fault::NotUtf8, 0)]
    );
    assert_eq!(
        run_all(b"\xFE\xFF\0<", &l),
        vec![Out::Fault(Fault::NotUtf8, 0)]
    );
    assert_eq!(
        run_all(b"<\0?\0x\0", &l),
        vec![Out::Fault(Fault::NotUtf8, 1)]
    );
    assert_eq!(
        run_all(b"hello", &l),
        vec![Out::Fault(Fault::TextOutsideElements, 0)]
    );
    assert_eq!(
        run_all(b"\xEF\xBC\x81", &l),
        vec![Out::Fault(Fault::TextOutsideElements, 0)]
    );
    assert_eq!(
        run_all(b"</stream:stream>", &l),
        vec![Out::Fault(Fault::EndTagInProlog, 0)]
    );
    assert_eq!(
        run_all(b"<stream:stream xmlns='jabber:client'/>", &l),
        vec![Out::Fault(Fault::EmptyStream, 37)]
    );
}

#[test]
fn stream_level_text_and_data_after_close() {
    let l = Limits::c2s();
    let mut want = header_outs();
    want.push(Out::Fault(Fault::TextOutsideElements, at(0)));
    assert_eq!(run_all(&stream("hello<message/>"), &l), want);

    let mut want = header_outs();
    want.push(Out::Unit(UnitKind::Element, at(4)));
    want.push(Out::Fault(Fault::TextOutsideElements, at(5)));
    assert_eq!(run_all(&stream("<a/> é"), &l), want);

    let mut want = header_outs();
    want.push(Out::Unit(UnitKind::StreamClose, at(16)));
    want.push(Out::Fault(Fault::AfterClose, at(17)));
    assert_eq!(run_all(&stream("</stream:stream> <a/>"), &l), want);
}

#[test]
fn lt_inside_tags_is_refused_on_sight() {
    let l = Limits::c2s();
    let mut want = header_outs();
    want.push(Out::Fault(Fault::LtInAttrValue, at(14)));
    assert_eq!(run_all(&stream("<message to='a<b'/>"), &l), want);
    let mut want = header_outs();
    want.push(Out::Fault(Fault::LtInTag, at(9)));
    assert_eq!(run_all(&stream("<message <a/>"), &l), want);
    let mut want = header_outs();
    want.push(Out::Fault(Fault::MalformedEndTag, at(10)));
    assert_eq!(run_all(&stream("<a><b></b <c></a>"), &l), want);
}

#[test]
fn mismatched_end_tags_are_refused_on_sight() {
    let l = Limits::c2s();
    for (body, offset) in [
        ("<message><body>hi</message>", 17),
        ("<message></presence>", 9),
        ("<a><b:c></b:d></a>", 8),
        ("<a><b/></b>", 7),
    ] {
        let mut want = header_outs();
        want.push(Out::Fault(Fault::MismatchedEndTag, at(offset)));
        assert_eq!(run_all(&stream(body), &l), want, "{body}");
    }
    let body = "<a:b xmlns:a='u'><c></c ><d/><e\t/></a:b >";
    let mut want = header_outs();
    want.push(Out::Unit(UnitKind::Element, at(body.len())));
    assert_eq!(run_all(&stream(body), &l), want);
    let mut want = header_outs();
    want.push(Out::Fault(Fault::MalformedEndTag, at(7)));
    assert_eq!(run_all(&stream("<a></a b>"), &l), want);
}

#[test]
fn size_limit_fires_at_the_first_byte_past_it() {
    let l = Limits::c2s().with_max_stanza_bytes(20);
    let exact = "<m>1234567890123</m>";
    assert_eq!(exact.len(), 20);
    let input = format!("<stream:stream>{exact}<m>123456789012345678</m>");
    let second = 15 + exact.len() as u64;
    assert_eq!(
        run_all(input.as_bytes(), &l),
        vec![
            Out::Unit(UnitKind::Header, 15),
            Out::Unit(UnitKind::Element, second),
            Out::Fault(Fault::TooLarge, second + 20),
        ]
    );
}

#[test]
fn header_is_bounded_too() {
    let l = Limits::c2s().with_max_stanza_bytes(32);
    let input = format!("<?xml version='1.0'?>{}<stream:stream>", " ".repeat(40));
    let out = run_all(input.as_bytes(), &l);
    assert_eq!(out, vec![Out::Decl(21), Out::Fault(Fault::TooLarge, 32)]);
}

#[test]
fn depth_attribute_and_namespace_limits() {
    let mut l = Limits::c2s();
    l.max_depth = 3;
    l.max_attributes = 2;
    l.max_namespace_declarations = 2;
    let run = |body: &str| run_all(format!("<stream:stream>{body}").as_bytes(), &l);
    let header = Out::Unit(UnitKind::Header, 15);

    assert_eq!(
        run("<a><b><c/></b></a>   <a><b><c><d/></c></b></a>"),
        vec![
            header,
            Out::Unit(UnitKind::Element, 15 + 18),
            Out::Fault(Fault::TooDeep, 15 + 31)
        ]
    );
    assert_eq!(
        run("<a x='1' y='2' z=\"3\"/>"),
        vec![header, Out::Fault(Fault::TooManyAttributes, 15 + 17)]
    );
    assert_eq!(
        run("<a xmlns='u:1'><b xmlns:p='u:2'><c xmlns = 'u:3'/></b></a>"),
        vec![
            header,
            Out::Fault(Fault::TooManyNamespaceDeclarations, 15 + 40)
        ]
    );
    // `xmlnsx`, `axmlns` and values that look like declarations are not counted.
    let body = "<a xmlnsx='1' axmlns='2'><b c='xmlns:p'/><d xmlns='u'/></a>";
    assert_eq!(
        run(body),
        vec![header, Out::Unit(UnitKind::Element, 15 + body.len() as u64)]
    );
    // The stream header counts too.
    l.max_namespace_declarations = 1;
    assert_eq!(
        run_all(b"<stream:stream xmlns='a' xmlns:stream='b'>", &l),
        vec![Out::Fault(Fault::TooManyNamespaceDeclarations, 30)]
    );
}

#[test]
fn limits_lowered_mid_unit_apply_from_the_next_byte() {
    let mut s = Scanner::default();
    let big = Limits::c2s();
    let small = Limits::c2s().with_max_stanza_bytes(10);
    let head = b"<stream:stream>";
    assert_eq!(
        s.scan(head, 0, &big),
        Scan::UnitEnd {
            end: 15,
            kind: UnitKind::Header
        }
    );
    assert_eq!(s.scan(b"<message>01234567", 15, &big), Scan::NeedMore);
    assert_eq!(
        s.scan(b"89</message>", 32, &small),
        Scan::Fault {
            at: 0,
            offset: 32,
            fault: Fault::TooLarge
        }
    );
}

#[test]
fn unit_tracking() {
    let mut s = Scanner::default();
    let l = Limits::c2s();
    assert!(!s.in_unit());
    assert_eq!(s.scan(b"<stream:str", 0, &l), Scan::NeedMore);
    assert!(s.in_unit());
    assert_eq!(s.unit_start(), 0);
    assert_eq!(
        s.scan(b"eam>  ", 11, &l),
        Scan::UnitEnd {
            end: 4,
            kind: UnitKind::Header
        }
    );
    assert_eq!(s.scan(b"  ", 15, &l), Scan::NeedMore);
    assert!(!s.in_unit());
    assert_eq!(s.scan(b" <a>", 17, &l), Scan::NeedMore);
    assert!(s.in_unit());
    assert_eq!(s.unit_start(), 18);
}
