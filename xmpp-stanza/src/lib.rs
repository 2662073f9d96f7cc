//! XML elements and typed stanzas for XMPP (RFC 6120 / RFC 6121).
//!
//! # The XML layer
//!
//! * [`Element`] is an owned, namespace-resolved element tree ([`Node`],
//!   [`Attribute`]); strings are [`CompactStr`] (short ones inline) and namespaces
//!   [`Namespace`] (well-known ones interned), so building a tree allocates little.
//! * [`TreeBuilder`] (or [`parse_element`]) builds one complete element from a
//!   `&str`, resolved against an [`NsContext`] such as the stream header's
//!   (`xmlns='jabber:client'`, `xmlns:stream`). It checks what the `xmlparser`
//!   tokenizer does not — matching end tags, unique attributes, declared prefixes,
//!   references — and refuses comments, processing instructions, DTDs and every
//!   entity but the five predefined ones (RFC 6120 §11.1). A [`ParseError`] names the
//!   [`XmlRule`] broken, the byte offset, and the [`StreamErrorCondition`] it maps to.
//! * [`Element::write_to`] serializes relative to a context, so stanzas carry no
//!   namespace declarations the stream header already made.
//!
//! ```
//! use xmpp_stanza::{NsContext, TreeBuilder};
//!
//! let ctx = NsContext::client();
//! let mut builder = TreeBuilder::new();
//! let input = "<message to='romeo@example.net' type='chat'><body>Wherefore?</body></message>";
//! let el = builder.build(input, &ctx).unwrap();
//! let mut out = Vec::new();
//! el.write_to(&mut out, &ctx).unwrap();
//! assert_eq!(out, input.as_bytes());
//! ```
//!
//! # Typed stanzas and nonzas
//!
//! [`Message`], [`Presence`] and [`Iq`] (and [`Stanza`], any of them) convert from
//! and to [`Element`] without losing anything they do not model: unknown attributes
//! and payload elements are kept and written back. Invalid input is an error naming
//! the [`Problem`] and the [`StanzaErrorCondition`] to answer with. The negotiation
//! elements (stream features, STARTTLS, SASL, bind, legacy session), stream and
//! stanza errors and the roster, blocking and privacy payloads have types too.

mod bind;
mod blocking;
mod builder;
mod condition;
mod context;
mod convert;
mod element;
mod error;
mod features;
mod iq;
mod message;
pub mod ns;
mod presence;
mod privacy;
mod reference;
mod roster;
mod sasl;
mod stanza;
mod stanza_error;
mod stanza_parts;
mod starttls;
mod stream_error;
mod text;
mod tokenizer;
mod writer;

pub use crate::bind::{Bind, Session};
pub use crate::blocking::Blocking;
pub use crate::builder::{Limits, OpenElement, TreeBuilder, parse_element};
pub use crate::context::{NsContext, PrefixBinding};
pub use crate::convert::{InvalidElement, LangText, Problem};
pub use crate::element::{Attribute, Element, Node, is_xml_whitespace};
pub use crate::error::{Construct, ParseError, SerializeError, XmlRule};
pub use crate::features::{SessionFeature, StartTlsFeature, StreamFeatures};
pub use crate::iq::{Iq, IqPayload};
pub use crate::message::{Message, MessageType, Thread};
pub use crate::ns::Namespace;
pub use crate::presence::{Presence, PresenceType, Show};
pub use crate::privacy::{Privacy, PrivacyItem, PrivacyItemType, PrivacyList, PrivacyStanzas};
pub use crate::roster::{Roster, RosterItem, Subscription};
pub use crate::sasl::{Sasl, SaslCondition, SaslData, SaslFailure};
pub use crate::stanza::{InvalidStanza, Stanza};
pub use crate::stanza_error::{
    ErrorType, StanzaError, StanzaErrorCondition, error_reply, may_answer_with_error,
};
pub use crate::starttls::StartTls;
pub use crate::stream_error::{StreamError, StreamErrorCondition};
pub use crate::text::CompactStr;
pub use crate::tokenizer::{TokenizerKind, XmlDeclaration, parse_xml_declaration};
