//! [`NsContext`]: the namespace scope an element is parsed in or written into.
//!
//! On an XMPP stream every stanza lives inside `<stream:stream xmlns='jabber:client'
//! xmlns:stream='http://etherx.jabber.org/streams' xml:lang='en'>`. The tree builder
//! resolves unprefixed names against the context's default namespace and prefixes
//! against its bindings; the serializer leaves out every declaration the context
//! already makes, so stanzas go on the wire without redeclarations.

use crate::ns::Namespace;
use crate::text::CompactStr;

/// One prefix binding of a context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixBinding {
    /// The prefix (never empty, never `xml` or `xmlns`).
    pub prefix: CompactStr,
    /// The namespace it is bound to.
    pub ns: Namespace,
    /// Whether content may not rebind the prefix to another namespace (the stream
    /// prefix: RFC 6120 §4.8.5). Rebinding it is an `invalid-namespace` error.
    pub fixed: bool,
}

/// A namespace context: default namespace, prefix bindings and inherited `xml:lang`.
///
/// ```
/// use xmpp_stanza::{NsContext, Namespace};
///
/// let ctx = NsContext::client();
/// assert_eq!(ctx.default_ns(), &Namespace::CLIENT);
/// assert_eq!(ctx.prefix_ns("stream"), Some(&Namespace::STREAM));
/// assert_eq!(ctx.prefix_for(&Namespace::STREAM), Some("stream"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NsContext {
    default_ns: Namespace,
    prefixes: Vec<PrefixBinding>,
    lang: Option<CompactStr>,
}

impl NsContext {
    /// A context with no default namespace, no bindings (other than the implicit `xml`
    /// prefix) and no language: what a standalone XML document starts with.
    pub fn empty() -> NsContext {
        NsContext::default()
    }

    /// A context whose default namespace is `ns`.
    pub fn with_default(ns: impl Into<Namespace>) -> NsContext {
        NsContext {
            default_ns: ns.into(),
            ..NsContext::default()
        }
    }

    /// The context of a client-to-server stream: default `jabber:client`, the fixed
    /// `stream` prefix.
    pub fn client() -> NsContext {
        NsContext::stream(Namespace::CLIENT)
    }

    /// The context of a server-to-server stream: default `jabber:server`, the fixed
    /// `stream` prefix.
    pub fn server() -> NsContext {
        NsContext::stream(Namespace::SERVER)
    }

    /// The context of a stream with content namespace `content_ns`.
    pub fn stream(content_ns: impl Into<Namespace>) -> NsContext {
        NsContext::with_default(content_ns).with_fixed_prefix("stream", Namespace::STREAM)
    }

    /// Adds (or replaces) a prefix binding.
    pub fn with_prefix(mut self, prefix: impl Into<CompactStr>, ns: impl Into<Namespace>) -> Self {
        self.bind(prefix.into(), ns.into(), false);
        self
    }

    /// Adds (or replaces) a prefix binding that content may not rebind.
    pub fn with_fixed_prefix(
        mut self,
        prefix: impl Into<CompactStr>,
        ns: impl Into<Namespace>,
    ) -> Self {
        self.bind(prefix.into(), ns.into(), true);
        self
    }

    /// Sets the inherited `xml:lang`.
    pub fn with_lang(mut self, lang: impl Into<CompactStr>) -> Self {
        self.lang = Some(lang.into());
        self
    }

    /// Sets the default namespace.
    pub fn set_default_ns(&mut self, ns: impl Into<Namespace>) {
        self.default_ns = ns.into();
    }

    /// Sets or clears the inherited `xml:lang`.
    pub fn set_lang(&mut self, lang: Option<CompactStr>) {
        self.lang = lang;
    }

    /// Adds or replaces a prefix binding.
    pub fn bind(&mut self, prefix: CompactStr, ns: Namespace, fixed: bool) {
        match self.prefixes.iter_mut().find(|b| b.prefix == prefix) {
            Some(b) => {
                b.ns = ns;
                b.fixed = fixed;
            }
            None => self.prefixes.push(PrefixBinding { prefix, ns, fixed }),
        }
    }

    /// The default namespace ([`Namespace::NONE`] if none).
    pub fn default_ns(&self) -> &Namespace {
        &self.default_ns
    }

    /// The inherited `xml:lang`, if any.
    pub fn lang(&self) -> Option<&str> {
        self.lang.as_deref()
    }

    /// The prefix bindings, in the order they were made.
    pub fn prefixes(&self) -> &[PrefixBinding] {
        &self.prefixes
    }

    /// The namespace bound to `prefix` (`xml` is always bound).
    pub fn prefix_ns(&self, prefix: &str) -> Option<&Namespace> {
        if prefix == "xml" {
            return Some(&Namespace::XML);
        }
        self.prefixes
            .iter()
            .find(|b| b.prefix == prefix)
            .map(|b| &b.ns)
    }

    /// The binding of `prefix`, if the context makes one.
    pub fn binding(&self, prefix: &str) -> Option<&PrefixBinding> {
        self.prefixes.iter().find(|b| b.prefix == prefix)
    }

    /// A prefix bound to `ns`, if any (the first one bound).
    pub fn prefix_for(&self, ns: &Namespace) -> Option<&str> {
        if *ns == Namespace::XML {
            return Some("xml");
        }
        self.prefixes
            .iter()
            .find(|b| b.ns == *ns)
            .map(|b| b.prefix.as_str())
    }
}
