//! The measured traffic: per pair, a sender writes chat messages to its receiver's
//! full JID — in batches, at most `window` unanswered at a time — and the receiver
//! scans its stream for message bodies `SEQ:MICROS` (no XML parsing: the generator
//! must stay cheap), records each message's latency and checks that every sequence
//! number arrives exactly once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::Notify;
use xmpp_jid::Jid;
use xmpp_stanza::{Element, Message, Namespace, NsContext};

use super::login::Online;

/// The XML around the variable parts, serialized once by xmpp-stanza.
#[derive(Clone, Debug)]
pub struct Templates {
    /// A chat message to the receiver up to its body text, and after it.
    message: (Vec<u8>, Vec<u8>),
    /// A body element's opening and closing tags (what the receiver scans for).
    body: (Vec<u8>, Vec<u8>),
}

/// Stands for the variable part while serializing.
const HOLE: &str = "HOLE";

fn split(xml: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let (a, b) = xml.split_once(HOLE).ok_or("template without its hole")?;
    Ok((a.as_bytes().to_vec(), b.as_bytes().to_vec()))
}

impl Templates {
    /// The templates for messages to `to` (a full JID).
    pub fn new(to: &str) -> Result<Templates, String> {
        let ctx = NsContext::client();
        let to = Jid::new(to).map_err(|e| e.to_string())?;
        let message = Element::from(Message::chat(to, HOLE))
            .to_xml_in(&ctx)
            .map_err(|e| e.to_string())?;
        let body = Element::new("body", Namespace::CLIENT)
            .with_text(HOLE)
            .to_xml_in(&ctx)
            .map_err(|e| e.to_string())?;
        Ok(Templates {
            message: split(&message)?,
            body: split(&body)?,
        })
    }
}

/// Most messages written in one go.
const BATCH: u64 = 64;

/// What one pair's receiver saw.
#[derive(Debug, Default)]
pub struct Received {
    /// Latency of every message, in microseconds.
    pub latencies_us: Vec<u32>,
    /// Messages whose sequence number had been seen before.
    pub duplicates: u64,
    /// When the last one arrived.
    pub last: Option<Instant>,
}

/// Shared between a pair's sender and receiver.
pub struct Window {
    received: AtomicU64,
    progress: Notify,
}

impl Window {
    pub fn new() -> Arc<Window> {
        Arc::new(Window {
            received: AtomicU64::new(0),
            progress: Notify::new(),
        })
    }
}

/// Microseconds since `base`.
fn micros(base: Instant) -> u64 {
    u64::try_from(base.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// Sends `count` messages to `to` (a full JID), keeping at most `window` in flight.
pub async fn send(
    mut out: WriteHalf<Online>,
    templates: Templates,
    count: u64,
    window: u64,
    shared: Arc<Window>,
    base: Instant,
) -> Result<(), String> {
    let mut sent = 0u64;
    let mut batch = Vec::with_capacity(8192);
    while sent < count {
        let in_flight = sent - shared.received.load(Ordering::Acquire).min(sent);
        if in_flight >= window {
            // notify_one keeps a permit, so a wake-up between the check and here
            // is not lost.
            if tokio::time::timeout(Duration::from_secs(30), shared.progress.notified())
                .await
                .is_err()
            {
                return Err(format!("no progress for 30 s at {sent} sent"));
            }
            continue;
        }
        let n = (window - in_flight).min(count - sent).min(BATCH);
        batch.clear();
        let now = micros(base);
        let (head, tail) = &templates.message;
        for seq in sent..sent + n {
            batch.extend_from_slice(head);
            batch.extend_from_slice(format!("{seq}:{now}").as_bytes());
            batch.extend_from_slice(tail);
        }
        out.write_all(&batch)
            .await
            .map_err(|e| format!("write: {e}"))?;
        out.flush().await.map_err(|e| format!("flush: {e}"))?;
        sent += n;
    }
    Ok(())
}

/// Receives until `count` distinct messages arrived (or 60 s pass without one).
pub async fn receive(
    mut input: ReadHalf<Online>,
    templates: Templates,
    count: u64,
    shared: Arc<Window>,
    base: Instant,
) -> Result<Received, String> {
    let mut got = Received {
        latencies_us: Vec::with_capacity(usize::try_from(count).unwrap_or(0)),
        ..Received::default()
    };
    let mut seen = vec![0u64; usize::try_from(count.div_ceil(64)).unwrap_or(0)];
    let mut distinct = 0u64;
    let mut pending: Vec<u8> = Vec::with_capacity(65536);
    let mut buf = vec![0u8; 65536];
    while distinct < count {
        let n = tokio::time::timeout(Duration::from_secs(60), input.read(&mut buf))
            .await
            .map_err(|_| format!("nothing for 60 s after {distinct} of {count}"))?
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err(format!("closed after {distinct} of {count}"));
        }
        pending.extend_from_slice(buf.get(..n).unwrap_or_default());
        let now = micros(base);
        let mut consumed = 0;
        let (open, close) = (&templates.body.0, &templates.body.1);
        while let Some((body, end)) =
            next_body(pending.get(consumed..).unwrap_or_default(), open, close)
        {
            consumed += end;
            let Some((seq, sent_at)) = body else {
                return Err("a message body that is not SEQ:MICROS".into());
            };
            let (word, bit) = (usize::try_from(seq / 64).unwrap_or(usize::MAX), seq % 64);
            match seen.get_mut(word) {
                Some(w) if *w & (1 << bit) == 0 => {
                    *w |= 1 << bit;
                    distinct += 1;
                    let latency = now.saturating_sub(sent_at);
                    got.latencies_us
                        .push(u32::try_from(latency).unwrap_or(u32::MAX));
                }
                Some(_) => got.duplicates += 1,
                None => return Err(format!("sequence number {seq} out of range")),
            }
        }
        pending.drain(..consumed);
        shared.received.store(distinct, Ordering::Release);
        shared.progress.notify_one();
        got.last = Some(Instant::now());
    }
    Ok(got)
}

/// The next complete body (`open` text `close`) in `data`: its `SEQ:MICROS` (if it
/// is that) and where it ends.
#[allow(clippy::type_complexity)]
fn next_body(data: &[u8], open: &[u8], close: &[u8]) -> Option<(Option<(u64, u64)>, usize)> {
    let start = find(data, open)? + open.len();
    let len = find(data.get(start..)?, close)?;
    let end = start + len + close.len();
    let numbers = std::str::from_utf8(data.get(start..start + len)?)
        .ok()
        .and_then(|text| text.split_once(':'))
        .and_then(|(seq, at)| Some((seq.parse().ok()?, at.parse().ok()?)));
    Some((numbers, end))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads and discards everything (a sender's own incoming stream), until it ends.
pub async fn drain(mut input: ReadHalf<Online>) {
    let mut buf = vec![0u8; 16384];
    while let Ok(n) = input.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}
