#!/usr/bin/env bash
# Runs every check CI runs, on a fresh machine that has only the Rust toolchain:
# format, clippy (-D warnings), docs (-D warnings), all tests, the RFC vector
# suites, and the interop suites against real servers and clients (installed from
# Debian when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "cargo test"
cargo test --workspace --locked

step "RFC vector suites"
cargo build --release --locked -p conformance
runner=target/release/conformance
vectors=conformance/vectors
"$runner" jid "$vectors/jid.json"
"$runner" stringprep "$vectors/stringprep.json"
"$runner" jid "$vectors/extra/jid.json"
"$runner" stringprep "$vectors/extra/stringprep.json"
"$runner" bad-xml "$vectors/bad-xml"
"$runner" sasl "$vectors/sasl.json"
"$runner" sasl "$vectors/extra/sasl.json"
"$runner" stanzas "$vectors"/stanzas/*.xml
"$runner" transcripts "$vectors"/transcripts/*.txt
"$runner" sessions
"$runner" pair --seed 1 --chunk 7 | tail -n 1

step "interop: xmpp-tokio and xmpp-smol against real Prosody and ejabberd"
# install.sh installs the Debian packages when missing (root or sudo -n); the tests
# fail, never skip, when a server cannot be installed or started.
conformance/interop/install.sh
cargo test --locked -p xmpp-smol --test interop -- --ignored --test-threads 1

step "interop: real clients (slixmpp, go-sendxmpp) against our embedded server"
# The tests run the server example binary (built by `cargo test`; built here too so
# this step also works alone).
cargo build --locked -p xmpp-tokio --example server
cargo test --locked -p xmpp-tokio --test server_interop -- --ignored --test-threads 1

step "all checks passed"
