//! The configuration file of xmppd: TOML, parsed and validated with errors that
//! name the line and the key, so that an operator can act on them.
//!
//! The file is read with `toml`'s spanned document parser ([`DeTable`]) and walked
//! by hand rather than through `serde` derive, so that one pass reports every
//! unknown key, wrong type, missing key and bad value, not only the first.

use std::fmt;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A commented example configuration that [`Config::parse`] accepts as it is
/// (files that do not exist are warnings only).
pub const EXAMPLE: &str = include_str!("example.toml");

/// The whole configuration of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The XMPP domain served (top-level `domain`, required).
    pub domain: String,
    /// Top-level `log_level`: "error", "warn", "info", "debug" or "trace"; `None`
    /// leaves the choice to the server.
    pub log_level: Option<String>,
    /// The `[c2s]` table: client-to-server listeners and authentication.
    pub c2s: C2s,
    /// The `[tls]` table: certificate and key.
    pub tls: Tls,
    /// The `[storage]` table.
    pub storage: Storage,
    /// The `[limits]` table; every key has a default.
    pub limits: Limits,
    /// The `[metrics]` table; absent means metrics are off.
    pub metrics: Option<Metrics>,
}

/// Client-to-server settings (`[c2s]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct C2s {
    /// `listen`: STARTTLS listeners; required and non-empty.
    pub listen: Vec<SocketAddr>,
    /// `direct_tls`: direct-TLS listeners (XEP-0368); empty by default.
    pub direct_tls: Vec<SocketAddr>,
    /// `mechanisms`: SASL mechanisms offered, by IANA name; `None` means the
    /// server's default set.
    pub mechanisms: Option<Vec<String>>,
    /// `channel_binding`: whether the -PLUS mechanisms may be offered.
    pub channel_binding: ChannelBinding,
    /// `scram_iterations`: PBKDF2 iterations for new SCRAM credentials (default 4096).
    pub scram_iterations: u32,
}

/// Whether SCRAM channel binding (the -PLUS mechanisms) is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChannelBinding {
    /// Offer -PLUS where a channel-binding type both sides can verify exists.
    #[default]
    Auto,
    /// Never offer -PLUS.
    Off,
}

/// TLS credentials (`[tls]`); relative paths are resolved against the
/// configuration file's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    /// `cert`: the PEM certificate chain.
    pub cert: PathBuf,
    /// `key`: the PEM private key.
    pub key: PathBuf,
}

/// Persistent storage (`[storage]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Storage {
    /// `sqlite`: the database file (created if missing); `None` keeps state in memory.
    pub sqlite: Option<PathBuf>,
}

/// Resource limits (`[limits]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// `stanza_rate`: stanzas per second per session; `None` ("off") is unlimited.
    pub stanza_rate: Option<u32>,
    /// `stanza_burst`: stanzas a session may send in a burst above the rate.
    pub stanza_burst: u32,
    /// `byte_rate`: bytes per second per session; `None` ("off") is unlimited.
    pub byte_rate: Option<u32>,
    /// `max_stanza_bytes`: largest stanza accepted (at least 10000, RFC 6120 §13.12).
    pub max_stanza_bytes: usize,
    /// `unauthenticated_connections`: unauthenticated connections in total.
    pub unauthenticated_connections: usize,
    /// `unauthenticated_per_address`: unauthenticated connections per IP address.
    pub unauthenticated_per_address: usize,
    /// `max_resources_per_account`: sessions one account may have bound at once.
    pub max_resources_per_account: usize,
    /// `max_offline_messages`: messages stored for one offline account.
    pub max_offline_messages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            stanza_rate: Some(10_000),
            stanza_burst: 20_000,
            byte_rate: Some(4_194_304),
            max_stanza_bytes: 262_144,
            unauthenticated_connections: 10_000,
            unauthenticated_per_address: 10_000,
            max_resources_per_account: 32,
            max_offline_messages: 1000,
        }
    }
}

/// The metrics endpoint (`[metrics]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metrics {
    /// `listen`: the address the endpoint listens on.
    pub listen: SocketAddr,
}

/// One problem found in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The 1-based line, where the problem has one.
    pub line: Option<usize>,
    /// The dotted key, e.g. "c2s.listen", where the problem has one.
    pub key: Option<String>,
    /// What is wrong, for an operator.
    pub message: String,
}

/// A problem that does not stop the server (e.g. a file that does not exist yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The 1-based line, where the warning has one.
    pub line: Option<usize>,
    /// The dotted key, e.g. "tls.cert", where the warning has one.
    pub key: Option<String>,
    /// What is odd, for an operator.
    pub message: String,
}

fn write_problem(
    f: &mut fmt::Formatter<'_>,
    line: Option<usize>,
    key: Option<&str>,
    message: &str,
) -> fmt::Result {
    match (line, key) {
        (Some(line), Some(key)) => write!(f, "line {line}, key `{key}`: {message}"),
        (Some(line), None) => write!(f, "line {line}: {message}"),
        (None, Some(key)) => write!(f, "key `{key}`: {message}"),
        (None, None) => f.write_str(message),
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_problem(f, self.line, self.key.as_deref(), &self.message)
    }
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_problem(f, self.line, self.key.as_deref(), &self.message)
    }
}

impl std::error::Error for ConfigError {}

const TOP_KEYS: &[&str] = &[
    "domain",
    "log_level",
    "c2s",
    "tls",
    "storage",
    "limits",
    "metrics",
];
const C2S_KEYS: &[&str] = &[
    "listen",
    "direct_tls",
    "mechanisms",
    "channel_binding",
    "scram_iterations",
];
const TLS_KEYS: &[&str] = &["cert", "key"];
const STORAGE_KEYS: &[&str] = &["sqlite"];
const LIMITS_KEYS: &[&str] = &[
    "stanza_rate",
    "stanza_burst",
    "byte_rate",
    "max_stanza_bytes",
    "unauthenticated_connections",
    "unauthenticated_per_address",
    "max_resources_per_account",
    "max_offline_messages",
];
const METRICS_KEYS: &[&str] = &["listen"];
const LOG_LEVELS: &[&str] = &["error", "warn", "info", "debug", "trace"];
const MECHANISMS: &[&str] = &[
    "PLAIN",
    "SCRAM-SHA-1",
    "SCRAM-SHA-1-PLUS",
    "SCRAM-SHA-256",
    "SCRAM-SHA-256-PLUS",
    "SCRAM-SHA-512",
    "SCRAM-SHA-512-PLUS",
    "DIGEST-MD5",
];

