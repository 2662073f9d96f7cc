//! Fuzz target: arbitrary bytes through `xmpp_core::StreamReader` (see `../check.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../check.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
