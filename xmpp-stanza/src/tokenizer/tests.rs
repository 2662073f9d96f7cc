//! The fast tokenizer against the reference (`xmlparser`): same tokens, same
//! offsets, same errors, on hand-picked, arbitrary and mutated input.

use proptest::prelude::*;

use super::*;
use crate::error::Construct;

type Tokens<'a> = Vec<Result<Token<'a>, ParseError>>;

/// Every token of `source` until its end or first error. A restricted token is
/// recorded as the error the builder turns it into (the reference reports a
/// malformed comment as an error and a well-formed one as a token).
fn collect<'a>(mut source: impl TokenSource<'a>) -> Tokens<'a> {
    let mut out = Vec::new();
    while let Some(t) = source.next_token() {
        match t {
            Ok(Token::Restricted { rule, offset }) => {
                out.push(Err(ParseError::new(rule, offset)));
                break;
            }
            Ok(t) => out.push(Ok(t)),
            Err(e) => {
                out.push(Err(e));
                break;
            }
        }
    }
    out
}

fn fast(input: &str) -> Tokens<'_> {
    collect(FastTokens::new(input))
}

fn reference(input: &str) -> Tokens<'_> {
    collect(XmlparserTokens::new(input))
}

fn same(input: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(fast(input), reference(input), "input {:?}", input);
    Ok(())
}

fn last_error(input: &str) -> ParseError {
    let toks = fast(input);
    assert_eq!(toks, reference(input), "{input:?}");
    match toks.last() {
        Some(Err(e)) => *e,
        other => panic!("{input:?}: no error, last {other:?}"),
    }
}

#[test]
fn tokens_carry_offsets() {
    let input = "<a x='1' y=\"&amp;\">t<![CDATA[c]]>&lt;</a>";
    let toks = fast(input);
    assert_eq!(toks, reference(input));
    assert_eq!(
        toks,
        vec![
            Ok(Token::StartTag {
                prefix: "",
                local: "a",
                offset: 0
            }),
            Ok(Token::Attribute {
                prefix: "",
                local: "x",
                value: "1",
                offset: 3,
                plain: true,
            }),
            Ok(Token::Attribute {
                prefix: "",
                local: "y",
                value: "&amp;",
                offset: 9,
                plain: false,
            }),
            Ok(Token::StartTagEnd { empty: false }),
            Ok(Token::Text {
                raw: "t",
                offset: 19,
                plain: true,
            }),
            Ok(Token::Cdata {
                text: "c",
                offset: 20,
            }),
            Ok(Token::Text {
                raw: "&lt;",
                offset: 33,
                plain: false,
            }),
            Ok(Token::EndTag {
                prefix: "",
                local: "a",
                offset: 37
            }),
        ]
    );
}

#[test]
fn restricted_markup_is_named() {
    let rule = |s| last_error(s).rule();
    assert_eq!(rule("<a><!-- c --></a>"), XmlRule::Comment);
    assert_eq!(rule("<a><!-- c - -- --></a>"), XmlRule::Comment);
    assert_eq!(rule("<a><?pi x?>"), XmlRule::ProcessingInstruction);
    assert_eq!(rule("<a><!DOCTYPE a>"), XmlRule::Dtd);
    assert_eq!(rule("<a><!-x"), XmlRule::Dtd);
    assert_eq!(
        rule("<a><?xml version='1.0'?>"),
        XmlRule::ProcessingInstruction
    );
    assert_eq!(rule("<a<!-- c -->"), XmlRule::Comment);
    assert_eq!(rule("<a<?x?>"), XmlRule::ProcessingInstruction);
    assert_eq!(rule("<a<!E"), XmlRule::Dtd);
    assert_eq!(
        rule("<a<![CDATA[x]]>"),
        XmlRule::Syntax(Construct::Attribute)
    );
}

#[test]
fn errors_are_classified() {
    let rule = |s| last_error(s).rule();
    assert_eq!(rule("<a>\u{1}</a>"), XmlRule::IllegalCharacter);
    assert_eq!(rule("<a>\u{FFFE}</a>"), XmlRule::IllegalCharacter);
    assert_eq!(rule("<a>]]>\u{FFFF}</a>"), XmlRule::IllegalCharacter);
    assert_eq!(rule("<a x='\u{1}'/>"), XmlRule::IllegalCharacter);
    assert_eq!(rule("<a><![CDATA[\u{0}]]></a>"), XmlRule::IllegalCharacter);
    assert_eq!(rule("<a x=1/>"), XmlRule::Syntax(Construct::Attribute));
    assert_eq!(rule("<a x='<'/>"), XmlRule::Syntax(Construct::Attribute));
    assert_eq!(
        rule("<a x='1'y='2'/>"),
        XmlRule::Syntax(Construct::Attribute)
    );
    assert_eq!(rule("<a x/>"), XmlRule::Syntax(Construct::Attribute));
    assert_eq!(rule("<a /x>"), XmlRule::Syntax(Construct::Attribute));
    assert_eq!(rule("<a "), XmlRule::Syntax(Construct::Attribute));
    assert_eq!(rule("<a x"), XmlRule::Truncated);
    assert_eq!(rule("<a x="), XmlRule::Truncated);
    assert_eq!(rule("<a x='1"), XmlRule::Truncated);
    assert_eq!(rule("<a /"), XmlRule::Truncated);
    assert_eq!(rule("<a>]]></a>"), XmlRule::Syntax(Construct::Text));
    assert_eq!(rule("<a></ b>"), XmlRule::Syntax(Construct::EndTag));
    assert_eq!(rule("<a></"), XmlRule::Syntax(Construct::EndTag));
    assert_eq!(rule("<a></a"), XmlRule::Truncated);
    assert_eq!(rule("<a></a x>"), XmlRule::Syntax(Construct::EndTag));
    assert_eq!(rule("<a><"), XmlRule::Syntax(Construct::Markup));
    assert_eq!(rule("< a/>"), XmlRule::Syntax(Construct::StartTag));
    assert_eq!(rule("<1a/>"), XmlRule::Syntax(Construct::StartTag));
    assert_eq!(rule("<a:b:c/>"), XmlRule::Syntax(Construct::StartTag));
    assert_eq!(rule("<a:/>"), XmlRule::Syntax(Construct::StartTag));
    assert_eq!(
        rule("<a><![CDATA[x]]</a>"),
        XmlRule::Syntax(Construct::Cdata)
    );
    assert_eq!(last_error("<a x='1' y='\u{1}'/>").offset(), 8);
}

