//! JID parsing throughput: this crate against the `jid` crate (xmpp-rs), same run.
//!
//! Corpora: already-normalised ASCII, uppercase ASCII, non-ASCII needing preparation,
//! invalid input, and `mixed` = all of them. Throughput is reported in JIDs/s
//! (criterion "elements").

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xmpp_jid::{Jid, Profile};

const NORMALISED_ASCII: &[&str] = &[
    "juliet@example.com",
    "romeo@montague.lit/orchard",
    "example.com",
    "pubsub.shakespeare.lit",
    "user123@chat.example.org/laptop-4f2a9c",
    "conference.jabber.org/room-bot",
    "alice@wonderland.lit/rabbit hole",
    "bob.smith+xmpp@mail.example.net/Gajim.XYZ1",
    "support@help.example.co.uk",
    "room@muc.example.com/Nick Name",
];

const UPPERCASE_ASCII: &[&str] = &[
    "Juliet@Example.COM/Balcony",
    "ROMEO@MONTAGUE.LIT",
    "Admin@Example.org/Desktop",
    "Pubsub.Shakespeare.Lit",
    "User.Name@Chat.Example.Org/Phone",
];

const NON_ASCII: &[&str] = &[
    "fu\u{df}ball@example.com",
    "\u{3a3}@example.com/\u{265a}",
    "juliet@b\u{fc}cher.ch",
    "henry\u{2163}@example.com",
    "\u{43f}\u{440}\u{438}\u{432}\u{435}\u{442}@\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}/\u{434}\u{43e}\u{43c}",
    "m\u{fc}ller@example.de/K\u{fc}che",
    "juliet@example.com/caf\u{e9} \u{2615}",
    "\u{5c71}\u{7530}@\u{4f8b}\u{3048}.jp",
];

const INVALID: &[&str] = &[
    "ju\"liet@example.com",
    "@example.com",
    "juliet@exa mple.com",
    "juliet@example.com/",
    "a@b@example.com",
    "juliet@example..com",
    "foo bar@example.com",
    "juliet@[::1",
];

fn mixed() -> Vec<&'static str> {
    // Weighted like real traffic: mostly normalised ASCII.
    let mut corpus = Vec::new();
    for _ in 0..3 {
        corpus.extend_from_slice(NORMALISED_ASCII);
    }
    corpus.extend_from_slice(UPPERCASE_ASCII);
    corpus.extend_from_slice(NON_ASCII);
    corpus.extend_from_slice(INVALID);
    corpus
}

fn compare(c: &mut Criterion, name: &str, corpus: &[&str]) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("xmpp-jid", |b| {
        b.iter(|| {
            for s in corpus {
                let _ = black_box(Jid::new(black_box(s)));
            }
        })
    });
    group.bench_function("jid-crate", |b| {
        b.iter(|| {
            for s in corpus {
                let _ = black_box(jid::Jid::new(black_box(s)));
            }
        })
    });
    group.bench_function("xmpp-jid-rfc7622", |b| {
        b.iter(|| {
            for s in corpus {
                let _ = black_box(Jid::parse_with(black_box(s), Profile::Rfc7622));
            }
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    compare(c, "mixed", &mixed());
    compare(c, "normalised-ascii", NORMALISED_ASCII);
    compare(c, "uppercase-ascii", UPPERCASE_ASCII);
    compare(c, "non-ascii", NON_ASCII);
    compare(c, "invalid", INVALID);
}

criterion_group!(parse, benches);
criterion_main!(parse);
