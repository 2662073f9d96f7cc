//! A bounded XMPP load generator (a benchmark, not a test). Run through
//! `scripts/load-bench.sh`, which starts our server and Prosody with the same
//! accounts and raises the file-descriptor limit.
//!
//! ```text
//! loadgen --server HOST:PORT --domain D --ca PEM --label NAME [--server-pid PID]
//!         [--threads T] throughput [--pairs N] [--messages M] [--window W]
//! loadgen ... idle --connections N --accounts A [--hold SECONDS]
//! ```
//!
//! `throughput`: N pairs of accounts `u0`…`u{2N-1}` (password `pw-` + name); in each
//! pair one sends M chat messages to the other's full JID with at most W unanswered,
//! and the other checks each arrives exactly once. Prints one `RESULT` line:
//! delivered messages/s, latency p50/p99/p99.9/max, lost and duplicate messages, the
//! generator's CPU and (with `--server-pid`) the server's CPU (also as messages per
//! server CPU-second) and memory.
//!
//! `idle`: N connections spread over accounts `i0`…`i{A-1}`, each logged in with
//! initial presence and then silent for the hold time; then each pings the server
//! and must get the answer (still connected, still authenticated). Prints the
//! server's memory before and after and its open descriptors (`RESULT` line).

mod login;
mod procfs;
mod traffic;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use xmpp_sasl::scram::SaltedPasswordCache;
use xmpp_stanza::{Element, Iq, Namespace, NsContext, Presence};

use login::Target;

struct Args {
    target: Target,
    label: String,
    server_pid: Option<String>,
    threads: usize,
    mode: String,
    numbers: std::collections::BTreeMap<String, u64>,
}

fn parse() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut server, mut domain, mut ca, mut label, mut pid) = (None, None, None, None, None);
    let mut threads = 1;
    let mut mode = None;
    let mut numbers = std::collections::BTreeMap::new();
    while let Some(flag) = args.next() {
        if !flag.starts_with("--") {
            mode = Some(flag);
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--server" => server = Some(value),
            "--domain" => domain = Some(value),
            "--ca" => ca = Some(value),
            "--label" => label = Some(value),
            "--server-pid" => pid = Some(value),
            "--threads" => threads = value.parse().map_err(|_| "--threads: a number")?,
            other => {
                let n = value.parse().map_err(|_| format!("{other}: a number"))?;
                numbers.insert(other.trim_start_matches("--").to_owned(), n);
            }
        }
    }
    let ca = ca.ok_or("--ca is required")?;
    let tls =
        xmpp_adapter::client_config(Some(std::path::Path::new(&ca))).map_err(|e| e.to_string())?;
    Ok(Args {
        target: Target {
            addr: server.ok_or("--server is required")?,
            domain: domain.ok_or("--domain is required")?,
            tls,
        },
        label: label.unwrap_or_else(|| "server".into()),
        server_pid: pid,
        threads,
        mode: mode.ok_or("a mode is required: throughput or idle")?,
        numbers,
    })
}

