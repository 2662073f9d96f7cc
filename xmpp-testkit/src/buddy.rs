//! The interop scenario for our own clients against our server, generic over the
//! adapter's runtime (tokio and smol run the very same code): two users log in
//! with STARTTLS and SCRAM, fetch their rosters, subscribe to each other, see each
//! other's presence, exchange messages both ways, find each other in their rosters
//! with `both`, and close gracefully. Returns a trace that must not depend on the
//! runtime.

use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use xmpp_adapter::{Client, ConnectConfig, Event, Events, Runtime};
use xmpp_core::IqResponse;
use xmpp_jid::Jid;
use xmpp_stanza::{Iq, IqPayload, Message, MessageType, Presence, PresenceType, Roster, Stanza};

const WAIT: Duration = Duration::from_secs(10);

/// One logged-in user and the stanzas received but not yet looked at.
struct User {
    name: String,
    client: Client,
    events: Events,
    inbox: Vec<Stanza>,
}

/// Waits (bounded by a `R` timer) for a stanza `want` accepts.
async fn wait_for<R: Runtime>(
    user: &mut User,
    what: &str,
    want: impl Fn(&Stanza) -> bool,
) -> Stanza {
    if let Some(i) = user.inbox.iter().position(&want) {
        return user.inbox.remove(i);
    }
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let timer = R::sleep_until(deadline);
        let next = user.events.next();
        futures::pin_mut!(timer);
        let event = match futures::future::select(next, timer).await {
            futures::future::Either::Left((event, _)) => event,
            futures::future::Either::Right(_) => panic!("{}: no {what} in time", user.name),
        };
        match event {
            Some(Event::Stanza(s)) if want(&s) => return *s,
            Some(Event::Stanza(s)) => user.inbox.push(*s),
            Some(Event::Closed(e)) => {
                panic!("{}: closed while waiting for {what}: {e:?}", user.name)
            }
            Some(_) => {}
            None => panic!("{}: events ended", user.name),
        }
    }
}

fn presence_from(s: &Stanza, from: &str, kind: Option<PresenceType>) -> bool {
    matches!(s, Stanza::Presence(p) if p.kind == kind
        && p.from.as_ref().is_some_and(|f| f.to_bare().as_str() == from))
}

fn message_from(s: &Stanza, from: &str, body: &str) -> bool {
    matches!(s, Stanza::Message(m) if m.kind == Some(MessageType::Chat)
        && m.body() == Some(body)
        && m.from.as_ref().is_some_and(|f| f.to_bare().as_str() == from))
}

async fn roster(user: &User, id: &str) -> Vec<String> {
    let iq = Iq::new(id, IqPayload::Get(Roster::default().into()));
    let IqResponse::Result(result) = user.client.iq(iq, Some(WAIT)).await.unwrap() else {
        panic!("{}: roster get failed", user.name)
    };
    let IqPayload::Result(Some(query)) = &result.payload else {
        panic!("{}: empty roster result", user.name)
    };
    let roster = Roster::try_from(query).unwrap();
    roster
        .items
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                i.jid,
                i.subscription.map_or("none", |s| s.as_str())
            )
        })
        .collect()
}

/// Logs `name` in; the trace gets its mechanism.
async fn login<R: Runtime>(
    name: &str,
    domain: &str,
    port: u16,
    ca_file: &Path,
    password: &str,
    tune: &impl Fn(ConnectConfig) -> ConnectConfig,
    trace: &mut Vec<String>,
) -> User {
    let config = ConnectConfig::new(&format!("{name}@{domain}/{}", "interop"), password)
        .unwrap()
        .server("127.0.0.1", port)
        .ca_file(ca_file);
    let (client, mut events) = xmpp_adapter::connect_with::<R>(tune(config)).await.unwrap();
    match events.next().await {
        Some(Event::Authenticated(m)) => trace.push(format!("{name} authenticated {}", m.name())),
        other => panic!("{name}: {other:?}"),
    }
    match events.next().await {
        Some(Event::Online { jid, .. }) => trace.push(format!("{name} online {jid}")),
        other => panic!("{name}: {other:?}"),
    }
    User {
        name: name.to_owned(),
        client,
        events,
        inbox: Vec::new(),
    }
}

