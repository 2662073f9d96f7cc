//! Logs in, sends initial presence, and replies to every chat message with the same
//! body, addressed to the sender's full JID:
//!
//! ```text
//! cargo run -p xmpp-tokio --example echo -- --jid JID --password PW
//!     [--server HOST:PORT] [--ca-file PEM] [--count N]
//! ```
//!
//! With `--count N` it closes the stream gracefully and exits 0 after N messages;
//! without, it runs until the server closes the stream. Failures exit non-zero with a
//! one-line reason on stderr.

use xmpp_testkit::example_args as args;

use std::process::ExitCode;

use futures::StreamExt;
use xmpp_stanza::{Message, MessageType, Presence, Stanza};
use xmpp_tokio as adapter;

use adapter::Event;

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => Err(format!("tokio runtime: {e}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("echo: {reason}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let args = args::Args::parse(&["jid", "password", "server", "ca-file", "count"])?;
    let count: Option<u64> = match args.optional("count") {
        Some(n) => Some(
            n.parse()
                .map_err(|_| format!("--count {n}: not a number"))?,
        ),
        None => None,
    };
    let config = args::connect_config(&args)?;
    let (client, mut events) = adapter::connect(config).await.map_err(|e| e.to_string())?;
    client
        .send(Presence::available())
        .await
        .map_err(|e| e.to_string())?;
    println!("online as {}", client.jid());
    let mut echoed = 0;
    // Once the close is requested, later messages are left unanswered.
    let mut closing = count == Some(0);
    if closing {
        client.close().await.map_err(|e| e.to_string())?;
    }
    while let Some(event) = events.next().await {
        match event {
            Event::Stanza(stanza) if !closing => {
                let Stanza::Message(message) = *stanza else {
                    continue;
                };
                let (Some(from), Some(body)) = (message.from.clone(), message.body()) else {
                    continue;
                };
                if message.message_type() != MessageType::Chat {
                    continue;
                }
                println!("echo to {from}: {body}");
                let reply = Message::chat(from, body);
                client.send(reply).await.map_err(|e| e.to_string())?;
                echoed += 1;
                if Some(echoed) == count {
                    closing = true;
                    client.close().await.map_err(|e| e.to_string())?;
                }
            }
            Event::Closed(error) => return error.map_or(Ok(()), |e| Err(e.to_string())),
            _ => {}
        }
    }
    Err("the connection ended without a close".into())
}
