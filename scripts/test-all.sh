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
# Through cargo, which knows where the binary is (CARGO_TARGET_DIR, build.target-dir);
# the build above makes each run start at once.
runner() { cargo run --release --locked --quiet -p conformance -- "$@"; }
vectors=conformance/vectors
runner jid "$vectors/jid.json"
runner stringprep "$vectors/stringprep.json"
runner jid "$vectors/extra/jid.json"
runner stringprep "$vectors/extra/stringprep.json"
runner bad-xml "$vectors/bad-xml"
runner sasl "$vectors/sasl.json"
runner sasl "$vectors/extra/sasl.json"
runner stanzas "$vectors"/stanzas/*.xml
runner transcripts "$vectors"/transcripts/*.txt
runner transcripts "$vectors"/extra/transcripts/*.txt
runner sessions
runner pair --seed 1 --chunk 7 | tail -n 1

step "interop: xmpp-tokio and xmpp-smol against real Prosody and ejabberd"
# install.sh installs the Debian packages when missing (root or sudo -n); the tests
# fail, never skip, when a server cannot be installed or started.
conformance/interop/install.sh
cargo test --locked -p conformance --test interop -- --ignored --test-threads 1

step "interop: real clients (slixmpp, go-sendxmpp) against xmppd"
# The tests run the xmppd binary (cargo builds it for its own integration tests).
cargo test --locked -p xmppd --test server_interop -- --ignored --test-threads 1

step "all checks passed"
