//! SCRAM (RFC 5802, RFC 7677): SHA-1, SHA-256 and SHA-512, with and without channel binding.
//!
//! [`ScramClient`] and [`ScramServer`] are the per-mechanism machines; most callers use them
//! through [`SaslClient`](crate::SaslClient) and [`SaslServer`](crate::SaslServer). Key
//! derivation helpers for credential stores are [`ScramKeys`] and [`SaltedPassword`].

mod cache;
mod client;
mod hash;
mod keys;
mod message;
mod primitives;
mod server;
mod server_error;

pub use cache::SaltedPasswordCache;
pub use client::{DEFAULT_MAX_ITERATIONS, DEFAULT_MIN_ITERATIONS, ScramClient, ScramClientOptions};
pub use hash::{ScramHash, hi};
pub use keys::{SaltedPassword, ScramKeys};
pub use server::ScramServer;
pub use server_error::ScramServerError;