/// `from` sends a chat message to `to`, who must receive it.
async fn chat<R: Runtime>(
    from: &User,
    to: &mut User,
    from_jid: &str,
    to_jid: &str,
    trace: &mut Vec<String>,
) {
    let body = format!("hello {} from {}", to.name, from.name);
    from.client
        .send(Message::chat(Jid::new(to_jid).unwrap(), body.as_str()))
        .await
        .unwrap();
    wait_for::<R>(to, "message", |s| message_from(s, from_jid, &body)).await;
    trace.push(format!("{} got {body:?}", to.name));
}

/// The scenario between users `a` and `b` (passwords `pw-NAME`) of `domain`.
pub async fn run<R: Runtime>(
    domain: &str,
    port: u16,
    ca_file: &Path,
    (a, b): (&str, &str),
    tune: impl Fn(ConnectConfig) -> ConnectConfig,
) -> Vec<String> {
    let mut trace = Vec::new();
    let mut ua = login::<R>(
        a,
        domain,
        port,
        ca_file,
        &format!("pw-{a}"),
        &tune,
        &mut trace,
    )
    .await;
    let mut ub = login::<R>(
        b,
        domain,
        port,
        ca_file,
        &format!("pw-{b}"),
        &tune,
        &mut trace,
    )
    .await;
    let (ja, jb) = (format!("{a}@{domain}"), format!("{b}@{domain}"));
    for user in [&ua, &ub] {
        trace.push(format!(
            "{} roster {:?}",
            user.name,
            roster(user, "r0").await
        ));
        user.client.send(Presence::available()).await.unwrap();
    }
    // Each asks for the other's presence and approves the other's request.
    for (user, peer) in [(&ua, &jb), (&ub, &ja)] {
        let mut ask = Presence::of_type(PresenceType::Subscribe);
        ask.to = Some(Jid::new(peer).unwrap());
        user.client.send(ask).await.unwrap();
    }
    for (user, peer) in [(&mut ua, &jb), (&mut ub, &ja)] {
        wait_for::<R>(user, "subscription request", |s| {
            presence_from(s, peer, Some(PresenceType::Subscribe))
        })
        .await;
        let mut ok = Presence::of_type(PresenceType::Subscribed);
        ok.to = Some(Jid::new(peer).unwrap());
        user.client.send(ok).await.unwrap();
    }
    for (user, peer) in [(&mut ua, &jb), (&mut ub, &ja)] {
        wait_for::<R>(user, "available presence", |s| presence_from(s, peer, None)).await;
        trace.push(format!("{} sees {peer} available", user.name));
    }
    chat::<R>(&ua, &mut ub, &ja, &jb, &mut trace).await;
    chat::<R>(&ub, &mut ua, &jb, &ja, &mut trace).await;
    for user in [&ua, &ub] {
        trace.push(format!(
            "{} roster {:?}",
            user.name,
            roster(user, "r1").await
        ));
    }
    for user in [ua, ub] {
        user.client.close().await.unwrap();
        let mut events = user.events;
        let closed = loop {
            match events.next().await {
                Some(Event::Closed(e)) => break e.map(|e| e.to_string()),
                Some(_) => {}
                None => break Some("no close".into()),
            }
        };
        trace.push(format!("{} closed {closed:?}", user.name));
    }
    trace
}

/// What [`run`] returns when everything works.
pub fn expected(domain: &str, (a, b): (&str, &str), mechanism: &str) -> Vec<String> {
    let (ja, jb) = (format!("{a}@{domain}"), format!("{b}@{domain}"));
    vec![
        format!("{a} authenticated {mechanism}"),
        format!("{a} online {ja}/interop"),
        format!("{b} authenticated {mechanism}"),
        format!("{b} online {jb}/interop"),
        format!("{a} roster []"),
        format!("{b} roster []"),
        format!("{a} sees {jb} available"),
        format!("{b} sees {ja} available"),
        format!("{b} got \"hello {b} from {a}\""),
        format!("{a} got \"hello {a} from {b}\""),
        format!("{a} roster [\"{jb} both\"]"),
        format!("{b} roster [\"{ja} both\"]"),
        format!("{a} closed None"),
        format!("{b} closed None"),
    ]
}
