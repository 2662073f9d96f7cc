//! The demo's steps: each prints what happened and checks it, failing with a
//! one-line reason.

use xmpp_jid::Jid;
use xmpp_sasl::Mechanism;
use xmpp_stanza::{
    Blocking, Element, Iq, IqPayload, Message, MessageType, NsContext, Presence, PresenceType,
    Roster, Sasl, Stanza, parse_element,
};

use super::peer::Peer;
use super::tap;

/// Numbered, readable output.
pub struct Narrator {
    step: u32,
}

impl Narrator {
    pub fn new() -> Narrator {
        Narrator { step: 0 }
    }

    /// Prints one step: who, and what happened.
    pub fn say(&mut self, who: &str, what: impl AsRef<str>) {
        self.step += 1;
        say!("{:>3}. {who:7} {}", self.step, what.as_ref());
    }

    /// A detail of the last step.
    pub fn detail(&self, what: impl AsRef<str>) {
        say!("              {}", what.as_ref());
    }

    pub fn steps(&self) -> u32 {
        self.step
    }
}

fn jid(s: &str) -> Result<Jid, String> {
    Jid::new(s).map_err(|e| format!("JID {s}: {e}"))
}

/// How `peer` logged in: the TLS version, the SASL mechanism and — read from the
/// gs2 header of the client's first SCRAM message — the channel-binding type.
pub fn login_report(peer: &Peer) -> Result<String, String> {
    let capture = tap::capture(&peer.name).ok_or("no capture of the connection")?;
    let tls = capture
        .tls
        .as_ref()
        .map_or("no TLS".to_owned(), |t| match t.version {
            xmpp_core::TlsVersion::Tls12 => "TLS 1.2".to_owned(),
            xmpp_core::TlsVersion::Tls13 => "TLS 1.3".to_owned(),
            other => format!("{other:?}"),
        });
    let mechanism = peer.mechanism.ok_or("SASL did not report a mechanism")?;
    if mechanism != Mechanism::ScramSha256Plus {
        return Err(format!(
            "logged in with {}, not SCRAM-SHA-256-PLUS",
            mechanism.name()
        ));
    }
    let binding = gs2_binding(&capture.writes).ok_or("no channel binding in the SCRAM exchange")?;
    Ok(format!(
        "STARTTLS -> {tls}; SASL {} with channel binding {binding} (the server's proof checked)",
        mechanism.name()
    ))
}

/// The `p=` channel-binding type in the gs2 header of the client's SASL `auth`
/// element, found among the client's writes.
fn gs2_binding(writes: &[Vec<u8>]) -> Option<String> {
    let data = writes.iter().find_map(|write| {
        let text = std::str::from_utf8(write).ok()?;
        let element = parse_element(text.trim(), &NsContext::client()).ok()?;
        match Sasl::try_from(&element).ok()? {
            Sasl::Auth { data, .. } => data,
            _ => None,
        }
    })?;
    let first = String::from_utf8(data).ok()?;
    first
        .split(',')
        .next()?
        .strip_prefix("p=")
        .map(str::to_owned)
}

fn roster_get(id: &str) -> Iq {
    Iq::new(id, IqPayload::Get(Roster::default().into()))
}

/// The roster items of a roster result, as `jid (subscription)`.
pub async fn fetch_roster(peer: &Peer, id: &str) -> Result<Vec<String>, String> {
    let result = peer.iq(roster_get(id)).await?;
    let IqPayload::Result(Some(query)) = &result.payload else {
        return Err(format!("{}: empty roster result", peer.name));
    };
    let roster = Roster::try_from(query).map_err(|e| format!("{}: roster: {e}", peer.name))?;
    Ok(roster
        .items
        .iter()
        .map(|i| {
            let sub = i.subscription.map_or("none", |s| s.as_str());
            format!("{} ({sub}{})", i.jid, if i.ask { ", ask" } else { "" })
        })
        .collect())
}

fn is_presence(s: &Stanza, from_bare: &str, kind: Option<PresenceType>) -> bool {
    matches!(s, Stanza::Presence(p) if p.kind == kind
        && p.from.as_ref().is_some_and(|f| f.to_bare().as_str() == from_bare))
}

fn is_chat(s: &Stanza, from_bare: &str, body: &str) -> bool {
    matches!(s, Stanza::Message(m) if m.body() == Some(body)
        && m.kind != Some(MessageType::Error)
        && m.from.as_ref().is_some_and(|f| f.to_bare().as_str() == from_bare))
}