type Value<'i> = Spanned<DeValue<'i>>;
/// The line, dotted key and message of an error or warning.
type Problem = (Option<usize>, Option<String>, String);
/// A listening address, where it is written, and its dotted key.
type Listener = (SocketAddr, Range<usize>, String);

/// A table of the file: `name` is its dotted prefix ("" for the top level).
struct Section<'a, 'i> {
    name: &'static str,
    /// The table, when present and a table.
    table: Option<&'a DeTable<'i>>,
    /// Where its header (or first mention) is.
    span: Option<Range<usize>>,
    /// Present in the file, even if not as a table.
    present: bool,
}

/// Collects errors and warnings while the document is walked.
struct Checker<'t> {
    text: &'t str,
    errors: Vec<ConfigError>,
    warnings: Vec<ConfigWarning>,
}

/// The 1-based line of a byte offset (clamped to the text).
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// "an integer", "a string", ...
fn a(kind: &str) -> String {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

/// Levenshtein distance, for "did you mean" hints on short keys.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

impl Checker<'_> {
    fn error(&mut self, span: Option<Range<usize>>, key: &str, message: impl Into<String>) {
        let (line, key, message) = self.locate(span, key, message.into());
        self.errors.push(ConfigError { line, key, message });
    }

    fn warn(&mut self, span: Option<Range<usize>>, key: &str, message: impl Into<String>) {
        let (line, key, message) = self.locate(span, key, message.into());
        self.warnings.push(ConfigWarning { line, key, message });
    }

    fn locate(&self, span: Option<Range<usize>>, key: &str, message: String) -> Problem {
        let line = span.map(|s| line_of(self.text, s.start));
        (line, (!key.is_empty()).then(|| key.to_owned()), message)
    }

    fn wrong_type(&mut self, key: &str, v: &Value<'_>, expected: &str) {
        let found = a(v.get_ref().type_str());
        self.error(
            Some(v.span()),
            key,
            format!("expected {expected}, found {found}"),
        );
    }

    /// Reports every key of `sec` that is not in `allowed`.
    fn unknown_keys(&mut self, sec: &Section<'_, '_>, allowed: &[&str]) {
        let Some(table) = sec.table else { return };
        for k in table.keys() {
            let name = k.get_ref().as_ref();
            if allowed.contains(&name) {
                continue;
            }
            let mut message = format!("unknown key `{name}`");
            if let Some(close) = allowed
                .iter()
                .find(|c| name.len() > 2 && distance(name, c) <= 2)
            {
                message.push_str(&format!("; did you mean `{close}`?"));
            } else if !sec.name.is_empty() && TOP_KEYS.contains(&name) {
                message.push_str("; top-level keys must come before the first [table] header");
            } else {
                let place = match sec.name {
                    "" => "at the top level".to_owned(),
                    n => format!("in [{n}]"),
                };
                message.push_str(&format!("; the keys {place} are: {}", allowed.join(", ")));
            }
            self.error(Some(k.span()), &dotted(sec.name, name), message);
        }
    }

    /// The table `name` of the top level, its unknown keys reported.
    fn section<'a, 'i>(
        &mut self,
        root: &Section<'a, 'i>,
        name: &'static str,
        allowed: &[&str],
    ) -> Section<'a, 'i> {
        let mut sec = Section {
            name,
            table: None,
            span: None,
            present: false,
        };
        if let Some((_, v)) = self.field(root, name, false) {
            sec.present = true;
            sec.span = Some(v.span());
            match v.get_ref() {
                DeValue::Table(t) => sec.table = Some(t),
                _ => self.wrong_type(name, v, "a table"),
            }
        }
        self.unknown_keys(&sec, allowed);
        sec
    }

    /// The value of `key` in `sec` with its dotted name; reports it if required and missing.
    fn field<'a, 'i>(
        &mut self,
        sec: &Section<'a, 'i>,
        key: &str,
        required: bool,
    ) -> Option<(String, &'a Value<'i>)> {
        let full = dotted(sec.name, key);
        let found = sec
            .table
            .and_then(|t| t.iter().find(|(k, _)| k.get_ref() == key));
        match found {
            Some((_, v)) => Some((full, v)),
            None if required && sec.table.is_some() => {
                self.error(sec.span.clone(), &full, "required key is missing");
                None
            }
            None if required && !sec.present => {
                let message = format!("required key is missing (there is no [{}] table)", sec.name);
                self.error(None, &full, message);
                None
            }
            None => None,
        }
    }

    fn string<'v>(&mut self, key: &str, v: &'v Value<'_>) -> Option<&'v str> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            _ => {
                self.wrong_type(key, v, "a string");
                None
            }
        }
    }

    /// An integer from `min` to `u32::MAX`, or the string "off" (as `Some(None)`) if allowed.
    fn uint(&mut self, key: &str, v: &Value<'_>, min: u32, off: bool) -> Option<Option<u32>> {
        match v.get_ref() {
            DeValue::Integer(i) => {
                let n = i128::from_str_radix(i.as_str(), i.radix()).ok();
                let n = n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n >= min);
                if n.is_none() {
                    let max = u32::MAX;
                    self.error(Some(v.span()), key, format!("must be from {min} to {max}"));
                }
                n.map(Some)
            }
            DeValue::String(s) if off && s == "off" => Some(None),
            DeValue::String(s) if off => {
                self.error(
                    Some(v.span()),
                    key,
                    format!("expected an integer or \"off\", found {s:?}"),
                );
                None
            }
            _ => {
                let expected = if off {
                    "an integer or \"off\""
                } else {
                    "an integer"
                };
                self.wrong_type(key, v, expected);
                None
            }
        }
    }

    /// An array of strings, each with its span.
    fn strings<'v>(&mut self, key: &str, v: &'v Value<'_>) -> Option<Vec<(&'v str, Range<usize>)>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(key, v, "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            if let Some(s) = self.string(key, item) {
                out.push((s, item.span()));
            }
        }
        (out.len() == items.len()).then_some(out)
    }

    fn addr(&mut self, key: &str, s: &str, span: Range<usize>) -> Option<Listener> {
        match s.parse::<SocketAddr>() {
            Ok(addr) => Some((addr, span, key.to_owned())),
            Err(_) => {
                let message = format!(
                    "{s:?} is not an IP address with a port, such as \"127.0.0.1:5222\" or \"[::1]:5222\""
                );
                self.error(Some(span), key, message);
                None
            }
        }
    }

    fn addrs(&mut self, key: &str, v: &Value<'_>) -> Option<Vec<Listener>> {
        let list = self.strings(key, v)?;
        let n = list.len();
        let out: Vec<_> = list
            .into_iter()
            .filter_map(|(s, span)| self.addr(key, s, span))
            .collect();
        (out.len() == n).then_some(out)
    }

    /// A non-empty path string, resolved against `base` when relative.
    fn path(&mut self, key: &str, v: &Value<'_>, base: &Path) -> Option<PathBuf> {
        let s = self.string(key, v)?;
        if s.is_empty() {
            self.error(Some(v.span()), key, "must not be empty");
            return None;
        }
        Some(base.join(s))
    }
}

