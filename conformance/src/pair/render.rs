//! The pair's transcript as text: each direction's bytes split into top-level units
//! (header, element, closing tag) with a stream reader, one line each, and events as
//! short lines. Nothing here depends on chunking or on clock values.

use std::fmt::Write as _;

use xmpp_core::{
    ClientEvent, CloseReason, IqResponse, Limits, ReaderConfig, ServerEvent, StreamEvent,
    StreamReader,
};
use xmpp_stanza::{Element, Stanza, ns};

use super::{Dir, Turn};

/// Splits one direction's bytes into units.
struct Splitter {
    reader: StreamReader,
    /// Bytes of the unit in progress.
    carry: Vec<u8>,
    /// The reader gave up: the rest is printed raw.
    broken: bool,
}

impl Splitter {
    fn new() -> Splitter {
        // Generous limits: this only prints what the connections already accepted.
        let limits = Limits::c2s().with_max_stanza_bytes(16 * 1024 * 1024);
        Splitter {
            reader: StreamReader::new(ReaderConfig::c2s().with_limits(limits)),
            carry: Vec::new(),
            broken: false,
        }
    }

    fn reset(&mut self) {
        self.reader.reset();
        self.carry.clear();
    }

    /// Splits `bytes`, giving each complete unit and whether it restarts the stream
    /// (`<proceed/>`, `<success/>`).
    fn split(&mut self, bytes: &[u8], mut unit: impl FnMut(&[u8], bool)) {
        let mut rest = bytes;
        while !rest.is_empty() {
            if self.broken {
                self.carry.extend_from_slice(rest);
                return;
            }
            match self.reader.read(rest) {
                Ok(step) => {
                    let (used, tail) = rest.split_at(step.consumed.min(rest.len()));
                    self.carry.extend_from_slice(used);
                    rest = tail;
                    if let Some(event) = step.event {
                        let restart = matches!(&event, StreamEvent::Element(e)
                            if e.is("proceed", ns::XMPP_TLS) || e.is("success", ns::XMPP_SASL));
                        unit(&self.carry, restart);
                        self.carry.clear();
                    }
                }
                Err(_) => {
                    self.broken = true;
                }
            }
        }
    }
}

fn prefix(dir: Dir) -> &'static str {
    match dir {
        Dir::C2s => "C: ",
        Dir::S2c => "S: ",
    }
}

/// The transcript, one unit per line.
pub fn transcript(turns: &[Turn]) -> String {
    let mut out = String::new();
    let mut c2s = Splitter::new();
    let mut s2c = Splitter::new();
    for turn in turns {
        match turn {
            Turn::Bytes(dir, bytes) => {
                let mut restart = false;
                let splitter = match dir {
                    Dir::C2s => &mut c2s,
                    Dir::S2c => &mut s2c,
                };
                splitter.split(bytes, |unit, r| {
                    restart |= r;
                    let _ = writeln!(out, "{}{}", prefix(*dir), String::from_utf8_lossy(unit));
                });
                if !splitter.carry.is_empty() && !splitter.reader.is_mid_element() {
                    let text = String::from_utf8_lossy(&splitter.carry).into_owned();
                    let what = if text.trim().is_empty() {
                        format!("{text:?} (whitespace keepalive)")
                    } else {
                        format!("{text} (unparsed)")
                    };
                    let _ = writeln!(out, "{}{what}", prefix(*dir));
                    splitter.carry.clear();
                }
                if restart {
                    c2s.reset();
                    s2c.reset();
                }
            }
            Turn::Tls => out.push_str(
                "-- TLS established (fake, pass-through; channel binding tls-exporter = 32 x 0x42, \
                 tls-server-end-point = 32 x 0x17)\n",
            ),
            Turn::Time(d) => {
                let _ = writeln!(out, "-- {} s later", d.as_secs_f64());
            }
        }
    }
    out
}

/// A stanza in a few words.
pub fn stanza(s: &Stanza) -> String {
    let el = Element::from(s.clone());
    let mut text = el.name().to_owned();
    for attr in ["type", "id", "from", "to"] {
        if let Some(v) = el.attr(attr) {
            let _ = write!(text, " {attr}={v}");
        }
    }
    if let Some(body) = el.child("body", el.ns().as_str()) {
        let _ = write!(text, " body={:?}", body.text());
    }
    if let Some(child) = el.children().find(|c| !c.is("body", el.ns().as_str())) {
        let _ = write!(text, " <{} xmlns='{}'>", child.name(), child.ns().as_str());
    }
    text
}

/// A client event in a few words.
pub fn client_event(e: &ClientEvent) -> String {
    match e {
        ClientEvent::Authenticated { mechanism } => format!("Authenticated({})", mechanism.name()),
        ClientEvent::Online { jid, .. } => format!("Online({jid})"),
        ClientEvent::Stanza(s) => format!("Stanza({})", stanza(s)),
        ClientEvent::InvalidStanza(i) => format!("InvalidStanza({i})"),
        ClientEvent::IqResponse { id, response } => match response {
            IqResponse::Result(iq) => {
                format!("IqResult({id}: {})", stanza(&Stanza::Iq((**iq).clone())))
            }
            IqResponse::Error(iq) => {
                format!("IqError({id}: {})", stanza(&Stanza::Iq((**iq).clone())))
            }
            IqResponse::Timeout => format!("IqTimeout({id})"),
            _ => format!("IqResponse({id})"),
        },
        _ => "other".to_owned(),
    }
}

/// A server event in a few words.
pub fn server_event(e: &ServerEvent) -> String {
    match e {
        ServerEvent::CredentialsRequested {
            mechanism, authcid, ..
        } => format!("CredentialsRequested({authcid}, {})", mechanism.name()),
        ServerEvent::Authenticated { jid, mechanism, .. } => {
            format!("Authenticated({jid}, {})", mechanism.name())
        }
        ServerEvent::BindRequested {
            user, requested, ..
        } => match requested {
            Some(jid) => format!("BindRequested({jid})"),
            None => format!("BindRequested({user}, no resource)"),
        },
        ServerEvent::Online { jid } => format!("Online({jid})"),
        ServerEvent::Stanza(s) => format!("Stanza({})", stanza(s)),
        _ => "other".to_owned(),
    }
}

/// A close reason in a few words.
pub fn closed(reason: &Option<CloseReason>) -> String {
    match reason {
        Some(r) => format!("Closed({r})"),
        None => "open".to_owned(),
    }
}
