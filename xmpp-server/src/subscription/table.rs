//! The subscription state machine of RFC 6121 Appendix A as pure, table-driven
//! functions: the nine states of A.1 ([`SubState`]), server processing of outbound
//! subscription stanzas (A.2, [`outbound`]) and of inbound ones (A.3,
//! [`inbound`]). Pre-approval (RFC 6121 §3.4) is layered on top by the caller,
//! as the RFC does.

/// The four subscription-related presence types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubKind {
    /// `subscribe`: request.
    Subscribe,
    /// `subscribed`: approval.
    Subscribed,
    /// `unsubscribe`: unsubscribing from the other's presence.
    Unsubscribe,
    /// `unsubscribed`: denial or cancellation.
    Unsubscribed,
}

/// A subscription state from the user's point of view (RFC 6121 Appendix A.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubState {
    /// "None".
    None,
    /// "None + Pending Out": the user asked, the contact has not answered.
    NonePendingOut,
    /// "None + Pending In": the contact asked, the user has not answered.
    NonePendingIn,
    /// "None + Pending Out/In".
    NonePendingOutIn,
    /// "To": the user receives the contact's presence.
    To,
    /// "To + Pending In".
    ToPendingIn,
    /// "From": the contact receives the user's presence.
    From,
    /// "From + Pending Out".
    FromPendingOut,
    /// "Both".
    Both,
}

impl SubState {
    /// Every state, in the order the RFC tables list them.
    pub const ALL: [SubState; 9] = [
        SubState::None,
        SubState::NonePendingOut,
        SubState::NonePendingIn,
        SubState::NonePendingOutIn,
        SubState::To,
        SubState::ToPendingIn,
        SubState::From,
        SubState::FromPendingOut,
        SubState::Both,
    ];

    /// The state with these flags. Combinations the RFC does not define collapse
    /// (a pending request in a direction that is already subscribed is ignored).
    pub fn from_flags(to: bool, from: bool, pending_out: bool, pending_in: bool) -> SubState {
        match (to, from) {
            (true, true) => SubState::Both,
            (true, false) if pending_in => SubState::ToPendingIn,
            (true, false) => SubState::To,
            (false, true) if pending_out => SubState::FromPendingOut,
            (false, true) => SubState::From,
            (false, false) => match (pending_out, pending_in) {
                (false, false) => SubState::None,
                (true, false) => SubState::NonePendingOut,
                (false, true) => SubState::NonePendingIn,
                (true, true) => SubState::NonePendingOutIn,
            },
        }
    }

    /// The user receives the contact's presence.
    pub fn to(self) -> bool {
        matches!(self, SubState::To | SubState::ToPendingIn | SubState::Both)
    }

    /// The contact receives the user's presence.
    pub fn from(self) -> bool {
        matches!(
            self,
            SubState::From | SubState::FromPendingOut | SubState::Both
        )
    }

    /// The user's request is pending.
    pub fn pending_out(self) -> bool {
        matches!(
            self,
            SubState::NonePendingOut | SubState::NonePendingOutIn | SubState::FromPendingOut
        )
    }

    /// The contact's request is pending.
    pub fn pending_in(self) -> bool {
        matches!(
            self,
            SubState::NonePendingIn | SubState::NonePendingOutIn | SubState::ToPendingIn
        )
    }
}

/// What the user's server does with an outbound subscription stanza (A.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outbound {
    /// Route the stanza to the contact.
    pub route: bool,
    /// The state afterwards.
    pub next: SubState,
}

/// What the user's server does with an inbound subscription stanza (A.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inbound {
    /// Deliver the stanza to the user.
    pub deliver: bool,
    /// The state afterwards.
    pub next: SubState,
    /// Rows marked "no *" in A.3.1: the server answers a `subscribe` from a contact
    /// that is already subscribed with `subscribed` on the user's behalf (§3.1.3).
    pub auto_reply_subscribed: bool,
}

