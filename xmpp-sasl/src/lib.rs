//! IO-free SASL for XMPP: PLAIN, SCRAM-SHA-1/-256/-512 with and without channel binding
//! (`-PLUS`), and the historic DIGEST-MD5, as client and server step machines.
//!
//! The machines take and produce raw SASL messages; the XMPP core does the XML and the
//! base64 (helpers: [`encode_payload`], [`decode_payload`]). Nothing here reads a clock,
//! draws randomness (nonces come from an injected [`Entropy`]) or performs IO.
//!
//! * Client: [`ClientPolicy::select`] picks a mechanism and channel-binding flag from the
//!   server's offer; [`SaslClient`] runs it and verifies the server's proof (constant time)
//!   before reporting success.
//! * Server: [`ServerConfig`] says what to offer ([`ServerConfig::offered_mechanisms`],
//!   [`ServerConfig::offered_channel_binding_types`]); [`SaslServer`] runs one exchange and
//!   asks for credentials with [`ServerStep::NeedCredentials`], answered later by
//!   [`SaslServer::provide`] — so the credential store may be asynchronous.
//! * Every failure is a [`SaslError`] whose [`condition`](SaslError::condition) is the
//!   RFC 6120 §6.5 [`SaslCondition`] to send.
//!
//! ```
//! use xmpp_sasl::*;
//! # fn main() -> Result<(), SaslError> {
//! let mut entropy = InsecureSeededEntropy::new(42); // tests only: use an OS-backed Entropy
//! let config = ServerConfig::new(true);
//! let offered: Vec<&str> = config.offered_mechanisms().iter().map(|m| m.name()).collect();
//! let info = ConnectionInfo { tls_established: true, channel_bindings: &[], server_binding_types: None };
//! let selection = ClientPolicy::new().select(&offered, &info)?;
//!
//! let creds = ClientCredentials::new("juliet", "r0m30myr0m30");
//! let (mut client, initial) = SaslClient::start(
//!     &selection, &creds, &ClientOptions::default(), SaltedPasswordCache::new(), &mut entropy)?;
//! let mut server = SaslServer::start(&config, selection.mechanism.name(), &mut entropy)?;
//! let mut step = server.initial(initial.as_deref())?;
//! loop {
//!     step = match step {
//!         ServerStep::NeedCredentials(request) => {
//!             assert_eq!(request.authcid, "juliet");
//!             server.provide(CredentialAnswer::Found(Account::with_password("r0m30myr0m30")))?
//!         }
//!         ServerStep::Challenge(challenge) => server.respond(&client.respond(&challenge)?)?,
//!         ServerStep::Success(success) => {
//!             client.finish(success.additional_data.as_deref())?;
//!             break;
//!         }
//!         _ => unreachable!(),
//!     };
//! }
//! # Ok(())
//! # }
//! ```

mod channel_binding;
mod client;
mod condition;
mod credentials;
pub mod digest_md5;
mod encoding;
mod end_point;
mod entropy;
mod error;
mod mechanism;
pub mod plain;
mod saslprep;
pub mod scram;
mod secret;
mod select;
mod server;

pub use channel_binding::{ChannelBinding, ChannelBindingType, Gs2Binding};
pub use client::{ClientOptions, SaslClient};
pub use condition::SaslCondition;
pub use credentials::{
    Account, AccountStatus, ClientCredentials, CredentialAnswer, CredentialRequest, Preparation,
};
pub use encoding::{MAX_MESSAGE_LEN, decode_payload, encode_payload};
pub use end_point::{TLS_EXPORTER_LABEL, TLS_EXPORTER_LEN, tls_server_end_point};
pub use entropy::{Entropy, InsecureSeededEntropy};
pub use error::{Field, Malformation, MessageKind, Parameter, SaslError};
pub use mechanism::Mechanism;
pub use saslprep::{SaslprepError, saslprep, saslprep_query};
pub use scram::SaltedPasswordCache;
pub use scram::ScramServerError;
pub use secret::Password;
pub use select::{ClientPolicy, ConnectionInfo, Selection};
pub use server::{SaslServer, ServerConfig, ServerStep, ServerSuccess};
