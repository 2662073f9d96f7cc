//! Router throughput without any IO: a chat message to a full JID, a chat message
//! to a bare JID with three resources, and a presence change broadcast to 50
//! subscribed contacts — each measured through `poll_output` until drained.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xmpp_core::RequestId;
use xmpp_jid::{BareJid, Jid};
use xmpp_sasl::{InsecureSeededEntropy, Password};
use xmpp_server::{Router, RouterConfig, RouterOutput, SessionId, Timestamp};
use xmpp_stanza::{Message, NsContext, Presence, Stanza, parse_element};

struct Setup {
    router: Router<InsecureSeededEntropy>,
    now: Instant,
    next: u64,
}

impl Setup {
    fn new() -> Setup {
        let mut config = RouterConfig::new(BareJid::new("example.com").unwrap());
        config.scram_iterations = 1;
        config.limits.flood = None;
        Setup {
            router: Router::new(config, InsecureSeededEntropy::new(1)),
            now: Instant::now(),
            next: 0,
        }
    }

    fn drain(&mut self) -> usize {
        let mut n = 0;
        while let Some(o) = self.router.poll_output() {
            black_box(&o);
            n += usize::from(matches!(o, RouterOutput::Deliver { .. }));
        }
        n
    }

    fn login(&mut self, user: &str, resource: &str) -> SessionId {
        if !self
            .router
            .accounts()
            .iter()
            .any(|a| a.node() == Some(user))
        {
            self.router
                .create_account(user, &Password::new("pw"))
                .unwrap();
        }
        self.next += 1;
        let s = SessionId(self.next);
        self.router.open_session(self.now, s).unwrap();
        self.router
            .bind_requested(self.now, s, RequestId::from_raw(1), user, Some(resource))
            .unwrap();
        self.router.session_online(self.now, s).unwrap();
        self.drain();
        s
    }

    fn send(&mut self, s: SessionId, xml: &str) -> usize {
        let el = parse_element(xml, &NsContext::client()).unwrap();
        let wall = Timestamp::from_unix_millis(0);
        self.router.element_received(self.now, wall, s, el).unwrap();
        self.drain()
    }

    fn stanza(&mut self, s: SessionId, stanza: Stanza) -> usize {
        let wall = Timestamp::from_unix_millis(0);
        self.router
            .stanza_received(self.now, wall, s, stanza)
            .unwrap();
        self.drain()
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("route");
    group.throughput(Throughput::Elements(1));

    let mut s = Setup::new();
    let romeo = s.login("romeo", "orchard");
    let juliet = s.login("juliet", "balcony");
    s.send(juliet, "<presence/>");
    let full = Message::chat(Jid::new("juliet@example.com/balcony").unwrap(), "hi");
    group.bench_function("chat-full-jid", |b| {
        b.iter(|| assert_eq!(s.stanza(romeo, Stanza::Message(full.clone())), 1))
    });

    let mut s = Setup::new();
    let romeo = s.login("romeo", "orchard");
    for (r, p) in [("a", 1), ("b", 5), ("c", 0)] {
        let j = s.login("juliet", r);
        s.send(j, &format!("<presence><priority>{p}</priority></presence>"));
    }
    let bare = Message::chat(Jid::new("juliet@example.com").unwrap(), "hi");
    group.bench_function("chat-bare-jid-3-resources", |b| {
        b.iter(|| assert_eq!(s.stanza(romeo, Stanza::Message(bare.clone())), 1))
    });

    let mut s = Setup::new();
    let star = s.login("star", "stage");
    s.send(
        star,
        "<iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>",
    );
    for n in 0..50 {
        let fan = s.login(&format!("fan{n}"), "seat");
        let star_jid = "star@example.com";
        s.send(
            fan,
            &format!("<presence to='{star_jid}' type='subscribe'/>"),
        );
        s.send(
            star,
            &format!("<presence to='fan{n}@example.com' type='subscribed'/>"),
        );
        s.send(fan, "<presence/>");
    }
    s.send(star, "<presence/>");
    let away = parse_element(
        "<presence><show>away</show></presence>",
        &NsContext::client(),
    )
    .unwrap();
    let away = Stanza::Presence(Presence::try_from(away).unwrap());
    group.throughput(Throughput::Elements(51));
    group.bench_function("presence-broadcast-50-contacts", |b| {
        b.iter(|| assert_eq!(s.stanza(star, away.clone()), 51))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
