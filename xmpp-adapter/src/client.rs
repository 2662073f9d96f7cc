//! The client API: [`Client`] (send stanzas, IQ requests, close) and [`Events`] (a
//! `futures::Stream` of [`Event`]s), fed by the driver loop through channels.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::channel::{mpsc, oneshot};
use futures::stream::FusedStream;
use futures::{Stream, StreamExt};
use xmpp_core::{ClientCommand, ClientConnection, ClientEvent, Connection, IqResponse};
use xmpp_jid::FullJid;
use xmpp_sasl::Mechanism;
use xmpp_stanza::{CompactStr, InvalidStanza, Iq, Stanza, StreamFeatures};

use crate::Error;
use crate::driver::{self, App};

/// What a client connection reports, in order.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// SASL succeeded with this mechanism (the server's proof was checked).
    Authenticated(Mechanism),
    /// The session is online.
    Online {
        /// The full JID the server bound.
        jid: FullJid,
        /// The stream features the server offered after authentication (roster
        /// versioning, pre-approval, …), also kept by [`Client::features`].
        features: Arc<StreamFeatures>,
    },
    /// A stanza from the server.
    Stanza(Box<Stanza>),
    /// An invalid stanza from the server (answer it with
    /// [`InvalidStanza::error_reply`] if you like).
    InvalidStanza(Box<InvalidStanza>),
    /// The response to an IQ request sent with [`Client::send`] (those sent with
    /// [`Client::iq`] resolve that call instead).
    IqResponse {
        /// The request's id.
        id: CompactStr,
        /// The response, or its timeout.
        response: IqResponse,
    },
    /// The connection ended: `None` after a graceful close. Always the last event.
    Closed(Option<Error>),
}

/// A request from a [`Client`] to its driver.
pub(crate) enum Request {
    Command(ClientCommand, oneshot::Sender<Result<(), Error>>),
    Iq(
        Box<Iq>,
        Option<Duration>,
        oneshot::Sender<Result<IqResponse, Error>>,
    ),
}

/// The handle of an online client connection; cheap to clone. When every clone is
/// dropped the stream is closed gracefully.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) requests: mpsc::Sender<Request>,
    pub(crate) jid: FullJid,
    pub(crate) features: Arc<StreamFeatures>,
}

impl Client {
    /// The full JID the server bound.
    pub fn jid(&self) -> &FullJid {
        &self.jid
    }

    /// The stream features the server offered after authentication: what this
    /// session may use (for example roster versioning, before asking for a roster
    /// with `ver`).
    pub fn features(&self) -> &StreamFeatures {
        &self.features
    }

    /// Sends a stanza as given (the server stamps `from`).
    pub async fn send(&self, stanza: impl Into<Stanza>) -> Result<(), Error> {
        let command = ClientCommand::send(stanza);
        self.call(|reply| Request::Command(command, reply)).await?
    }

    /// Sends an IQ request (`get` or `set`) and resolves with its result or error
    /// response, or [`IqResponse::Timeout`] after `timeout` (`None`: the configured IQ
    /// timeout). Answers to the server's requests go out with [`send`](Self::send).
    pub async fn iq(&self, iq: Iq, timeout: Option<Duration>) -> Result<IqResponse, Error> {
        if !iq.payload.is_request() {
            return Err(Error::NotARequest);
        }
        self.call(|reply| Request::Iq(Box::new(iq), timeout, reply))
            .await?
    }

    /// Closes the stream gracefully; [`Event::Closed`] follows on the event stream.
    pub async fn close(&self) -> Result<(), Error> {
        self.call(|reply| Request::Command(ClientCommand::Close, reply))
            .await?
    }

    async fn call<T>(
        &self,
        request: impl FnOnce(oneshot::Sender<T>) -> Request,
    ) -> Result<T, Error> {
        driver::call(&self.requests, request).await
    }
}

/// The events of a client connection, a [`Stream`] ending after [`Event::Closed`].
/// Read it: the connection waits while 64 events are unread.
#[derive(Debug)]
pub struct Events {
    pub(crate) early: VecDeque<Event>,
    pub(crate) rx: mpsc::Receiver<Event>,
}

impl Stream for Events {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        match self.early.pop_front() {
            Some(event) => Poll::Ready(Some(event)),
            None => self.rx.poll_next_unpin(cx),
        }
    }
}

impl FusedStream for Events {
    fn is_terminated(&self) -> bool {
        self.early.is_empty() && self.rx.is_terminated()
    }
}

/// The client's end of the driver: the IQ calls waiting for their response.
#[derive(Default)]
pub(crate) struct ClientApp {
    waiters: Vec<(CompactStr, oneshot::Sender<Result<IqResponse, Error>>)>,
}

impl App<ClientConnection> for ClientApp {
    type Request = Request;
    type Event = Event;

    fn request(&mut self, conn: &mut ClientConnection, now: Instant, request: Option<Request>) {
        match request {
            Some(Request::Command(command, reply)) => {
                let _ = reply.send(conn.handle_command(now, command).map_err(Error::from));
            }
            Some(Request::Iq(iq, timeout, reply)) => {
                let id = iq.id.clone();
                match conn.handle_command(now, ClientCommand::SendIq { iq, timeout }) {
                    Ok(()) => self.waiters.push((id, reply)),
                    Err(e) => drop(reply.send(Err(e.into()))),
                }
            }
            // Every handle is gone: close gracefully.
            None => drop(conn.handle_command(now, ClientCommand::Close)),
        }
    }

    fn event(&mut self, event: ClientEvent) -> Option<Event> {
        Some(match event {
            ClientEvent::IqResponse { id, response } => {
                if let Some(i) = self.waiters.iter().position(|(w, _)| *w == id) {
                    let (_, reply) = self.waiters.swap_remove(i);
                    let _ = reply.send(Ok(response));
                    return None;
                }
                Event::IqResponse { id, response }
            }
            ClientEvent::Authenticated { mechanism } => {
                tracing::info!(mechanism = mechanism.name(), "authenticated");
                Event::Authenticated(mechanism)
            }
            ClientEvent::Online { jid, features } => {
                tracing::info!(%jid, "online");
                let features = Arc::from(features);
                Event::Online { jid, features }
            }
            ClientEvent::Stanza(stanza) => Event::Stanza(stanza),
            ClientEvent::InvalidStanza(stanza) => Event::InvalidStanza(stanza),
            _ => return None,
        })
    }

    fn finish(&mut self, error: Option<Error>) -> Event {
        for (_, reply) in self.waiters.drain(..) {
            let _ = reply.send(Err(Error::Closed));
        }
        Event::Closed(error)
    }
}
