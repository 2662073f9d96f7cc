//! Parsing complete stanzas of realistic shapes: raw `xmlparser` tokenization (the
//! ceiling), our tree builder into elements, and on into typed stanzas; and
//! serialization.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/samples.rs"]
mod samples;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use xmpp_stanza::{Element, NsContext, Roster, Stanza, TreeBuilder};

/// Raw tokenization, counting tokens (what a "tokenize the buffer" baseline does;
/// the optimizer may skip building tokens nobody reads).
fn raw_tokens(input: &str) -> usize {
    xmlparser::Tokenizer::from_fragment(input, 0..input.len())
        .filter(|t| t.is_ok())
        .count()
}

/// Raw tokenization where every token is observed (`black_box`), as a consumer
/// of the tokens would.
fn raw_tokens_observed(input: &str) {
    for t in xmlparser::Tokenizer::from_fragment(input, 0..input.len()) {
        black_box(t.ok());
    }
}

fn bench(c: &mut Criterion) {
    let roster = samples::roster_result(200);
    let inputs = [
        ("chat", samples::CHAT),
        ("presence-caps", samples::PRESENCE_CAPS),
        ("roster-200", roster.as_str()),
    ];
    let ctx = NsContext::client();
    let mut group = c.benchmark_group("parse");
    for (name, input) in inputs {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("xmlparser-tokens", name), input, |b, i| {
            b.iter(|| raw_tokens(black_box(i)))
        });
        group.bench_with_input(
            BenchmarkId::new("xmlparser-tokens-observed", name),
            input,
            |b, i| b.iter(|| raw_tokens_observed(black_box(i))),
        );
        let mut builder = TreeBuilder::new();
        group.bench_with_input(BenchmarkId::new("element", name), input, |b, i| {
            b.iter(|| builder.build(black_box(i), &ctx).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("typed", name), input, |b, i| {
            b.iter(|| Stanza::try_from(builder.build(black_box(i), &ctx).unwrap()).unwrap())
        });
        let el = builder.build(input, &ctx).unwrap();
        let mut out = Vec::with_capacity(input.len() * 2);
        group.bench_with_input(BenchmarkId::new("serialize", name), &el, |b, e| {
            b.iter(|| {
                out.clear();
                e.write_to(&mut out, &ctx).unwrap();
            })
        });
    }
    let mut builder = TreeBuilder::new();
    let el = builder.build(&roster, &ctx).unwrap();
    group.throughput(Throughput::Bytes(roster.len() as u64));
    group.bench_function("typed+roster-payload/roster-200", |b| {
        b.iter(|| {
            let el = builder.build(black_box(&roster), &ctx).unwrap();
            let q = el.child("query", "jabber:iq:roster").unwrap();
            Roster::try_from(q).unwrap()
        })
    });
    let _ = Element::from(Stanza::try_from(el).unwrap());
    group.finish();

    // Hostile shapes within a 256 KiB stanza: duplicate checks must not be quadratic.
    let mut group = c.benchmark_group("hostile");
    let bodies = builder.build(&samples::many_bodies(8000), &ctx).unwrap();
    group.bench_function("typed/message-8000-bodies", |b| {
        b.iter(|| Stanza::try_from(black_box(bodies.clone())).unwrap())
    });
    let groups = builder.build(&samples::many_groups(12000), &ctx).unwrap();
    group.bench_function("roster-payload/12000-groups", |b| {
        b.iter(|| Roster::try_from(black_box(&groups)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
