//! Public API behaviour: types, conversions, comparison, every error variant, both
//! profiles, serde.

use std::collections::{BTreeSet, HashSet};

use xmpp_jid::{BareJid, FullJid, Jid, JidError, JidPart, Profile, prep};

const R6122: Profile = Profile::Rfc6122;
const R7622: Profile = Profile::Rfc7622;

#[test]
fn parts_and_display() {
    let jid = Jid::new("Juliet@Example.COM/Balcony Scene").unwrap();
    assert_eq!(jid.node(), Some("juliet"));
    assert_eq!(jid.domain(), "example.com");
    assert_eq!(jid.resource(), Some("Balcony Scene"));
    assert_eq!(jid.as_str(), "juliet@example.com/Balcony Scene");
    assert_eq!(jid.to_string(), jid.as_str());
    assert_eq!(
        format!("{jid:?}"),
        "Jid(\"juliet@example.com/Balcony Scene\")"
    );
    assert!(jid.is_full() && !jid.is_bare());
    assert_eq!(jid.profile(), R6122);

    let domain_only = Jid::new("example.com").unwrap();
    assert_eq!((domain_only.node(), domain_only.resource()), (None, None));
    assert!(domain_only.is_bare());

    let domain_resource = Jid::new("example.com/a@b/c").unwrap();
    assert_eq!(domain_resource.node(), None);
    assert_eq!(domain_resource.resource(), Some("a@b/c"));
}

#[test]
fn bare_and_full_types() {
    let full = FullJid::new("romeo@example.net/orchard").unwrap();
    let bare: BareJid = full.to_bare();
    assert_eq!(bare.as_str(), "romeo@example.net");
    assert_eq!(bare.domain_jid().as_str(), "example.net");
    assert_eq!(
        bare.with_resource("Garden").unwrap(),
        FullJid::new("romeo@example.net/Garden").unwrap()
    );
    assert_eq!(
        full.with_resource("x").unwrap().as_str(),
        "romeo@example.net/x"
    );
    assert_eq!(
        BareJid::new("romeo@example.net/x"),
        Err(JidError::ResourceNotAllowed)
    );
    assert_eq!(
        FullJid::new("romeo@example.net"),
        Err(JidError::ResourceRequired)
    );
    assert_eq!(
        bare.with_resource(""),
        Err(JidError::Empty(JidPart::Resourcepart))
    );

    let jid: Jid = full.clone().into();
    assert_eq!(jid, full);
    assert_eq!(full, jid);
    let jid_bare: Jid = bare.clone().into();
    assert_eq!(jid_bare, bare);
    assert_eq!(FullJid::try_from(jid.clone()).unwrap(), full);
    assert_eq!(
        FullJid::try_from(jid_bare.clone()),
        Err(JidError::ResourceRequired)
    );
    assert_eq!(BareJid::try_from(jid_bare.clone()).unwrap(), bare);
    assert_eq!(
        BareJid::try_from(jid.clone()),
        Err(JidError::ResourceNotAllowed)
    );
    assert_eq!(jid_bare.clone().try_into_full().unwrap_err(), jid_bare);
    assert_eq!(jid.clone().into_bare(), bare);
    assert_eq!(BareJid::from(full.clone()), bare);
    assert_eq!(String::from(full), "romeo@example.net/orchard");
}

#[test]
fn from_parts_prepares_each_part() {
    let bare = BareJid::from_parts(Some("ROMEO"), "Example.NET.").unwrap();
    assert_eq!(bare.as_str(), "romeo@example.net");
    assert_eq!(
        BareJid::from_parts(None, "example.net").unwrap().node(),
        None
    );
    // A separator inside a part is just a character of that part.
    assert!(BareJid::from_parts(Some("a@b"), "example.net").is_err());
    let full = FullJid::from_parts(None, "example.net", "a/b").unwrap();
    assert_eq!(full.resource(), "a/b");
    let precis = BareJid::from_parts_with(Some("Fu\u{df}ball"), "example.com", R7622).unwrap();
    assert_eq!(precis.node(), Some("fu\u{df}ball"));
    // with_resource keeps the JID's profile: OpaqueString keeps U+2168, resourceprep maps it.
    assert_eq!(
        precis.with_resource("\u{2168}").unwrap().resource(),
        "\u{2168}"
    );
    assert_eq!(
        BareJid::new("a@b")
            .unwrap()
            .with_resource("\u{2168}")
            .unwrap()
            .resource(),
        "IX"
    );
}