/// `a` subscribes to `b`, `b` approves and subscribes back, `a` approves: both see
/// each other's presence.
pub async fn subscribe_mutually(
    n: &mut Narrator,
    a: &mut Peer,
    b: &mut Peer,
    domain: &str,
) -> Result<(), String> {
    let (a_jid, b_jid) = (
        format!("{}@{domain}", a.name),
        format!("{}@{domain}", b.name),
    );
    let mut ask = Presence::of_type(PresenceType::Subscribe);
    ask.to = Some(jid(&b_jid)?);
    a.send(ask).await?;
    n.say(
        &a.name,
        format!("asks to see {b_jid}'s presence (subscribe)"),
    );
    let subscribe = Some(PresenceType::Subscribe);
    b.wait_for("subscription request", |s| {
        is_presence(s, &a_jid, subscribe)
    })
    .await?;
    for (kind, what) in [
        (
            PresenceType::Subscribed,
            "got the request and approves it (subscribed)",
        ),
        (PresenceType::Subscribe, "asks back (subscribe)"),
    ] {
        let mut p = Presence::of_type(kind);
        p.to = Some(jid(&a_jid)?);
        b.send(p).await?;
        n.say(&b.name, what);
    }
    a.wait_for("subscription approval", |s| {
        is_presence(s, &b_jid, Some(PresenceType::Subscribed))
    })
    .await?;
    a.wait_for("subscription request", |s| {
        is_presence(s, &b_jid, subscribe)
    })
    .await?;
    let mut ok = Presence::of_type(PresenceType::Subscribed);
    ok.to = Some(jid(&b_jid)?);
    a.send(ok).await?;
    n.say(
        &a.name,
        "got the approval and the request back; approves it (subscribed)",
    );
    a.wait_for("available presence", |s| is_presence(s, &b_jid, None))
        .await?;
    b.wait_for("available presence", |s| is_presence(s, &a_jid, None))
        .await?;
    n.say(
        "both",
        "see each other available (presence broadcast after the subscription)",
    );
    Ok(())
}

/// `from` sends `body` to `to`'s bare JID; `to` receives it.
pub async fn chat(
    n: &mut Narrator,
    from: &Peer,
    to: &mut Peer,
    domain: &str,
    body: &str,
) -> Result<(), String> {
    let from_jid = format!("{}@{domain}", from.name);
    from.send(Message::chat(jid(&format!("{}@{domain}", to.name))?, body))
        .await?;
    to.wait_for("message", |s| is_chat(s, &from_jid, body))
        .await?;
    n.say(&from.name, format!("-> {}: {body:?} (delivered)", to.name));
    Ok(())
}

/// `blocker` blocks `blocked`; a message from `blocked` bounces and is not
/// delivered; after unblocking, one is.
pub async fn block_and_unblock(
    n: &mut Narrator,
    blocker: &mut Peer,
    blocked: &mut Peer,
    domain: &str,
) -> Result<(), String> {
    let (blocker_jid, blocked_jid) = (
        format!("{}@{domain}", blocker.name),
        format!("{}@{domain}", blocked.name),
    );
    let block = Element::from(Blocking::Block(vec![jid(&blocked_jid)?]));
    blocker
        .iq(Iq::new("block-1", IqPayload::Set(block)))
        .await?;
    n.say(&blocker.name, format!("blocks {blocked_jid} (XEP-0191)"));
    blocked
        .wait_for("unavailable presence of the blocker", |s| {
            is_presence(s, &blocker_jid, Some(PresenceType::Unavailable))
        })
        .await?;
    n.detail(format!(
        "{} now sees {blocker_jid} as unavailable",
        blocked.name
    ));

    let body = "Are you still there?";
    blocked
        .send(Message::chat(jid(&blocker_jid)?, body))
        .await?;
    let bounce = blocked
        .wait_for(
            "error reply",
            |s| matches!(s, Stanza::Message(m) if m.kind == Some(MessageType::Error)),
        )
        .await?;
    let condition = match &bounce {
        Stanza::Message(m) => m
            .error
            .as_ref()
            .map_or("?".to_owned(), |e| e.condition.name().to_owned()),
        _ => "?".into(),
    };
    // The blocker pings the server: the router handles stanzas in order, so the
    // blocked message would have been queued before this answer.
    blocker
        .iq(Iq::new(
            "ping-1",
            IqPayload::Get(Element::new(
                "ping",
                xmpp_stanza::Namespace::from_static("urn:xmpp:ping"),
            )),
        ))
        .await?;
    if blocker.inbox.iter().any(|s| is_chat(s, &blocked_jid, body)) {
        return Err(format!("{}: a blocked message was delivered", blocker.name));
    }
    n.say(
        &blocked.name,
        format!(
            "-> {}: {body:?} — bounced with {condition}, not delivered",
            blocker.name
        ),
    );
    n.detail(format!(
        "({} pinged the server afterwards and received nothing from {blocked_jid})",
        blocker.name
    ));

    let unblock = Element::from(Blocking::Unblock(vec![jid(&blocked_jid)?]));
    blocker
        .iq(Iq::new("unblock-1", IqPayload::Set(unblock)))
        .await?;
    n.say(&blocker.name, format!("unblocks {blocked_jid}"));
    blocked
        .wait_for("available presence of the blocker", |s| {
            is_presence(s, &blocker_jid, None)
        })
        .await?;
    n.detail(format!(
        "{} sees {blocker_jid} available again",
        blocked.name
    ));
    chat(n, blocked, blocker, domain, "Now you hear me.").await
}
