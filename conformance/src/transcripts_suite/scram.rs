//! SCRAM in replays. The transcripts' SCRAM messages carry nonces: our client is
//! given the transcript's client nonce through [`ScriptedEntropy`], so its messages
//! match byte for byte; our server picks its own nonce, so in server-role replays
//! [`ScramPeer`] plays the client's part with the transcript's nonce and password,
//! recomputing the client's final message for our server's challenge and verifying
//! our server's signature. PBKDF2 runs once: salted passwords are cached across runs.

use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use xmpp_sasl::scram::{ScramClient, ScramClientOptions, ScramHash};
use xmpp_sasl::{
    ClientCredentials, Entropy, Gs2Binding, InsecureSeededEntropy, SaltedPasswordCache,
};
use xmpp_stanza::{Sasl, ns};

use super::parse::Unit;

/// Salted passwords computed so far (PBKDF2 with the transcripts' 4096 iterations is
/// slow in debug builds).
static CACHE: Mutex<Option<SaltedPasswordCache>> = Mutex::new(None);

/// The shared cache (a copy).
pub fn cache() -> SaltedPasswordCache {
    CACHE
        .lock()
        .map(|c| c.clone().unwrap_or_default())
        .unwrap_or_default()
}

/// Stores a cache with more entries than the shared one.
pub fn store_cache(cache: SaltedPasswordCache) {
    if let Ok(mut shared) = CACHE.lock()
        && shared.as_ref().is_none_or(|s| s.len() < cache.len())
    {
        *shared = Some(cache);
    }
}

/// Entropy that first yields fixed bytes (a transcript's nonce), then seeded ones.
pub struct ScriptedEntropy {
    script: Vec<u8>,
    pos: usize,
    rest: InsecureSeededEntropy,
}

impl ScriptedEntropy {
    /// `script` first, then bytes from `seed`.
    pub fn new(script: Vec<u8>, seed: u64) -> ScriptedEntropy {
        ScriptedEntropy {
            script,
            pos: 0,
            rest: InsecureSeededEntropy::new(seed),
        }
    }
}

impl Entropy for ScriptedEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf.iter_mut() {
            if let Some(s) = self.script.get(self.pos) {
                *b = *s;
                self.pos += 1;
            } else {
                let mut one = [0u8; 1];
                self.rest.fill(&mut one);
                *b = one[0];
            }
        }
    }
}

/// The nonce of a SCRAM client-first message (`…,r=NONCE[,…]`).
pub fn client_nonce(client_first: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(client_first).ok()?;
    let r = text.split(',').find_map(|part| part.strip_prefix("r="))?;
    Some(r.to_owned())
}

/// An attribute (`s`, `i`, …) of a SCRAM message.
fn attribute(message: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(message).ok()?;
    let prefix = format!("{name}=");
    text.split(',')
        .find_map(|part| part.strip_prefix(prefix.as_str()))
        .map(str::to_owned)
}

fn sasl(unit: &Unit) -> Option<Sasl> {
    let el = unit.element()?;
    if *el.ns() != ns::XMPP_SASL {
        return None;
    }
    Sasl::try_from(el).ok()
}

/// The client's part of a transcript's SCRAM exchange, against our server.
pub struct ScramPeer {
    hash: ScramHash,
    credentials: ClientCredentials,
    client: Option<ScramClient>,
    response: Option<Vec<u8>>,
    /// Whether our server's signature was verified.
    pub verified: bool,
}

impl ScramPeer {
    /// The client `username` / `password` with `hash`.
    pub fn new(hash: ScramHash, username: &str, password: &str) -> ScramPeer {
        ScramPeer {
            hash,
            credentials: ClientCredentials::new(username, password),
            client: None,
            response: None,
            verified: false,
        }
    }

    /// The text to feed for a peer unit, if it must differ from the transcript's:
    /// `<auth/>` starts our SCRAM client with the transcript's nonce (its message is
    /// then the transcript's); `<response/>` becomes ours for our server's challenge.
    pub fn rewrite(&mut self, unit: &Unit) -> Result<Option<String>, String> {
        match sasl(unit) {
            Some(Sasl::Auth {
                data: Some(first), ..
            }) => {
                let nonce = client_nonce(&first).ok_or("no nonce in client-first")?;
                let (client, message) = ScramClient::start_with_nonce(
                    self.hash,
                    Gs2Binding::NotSupported,
                    &self.credentials,
                    ScramClientOptions::new(),
                    &nonce,
                )
                .map_err(|e| e.to_string())?;
                if message != first {
                    return Err("our SCRAM client-first differs from the transcript's".into());
                }
                self.client = Some(client.with_cache(cache()));
                Ok(None)
            }
            Some(Sasl::Response(_)) => {
                let response = self
                    .response
                    .take()
                    .ok_or("a SCRAM response before our server's challenge")?;
                Ok(Some(format!(
                    "<response xmlns='{}'>{}</response>",
                    ns::XMPP_SASL,
                    STANDARD.encode(response)
                )))
            }
            _ => Ok(None),
        }
    }

    /// Follows a unit our server wrote (`ours`, with the transcript's `expected`):
    /// answers a challenge — whose salt and iteration count must be the
    /// transcript's — and verifies the signature in `<success/>`.
    pub fn observe(&mut self, expected: &Unit, ours: &Unit) -> Result<(), String> {
        let Some(client) = &mut self.client else {
            return Ok(());
        };
        match (sasl(expected), sasl(ours)) {
            (Some(Sasl::Challenge(Some(want))), Some(Sasl::Challenge(Some(got)))) => {
                for attr in ["s", "i"] {
                    if attribute(&want, attr) != attribute(&got, attr) {
                        return Err(format!(
                            "server-first {attr}= differs from the transcript's"
                        ));
                    }
                }
                self.response = Some(client.respond(&got).map_err(|e| e.to_string())?);
                Ok(())
            }
            (Some(Sasl::Success(_)), Some(Sasl::Success(data))) => {
                client
                    .finish(data.as_deref())
                    .map_err(|e| format!("our server's SCRAM signature: {e}"))?;
                self.verified = true;
                store_cache(client.take_cache());
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