/// RFC 6121 A.2: the user sends `kind` to a contact while in `state`.
pub fn outbound(state: SubState, kind: SubKind) -> Outbound {
    use SubState as S;
    let (route, next) = match kind {
        // A.2.1: always routed.
        SubKind::Subscribe => (
            true,
            match state {
                S::None => S::NonePendingOut,
                S::NonePendingIn => S::NonePendingOutIn,
                S::From => S::FromPendingOut,
                other => other,
            },
        ),
        // A.2.2: always routed.
        SubKind::Unsubscribe => (
            true,
            match state {
                S::NonePendingOut | S::To => S::None,
                S::NonePendingOutIn | S::ToPendingIn => S::NonePendingIn,
                S::FromPendingOut | S::Both => S::From,
                other => other,
            },
        ),
        // A.2.3: routed only when it answers a pending request.
        SubKind::Subscribed => match state {
            S::NonePendingIn => (true, S::From),
            S::NonePendingOutIn => (true, S::FromPendingOut),
            S::ToPendingIn => (true, S::Both),
            other => (false, other),
        },
        // A.2.4: routed when it denies a request or cancels a subscription.
        SubKind::Unsubscribed => match state {
            S::NonePendingIn => (true, S::None),
            S::NonePendingOutIn => (true, S::NonePendingOut),
            S::ToPendingIn => (true, S::To),
            S::From => (true, S::None),
            S::FromPendingOut => (true, S::NonePendingOut),
            S::Both => (true, S::To),
            other => (false, other),
        },
    };
    Outbound { route, next }
}