fn dotted(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Checks an XMPP domain: what an operator would plausibly get wrong, not full IDNA.
fn check_domain(d: &str) -> Result<(), String> {
    if d.is_empty() {
        return Err("must not be empty".into());
    }
    if d.len() > 1023 {
        return Err(format!(
            "is {} bytes long; at most 1023 are allowed",
            d.len()
        ));
    }
    let ok = |c: char| {
        c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || c == '-'
            || c == '.'
            || !(c.is_ascii() || c.is_whitespace() || c.is_control())
    };
    if let Some(c) = d.chars().find(|c| !ok(*c)) {
        return Err(match c {
            'A'..='Z' => format!("must be lowercase: write {:?}", d.to_ascii_lowercase()),
            '@' | '/' => {
                "must be a bare domain such as \"example.test\", without `@` or `/`".into()
            }
            _ => format!("contains {c:?}, which a domain name may not"),
        });
    }
    for label in d.split('.') {
        if label.is_empty() {
            return Err("has an empty label (a leading, trailing or doubled `.`)".into());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("label `{label}` must not begin or end with `-`"));
        }
        if label.is_ascii() && label.len() > 63 {
            return Err(format!("label `{label}` is longer than 63 characters"));
        }
    }
    Ok(())
}

/// Whether two listeners cannot both be bound.
fn conflicts(x: &SocketAddr, y: &SocketAddr) -> bool {
    x.port() == y.port()
        && x.port() != 0
        && (x.ip() == y.ip()
            || (x.is_ipv4() == y.is_ipv4() && (x.ip().is_unspecified() || y.ip().is_unspecified())))
}