#[test]
fn hand_picked_inputs_agree() {
    let inputs = [
        "",
        " ",
        "text",
        "<",
        "<a",
        "<a>",
        "<a/>",
        "<a  />",
        "<a\t\r\n/>",
        "<a x = '1' >",
        "<:a/>",
        "<a:b xmlns:a='u'/>",
        "<é ü='ö'>ß</é>",
        "<a·b/>",
        "<a\u{300}/>",
        "<\u{300}/>",
        "<a x=\"'\" y='\"'/>",
        "<a>&#x10FFFF; &unknown; & ; \r\n \r</a>",
        "<a>x]]y]>z]]</a>",
        "<a><![CDATA[]]></a>",
        "<a><![CDATA[<&>]]]]></a>",
        "<a><![CDATA",
        "<a></a\t>",
        "<a></a:b>",
        "<a>\u{FEFF}\u{FFFD}\u{EFFFF}\u{10FFFF}</a>",
        "<a x='\t\n\r'>",
        "<a x='a\u{FFFF}'>",
        "<a x='\u{FFFD}\u{F000}'>",
        "<a>\u{7F}\u{80}\u{9F}</a>",
        "<a/><b/>",
        "</a>",
        "<!---->",
        "<?",
        "<!",
        "<a x='1'/",
        "<a x='1'\u{1}",
        "<a x='1'>\u{1}",
    ];
    for input in inputs {
        same(input).unwrap();
    }
}

/// Pieces that make XML-like input likely to hit every branch of both tokenizers.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "<",
        ">",
        "/",
        "/>",
        "</",
        "!",
        "?",
        "=",
        "'",
        "\"",
        " ",
        "\t",
        "\n",
        "\r",
        ":",
        "&",
        ";",
        "#",
        "x",
        "a",
        "b",
        "1",
        "-",
        ".",
        "_",
        "é",
        "字",
        "·",
        "\u{300}",
        "\u{1}",
        "\0",
        "\u{B}",
        "\u{FFFE}",
        "\u{FFFF}",
        "\u{FFFD}",
        "\u{EFFFF}",
        "😀",
        "]",
        "[",
        "]]>",
        "<![CDATA[",
        "<!--",
        "-->",
        "<?",
        "?>",
        "<!DOCTYPE",
        "amp",
        "&amp;",
        "&#x41;",
        "xmlns",
        "xml:lang",
        "<a",
        "<a:b",
        "</a>",
        "</a:b>",
        "<a/>",
        " x='1'",
        " y=\"2\"",
        "text",
        "<message to='r@e.net' type='chat'>",
        "<body>",
        "</body>",
        "</message>",
    ])
}

/// A valid stanza to mutate.
fn stanza() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "<message from='juliet@example.com/balcony' id='ktx72v49' to='romeo@example.net' \
         type='chat' xml:lang='en'><body>Art thou not Romeo, &amp; a Montague?</body>\
         <active xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<presence><show>away</show><status>Привет 😀</status>\
         <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v='/></presence>",
        "<iq type='result' id='r'><query xmlns='jabber:iq:roster' ver='1'>\
         <item jid='a@b' name='A &#x42;' subscription='both'><group>F</group></item>\
         </query></iq>",
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
         <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>\
         </mechanisms></stream:features>",
        "<a><![CDATA[x < y & z]]>\r\n<b x=\"1\t2\"/>\n</a>",
    ])
}

/// An edit of a string at a char boundary.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, &'static str),
    Replace(usize, &'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), piece()).prop_map(|(at, p)| Edit::Insert(at, p)),
        (any::<usize>(), piece()).prop_map(|(at, p)| Edit::Replace(at, p)),
    ]
}

fn apply(s: &str, edit: &Edit) -> String {
    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    let at = |k: usize| bounds[k % bounds.len()];
    let mut out = String::from(s);
    match *edit {
        Edit::Delete(k, n) => {
            let i = bounds.iter().position(|&b| b == at(k)).unwrap_or(0);
            let end = bounds[(i + n).min(bounds.len() - 1)];
            out.replace_range(at(k)..end, "");
        }
        Edit::Insert(k, p) => out.insert_str(at(k), p),
        Edit::Replace(k, p) => {
            let i = bounds.iter().position(|&b| b == at(k)).unwrap_or(0);
            let end = bounds[(i + 1).min(bounds.len() - 1)];
            out.replace_range(at(k)..end, p);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn agree_on_xml_like_input(pieces in prop::collection::vec(piece(), 0..40)) {
        same(&pieces.concat())?;
    }

    #[test]
    fn agree_on_mutated_stanzas(s in stanza(), edits in prop::collection::vec(edit(), 1..4)) {
        let mut input = String::from(s);
        for e in &edits {
            input = apply(&input, e);
        }
        same(&input)?;
    }

    #[test]
    fn agree_on_arbitrary_strings(s in any::<String>()) {
        same(&s)?;
    }
}
