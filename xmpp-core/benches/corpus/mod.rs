//! A deterministic, realistic server-to-client XMPP stream for benchmarks and tests.
//!
//! Shared by `benches/reader.rs` and the tests (`#[path]` include). The mix: one-to-one
//! chat with ASCII and non-ASCII bodies and entity/character references, groupchat with
//! XEP-0203 delay stamps and stanza ids, presence with XEP-0115 caps and vCard avatar
//! hashes, small IQs (ping, disco#info results) and roster results of 200 items, with
//! occasional whitespace keepalives between stanzas.

#![allow(dead_code)]

use std::fmt::Write as _;

/// The stream header the corpus starts with.
pub const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' from='capulet.lit' id='++TR84Sm6A3hnt3Q065SnAbbk3Y=' \
    to='juliet@capulet.lit' version='1.0' xml:lang='en'>";

/// The stream's closing tag.
pub const CLOSE: &str = "</stream:stream>";

/// A generated stream: the bytes (header, stanzas, close tag) and the number of
/// top-level elements in it.
pub struct Corpus {
    /// The whole stream, header to close tag.
    pub bytes: Vec<u8>,
    /// How many top-level elements it holds.
    pub stanzas: usize,
}

/// xorshift64*: small, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const BODIES: &[&str] = &[
    "Wherefore art thou, Romeo?",
    "See you at 5 &amp; bring the book &lt;3",
    "He said &quot;hello&quot; &amp; left &apos;quickly&apos;",
    "ok",
    "Ça va ? J'espère que tout se passe bien à Vérone.",
    "Привет! Как дела? Давно не виделись.",
    "今日は良い天気ですね。明日会いましょう。",
    "😀 great news &#x1F389; see you soon",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor \
     incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud \
     exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.",
    "a &gt; b and c &lt; d, so &#169; 2024",
    "Grüße aus München — bis später!",
    "مرحبا، كيف حالك اليوم؟",
];

const NICKS: &[&str] = &[
    "thirdwitch",
    "secondwitch",
    "firstwitch",
    "hag66",
    "Ωmega",
    "José",
];
const SHOWS: &[&str] = &["away", "chat", "dnd", "xa"];
const STATUSES: &[&str] = &[
    "In a meeting",
    "Working &amp; busy",
    "Sur la route 🚗",
    "Не беспокоить",
    "",
];
const CLIENTS: &[&str] = &[
    "http://psi-im.org",
    "https://gajim.org",
    "https://conversations.im",
    "http://code.google.com/p/exodus",
];
const GROUPS: &[&str] = &[
    "Friends",
    "Family",
    "Work",
    "Capulets",
    "Montagues",
    "Ünïcode",
];

fn chat(out: &mut String, rng: &mut Rng, n: u64) {
    let body = rng.pick(BODIES);
    let _ = write!(
        out,
        "<message from='romeo@montague.lit/orchard' to='juliet@capulet.lit/balcony' \
         type='chat' id='m{n:x}' xml:lang='en'><body>{body}</body>\
         <active xmlns='http://jabber.org/protocol/chatstates'/>\
         <request xmlns='urn:xmpp:receipts'/>\
         <origin-id xmlns='urn:xmpp:sid:0' id='{:016x}'/></message>",
        rng.next()
    );
}

fn groupchat(out: &mut String, rng: &mut Rng, n: u64) {
    let nick = rng.pick(NICKS);
    let body = rng.pick(BODIES);
    let (h, m, s) = (rng.below(24), rng.below(60), rng.below(60));
    let _ = write!(
        out,
        "<message from='coven@chat.shakespeare.lit/{nick}' to='juliet@capulet.lit/balcony' \
         type='groupchat' id='g{n:x}'><body>{body}</body>\
         <delay xmlns='urn:xmpp:delay' from='coven@chat.shakespeare.lit' \
         stamp='2002-10-13T{h:02}:{m:02}:{s:02}Z'/>\
         <stanza-id xmlns='urn:xmpp:sid:0' by='coven@chat.shakespeare.lit' id='{:016x}'/>\
         </message>",
        rng.next()
    );
}

fn presence(out: &mut String, rng: &mut Rng, n: u64) {
    let show = rng.pick(SHOWS);
    let status = rng.pick(STATUSES);
    let node = rng.pick(CLIENTS);
    let _ = write!(
        out,
        "<presence from='contact{}@montague.lit/res{}' to='juliet@capulet.lit/balcony' id='p{n:x}'>\
         <show>{show}</show><status>{status}</status><priority>{}</priority>\
         <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='{node}' \
         ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>\
         <x xmlns='vcard-temp:x:update'><photo>{:016x}{:016x}{:08x}</photo></x></presence>",
        rng.below(500),
        rng.below(4),
        rng.below(128),
        rng.next(),
        rng.next(),
        rng.below(1 << 32)
    );
}

fn small_iq(out: &mut String, rng: &mut Rng, n: u64) {
    if rng.below(2) == 0 {
        let _ = write!(
            out,
            "<iq from='capulet.lit' to='juliet@capulet.lit/balcony' id='ping{n:x}' type='get'>\
             <ping xmlns='urn:xmpp:ping'/></iq>"
        );
    } else {
        let _ = write!(
            out,
            "<iq from='contact{}@montague.lit/res' to='juliet@capulet.lit/balcony' id='disco{n:x}' \
             type='result'><query xmlns='http://jabber.org/protocol/disco#info'>\
             <identity category='client' type='pc' name='Psi 2.0'/>\
             <feature var='http://jabber.org/protocol/caps'/>\
             <feature var='http://jabber.org/protocol/disco#info'/>\
             <feature var='http://jabber.org/protocol/muc'/>\
             <feature var='urn:xmpp:receipts'/></query></iq>",
            rng.below(500)
        );
    }
}

fn roster(out: &mut String, rng: &mut Rng, n: u64) {
    let _ = write!(
        out,
        "<iq to='juliet@capulet.lit/balcony' id='roster{n:x}' type='result'>\
         <query xmlns='jabber:iq:roster' ver='ver{n}'>"
    );
    for i in 0..200 {
        let sub = ["both", "to", "from", "none"][rng.below(4) as usize];
        let group = rng.pick(GROUPS);
        let nick = rng.pick(NICKS);
        let _ = write!(
            out,
            "<item jid='contact{i}@montague.lit' name='{nick} {i}' subscription='{sub}'>\
             <group>{group}</group></item>"
        );
    }
    out.push_str("</query></iq>");
}

/// Generates a stream of at least `min_bytes` bytes (header and close tag included).
pub fn generate(min_bytes: usize) -> Corpus {
    let mut rng = Rng(0x5EED_0FC0_FFEE);
    let mut out = String::with_capacity(min_bytes + 64 * 1024);
    out.push_str(HEADER);
    let mut stanzas = 0usize;
    let mut n = 0u64;
    while out.len() + CLOSE.len() < min_bytes {
        n += 1;
        match rng.below(1000) {
            0..=399 => chat(&mut out, &mut rng, n),
            400..=599 => groupchat(&mut out, &mut rng, n),
            600..=899 => presence(&mut out, &mut rng, n),
            900..=994 => small_iq(&mut out, &mut rng, n),
            _ => roster(&mut out, &mut rng, n),
        }
        stanzas += 1;
        if rng.below(16) == 0 {
            out.push_str(if rng.below(2) == 0 { " " } else { "\n" });
        }
    }
    out.push_str(CLOSE);
    Corpus {
        bytes: out.into_bytes(),
        stanzas,
    }
}
