//! Property tests: parsing never panics, normalisation is idempotent, prepared parts
//! stay within 1023 bytes, and the fast paths agree with the full algorithms.

use std::borrow::Cow;

use proptest::prelude::*;
use xmpp_jid::{Jid, JidError, Profile, prep, profiles};

/// Characters that exercise every rule: separators, dots, case, mappings, bidi,
/// prohibited and unassigned code points, combining marks, joiners.
fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        1 => proptest::char::range('0', '9'),
        2 => prop::sample::select(vec!['@', '/', '.', '-', ' ', '"', '&', '\'', ':', '<', '>',
            '[', ']', '_', '\t', '\0', '\x7f']),
        2 => prop::sample::select(vec![
            '\u{df}', '\u{3c2}', '\u{3a3}', '\u{2163}', '\u{2168}', '\u{ad}', '\u{200b}',
            '\u{200d}', '\u{200e}', '\u{ff20}', '\u{ff0f}', '\u{3002}', '\u{ff0e}', '\u{ff61}',
            '\u{a0}', '\u{3000}', '\u{627}', '\u{5d0}', '\u{661}', '\u{301}', '\u{94d}',
            '\u{e9}', '\u{c9}', '\u{130}', '\u{1c5}', '\u{fb01}', '\u{fdfa}', '\u{221}',
            '\u{e000}', '\u{fffd}', '\u{265a}', '\u{1f600}', '\u{10ffff}', '\u{e0001}',
            '\u{b7}', '\u{30fb}', '\u{ff21}', '\u{ff41}',
        ]),
        1 => any::<char>(),
    ]
}