#[test]
fn equality_hash_order_use_the_normalised_form() {
    let a = Jid::new("JULIET@example.com").unwrap();
    let b = Jid::new("juliet@EXAMPLE.com.").unwrap();
    assert_eq!(a, b);
    assert_eq!(a, "juliet@example.com");
    let set: HashSet<Jid> = [a.clone(), b.clone()].into_iter().collect();
    assert_eq!(set.len(), 1);
    assert!(set.contains("juliet@example.com"));
    let ordered: BTreeSet<BareJid> = ["b@x", "a@x", "A@x"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let listed: Vec<&str> = ordered.iter().map(BareJid::as_str).collect();
    assert_eq!(listed, ["a@x", "b@x"]);
    // Same text under both profiles compares equal.
    assert_eq!(
        Jid::parse_with("a@b", R6122).unwrap(),
        Jid::parse_with("a@b", R7622).unwrap()
    );
}

#[test]
fn profiles_differ_where_the_rfcs_do() {
    let cases = [
        (
            "fu\u{df}ball@example.com",
            Some("fussball@example.com"),
            Some("fu\u{df}ball@example.com"),
        ),
        (
            "\u{3c2}@example.com",
            Some("\u{3c3}@example.com"),
            Some("\u{3c2}@example.com"),
        ),
        (
            "henry\u{2163}@example.com",
            Some("henryiv@example.com"),
            None,
        ),
        ("\u{265a}@example.com", Some("\u{265a}@example.com"), None),
        ("I\u{ad}X@example.com", Some("ix@example.com"), None),
        (
            "x@example.com/\u{2168}",
            Some("x@example.com/IX"),
            Some("x@example.com/\u{2168}"),
        ),
        ("x@example.com/\u{221}", None, Some("x@example.com/\u{221}")),
    ];
    for (input, old, new) in cases {
        let got_old = Jid::parse_with(input, R6122).ok().map(Jid::into_string);
        let got_new = Jid::parse_with(input, R7622).ok().map(Jid::into_string);
        assert_eq!(got_old.as_deref(), old, "RFC 6122 {input:?}");
        assert_eq!(got_new.as_deref(), new, "RFC 7622 {input:?}");
    }
}

/// The error for `s`; an accepted input yields `ResourceRequired`, which `Jid` parsing
/// never returns, so every assertion below then fails visibly.
fn err(s: &str, profile: Profile) -> JidError {
    Jid::parse_with(s, profile)
        .err()
        .unwrap_or(JidError::ResourceRequired)
}

#[test]
fn every_error_names_part_and_rule() {
    use JidPart::*;
    for p in [R6122, R7622] {
        assert_eq!(err("", p), JidError::Empty(Domainpart));
        assert_eq!(err("@example.com", p), JidError::Empty(Localpart));
        assert_eq!(err("example.com/", p), JidError::Empty(Resourcepart));
        assert_eq!(err("juliet@", p), JidError::Empty(Domainpart));
        assert_eq!(
            err(&format!("{}@x", "a".repeat(1024)), p),
            JidError::TooLong {
                part: Localpart,
                len: 1024
            }
        );
        assert_eq!(
            err(&format!("x/{}", "\u{e9}".repeat(512)), p),
            JidError::TooLong {
                part: Resourcepart,
                len: 1024
            }
        );
        assert_eq!(
            err(&format!("x/{}", "r".repeat(5000)), p),
            JidError::TooLong {
                part: Resourcepart,
                len: 5000
            }
        );
        assert_eq!(
            err("ju liet@x", p),
            JidError::Prohibited {
                part: Localpart,
                ch: ' '
            }
        );
        assert_eq!(
            err("x/a\u{7}", p),
            JidError::Prohibited {
                part: Resourcepart,
                ch: '\u{7}'
            }
        );
        assert_eq!(
            err("x_y.com", p),
            JidError::Prohibited {
                part: Domainpart,
                ch: '_'
            }
        );
        assert_eq!(err("a..b", p), JidError::EmptyLabel);
        assert_eq!(err("-a.b", p), JidError::LabelHyphen);
        assert_eq!(err(&"a".repeat(64), p), JidError::LabelTooLong { len: 64 });
        assert_eq!(err("[::1", p), JidError::IpLiteral);
        assert_eq!(err("[1.2.3.4]", p), JidError::IpLiteral);
        assert_eq!(err("[::1]x", p), JidError::IpLiteral);
        assert_eq!(
            err("x/\u{200e}a", p),
            JidError::Prohibited {
                part: Resourcepart,
                ch: '\u{200e}'
            }
        );
    }
    assert_eq!(
        err("x/\u{221}", R6122),
        JidError::Unassigned {
            part: Resourcepart,
            ch: '\u{221}'
        }
    );
    assert_eq!(err("\u{627}1@x", R6122), JidError::Bidi(Localpart));
    assert_eq!(err("x/a\u{627}", R6122), JidError::Bidi(Resourcepart));
    assert_eq!(err("\u{5d0}a@x", R7622), JidError::Bidi(Localpart));
    assert_eq!(
        err("a\u{200d}@x", R7622),
        JidError::ContextRule {
            part: Localpart,
            ch: '\u{200d}'
        }
    );
    assert_eq!(err("xn--zz.com", R7622), JidError::InvalidALabel);
    assert_eq!(err("ab--\u{e9}.com", R7622), JidError::LabelHyphen);
    assert_eq!(err("\u{301}a.com", R7622), JidError::Idna);
    assert_eq!(err("\u{5d0}a.com", R7622), JidError::Bidi(Domainpart));
    assert_eq!(err("\u{5d0}.1a", R7622), JidError::Bidi(Domainpart));
    // The error says what was wrong in words too.
    assert_eq!(
        err("ju:liet@x", R6122).to_string(),
        "prohibited character ':' (U+003A) in localpart"
    );
}

#[test]
fn domains() {
    for p in [R6122, R7622] {
        let d = |s: &str| Jid::parse_with(s, p).map(|j| j.domain().to_owned());
        assert_eq!(d("EXAMPLE.com.").unwrap(), "example.com");
        assert_eq!(d("example\u{3002}com").unwrap(), "example.com");
        assert_eq!(d("example\u{ff0e}com\u{ff61}").unwrap(), "example.com");
        assert_eq!(d("\u{ff25}xample.com").unwrap(), "example.com");
        assert_eq!(d("192.0.2.1").unwrap(), "192.0.2.1");
        assert_eq!(d("[2001:DB8:0:0::1]").unwrap(), "[2001:db8::1]");
        assert_eq!(d("xn--bcher-kva.ch").unwrap(), "b\u{fc}cher.ch");
        assert_eq!(d("B\u{dc}CHER.ch").unwrap(), "b\u{fc}cher.ch");
        assert_eq!(d(&format!("{}.com", "a".repeat(63))).unwrap().len(), 67);
        assert!(d("example.com..").is_err());
        assert!(d(".").is_err());
        assert!(d("exa mple.com").is_err());
        assert!(d("example.com:5222").is_err());
        assert!(d("::1").is_err());
        assert!(d("a@b@example.com").is_err());
    }
    // IDNA2003 ToUnicode keeps undecodable A-labels; IDNA2008 rejects them.
    assert_eq!(
        Jid::parse_with("xn--zz.com", R6122).unwrap().domain(),
        "xn--zz.com"
    );
    // A long non-ASCII label is measured in its ACE form.
    // (Repeats of one character encode compactly: 40 x U+00E9 fits, varied CJK does not.)
    assert!(Jid::new(&"\u{e9}".repeat(40)).is_ok());
    let long: String = (0..30u32)
        .filter_map(|i| char::from_u32(0x4e00 + i * 397))
        .collect();
    assert!(matches!(err(&long, R6122), JidError::LabelTooLong { .. }));
    assert!(matches!(err(&long, R7622), JidError::LabelTooLong { .. }));
    // IDNA2008 keeps ß and ς in domains; nameprep folds them.
    assert_eq!(
        Jid::parse_with("stra\u{df}e.de", R7622).unwrap().domain(),
        "stra\u{df}e.de"
    );
    assert_eq!(
        Jid::parse_with("stra\u{df}e.de", R6122).unwrap().domain(),
        "strasse.de"
    );
    // IDNA2008 rejects symbols in domains.
    assert!(Jid::parse_with("\u{265a}.com", R7622).is_err());
}

#[test]
fn prep_functions_borrow_when_prepared() {
    use std::borrow::Cow;
    assert!(matches!(prep::nodeprep("juliet"), Ok(Cow::Borrowed(_))));
    assert!(matches!(
        prep::nameprep("example.com"),
        Ok(Cow::Borrowed(_))
    ));
    assert!(matches!(
        prep::resourceprep("Foo Bar"),
        Ok(Cow::Borrowed(_))
    ));
    assert!(matches!(prep::nodeprep("\u{3c3}"), Ok(Cow::Borrowed(_))));
    assert!(matches!(
        prep::precis_resourcepart("\u{265a}"),
        Ok(Cow::Borrowed(_))
    ));
    assert!(matches!(
        prep::idna2008_domainpart("b\u{fc}cher.ch"),
        Ok(Cow::Borrowed(_))
    ));
    assert_eq!(prep::nameprep("example.com.").unwrap(), "example.com");
    assert_eq!(prep::localpart("A", R7622).unwrap(), "a");
    assert_eq!(prep::domainpart("A.b", R7622).unwrap(), "a.b");
    assert_eq!(prep::resourcepart("A", R7622).unwrap(), "A");
}

#[test]
fn disputed_vectors_behaviour() {
    // RFC 7622 Errata 4560: OpaqueString allows a leading space.
    assert_eq!(
        Jid::parse_with("juliet@example.com/ foo", R7622)
            .unwrap()
            .resource(),
        Some(" foo")
    );
    // RFC 5893 Bidi Rule allows a trailing European digit in an RTL string.
    assert_eq!(
        Jid::parse_with("\u{627}1@example.com", R7622)
            .unwrap()
            .node(),
        Some("\u{627}1")
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip() {
    let full = FullJid::new("Juliet@example.com/balcony").unwrap();
    let json = serde_json::to_string(&full).unwrap();
    assert_eq!(json, "\"juliet@example.com/balcony\"");
    assert_eq!(serde_json::from_str::<FullJid>(&json).unwrap(), full);
    assert_eq!(serde_json::from_str::<Jid>(&json).unwrap(), full);
    assert!(serde_json::from_str::<BareJid>(&json).is_err());
    assert!(serde_json::from_str::<Jid>("\"@x\"").is_err());
}
