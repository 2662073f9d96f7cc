//! Client against server in memory: full sessions, failure paths, timers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use xmpp_core::{ClientCommand, ClientEvent, CloseReason, ServerCommand, ServerEvent};
use xmpp_sasl::Mechanism;
use xmpp_stanza::{Message, Stanza};

#[test]
fn a_full_session_with_scram_sha_256_plus() {
    let mut pair = Pair::new(client_config(), server_config(), 7);
    pair.run();
    let text = String::from_utf8_lossy(&pair.c2s_log).to_string();
    let stext = String::from_utf8_lossy(&pair.s2c_log).to_string();
    assert!(
        pair.client_online(),
        "{:?}\nC: {text}\nS: {stext}\n{:?} {:?}",
        pair.client_events,
        pair.client_closed,
        pair.server_closed
    );
    assert!(
        matches!(
            pair.client_events[0],
            ClientEvent::Authenticated {
                mechanism: Mechanism::ScramSha512Plus
            }
        ),
        "{:?}",
        pair.client_events
    );
    let to = xmpp_jid::Jid::new("romeo@example.net").unwrap();
    pair.client_command(ClientCommand::send(Message::chat(to, "hi")));
    assert!(
        matches!(pair.server_events.last(), Some(ServerEvent::Stanza(s)) if matches!(**s, Stanza::Message(_)))
    );
    pair.client_command(ClientCommand::Close);
    assert_eq!(pair.client_closed, Some(CloseReason::Local));
    assert_eq!(pair.server_closed, Some(CloseReason::Peer));
    let _ = Duration::ZERO;
    let _ = ServerCommand::Close;
}
