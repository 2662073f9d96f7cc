//! One demo user: the adapter's client handle, and an inbox of the stanzas the
//! server sent it so the script can wait for a particular one (bounded in time)
//! while keeping the others for later checks.

use std::time::Duration;

use futures::StreamExt;
use xmpp_core::IqResponse;
use xmpp_sasl::Mechanism;
use xmpp_stanza::{Iq, Stanza};
use xmpp_tokio::{Client, ConnectConfig, Event, Events};

use super::tap::{self, Tapped};

/// How long any single wait may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// A connected demo user.
pub struct Peer {
    /// `alice` or `bob`.
    pub name: String,
    /// The adapter's handle.
    pub client: Client,
    events: Events,
    /// Stanzas received and not yet taken by a wait.
    pub inbox: Vec<Stanza>,
    /// The mechanism SASL succeeded with.
    pub mechanism: Option<Mechanism>,
}

impl Peer {
    /// Connects through the tapped runtime; returns once online.
    pub async fn connect(name: &str, config: ConnectConfig) -> Result<Peer, String> {
        tap::label_next(name);
        let connecting = xmpp_tokio::connect_with::<Tapped>(config);
        let (client, mut events) = tokio::time::timeout(WAIT, connecting)
            .await
            .map_err(|_| format!("{name}: login timed out"))?
            .map_err(|e| format!("{name}: login failed: {e}"))?;
        let mut mechanism = None;
        // `connect` returns with Authenticated and Online already queued.
        while let Some(event) = events.next().await {
            match event {
                Event::Authenticated(m) => mechanism = Some(m),
                Event::Online { .. } => break,
                other => return Err(format!("{name}: unexpected {other:?} while logging in")),
            }
        }
        Ok(Peer {
            name: name.to_owned(),
            client,
            events,
            inbox: Vec::new(),
            mechanism,
        })
    }

    /// Sends a stanza.
    pub async fn send(&self, stanza: impl Into<Stanza>) -> Result<(), String> {
        self.client
            .send(stanza)
            .await
            .map_err(|e| format!("{}: send failed: {e}", self.name))
    }

    /// Sends an IQ request and returns the result (an error response is a failure).
    pub async fn iq(&self, iq: Iq) -> Result<Iq, String> {
        match self.client.iq(iq, Some(WAIT)).await {
            Ok(IqResponse::Result(iq)) => Ok(*iq),
            Ok(IqResponse::Error(iq)) => Err(format!("{}: IQ error {:?}", self.name, iq.payload)),
            Ok(IqResponse::Timeout) => Err(format!("{}: IQ timed out", self.name)),
            Ok(_) => Err(format!("{}: unexpected IQ response", self.name)),
            Err(e) => Err(format!("{}: IQ failed: {e}", self.name)),
        }
    }

    /// Waits for a stanza matching `want` (looking in the inbox first) and takes it
    /// out of the inbox. `what` names it in the failure.
    pub async fn wait_for(
        &mut self,
        what: &str,
        want: impl Fn(&Stanza) -> bool,
    ) -> Result<Stanza, String> {
        if let Some(i) = self.inbox.iter().position(&want) {
            return Ok(self.inbox.remove(i));
        }
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.next())
                .await
                .map_err(|_| format!("{}: no {what} within {WAIT:?}", self.name))?;
            match event {
                Some(Event::Stanza(stanza)) if want(&stanza) => return Ok(*stanza),
                Some(Event::Stanza(stanza)) => self.inbox.push(*stanza),
                Some(Event::Closed(e)) => {
                    return Err(format!("{}: connection closed: {e:?}", self.name));
                }
                Some(_) => {}
                None => return Err(format!("{}: event stream ended", self.name)),
            }
        }
    }

    /// Closes the stream and waits for the server's close in return.
    pub async fn close(mut self) -> Result<(), String> {
        self.client
            .close()
            .await
            .map_err(|e| format!("{}: close failed: {e}", self.name))?;
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.next())
                .await
                .map_err(|_| format!("{}: the server did not close its stream", self.name))?;
            match event {
                Some(Event::Closed(None)) => return Ok(()),
                Some(Event::Closed(Some(e))) => {
                    return Err(format!("{}: closed with an error: {e}", self.name));
                }
                Some(_) => {}
                None => return Err(format!("{}: event stream ended", self.name)),
            }
        }
    }
}
