//! DIGEST-MD5 (RFC 2831) with `qop=auth`: **historic**.
//!
//! RFC 6331 moved DIGEST-MD5 to Historic: MD5 is weak, the server must store the password
//! (or an equivalent), and there is no channel binding. It is complete here for old servers
//! and for RFC 3920-era transcripts, but [`ClientPolicy`](crate::ClientPolicy) never picks it
//! and [`ServerConfig`](crate::ServerConfig) never offers it unless explicitly enabled.
//! Integrity and confidentiality layers (`auth-int`, `auth-conf`) are not implemented.

mod client;
mod compute;
mod directives;
mod server;

pub use client::DigestMd5Client;
pub use server::DigestMd5Server;
