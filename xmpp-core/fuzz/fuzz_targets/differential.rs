//! Fuzz target: arbitrary bytes through two `xmpp_core::StreamReader`s, on the fast
//! tokenizer and on the `xmlparser` reference, which must agree (see
//! `../differential.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../differential.rs"]
mod differential;

fuzz_target!(|data: &[u8]| differential::check(data));
