//! XMPP addresses (JIDs): parsing, preparation and comparison.
//!
//! A JID is `[localpart@]domainpart[/resourcepart]`. Before two JIDs can be compared,
//! each part must be *prepared*: case-mapped, normalised, and checked against the
//! characters its profile allows. This crate does that under either of the two
//! standard profiles and keeps the result as one normalised string:
//!
//! | part | [`Profile::Rfc6122`] (default) | [`Profile::Rfc7622`] |
//! |---|---|---|
//! | localpart | nodeprep (stringprep, Unicode 3.2) | PRECIS UsernameCaseMapped + `"&'/:<>@` prohibited |
//! | domainpart | nameprep per label + IDNA2003 STD3 rules | IDNA2008 (RFC 5895 mapping, U-labels) |
//! | resourcepart | resourceprep (NFKC) | PRECIS OpaqueString (NFC) |
//!
//! Both profiles share the structure rules: the first `/` starts the resourcepart
//! (which may contain `@` and `/`), the first `@` before it ends the localpart, a
//! part that is present must be 1..=1023 bytes after preparation, one trailing dot of
//! the domainpart is dropped, labels are split on `.` U+3002 U+FF0E U+FF61 and hold at
//! most 63 octets, and the domainpart may be an IPv4 address or a bracketed IPv6 one.
//!
//! # Which profile?
//!
//! * **RFC 6122** is what deployed servers (ejabberd, Prosody, Openfire, …) use, and so
//!   the default: choose it to agree with them on which account an address names.
//!   Stringprep is frozen at Unicode 3.2, so newer characters are rejected.
//! * **RFC 7622** (which obsoletes RFC 6122) follows current Unicode and is stricter in
//!   localparts: symbols, compatibility characters (`Ⅸ`) and default-ignorables are
//!   rejected rather than mapped, `ß` and `ς` are kept, and resourceparts keep
//!   compatibility characters (NFC, not NFKC). Choose it for new deployments that
//!   control both ends, or to validate against the current standard.
//!
//! The two can disagree about the same input (`fußball` is `fussball` under RFC 6122
//! and `fußball` under RFC 7622), so a deployment should use one profile throughout.
//!
//! # Types
//!
//! [`Jid`] is any JID; [`BareJid`] never has a resourcepart and [`FullJid`] always has
//! one, so a function that needs a full JID cannot be handed a bare one. All three
//! compare, hash and order by the normalised string, and [`Display`](core::fmt::Display)
//! shows it.
//!
//! ```
//! use xmpp_jid::{BareJid, FullJid, Jid, Profile};
//!
//! let jid = Jid::new("Romeo@Example.NET/Orchard").unwrap();
//! assert_eq!(jid.as_str(), "romeo@example.net/Orchard");
//!
//! let full: FullJid = jid.try_into_full().unwrap();
//! let bare: BareJid = full.to_bare();
//! assert_eq!(bare, BareJid::new("romeo@example.net").unwrap());
//!
//! let precis = Jid::parse_with("\u{3c2}@example.com", Profile::Rfc7622).unwrap();
//! assert_eq!(precis.node(), Some("\u{3c2}"));
//! ```
//!
//! # Speed
//!
//! All-ASCII parts take an exact fast path (see [`prep`]) that does no stringprep or
//! PRECIS work; parsing such a JID allocates exactly once, for the normalised string.
//!
//! # Errors
//!
//! Parsing never panics; a rejected input gets a [`JidError`] naming the part and the
//! rule it broke.
//!
//! # Features
//!
//! * `serde` — `Serialize`/`Deserialize` for the three JID types, as strings
//!   (deserialisation uses the default profile).

mod bare;
mod error;
mod full;
mod impls;
mod jid;
pub mod prep;
mod profile;
pub mod profiles;
#[cfg(feature = "serde")]
mod serde_impl;

pub use crate::bare::BareJid;
pub use crate::error::{JidError, JidPart};
pub use crate::full::FullJid;
pub use crate::jid::Jid;
pub use crate::profile::Profile;
