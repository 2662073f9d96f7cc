//! The metrics endpoint: a minimal HTTP/1.1 server on the host's runtime that
//! answers `GET /metrics` with [`Metrics::render`] and closes each connection after
//! one answer. Requests are bounded (8 KiB of head, 5 s to send it); it never reads
//! a body.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::debug;
use xmpp_adapter::{Listener, Runtime, Transport};

use crate::metrics::Metrics;

/// The most a request head may take.
const MAX_HEAD: usize = 8 * 1024;

/// How long a client has to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `metrics` on `listener` until the process ends.
pub(crate) async fn serve<R: Runtime>(mut listener: R::Listener, metrics: Arc<Metrics>) {
    loop {
        match listener.accept().await {
            Ok((transport, _peer)) => R::spawn(answer::<R>(transport, metrics.clone())),
            Err(e) => {
                debug!(%e, "metrics accept failed");
                R::sleep_until(Instant::now() + Duration::from_millis(50)).await;
            }
        }
    }
}

/// Reads one request head and answers it.
async fn answer<R: Runtime>(mut transport: R::Transport, metrics: Arc<Metrics>) {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    let read = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            if head.len() > MAX_HEAD {
                return false;
            }
            match transport.read(&mut buf).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => head.extend_from_slice(buf.get(..n).unwrap_or_default()),
            }
        }
        true
    };
    let complete = xmpp_adapter::with_timeout::<R, _>(READ_TIMEOUT, "metrics request", read)
        .await
        .unwrap_or(false);
    let response = if complete {
        respond(&head, &metrics)
    } else {
        status(400, "Bad Request")
    };
    let _ = transport.write_all(response.as_bytes()).await;
    let _ = transport.shutdown().await;
}

/// The response to a complete request head.
fn respond(head: &[u8], metrics: &Metrics) -> String {
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    match (method, path) {
        ("GET", "/metrics") => {
            let body = metrics.render();
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        }
        (_, "/metrics") => status(405, "Method Not Allowed"),
        _ => status(404, "Not Found"),
    }
}

/// A response with no body but its status.
fn status(code: u16, reason: &str) -> String {
    let body = format!("{code} {reason}\n");
    format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let m = Metrics::default();
        let ok = respond(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &m);
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
        assert!(ok.contains("application/openmetrics-text"));
        assert!(ok.ends_with("# EOF\n"));
        let q = respond(b"GET /metrics?x=1 HTTP/1.1\r\n\r\n", &m);
        assert!(q.starts_with("HTTP/1.1 200"), "{q}");
        assert!(respond(b"POST /metrics HTTP/1.1\r\n\r\n", &m).starts_with("HTTP/1.1 405"));
        assert!(respond(b"GET / HTTP/1.1\r\n\r\n", &m).starts_with("HTTP/1.1 404"));
        assert!(respond(b"\xff\xfe\r\n\r\n", &m).starts_with("HTTP/1.1 404"));
    }
}