/// RFC 6121 A.3: a contact's `kind` arrives for the user while in `state`.
pub fn inbound(state: SubState, kind: SubKind) -> Inbound {
    use SubState as S;
    let (deliver, next) = match kind {
        // A.3.1
        SubKind::Subscribe => match state {
            S::None => (true, S::NonePendingIn),
            S::NonePendingOut => (true, S::NonePendingOutIn),
            S::To => (true, S::ToPendingIn),
            other => (false, other),
        },
        // A.3.2
        SubKind::Unsubscribe => match state {
            S::NonePendingIn => (true, S::None),
            S::NonePendingOutIn => (true, S::NonePendingOut),
            S::ToPendingIn => (true, S::To),
            S::From => (true, S::None),
            S::FromPendingOut => (true, S::NonePendingOut),
            S::Both => (true, S::To),
            other => (false, other),
        },
        // A.3.3
        SubKind::Subscribed => match state {
            S::NonePendingOut => (true, S::To),
            S::NonePendingOutIn => (true, S::ToPendingIn),
            S::FromPendingOut => (true, S::Both),
            other => (false, other),
        },
        // A.3.4
        SubKind::Unsubscribed => match state {
            S::NonePendingOut => (true, S::None),
            S::NonePendingOutIn => (true, S::NonePendingIn),
            S::To => (true, S::None),
            S::ToPendingIn => (true, S::NonePendingIn),
            S::FromPendingOut => (true, S::From),
            S::Both => (true, S::From),
            other => (false, other),
        },
    };
    let auto_reply_subscribed =
        kind == SubKind::Subscribe && matches!(state, S::From | S::FromPendingOut | S::Both);
    Inbound {
        deliver,
        next,
        auto_reply_subscribed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubState as S;

    /// One row: existing state, route/deliver, new state (`None` = "no state change").
    type Row = (SubState, bool, Option<SubState>);

    fn check_out(kind: SubKind, rows: [Row; 9]) {
        for (i, (state, route, next)) in rows.into_iter().enumerate() {
            assert_eq!(state, S::ALL[i], "rows follow the RFC order");
            let got = outbound(state, kind);
            assert_eq!(got.route, route, "{kind:?} from {state:?}: route");
            assert_eq!(got.next, next.unwrap_or(state), "{kind:?} from {state:?}");
        }
    }

    fn check_in(kind: SubKind, rows: [Row; 9]) {
        for (i, (state, deliver, next)) in rows.into_iter().enumerate() {
            assert_eq!(state, S::ALL[i], "rows follow the RFC order");
            let got = inbound(state, kind);
            assert_eq!(got.deliver, deliver, "{kind:?} from {state:?}: deliver");
            assert_eq!(got.next, next.unwrap_or(state), "{kind:?} from {state:?}");
        }
    }

    #[test]
    fn a_2_1_outbound_subscribe() {
        check_out(
            SubKind::Subscribe,
            [
                (S::None, true, Some(S::NonePendingOut)),
                (S::NonePendingOut, true, None),
                (S::NonePendingIn, true, Some(S::NonePendingOutIn)),
                (S::NonePendingOutIn, true, None),
                (S::To, true, None),
                (S::ToPendingIn, true, None),
                (S::From, true, Some(S::FromPendingOut)),
                (S::FromPendingOut, true, None),
                (S::Both, true, None),
            ],
        );
    }

    #[test]
    fn a_2_2_outbound_unsubscribe() {
        check_out(
            SubKind::Unsubscribe,
            [
                (S::None, true, None),
                (S::NonePendingOut, true, Some(S::None)),
                (S::NonePendingIn, true, None),
                (S::NonePendingOutIn, true, Some(S::NonePendingIn)),
                (S::To, true, Some(S::None)),
                (S::ToPendingIn, true, Some(S::NonePendingIn)),
                (S::From, true, None),
                (S::FromPendingOut, true, Some(S::From)),
                (S::Both, true, Some(S::From)),
            ],
        );
    }

    #[test]
    fn a_2_3_outbound_subscribed() {
        check_out(
            SubKind::Subscribed,
            [
                (S::None, false, None),
                (S::NonePendingOut, false, None),
                (S::NonePendingIn, true, Some(S::From)),
                (S::NonePendingOutIn, true, Some(S::FromPendingOut)),
                (S::To, false, None),
                (S::ToPendingIn, true, Some(S::Both)),
                (S::From, false, None),
                (S::FromPendingOut, false, None),
                (S::Both, false, None),
            ],
        );
    }

    #[test]
    fn a_2_4_outbound_unsubscribed() {
        check_out(
            SubKind::Unsubscribed,
            [
                (S::None, false, None),
                (S::NonePendingOut, false, None),
                (S::NonePendingIn, true, Some(S::None)),
                (S::NonePendingOutIn, true, Some(S::NonePendingOut)),
                (S::To, false, None),
                (S::ToPendingIn, true, Some(S::To)),
                (S::From, true, Some(S::None)),
                (S::FromPendingOut, true, Some(S::NonePendingOut)),
                (S::Both, true, Some(S::To)),
            ],
        );
    }

    #[test]
    fn a_3_1_inbound_subscribe() {
        check_in(
            SubKind::Subscribe,
            [
                (S::None, true, Some(S::NonePendingIn)),
                (S::NonePendingOut, true, Some(S::NonePendingOutIn)),
                (S::NonePendingIn, false, None),
                (S::NonePendingOutIn, false, None),
                (S::To, true, Some(S::ToPendingIn)),
                (S::ToPendingIn, false, None),
                (S::From, false, None),
                (S::FromPendingOut, false, None),
                (S::Both, false, None),
            ],
        );
        // The "no *" rows: auto-reply with `subscribed`.
        for state in S::ALL {
            let auto = inbound(state, SubKind::Subscribe).auto_reply_subscribed;
            assert_eq!(
                auto,
                matches!(state, S::From | S::FromPendingOut | S::Both),
                "{state:?}"
            );
        }
    }

    #[test]
    fn a_3_2_inbound_unsubscribe() {
        check_in(
            SubKind::Unsubscribe,
            [
                (S::None, false, None),
                (S::NonePendingOut, false, None),
                (S::NonePendingIn, true, Some(S::None)),
                (S::NonePendingOutIn, true, Some(S::NonePendingOut)),
                (S::To, false, None),
                (S::ToPendingIn, true, Some(S::To)),
                (S::From, true, Some(S::None)),
                (S::FromPendingOut, true, Some(S::NonePendingOut)),
                (S::Both, true, Some(S::To)),
            ],
        );
    }

    #[test]
    fn a_3_3_inbound_subscribed() {
        check_in(
            SubKind::Subscribed,
            [
                (S::None, false, None),
                (S::NonePendingOut, true, Some(S::To)),
                (S::NonePendingIn, false, None),
                (S::NonePendingOutIn, true, Some(S::ToPendingIn)),
                (S::To, false, None),
                (S::ToPendingIn, false, None),
                (S::From, false, None),
                (S::FromPendingOut, true, Some(S::Both)),
                (S::Both, false, None),
            ],
        );
    }

    #[test]
    fn a_3_4_inbound_unsubscribed() {
        check_in(
            SubKind::Unsubscribed,
            [
                (S::None, false, None),
                (S::NonePendingOut, true, Some(S::None)),
                (S::NonePendingIn, false, None),
                (S::NonePendingOutIn, true, Some(S::NonePendingIn)),
                (S::To, true, Some(S::None)),
                (S::ToPendingIn, true, Some(S::NonePendingIn)),
                (S::From, false, None),
                (S::FromPendingOut, true, Some(S::From)),
                (S::Both, true, Some(S::From)),
            ],
        );
    }

    #[test]
    fn flags_round_trip_for_every_defined_state() {
        for s in S::ALL {
            assert_eq!(
                SubState::from_flags(s.to(), s.from(), s.pending_out(), s.pending_in()),
                s
            );
        }
        // Undefined combinations collapse to a defined state.
        assert_eq!(SubState::from_flags(true, false, true, false), S::To);
        assert_eq!(SubState::from_flags(false, true, false, true), S::From);
    }
}
