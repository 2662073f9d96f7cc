//! [`AuthGate`]: password guessing is throttled across connections. Every
//! credential request is held for the delay the IO-free
//! [`AuthThrottle`](xmpp_server::AuthThrottle) gives for its source address and
//! claimed account, before the router sees it — successes and failures alike, so
//! that the delay reveals nothing; failed and successful attempts
//! (`ServerEvent::AuthFailed`, `Authenticated`) feed it. Unknown accounts are
//! treated like known ones: the throttle is never told which exist.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Instant;

use xmpp_core::ServerEvent;
use xmpp_jid::BareJid;
use xmpp_server::{AuthThrottle, AuthThrottleConfig, SessionId};

/// The throttle, the source address of each session, and the held requests.
#[derive(Debug)]
pub(crate) struct AuthGate {
    throttle: AuthThrottle,
    domain: String,
    addrs: BTreeMap<SessionId, IpAddr>,
    /// Credential requests held until their time (at most one per session: the
    /// core asks once per exchange).
    held: BTreeMap<(Instant, SessionId), ServerEvent>,
}

impl AuthGate {
    pub(crate) fn new(domain: &str, config: AuthThrottleConfig) -> AuthGate {
        AuthGate {
            throttle: AuthThrottle::new(config),
            domain: domain.to_owned(),
            addrs: BTreeMap::new(),
            held: BTreeMap::new(),
        }
    }

    /// A connection from `addr` was accepted.
    pub(crate) fn handle_open(&mut self, session: SessionId, addr: IpAddr) {
        self.addrs.insert(session, addr);
    }

    /// The connection ended: its held request is dropped.
    pub(crate) fn handle_closed(&mut self, session: SessionId) {
        self.addrs.remove(&session);
        self.held.retain(|(_, s), _| *s != session);
    }

    /// The account an authentication identity names on this server.
    fn account(&self, authcid: Option<&str>) -> Option<BareJid> {
        BareJid::from_parts(authcid, &self.domain).ok()
    }

    /// An event of `session`: returned to pass on now, or held (`None`).
    pub(crate) fn handle_event(
        &mut self,
        now: Instant,
        session: SessionId,
        event: ServerEvent,
    ) -> Option<ServerEvent> {
        let Some(addr) = self.addrs.get(&session).copied() else {
            return Some(event);
        };
        match &event {
            ServerEvent::CredentialsRequested { authcid, .. } => {
                let account = self.account(Some(authcid));
                let delay = self.throttle.delay(now, addr, account.as_ref());
                if !delay.is_zero()
                    && let Some(at) = now.checked_add(delay)
                {
                    self.held.insert((at, session), event);
                    return None;
                }
            }
            // A refusal of the channel-binding flag comes before any password check:
            // not a guess.
            ServerEvent::AuthFailed { authcid, error, .. }
                if !error.is_channel_binding_refusal() =>
            {
                let account = self.account(authcid.as_deref());
                self.throttle.handle_failure(now, addr, account.as_ref());
            }
            ServerEvent::Authenticated { jid, .. } => {
                self.throttle.handle_success(now, addr, jid);
            }
            _ => {}
        }
        Some(event)
    }

    /// The held requests whose time has come, in order; and old records forgotten.
    pub(crate) fn handle_timeout(&mut self, now: Instant) -> Vec<(SessionId, ServerEvent)> {
        self.throttle.handle_timeout(now);
        let later = self.held.split_off(&(now, SessionId(u64::MAX)));
        let due = std::mem::replace(&mut self.held, later);
        due.into_iter()
            .map(|((_, session), e)| (session, e))
            .collect()
    }
}