fn interesting_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(interesting_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Mostly-valid domain labels: letters (ASCII and not), digits, the odd hyphen or
/// special character, and sometimes an A-label.
fn domain() -> impl Strategy<Value = String> {
    let label_char = prop_oneof![
        8 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        1 => proptest::char::range('0', '9'),
        1 => Just('-'),
        3 => prop::sample::select(vec![
            '\u{e9}', '\u{c9}', '\u{df}', '\u{3c2}', '\u{3a3}', '\u{43f}', '\u{5c71}',
            '\u{627}', '\u{5d0}', '\u{661}', '\u{301}', '\u{200d}', '\u{ff21}', '\u{2163}',
            '\u{265a}', '\u{b7}', '\u{ad}',
        ]),
    ];
    let label = prop_oneof![
        8 => prop::collection::vec(label_char, 1..8).prop_map(|v| v.into_iter().collect::<String>()),
        1 => prop::sample::select(vec!["xn--bcher-kva".to_owned(), "XN--BCHER-KVA".to_owned(),
            "xn--zz".to_owned(), "xn--nxasmq6b".to_owned(), "[::1]".to_owned()]),
    ];
    let dot = prop::sample::select(vec![".", ".", ".", "\u{3002}", "\u{ff0e}", "\u{ff61}"]);
    (prop::collection::vec((label, dot), 1..4), any::<bool>()).prop_map(|(labels, trailing)| {
        let mut out = String::new();
        for (i, (label, dot)) in labels.iter().enumerate() {
            if i > 0 {
                out.push_str(dot);
            }
            out.push_str(label);
        }
        if trailing {
            out.push('.');
        }
        out
    })
}

fn profiles_both() -> impl Strategy<Value = Profile> {
    prop_oneof![Just(Profile::Rfc6122), Just(Profile::Rfc7622)]
}

fn check_parts(jid: &Jid) {
    for part in [jid.node(), Some(jid.domain()), jid.resource()]
        .into_iter()
        .flatten()
    {
        assert!(
            !part.is_empty() && part.len() <= 1023,
            "part {part:?} of {jid}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>(), profile in profiles_both()) {
        if let Ok(jid) = Jid::parse_with(&s, profile) {
            check_parts(&jid);
        }
    }

    #[test]
    fn normalisation_is_idempotent(s in interesting_string(24), profile in profiles_both()) {
        if let Ok(jid) = Jid::parse_with(&s, profile) {
            check_parts(&jid);
            let again = Jid::parse_with(jid.as_str(), profile);
            prop_assert_eq!(again.as_ref(), Ok(&jid), "input {:?}", s);
            let again = again.unwrap();
            prop_assert_eq!(again.node(), jid.node());
            prop_assert_eq!(again.domain(), jid.domain());
            prop_assert_eq!(again.resource(), jid.resource());
        }
    }

    #[test]
    fn structured_jids_are_idempotent(
        node in interesting_string(10),
        domain in domain(),
        resource in interesting_string(10),
        profile in profiles_both(),
    ) {
        let s = format!("{node}@{domain}/{resource}");
        if let Ok(jid) = Jid::parse_with(&s, profile) {
            check_parts(&jid);
            prop_assert_eq!(Jid::parse_with(jid.as_str(), profile), Ok(jid));
        }
        // from_parts gives the same JID as parsing when the parts hold no separators.
        if !node.contains(['@', '/']) && !domain.contains(['@', '/']) && !resource.contains('/') {
            let parsed = Jid::parse_with(&s, profile);
            let built = Jid::from_parts_with(Some(&node), &domain, Some(&resource), profile);
            prop_assert_eq!(parsed, built);
        }
    }

    #[test]
    fn domains_are_idempotent(domain in domain(), profile in profiles_both()) {
        if let Ok(jid) = Jid::parse_with(&domain, profile) {
            check_parts(&jid);
            prop_assert_eq!(Jid::parse_with(jid.as_str(), profile), Ok(jid));
        }
    }

    #[test]
    fn long_parts_are_bounded(c in interesting_char(), n in 1000usize..1100) {
        let part: String = std::iter::repeat_n(c, n).collect();
        for s in [format!("{part}@example.com"), format!("example.com/{part}")] {
            for profile in [Profile::Rfc6122, Profile::Rfc7622] {
                if let Ok(jid) = Jid::parse_with(&s, profile) {
                    check_parts(&jid);
                }
            }
        }
    }

    /// Our stringprep profiles against the `stringprep` crate: same output whenever
    /// ours succeeds; when only the crate succeeds, the input held a code point
    /// unassigned in Unicode 3.2 (we check the input, as RFC 3454 §7 says; the crate
    /// checks only the output).
    #[test]
    fn stringprep_profiles_agree_with_the_stringprep_crate(s in interesting_string(16)) {
        type Pair = (fn(&str) -> Result<Cow<'_, str>, profiles::ProfileError>,
                     fn(&str) -> Result<Cow<'_, str>, stringprep::Error>);
        let pairs: [Pair; 3] = [
            (profiles::nodeprep, stringprep::nodeprep),
            (profiles::nameprep, stringprep::nameprep),
            (profiles::resourceprep, stringprep::resourceprep),
        ];
        for (ours, theirs) in pairs {
            match (ours(&s), theirs(&s)) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "input {:?}", s),
                (Err(_), Err(_)) => {}
                (Ok(a), Err(e)) => prop_assert!(false, "{:?}: ours {:?}, crate {}", s, a, e),
                (Err(e), Ok(_)) => prop_assert!(
                    matches!(e, profiles::ProfileError::Unassigned(_)), "{:?}: ours {}", s, e),
            }
        }
    }

    /// The JID part functions (ASCII fast path included) against the bare profiles plus
    /// the JID rules.
    #[test]
    fn part_fast_paths_agree_with_profiles(s in interesting_string(16)) {
        fn with_len(r: Result<Cow<'_, str>, profiles::ProfileError>) -> Option<String> {
            r.ok().filter(|o| (1..=1023).contains(&o.len())).map(Cow::into_owned)
        }
        let local_extra = |o: Option<String>| o.filter(|o| !o.contains(['"', '&', '\'', '/', ':', '<', '>', '@']));
        prop_assert_eq!(prep::nodeprep(&s).ok().map(Cow::into_owned), with_len(profiles::nodeprep(&s)));
        prop_assert_eq!(prep::resourceprep(&s).ok().map(Cow::into_owned), with_len(profiles::resourceprep(&s)));
        prop_assert_eq!(
            prep::precis_localpart(&s).ok().map(Cow::into_owned),
            local_extra(with_len(profiles::username_case_mapped(&s)))
        );
        prop_assert_eq!(
            prep::precis_resourcepart(&s).ok().map(Cow::into_owned),
            with_len(profiles::opaque_string(&s))
        );
    }

    /// Errors name a part, and parsing a JID's own text never fails.
    #[test]
    fn errors_name_a_part(s in interesting_string(24), profile in profiles_both()) {
        match Jid::parse_with(&s, profile) {
            Ok(jid) => prop_assert!(Jid::parse_with(jid.as_str(), profile).is_ok()),
            Err(e) => {
                prop_assert!(e.part().is_some());
                prop_assert!(!e.to_string().is_empty());
                prop_assert!(!matches!(e, JidError::ResourceRequired | JidError::ResourceNotAllowed));
            }
        }
    }
}
