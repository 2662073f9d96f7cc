//! Checks on top-level elements that XML alone does not make: which elements may
//! appear as first-level children of the stream (RFC 6120 §4.9.3.24), and in which
//! namespace a stanza must be (RFC 6120 §4.8.3).

use xmpp_stanza::{Element, Namespace};

use super::error::ReadErrorKind;

/// The stanza names (RFC 6120 §8): first-level elements of the content namespace.
const STANZAS: &[&str] = &["message", "presence", "iq"];

/// Checks a complete top-level element against the stream's content namespace:
/// in the content namespace only `message`, `presence` and `iq` (the stanzas); in
/// the stream namespace only `features` and `error`; a stanza name in any other
/// namespace is a stanza of a content namespace this stream does not carry; other
/// elements in other namespaces are let through (nonzas such as STARTTLS, SASL or
/// stream management elements — which of them fit the negotiation state is the
/// connection's business). An element in no namespace at all is refused.
pub(crate) fn check(element: &Element, content_ns: &Namespace) -> Result<(), ReadErrorKind> {
    let ns = element.ns();
    if ns.is_none() {
        return Err(ReadErrorKind::UnqualifiedElement);
    }
    let allowed: &[&str] = if ns == content_ns {
        STANZAS
    } else if *ns == Namespace::STREAM {
        &["features", "error"]
    } else if STANZAS.contains(&element.name()) {
        // RFC 6120 §4.8.3: a stream carries the stanzas of one content namespace
        // (`jabber:client` between a client and its server, in both directions;
        // `jabber:server` between servers), and an entity that receives a
        // first-level element qualified by a content namespace it does not support
        // closes the stream with <invalid-namespace/> (§4.9.3.10: "the content
        // namespace … is not supported"). So `<message xmlns='jabber:server'/>` on a
        // client stream — which a client MUST NOT send, and a server MUST NOT send
        // to a client — is that error, not <unsupported-stanza-type/> (§4.9.3.24, for
        // first-level elements of a namespace the entity does not understand).
        return Err(ReadErrorKind::StanzaNamespace);
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
        // Stream management's other first-level elements are no stanzas either.
        for name in ["enable", "enabled", "resume", "resumed", "a", "failed"] {
            assert_eq!(check(&el(name, "urn:xmpp:sm:3"), &client), Ok(()), "{name}");
        }
    }

    #[test]
    fn stanzas_of_another_content_namespace() {
        let client = Namespace::CLIENT;
        for name in ["message", "presence", "iq"] {
            for ns in ["jabber:server", "jabber:component:accept", "urn:example"] {
                assert_eq!(
                    check(&el(name, ns), &client),
                    Err(ReadErrorKind::StanzaNamespace),
                    "{name} in {ns}"
                );
            }
            // And the other way round between servers.
            assert_eq!(
                check(&el(name, "jabber:client"), &Namespace::SERVER),
                Err(ReadErrorKind::StanzaNamespace)
            );
        }
        // Only the three stanza names: other elements of those namespaces are what
        // they were (let through to the connection, which refuses what it does not
        // expect).
        assert_eq!(check(&el("result", "jabber:server"), &client), Ok(()));
        assert_eq!(
            check(&el("result", "jabber:server:dialback"), &client),
            Ok(())
        );
        // A stanza name in the stream namespace stays unsupported-stanza-type.
        assert_eq!(
            check(&el("message", xmpp_stanza::ns::STREAM), &client),
            Err(ReadErrorKind::UnsupportedStanzaType)
        );
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
