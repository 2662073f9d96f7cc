//! Test support shared by the workspace's test suites (not published). It replaces
//! the `#[path]` includes across crates: each suite depends on this crate instead.
//!
//! | module | job |
//! |---|---|
//! | [`processes`] | test certificates, the `xmppd` binary as a child process, harness tools |
//! | [`inproc`] | the server host in-process with test accounts, and our client logged in |
//! | [`example_args`] | the `--name value` options of the adapters' `send` and `echo` examples |
//! | [`buddy`] | the two-user IM scenario, generic over the runtime, and its expected trace |
//! | [`loopback`] | the adapter suite, generic over [`loopback::TestRuntime`] (tokio and smol implement it here, behind the features of the same names) |
//! | `raw` | a raw misbehaving client (feature `tokio`) |
//!
//! Panics are how tests fail, so this crate may unwrap.

#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

pub mod buddy;
pub mod example_args;
pub mod inproc;
pub mod loopback;
pub mod processes;
#[cfg(feature = "tokio")]
pub mod raw;
mod runtimes;