impl Config {
    /// Parses and validates `text`; `base` is the directory relative paths are resolved against.
    ///
    /// On success, returns the configuration and the warnings (sorted by line); on
    /// failure, every error found (sorted by line, those without a line last).
    pub fn parse(
        text: &str,
        base: &Path,
    ) -> Result<(Config, Vec<ConfigWarning>), Vec<ConfigError>> {
        let mut ck = Checker {
            text,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let (doc, syntax) = DeTable::parse_recoverable(text);
        if !syntax.is_empty() {
            let mut found: Vec<_> = syntax
                .iter()
                .map(|e| (e.span().map(|s| s.start), e.message()))
                .collect();
            found.sort_by_key(|(at, _)| (at.is_none(), *at));
            let mut last_line = None;
            for (at, message) in found {
                let line = at.map(|at| line_of(text, at));
                // Recovery often reports several errors for one mistake: keep one per line.
                if line.is_none() || line != last_line {
                    let message = format!("invalid TOML: {message}");
                    ck.errors.push(ConfigError {
                        line,
                        key: None,
                        message,
                    });
                }
                last_line = line;
            }
            return Err(ck.errors);
        }
        let root = Section {
            name: "",
            table: Some(doc.get_ref()),
            span: None,
            present: true,
        };
        ck.unknown_keys(&root, TOP_KEYS);

        let domain = ck.field(&root, "domain", true).and_then(|(key, v)| {
            let d = ck.string(&key, v)?;
            check_domain(d)
                .map_err(|m| ck.error(Some(v.span()), &key, m))
                .ok()?;
            Some(d.to_owned())
        });
        let log_level = ck.field(&root, "log_level", false).and_then(|(key, v)| {
            let level = ck.string(&key, v)?;
            if !LOG_LEVELS.contains(&level) {
                let message = format!("{level:?} is not one of {}", LOG_LEVELS.join(", "));
                ck.error(Some(v.span()), &key, message);
            }
            Some(level.to_owned())
        });

        let sec = ck.section(&root, "c2s", C2S_KEYS);
        let listen = ck.field(&sec, "listen", true).and_then(|(key, v)| {
            let addrs = ck.addrs(&key, v)?;
            if addrs.is_empty() {
                ck.error(Some(v.span()), &key, "must list at least one address");
            }
            Some(addrs)
        });
        let direct_tls = ck
            .field(&sec, "direct_tls", false)
            .and_then(|(key, v)| ck.addrs(&key, v));
        let channel_binding =
            ck.field(&sec, "channel_binding", false)
                .and_then(|(key, v)| match ck.string(&key, v)? {
                    "auto" => Some(ChannelBinding::Auto),
                    "off" => Some(ChannelBinding::Off),
                    other => {
                        let message = format!("{other:?} is neither \"auto\" nor \"off\"");
                        ck.error(Some(v.span()), &key, message);
                        None
                    }
                });
        let channel_binding = channel_binding.unwrap_or_default();
        let mechanisms = ck.field(&sec, "mechanisms", false).and_then(|(key, v)| {
            let mut names: Vec<String> = Vec::new();
            for (m, span) in ck.strings(&key, v)? {
                if names.iter().any(|n| n == m) {
                    ck.warn(Some(span), &key, format!("`{m}` is listed twice"));
                } else if MECHANISMS.contains(&m) {
                    names.push(m.to_owned());
                } else if let Some(known) = MECHANISMS.iter().find(|k| k.eq_ignore_ascii_case(m)) {
                    let message = format!("names are case-sensitive: write `{known}`, not `{m}`");
                    ck.error(Some(span), &key, message);
                } else {
                    let known = MECHANISMS.join(", ");
                    ck.error(
                        Some(span),
                        &key,
                        format!("unknown SASL mechanism `{m}`; known: {known}"),
                    );
                }
            }
            let plus = names.iter().filter(|n| n.ends_with("-PLUS")).count();
            let off = channel_binding == ChannelBinding::Off;
            if names.is_empty() {
                let message = "must not be empty; leave the key out for the server's default";
                ck.error(Some(v.span()), &key, message);
            } else if off && plus == names.len() {
                let message = "channel_binding is \"off\", so none of these can be offered";
                ck.error(Some(v.span()), &key, message);
            } else if off && plus > 0 {
                let message = "channel_binding is \"off\": the -PLUS mechanisms are not offered";
                ck.warn(Some(v.span()), &key, message);
            }
            Some(names)
        });
        let scram_iterations = ck
            .field(&sec, "scram_iterations", false)
            .and_then(|(key, v)| {
                let n = ck.uint(&key, v, 1, false)??;
                if n < 4096 {
                    let message = format!("{n} is below 4096, the minimum RFC 7677 recommends");
                    ck.warn(Some(v.span()), &key, message);
                }
                Some(n)
            });

        let sec = ck.section(&root, "tls", TLS_KEYS);
        let tls_file = |ck: &mut Checker<'_>, name| {
            let (key, v) = ck.field(&sec, name, true)?;
            let path = ck.path(&key, v, base)?;
            if !path.exists() {
                let message = format!("{} does not exist (yet)", path.display());
                ck.warn(Some(v.span()), &key, message);
            }
            Some(path)
        };
        let cert = tls_file(&mut ck, "cert");
        let tls_key = tls_file(&mut ck, "key");

        let sec = ck.section(&root, "storage", STORAGE_KEYS);
        let sqlite = ck.field(&sec, "sqlite", false).and_then(|(key, v)| {
            let path = ck.path(&key, v, base)?;
            if let Some(dir) = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty() && !d.exists())
            {
                let message = format!("directory {} does not exist (yet)", dir.display());
                ck.warn(Some(v.span()), &key, message);
            }
            Some(path)
        });

        let sec = ck.section(&root, "limits", LIMITS_KEYS);
        // The `_rate` limits may be "off", read here as 0 (every minimum is at least 1).
        let mut num = |name: &str, default: u32, min: u32| match ck.field(&sec, name, false) {
            Some((key, v)) => {
                let off = name.ends_with("_rate");
                ck.uint(&key, v, min, off)
                    .map_or(default, |n| n.unwrap_or(0))
            }
            None => default,
        };
        let defaults = Limits::default();
        let limits = Limits {
            stanza_rate: Some(num("stanza_rate", defaults.stanza_rate.unwrap_or(0), 1))
                .filter(|n| *n > 0),
            stanza_burst: num("stanza_burst", defaults.stanza_burst, 1),
            byte_rate: Some(num("byte_rate", defaults.byte_rate.unwrap_or(0), 1))
                .filter(|n| *n > 0),
            max_stanza_bytes: num("max_stanza_bytes", 262_144, 10_000) as usize,
            unauthenticated_connections: num("unauthenticated_connections", 10_000, 1) as usize,
            unauthenticated_per_address: num("unauthenticated_per_address", 10_000, 1) as usize,
            max_resources_per_account: num("max_resources_per_account", 32, 1) as usize,
            max_offline_messages: num("max_offline_messages", 1000, 1) as usize,
        };

        let sec = ck.section(&root, "metrics", METRICS_KEYS);
        let metrics = ck.field(&sec, "listen", sec.present).and_then(|(key, v)| {
            let s = ck.string(&key, v)?;
            ck.addr(&key, s, v.span())
        });

        let all = [&listen, &direct_tls]
            .into_iter()
            .flatten()
            .flatten()
            .chain(&metrics);
        let all: Vec<&Listener> = all.collect();
        for (i, (addr, span, key)) in all.iter().enumerate() {
            let earlier = all[..i].iter().find(|(other, ..)| conflicts(addr, other));
            if let Some((other, other_span, other_key)) = earlier {
                let line = line_of(text, other_span.start);
                let message = if addr == other {
                    format!("{addr} is already listed in `{other_key}` (line {line})")
                } else {
                    format!("{addr} overlaps {other} in `{other_key}` (line {line})")
                };
                ck.error(Some(span.clone()), key, message);
            }
        }

        ck.errors.sort_by_key(|e| (e.line.is_none(), e.line));
        ck.warnings.sort_by_key(|w| (w.line.is_none(), w.line));
        match (domain, listen, cert, tls_key) {
            (Some(domain), Some(listen), Some(cert), Some(key)) if ck.errors.is_empty() => {
                let addrs = |l: Vec<Listener>| l.into_iter().map(|(addr, ..)| addr).collect();
                let c2s = C2s {
                    listen: addrs(listen),
                    direct_tls: direct_tls.map(addrs).unwrap_or_default(),
                    mechanisms,
                    channel_binding,
                    scram_iterations: scram_iterations.unwrap_or(4096),
                };
                let tls = Tls { cert, key };
                let storage = Storage { sqlite };
                let metrics = metrics.map(|(listen, ..)| Metrics { listen });
                let config = Config {
                    domain,
                    log_level,
                    c2s,
                    tls,
                    storage,
                    limits,
                    metrics,
                };
                Ok((config, ck.warnings))
            }
            _ if ck.errors.is_empty() => Err(vec![ConfigError {
                line: None,
                key: None,
                message: "incomplete configuration".into(),
            }]),
            _ => Err(ck.errors),
        }
    }

    /// Reads and parses a file (an unreadable file is one [`ConfigError`] with no line);
    /// relative paths in it are resolved against the file's directory.
    pub fn load(path: &Path) -> Result<(Config, Vec<ConfigWarning>), Vec<ConfigError>> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            let message = format!("cannot read {}: {e}", path.display());
            vec![ConfigError {
                line: None,
                key: None,
                message,
            }]
        })?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let base = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        Config::parse(&text, &base)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"domain = "example.test"