fn main() -> ExitCode {
    let result = parse().and_then(|args| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads.max(1))
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(run(args))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("loadgen: {reason}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let number = |name: &str, default: u64| args.numbers.get(name).copied().unwrap_or(default);
    match args.mode.as_str() {
        "throughput" => {
            throughput(
                &args,
                number("pairs", 10),
                number("messages", 10_000),
                number("window", 64),
            )
            .await
        }
        "idle" => {
            idle(
                &args,
                number("connections", 1000),
                number("accounts", 100),
                number("hold", 5),
            )
            .await
        }
        other => Err(format!("unknown mode {other}")),
    }
}

/// Logs `user` in with `resource` and sends initial presence.
async fn online(
    target: &Target,
    user: &str,
    resource: &str,
    cache: SaltedPasswordCache,
) -> Result<(login::Online, SaltedPasswordCache, login::Negotiated), String> {
    let (mut stream, cache, negotiated) =
        login::login(target, user, &format!("pw-{user}"), resource, cache).await?;
    let presence = Element::from(Presence::available())
        .to_xml_in(&NsContext::client())
        .map_err(|e| e.to_string())?;
    stream
        .write_all(presence.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    stream.flush().await.map_err(|e| e.to_string())?;
    Ok((stream, cache, negotiated))
}

async fn throughput(args: &Args, pairs: u64, messages: u64, window: u64) -> Result<(), String> {
    let target = &args.target;
    let mut streams = Vec::new();
    let mut negotiated = String::new();
    for i in 0..pairs {
        let (a, b) = (format!("u{}", 2 * i), format!("u{}", 2 * i + 1));
        let (sa, _, how) = online(target, &a, "load", SaltedPasswordCache::new()).await?;
        let (sb, _, _) = online(target, &b, "load", SaltedPasswordCache::new()).await?;
        negotiated = how;
        streams.push((sa, sb, format!("{b}@{}/load", target.domain)));
    }
    // Let the initial presence settle before measuring.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let base = Instant::now();
    let generator = procfs::CpuMeter::start("self");
    let server = args.server_pid.as_deref().map(procfs::CpuMeter::start);
    let mut tasks = Vec::new();
    for (sa, sb, to) in streams {
        let templates = traffic::Templates::new(&to)?;
        let shared = traffic::Window::new();
        let (a_in, a_out) = tokio::io::split(sa);
        let (b_in, b_out) = tokio::io::split(sb);
        tokio::spawn(traffic::drain(a_in));
        let send = tokio::spawn(traffic::send(
            a_out,
            templates.clone(),
            messages,
            window,
            shared.clone(),
            base,
        ));
        let receive = tokio::spawn(traffic::receive(b_in, templates, messages, shared, base));
        tasks.push((send, receive, b_out));
    }
    let mut latencies = Vec::new();
    let (mut duplicates, mut lost, mut last) = (0u64, 0u64, base);
    let mut errors = Vec::new();
    for (send, receive, _keep) in tasks {
        if let Ok(Err(e)) = send.await {
            errors.push(e);
        }
        match receive.await {
            Ok(Ok(got)) => {
                lost += messages - got.latencies_us.len() as u64;
                duplicates += got.duplicates;
                last = last.max(got.last.unwrap_or(base));
                latencies.extend(got.latencies_us);
            }
            Ok(Err(e)) => {
                lost += messages;
                errors.push(e);
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    let seconds = last.duration_since(base).as_secs_f64();
    let (gen_cpu, gen_pct) = generator.read().unwrap_or((0.0, 0.0));
    latencies.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        latencies.get(i).copied().unwrap_or(0)
    };
    let delivered = latencies.len() as u64;
    let mut line = format!(
        "RESULT {} throughput login={negotiated} pairs={pairs} messages_per_pair={messages} window={window} \
         delivered={delivered} lost={lost} duplicates={duplicates} seconds={seconds:.2} \
         msgs_per_s={:.0} p50_us={} p99_us={} p999_us={} max_us={} generator_cpu_s={gen_cpu:.2} \
         generator_cpu_pct={gen_pct:.0}",
        args.label,
        delivered as f64 / seconds.max(1e-9),
        pct(0.50),
        pct(0.99),
        pct(0.999),
        latencies.last().copied().unwrap_or(0),
    );
    if let (Some(meter), Some(pid)) = (&server, &args.server_pid) {
        let (cpu, pct) = meter.read().unwrap_or((0.0, 0.0));
        let rss = procfs::status_kb(pid, "VmRSS:").unwrap_or(0);
        // Per CPU-second of the server: less sensitive than msgs/s to what else
        // runs on a shared machine.
        let per_cpu = delivered as f64 / cpu.max(1e-9);
        line += &format!(
            " server_cpu_s={cpu:.2} server_cpu_pct={pct:.0} msgs_per_server_cpu_s={per_cpu:.0} \
             server_rss_kb={rss}"
        );
    }
    println!("{line}");
    if !errors.is_empty() {
        return Err(format!(
            "{} pairs failed: {}",
            errors.len(),
            errors.join("; ")
        ));
    }
    if lost > 0 || duplicates > 0 {
        return Err(format!("{lost} messages lost, {duplicates} duplicated"));
    }
    Ok(())
}

async fn idle(args: &Args, connections: u64, accounts: u64, hold: u64) -> Result<(), String> {
    let pid = args.server_pid.clone().ok_or("idle needs --server-pid")?;
    let rss = || procfs::status_kb(&pid, "VmRSS:").unwrap_or(0);
    let before = rss();
    let started = Instant::now();
    let accounts = accounts.max(1);
    // Each account's first login derives its SCRAM salted password; later ones reuse it.
    let mut caches = Vec::new();
    let mut held = Vec::new();
    let mut negotiated = String::new();
    for a in 0..accounts.min(connections) {
        let (stream, cache, how) = online(
            &args.target,
            &format!("i{a}"),
            "c0",
            SaltedPasswordCache::new(),
        )
        .await?;
        caches.push(cache);
        held.push(stream);
        negotiated = how;
    }
    let rest: Vec<(u64, u64)> = (accounts..connections)
        .map(|n| (n % accounts, n / accounts))
        .collect();
    let target = &args.target;
    let mut logins = futures::stream::iter(rest.into_iter().map(|(a, r)| {
        let cache = caches.get(a as usize).cloned().unwrap_or_default();
        async move { online(target, &format!("i{a}"), &format!("c{r}"), cache).await }
    }))
    .buffer_unordered(64);
    while let Some(result) = logins.next().await {
        held.push(result?.0);
    }
    let login_seconds = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(hold)).await;
    let after = rss();
    let peak = procfs::status_kb(&pid, "VmHWM:").unwrap_or(0);
    let fds = procfs::open_files(&pid).unwrap_or(0);
    let per_kb = (after.saturating_sub(before)) as f64 / held.len().max(1) as f64;
    let connections = held.len();
    // Still there and still authenticated: every connection pings the server (an
    // IQ is only answered on a bound session) and must see its answer.
    let mut answers = futures::stream::iter(
        held.into_iter()
            .enumerate()
            .map(|(n, stream)| alive(stream, format!("alive-{n}-"))),
    )
    .buffer_unordered(256);
    let (mut answered, mut failures) = (0usize, Vec::new());
    while let Some(result) = answers.next().await {
        match result {
            Ok(()) => answered += 1,
            Err(e) => failures.push(e),
        }
    }
    println!(
        "RESULT {} idle login={negotiated} connections={connections} answered_ping={answered} \
         login_seconds={login_seconds:.1} server_open_files={fds} \
         server_rss_before_kb={before} server_rss_after_kb={after} server_rss_peak_kb={peak} \
         per_connection_kb={per_kb:.1}",
        args.label,
    );
    match failures.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "{} of {connections} held connections did not answer a ping after the hold; first: {first}",
            failures.len()
        )),
    }
}

/// Pings the server on `stream` (IQ id `id`) and waits up to 30 s for the answer:
/// the connection is still open and its session still bound.
async fn alive(mut stream: login::Online, id: String) -> Result<(), String> {
    let ping = Iq::get(
        id.as_str(),
        Element::new("ping", Namespace::from_static(xmpp_stanza::ns::PING)),
    );
    let xml = Element::from(ping)
        .to_xml_in(&NsContext::client())
        .map_err(|e| e.to_string())?;
    stream
        .write_all(xml.as_bytes())
        .await
        .map_err(|e| format!("{id}: write: {e}"))?;
    stream
        .flush()
        .await
        .map_err(|e| format!("{id}: flush: {e}"))?;
    let mut seen = Vec::new();
    let mut buf = vec![0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let n = tokio::time::timeout_at(deadline, stream.read(&mut buf))
            .await
            .map_err(|_| format!("{id}: no answer within 30 s"))?
            .map_err(|e| format!("{id}: read: {e}"))?;
        if n == 0 {
            return Err(format!("{id}: closed by the server"));
        }
        seen.extend_from_slice(buf.get(..n).unwrap_or_default());
        if seen.windows(id.len()).any(|w| w == id.as_bytes()) {
            return Ok(());
        }
    }
}
