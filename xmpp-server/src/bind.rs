//! Resource binding (RFC 6120 §7) as the router decides it: the account, the
//! resource (requested and prepared, or generated from the injected entropy), the
//! per-account limit, and the conflict policy — the new session wins and the old
//! one is closed with the `conflict` stream error (§7.7.2.2).

use xmpp_jid::FullJid;
use xmpp_sasl::Entropy;
use xmpp_stanza::{StanzaErrorCondition, StreamError, StreamErrorCondition};

use crate::hub::Hub;
use crate::ids::SessionId;

/// Random bytes in a server-generated resource (hex-encoded).
const RESOURCE_BYTES: usize = 8;
/// Attempts at a fresh generated resource before giving up.
const RESOURCE_ATTEMPTS: usize = 8;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Hub {
    /// Decides a bind request of `session`, authenticated as `username`.
    pub(crate) fn bind(
        &mut self,
        session: SessionId,
        username: &str,
        resource: Option<&str>,
        entropy: &mut dyn Entropy,
    ) -> Result<FullJid, StanzaErrorCondition> {
        let fail = |c| c;
        let user = self
            .account_jid(username)
            .map_err(|_| fail(StanzaErrorCondition::NotAuthorized))?;
        if !self.exists(&user) {
            return Err(fail(StanzaErrorCondition::NotAuthorized));
        }
        let jid = match resource {
            // §7.7.2.1: a resource that does not prepare is a bad request.
            Some(r) => user
                .with_resource(r)
                .map_err(|_| fail(StanzaErrorCondition::BadRequest))?,
            None => (0..RESOURCE_ATTEMPTS)
                .find_map(|_| {
                    let mut bytes = [0u8; RESOURCE_BYTES];
                    entropy.fill(&mut bytes);
                    user.with_resource(&hex(&bytes))
                        .ok()
                        .filter(|j| self.sessions.bound(j).is_none())
                })
                .ok_or_else(|| fail(StanzaErrorCondition::InternalServerError))?,
        };
        let replaced = self.sessions.bound(&jid).filter(|old| *old != session);
        let count = self
            .sessions
            .resource_count(&user)
            .saturating_sub(usize::from(replaced.is_some()));
        if count >= self.config.limits.max_resources_per_account {
            // §7.6.2.1.
            return Err(fail(StanzaErrorCondition::ResourceConstraint));
        }
        if let Some(old) = replaced {
            self.close_session(old, StreamError::new(StreamErrorCondition::Conflict));
        }
        self.sessions.bind(session, jid.clone());
        Ok(jid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_resources() {
        assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
    }
}