[c2s]
listen = ["127.0.0.1:5222"]
[tls]
cert = "/path/fullchain.pem"
key = "/path/key.pem"
[storage]
sqlite = "/path/state.sqlite"   # absent: in memory
"#;

    fn base() -> &'static Path {
        Path::new("/etc/xmppd")
    }

    fn errs(text: &str) -> Vec<ConfigError> {
        match Config::parse(text, base()) {
            Ok((config, _)) => panic!("expected errors, got {config:?}"),
            Err(errors) => errors,
        }
    }

    fn ok(text: &str) -> (Config, Vec<ConfigWarning>) {
        match Config::parse(text, base()) {
            Ok(parsed) => parsed,
            Err(errors) => panic!("unexpected errors: {errors:#?}\n--- in:\n{text}"),
        }
    }

    /// The one error of `text`, whose key must be `key`.
    fn one_error(text: &str, key: &str) -> ConfigError {
        let errors = errs(text);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].key.as_deref(), Some(key), "{errors:#?}");
        errors.into_iter().next().unwrap()
    }

    /// MINIMAL with `extra` appended (later tables and keys).
    fn with(extra: &str) -> String {
        format!("{MINIMAL}{extra}")
    }

    /// A fresh directory under the system temporary directory.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xmppd-config-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn minimal_config_parses_with_defaults() {
        let (config, warnings) = ok(MINIMAL);
        assert_eq!(config.domain, "example.test");
        assert_eq!(config.log_level, None);
        assert_eq!(
            config.c2s.listen,
            vec!["127.0.0.1:5222".parse::<SocketAddr>().unwrap()]
        );
        assert!(config.c2s.direct_tls.is_empty());
        assert_eq!(config.c2s.mechanisms, None);
        assert_eq!(config.c2s.channel_binding, ChannelBinding::Auto);
        assert_eq!(config.c2s.scram_iterations, 4096);
        assert_eq!(config.tls.cert, Path::new("/path/fullchain.pem"));
        assert_eq!(config.tls.key, Path::new("/path/key.pem"));
        assert_eq!(
            config.storage.sqlite.as_deref(),
            Some(Path::new("/path/state.sqlite"))
        );
        assert_eq!(config.limits, Limits::default());
        assert_eq!(config.limits.stanza_rate, Some(10_000));
        assert_eq!(config.limits.max_stanza_bytes, 262_144);
        assert_eq!(config.metrics, None);
        // /path does not exist: both TLS files and the database directory are warned about.
        let keys: Vec<_> = warnings.iter().map(|w| w.key.as_deref().unwrap()).collect();
        assert_eq!(keys, ["tls.cert", "tls.key", "storage.sqlite"]);
        assert_eq!(warnings[0].line, Some(5));
        assert_eq!(warnings[2].line, Some(8));
    }

    #[test]
    fn example_parses_with_only_file_warnings() {
        let (config, warnings) = ok(EXAMPLE);
        assert_eq!(config.domain, "example.test");
        assert_eq!(config.log_level.as_deref(), Some("info"));
        assert_eq!(
            config.c2s.listen,
            vec!["127.0.0.1:5222".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            config.c2s.direct_tls,
            vec!["127.0.0.1:5223".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(config.c2s.mechanisms.as_ref().map(Vec::len), Some(4));
        assert_eq!(config.tls.cert, Path::new("/etc/xmppd/fullchain.pem"));
        assert_eq!(config.tls.key, Path::new("/etc/xmppd/privkey.pem"));
        let sqlite = config.storage.sqlite.as_deref();
        assert_eq!(sqlite, Some(Path::new("/var/lib/xmppd/state.sqlite")));
        assert_eq!(config.limits, Limits::default());
        let metrics = config.metrics.map(|m| m.listen);
        assert_eq!(metrics, Some("127.0.0.1:9090".parse().unwrap()));
        for w in &warnings {
            let key = w.key.as_deref();
            assert!(
                matches!(key, Some("tls.cert" | "tls.key" | "storage.sqlite")),
                "{w}"
            );
            assert!(w.message.contains("does not exist"), "{w}");
        }
        // Every key the parser knows appears in the example, with a comment line before it.
        let lines: Vec<&str> = EXAMPLE.lines().collect();
        let sections = [
            ("", &["domain", "log_level"][..]),
            ("[c2s]", C2S_KEYS),
            ("[tls]", TLS_KEYS),
            ("[storage]", STORAGE_KEYS),
            ("[limits]", LIMITS_KEYS),
            ("[metrics]", METRICS_KEYS),
        ];
        for (header, keys) in sections {
            let start = lines.iter().position(|l| header.is_empty() || *l == header);
            let start = start.unwrap_or_else(|| panic!("no {header} table"));
            for key in keys {
                let prefix = format!("{key} = ");
                let at = lines[start..].iter().position(|l| l.starts_with(&prefix));
                let at = at.unwrap_or_else(|| panic!("{header} {key} missing")) + start;
                assert!(lines[at - 1].starts_with('#'), "no comment before {key}");
            }
        }
    }

    #[test]
    fn unknown_keys_are_reported_with_line_and_key() {
        let text = MINIMAL.replace("listen = [", "lisen = [");
        let errors = errs(&text);
        // The typo, and the now missing `listen`, both at line 3 ([c2s] is line 2).
        let typo = errors
            .iter()
            .find(|e| e.key.as_deref() == Some("c2s.lisen"))
            .unwrap();
        assert_eq!(typo.line, Some(3));
        assert!(typo.message.contains("did you mean `listen`"), "{typo}");
        let missing = errors
            .iter()
            .find(|e| e.key.as_deref() == Some("c2s.listen"))
            .unwrap();
        assert_eq!(missing.line, Some(2));

        // Several unknown keys in one pass, at every level, in line order.
        let errors = errs(&with("colour = 1\n[tsl]\nx = 1\n[limits.sub]\ny = 2\n"));
        let found: Vec<_> = errors.iter().map(|e| (e.line, e.key.as_deref())).collect();
        assert_eq!(
            found,
            [
                (Some(9), Some("storage.colour")),
                (Some(10), Some("tsl")),
                (Some(12), Some("limits.sub"))
            ]
        );
        assert!(
            errors[1].message.contains("did you mean `tls`?"),
            "{}",
            errors[1]
        );
        let expected = "the keys in [limits] are: stanza_rate, stanza_burst";
        assert!(errors[2].message.contains(expected), "{}", errors[2]);
        let e = one_error(&format!("dommain = 1\n{MINIMAL}"), "dommain");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn top_level_key_after_a_table_gets_a_hint() {
        let e = one_error(&with("log_level = \"info\"\n"), "storage.log_level");
        assert_eq!(e.line, Some(9));
        assert!(e.message.contains("before the first [table]"), "{e}");
    }

    #[test]
    fn wrong_types_are_reported_with_line_and_key() {
        let e = one_error(&with("[c2s.x]\n"), "c2s.x");
        assert_eq!(e.line, Some(9));
        let e = one_error(&MINIMAL.replace("\"example.test\"", "5"), "domain");
        assert_eq!(
            (e.line, e.message.as_str()),
            (Some(1), "expected a string, found an integer")
        );
        let e = one_error(
            &MINIMAL.replace("[\"127.0.0.1:5222\"]", "\"127.0.0.1:5222\""),
            "c2s.listen",
        );
        assert_eq!(e.line, Some(3));
        assert!(
            e.message
                .contains("expected an array of strings, found a string"),
            "{e}"
        );
        let e = one_error(
            &with("[limits]\nstanza_burst = \"lots\"\n"),
            "limits.stanza_burst",
        );
        assert_eq!(e.line, Some(10));
        assert!(
            e.message.contains("expected an integer, found a string"),
            "{e}"
        );
        let e = one_error(&with("[limits]\nbyte_rate = true\n"), "limits.byte_rate");
        assert!(
            e.message
                .contains("expected an integer or \"off\", found a boolean"),
            "{e}"
        );
        let e = one_error(
            &with("[limits]\nstanza_rate = \"none\"\n"),
            "limits.stanza_rate",
        );
        assert!(e.message.contains("\"none\""), "{e}");
        let e = one_error(&with("metrics = 1\n"), "storage.metrics");
        assert_eq!(e.line, Some(9));
        let e = one_error(&format!("metrics = 1\n{MINIMAL}"), "metrics");
        assert_eq!(
            (e.line, e.message.as_str()),
            (Some(1), "expected a table, found an integer")
        );
    }

    #[test]
    fn missing_required_keys_are_all_reported() {
        let errors = errs("");
        let keys: Vec<_> = errors.iter().map(|e| e.key.as_deref().unwrap()).collect();
        assert_eq!(keys, ["domain", "c2s.listen", "tls.cert", "tls.key"]);
        assert!(errors.iter().all(|e| e.line.is_none()));
        assert!(
            errors[1].message.contains("no [c2s] table"),
            "{}",
            errors[1]
        );

        let e = one_error(&MINIMAL.replace("key = \"/path/key.pem\"\n", ""), "tls.key");
        assert_eq!(
            (e.line, e.message.as_str()),
            (Some(4), "required key is missing")
        );
        let e = one_error(&with("[metrics]\n"), "metrics.listen");
        assert_eq!(e.line, Some(9));
    }

    #[test]
    fn bad_socket_addresses_name_the_string_and_line() {
        let text = MINIMAL.replace(
            "listen = [\"127.0.0.1:5222\"]",
            "listen = [\n  \"127.0.0.1:5222\",\n  \"localhost:5222\",\n  \"[::1]\",\n]",
        );
        let errors = errs(&text);
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_eq!(
            (errors[0].line, errors[0].key.as_deref()),
            (Some(5), Some("c2s.listen"))
        );
        assert!(
            errors[0].message.contains("\"localhost:5222\""),
            "{}",
            errors[0]
        );
        assert_eq!(errors[1].line, Some(6));
        assert!(errors[1].message.contains("\"[::1]\""), "{}", errors[1]);

        let e = one_error(&with("[metrics]\nlisten = \"9090\"\n"), "metrics.listen");
        assert_eq!(e.line, Some(10));
        let e = one_error(&MINIMAL.replace("[\"127.0.0.1:5222\"]", "[]"), "c2s.listen");
        assert!(e.message.contains("at least one"), "{e}");
    }

    #[test]
    fn duplicate_and_overlapping_addresses_are_errors() {
        let text = MINIMAL.replace(
            "listen = [\"127.0.0.1:5222\"]",
            "listen = [\"127.0.0.1:5222\"]\ndirect_tls = [\"127.0.0.1:5222\"]",
        );
        let e = one_error(&text, "c2s.direct_tls");
        assert_eq!(e.line, Some(4));
        assert!(
            e.message
                .contains("already listed in `c2s.listen` (line 3)"),
            "{e}"
        );

        let e = one_error(
            &with("[metrics]\nlisten = \"0.0.0.0:5222\"\n"),
            "metrics.listen",
        );
        assert!(e.message.contains("overlaps 127.0.0.1:5222"), "{e}");

        // Port 0 (any free port) twice is fine, as are two families on one port.
        let text = MINIMAL.replace(
            "[\"127.0.0.1:5222\"]",
            "[\"127.0.0.1:0\", \"127.0.0.1:0\", \"[::]:5222\", \"0.0.0.0:5222\"]",
        );
        assert_eq!(ok(&text).0.c2s.listen.len(), 4);
    }

    #[test]
    fn relative_paths_resolve_against_the_base() {
        let text = MINIMAL
            .replace("/path/fullchain.pem", "certs/fullchain.pem")
            .replace("/path/state.sqlite", "state.sqlite");
        let (config, warnings) = Config::parse(&text, Path::new("/srv/xmpp")).unwrap();
        assert_eq!(config.tls.cert, Path::new("/srv/xmpp/certs/fullchain.pem"));
        assert_eq!(config.tls.key, Path::new("/path/key.pem"));
        assert_eq!(
            config.storage.sqlite.as_deref(),
            Some(Path::new("/srv/xmpp/state.sqlite"))
        );
        assert!(
            warnings[0]
                .message
                .contains("/srv/xmpp/certs/fullchain.pem"),
            "{}",
            warnings[0]
        );

        // load() resolves against the file's own directory.
        let dir = temp_dir("load");
        std::fs::write(dir.join("fullchain.pem"), "x").unwrap();
        std::fs::write(dir.join("key.pem"), "x").unwrap();
        let text = MINIMAL
            .replace("/path/fullchain.pem", "fullchain.pem")
            .replace("/path/key.pem", "./key.pem")
            .replace("/path/state.sqlite", "state.sqlite");
        std::fs::write(dir.join("xmppd.toml"), text).unwrap();
        let (config, warnings) = Config::load(&dir.join("xmppd.toml")).unwrap();
        assert_eq!(config.tls.cert, dir.join("fullchain.pem"));
        assert_eq!(config.storage.sqlite, Some(dir.join("state.sqlite")));
        assert!(warnings.is_empty(), "{warnings:#?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_files_are_warnings() {
        let dir = temp_dir("files");
        std::fs::write(dir.join("cert.pem"), "x").unwrap();
        let text = MINIMAL
            .replace("/path/fullchain.pem", "cert.pem")
            .replace("/path/key.pem", "nokey.pem")
            .replace("/path/state.sqlite", "db/state.sqlite");
        let (_, warnings) = Config::parse(&text, &dir).unwrap();
        let found: Vec<_> = warnings
            .iter()
            .map(|w| (w.line, w.key.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (Some(6), Some("tls.key")),
                (Some(8), Some("storage.sqlite"))
            ]
        );
        assert!(
            warnings[0]
                .to_string()
                .starts_with("line 6, key `tls.key`: "),
            "{}",
            warnings[0]
        );
        assert!(warnings[1].message.contains("directory"), "{}", warnings[1]);

        // A database file that does not exist yet in an existing directory is normal.
        std::fs::create_dir(dir.join("db")).unwrap();
        let (_, warnings) = Config::parse(&text, &dir).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:#?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn load_of_an_unreadable_file_is_one_error_without_line() {
        let errors = Config::load(Path::new("/nonexistent/xmppd.toml")).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].key.as_deref()), (None, None));
        assert!(
            errors[0]
                .to_string()
                .starts_with("cannot read /nonexistent/xmppd.toml")
        );
    }

    #[test]
    fn domain_is_checked() {
        for good in [
            "example.test",
            "localhost",
            "xn--bcher-kva.example",
            "bücher.example",
            "a-b.c1",
        ] {
            assert_eq!(ok(&MINIMAL.replace("example.test", good)).0.domain, good);
        }
        let long = format!("{}.test", "a.".repeat(600));
        let bad = [
            ("", "empty"),
            ("Example.test", "lowercase"),
            ("user@example.test", "without `@`"),
            ("example.test/res", "without `@` or `/`"),
            ("exa mple.test", "' '"),
            ("example.test.", "empty label"),
            ("a..b", "empty label"),
            ("-a.test", "`-`"),
            (&long, "1023"),
        ];
        for (domain, expected) in bad {
            let e = one_error(&MINIMAL.replace("example.test", domain), "domain");
            assert_eq!(e.line, Some(1));
            assert!(e.message.contains(expected), "{domain:?}: {e}");
        }
    }

    #[test]
    fn c2s_values_are_checked() {
        let c2s = |extra: &str| MINIMAL.replace("[tls]", &format!("{extra}\n[tls]"));
        let e = one_error(&format!("log_level = \"verbose\"\n{MINIMAL}"), "log_level");
        assert!(
            e.message.contains("\"verbose\" is not one of error, warn"),
            "{e}"
        );
        let e = one_error(&c2s("channel_binding = \"on\""), "c2s.channel_binding");
        assert_eq!(e.line, Some(4));
        let e = one_error(&c2s("mechanisms = []"), "c2s.mechanisms");
        assert!(e.message.contains("must not be empty"), "{e}");
        let e = one_error(
            &c2s("mechanisms = [\"PLAIN\", \"scram-sha-1\"]"),
            "c2s.mechanisms",
        );
        assert!(e.message.contains("write `SCRAM-SHA-1`"), "{e}");
        let e = one_error(
            &c2s("mechanisms = [\"PLAIN\", \"X-OAUTH2\"]"),
            "c2s.mechanisms",
        );
        assert!(
            e.message.contains("unknown SASL mechanism `X-OAUTH2`"),
            "{e}"
        );
        let text = c2s("channel_binding = \"off\"\nmechanisms = [\"SCRAM-SHA-256-PLUS\"]");
        let e = one_error(&text, "c2s.mechanisms");
        assert!(e.message.contains("none of these can be offered"), "{e}");

        let text = c2s(
            "channel_binding = \"off\"\nmechanisms = [\"SCRAM-SHA-256-PLUS\", \"PLAIN\", \"PLAIN\"]\nscram_iterations = 0x400",
        );
        let (config, warnings) = ok(&text);
        assert_eq!(config.c2s.channel_binding, ChannelBinding::Off);
        assert_eq!(
            config.c2s.mechanisms.unwrap(),
            ["SCRAM-SHA-256-PLUS", "PLAIN"]
        );
        assert_eq!(config.c2s.scram_iterations, 1024);
        let found: Vec<_> = warnings
            .iter()
            .map(|w| (w.line, w.key.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found[..3],
            [
                (Some(5), "c2s.mechanisms"),
                (Some(5), "c2s.mechanisms"),
                (Some(6), "c2s.scram_iterations")
            ]
        );
        assert!(
            warnings[2].message.contains("below 4096"),
            "{}",
            warnings[2]
        );
        let e = one_error(&c2s("scram_iterations = 0"), "c2s.scram_iterations");
        assert!(e.message.contains("from 1 to 4294967295"), "{e}");
    }

    #[test]
    fn limits_are_checked() {
        let (config, _) = ok(&with(
            "[limits]\nstanza_rate = \"off\"\nbyte_rate = 1_000\nmax_stanza_bytes = 10000\nmax_offline_messages = 5\n",
        ));
        assert_eq!(config.limits.stanza_rate, None);
        assert_eq!(config.limits.byte_rate, Some(1000));
        assert_eq!(config.limits.max_stanza_bytes, 10_000);
        assert_eq!(config.limits.max_offline_messages, 5);
        assert_eq!(config.limits.stanza_burst, 20_000);

        let errors = errs(&with(
            "[limits]\nmax_stanza_bytes = 9999\nstanza_burst = 0\nbyte_rate = -1\nmax_resources_per_account = 99999999999\nmax_offline_messages = 1.5\n",
        ));
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.line.unwrap(), e.key.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                (10, "limits.max_stanza_bytes"),
                (11, "limits.stanza_burst"),
                (12, "limits.byte_rate"),
                (13, "limits.max_resources_per_account"),
                (14, "limits.max_offline_messages"),
            ]
        );
        assert!(errors[0].message.contains("from 10000"), "{}", errors[0]);
        assert!(errors[4].message.contains("found a float"), "{}", errors[4]);
    }

    #[test]
    fn semantic_errors_are_collected_in_one_pass() {
        let text = "domain = \"Bad Domain\"\nlog_level = \"loud\"\n[c2s]\nlisten = [\"nope\"]\n[tls]\ncert = \"\"\nkey = 3\n";
        let errors = errs(text);
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.line, e.key.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                (Some(1), "domain"),
                (Some(2), "log_level"),
                (Some(4), "c2s.listen"),
                (Some(6), "tls.cert"),
                (Some(7), "tls.key"),
            ]
        );
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let errors = errs(&MINIMAL.replace("[tls]", "[tls"));
        assert_eq!(errors[0].line, Some(4), "{errors:#?}");
        assert!(
            errors[0].message.starts_with("invalid TOML"),
            "{}",
            errors[0]
        );
        let errors = errs(&with("[c2s]\nlisten = []\n"));
        assert_eq!(errors[0].line, Some(9), "{errors:#?}");
        let errors = errs(&with("x = 1\nx = 2\n"));
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].line, Some(10));
    }

    #[test]
    fn display_formats() {
        let e = |line, key: Option<&str>| {
            let message = "m".to_owned();
            ConfigError {
                line,
                key: key.map(str::to_owned),
                message,
            }
            .to_string()
        };
        assert_eq!(
            e(Some(3), Some("c2s.listen")),
            "line 3, key `c2s.listen`: m"
        );
        assert_eq!(e(Some(3), None), "line 3: m");
        assert_eq!(e(None, Some("domain")), "key `domain`: m");
        assert_eq!(e(None, None), "m");
    }

    #[test]
    fn no_panic_on_truncated_or_garbled_input() {
        let mut inputs: Vec<String> = Vec::new();
        for end in 0..=EXAMPLE.len() {
            if EXAMPLE.is_char_boundary(end) {
                inputs.push(EXAMPLE[..end].to_owned());
                inputs.push(EXAMPLE[end..].to_owned());
            }
        }
        let values = [
            "",
            "-1",
            "0",
            "+0",
            "0x",
            "0xffffffffffffffffffffffff",
            "1e400",
            "nan",
            "-inf",
            "1979-05-27",
            "07:32:00",
            "true",
            "[]",
            "[[]]",
            "[1, \"a\"]",
            "{}",
            "{ a = 1 }",
            "\"\"",
            "\"\\u0000\"",
            "\"\u{1F600}\"",
            "'''",
            "\"[::1]:0\"",
            "\"off\"",
            "[\"off\"]",
        ];
        for (i, line) in EXAMPLE.lines().enumerate() {
            let Some((key, _)) = line.split_once(" = ") else {
                continue;
            };
            for value in values {
                let mut lines: Vec<String> = EXAMPLE.lines().map(str::to_owned).collect();
                lines[i] = format!("{key} = {value}");
                inputs.push(lines.join("\n"));
            }
        }
        for garbage in [
            "=",
            "[",
            "]]",
            "[a.b.c]\n[a]\nb.c = 1",
            "a.b = 1\n[a]",
            "\0",
            "\u{FEFF}x = 1",
        ] {
            inputs.push(garbage.to_owned());
        }
        inputs.push(format!("domain = {}", "[".repeat(100_000)));
        inputs.push(format!(
            "domain = {}1{}",
            "[".repeat(1000),
            "]".repeat(1000)
        ));
        inputs.push(format!("{}{MINIMAL}", "k".repeat(100_000) + " = 1\n"));
        assert!(inputs.len() > 1000);
        for input in &inputs {
            let lines = input.lines().count().max(1);
            match Config::parse(input, base()) {
                Ok((config, warnings)) => {
                    assert!(!config.c2s.listen.is_empty());
                    assert!(warnings.iter().all(|w| w.line.is_none_or(|l| l <= lines)));
                }
                Err(errors) => {
                    assert!(!errors.is_empty(), "no error for {input:?}");
                    let max = lines + 1;
                    assert!(
                        errors
                            .iter()
                            .all(|e| e.line.is_none_or(|l| (1..=max).contains(&l)))
                    );
                }
            }
        }
    }
}
