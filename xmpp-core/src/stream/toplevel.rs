//! Checks on top-level elements that XML alone does not make: which elements may
//! appear as first-level children of the stream (RFC 6120 §4.9.3.24).

use xmpp_stanza::{Element, Namespace};

use super::error::ReadErrorKind;

/// Checks a complete top-level element against the stream's content namespace:
/// in the content namespace only `message`, `presence` and `iq` (the stanzas); in
/// the stream namespace only `features` and `error`; in any other namespace
/// anything (nonzas such as STARTTLS, SASL or stream management elements — which of
/// them fit the negotiation state is the connection's business). An element in no
/// namespace at all is refused.
pub(crate) fn check(element: &Element, content_ns: &Namespace) -> Result<(), ReadErrorKind> {
    let ns = element.ns();
    if ns.is_none() {
        return Err(ReadErrorKind::UnqualifiedElement);
    }
    let allowed: &[&str] = if ns == content_ns {
        &["message", "presence", "iq"]
    } else if *ns == Namespace::STREAM {
        &["features", "error"]
    } else {
        return Ok(());
    };
    if allowed.contains(&element.name()) {
        Ok(())
    } else {
        Err(ReadErrorKind::UnsupportedStanzaType)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(name: &str, ns: &str) -> Element {
        Element::new(name.to_owned(), Namespace::intern(ns))
    }

    #[test]
    fn stanzas_and_nonzas() {
        let client = Namespace::CLIENT;
        for name in ["message", "presence", "iq"] {
            assert_eq!(check(&el(name, "jabber:client"), &client), Ok(()));
        }
        assert_eq!(
            check(&el("features", xmpp_stanza::ns::STREAM), &client),
            Ok(())
        );
        assert_eq!(
            check(&el("error", xmpp_stanza::ns::STREAM), &client),
            Ok(())
        );
        assert_eq!(
            check(&el("starttls", xmpp_stanza::ns::XMPP_TLS), &client),
            Ok(())
        );
        assert_eq!(check(&el("r", "urn:xmpp:sm:3"), &client), Ok(()));
    }

    #[test]
    fn refused() {
        let client = Namespace::CLIENT;
        assert_eq!(
            check(&el("foo", "jabber:client"), &client),
            Err(ReadErrorKind::UnsupportedStanzaType)
        );
        assert_eq!(
            check(&el("stream", xmpp_stanza::ns::STREAM), &client),
            Err(ReadErrorKind::UnsupportedStanzaType)
        );
        assert_eq!(
            check(&el("message", ""), &client),
            Err(ReadErrorKind::UnqualifiedElement)
        );
        // On a server-to-server stream the stanzas are in jabber:server.
        assert_eq!(
            check(&el("presence", "jabber:server"), &Namespace::SERVER),
            Ok(())
        );
        assert_eq!(
            check(&el("db", "jabber:server"), &Namespace::SERVER),
            Err(ReadErrorKind::UnsupportedStanzaType)
        );
    }
}
