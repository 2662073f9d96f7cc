//! Stanzas of realistic shapes, shared by the benchmarks and the allocation tests.

#![allow(dead_code)]

/// A chat message with a body and a chat state (the typical message).
pub const CHAT: &str = "<message from='juliet@example.com/balcony' id='ktx72v49' \
    to='romeo@example.net' type='chat' xml:lang='en'><body>Art thou not Romeo, and a \
    Montague?</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>";

/// The smallest useful chat message: addresses, id, type and a short body.
pub const CHAT_MINIMAL: &str =
    "<message to='romeo@example.net' id='a1' type='chat'><body>hi</body></message>";

/// Presence with show, status, priority and entity capabilities (XEP-0115).
pub const PRESENCE_CAPS: &str = "<presence from='romeo@example.net/orchard' id='p1'>\
    <show>away</show><status>out in the orchard</status><priority>5</priority>\
    <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' \
    node='http://code.google.com/p/exodus' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>";

/// A roster result with `n` items, each with a name, a subscription and a group.
pub fn roster_result(n: usize) -> String {
    let mut s = String::from(
        "<iq id='bv1bs71f' to='juliet@example.com/balcony' type='result'>\
         <query xmlns='jabber:iq:roster' ver='ver11'>",
    );
    for i in 0..n {
        s.push_str(&format!(
            "<item jid='contact{i}@example.net' name='Contact {i}' subscription='both'>\
             <group>Friends</group></item>"
        ));
    }
    s.push_str("</query></iq>");
    s
}

/// A message with `n` bodies in distinct languages (hostile shape: duplicate
/// language detection must stay near-linear).
pub fn many_bodies(n: usize) -> String {
    let mut s = String::from("<message to='romeo@example.net' xml:lang='en'>");
    for i in 0..n {
        s.push_str(&format!("<body xml:lang='x-{i}'>b</body>"));
    }
    s.push_str("</message>");
    s
}

/// A roster query with one item in `n` distinct groups (hostile shape).
pub fn many_groups(n: usize) -> String {
    let mut s = String::from("<query xmlns='jabber:iq:roster'><item jid='a@example.net'>");
    for i in 0..n {
        s.push_str(&format!("<group>g{i}</group>"));
    }
    s.push_str("</item></query>");
    s
}
