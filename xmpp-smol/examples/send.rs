//! Logs in, sends one chat message, closes the stream gracefully:
//!
//! ```text
//! cargo run -p xmpp-smol --example send -- --jid JID --password PW --to JID --message TEXT
//!     [--server HOST:PORT] [--ca-file PEM]
//! ```
//!
//! Exits 0 once the server has closed its stream in return; otherwise non-zero with a
//! one-line reason on stderr.

use xmpp_testkit::example_args as args;

use std::process::ExitCode;

use futures::StreamExt;
use xmpp_jid::Jid;
use xmpp_smol as adapter;
use xmpp_stanza::Message;

use adapter::Event;

fn main() -> ExitCode {
    let result = smol::block_on(run());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("send: {reason}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let args = args::Args::parse(&["jid", "password", "to", "message", "server", "ca-file"])?;
    let to = Jid::new(args.required("to")?).map_err(|e| format!("--to: {e}"))?;
    let body = args.required("message")?;
    let config = args::connect_config(&args)?;
    let (client, mut events) = adapter::connect(config).await.map_err(|e| e.to_string())?;
    client
        .send(Message::chat(to, body))
        .await
        .map_err(|e| e.to_string())?;
    client.close().await.map_err(|e| e.to_string())?;
    while let Some(event) = events.next().await {
        if let Event::Closed(error) = event {
            return error.map_or(Ok(()), |e| Err(e.to_string()));
        }
    }
    Err("the connection ended without a close".into())
}
