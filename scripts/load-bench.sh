#!/usr/bin/env bash
# Load benchmark of xmppd against Prosody, in one run, on 127.0.0.1:
#
#   scripts/load-bench.sh [--pairs N] [--messages M] [--window W] [--repeat R] [--idle C]
#                         [--million] [--smoke] [--baseline BIN] [--no-ejabberd] [--flood off]
#
#   1. throughput: N pairs (default 10), M chat messages per pair (default 20000), at
#      most W (default 64) in flight per pair, over STARTTLS — against our server and
#      then against Prosody 0.12 (started with the interop harness), same accounts,
#      same generator; one RESULT line each (msgs/s, p50/p99 latency, generator and
#      server CPU); with --repeat R (default 1), R rounds of ours-then-Prosody, for the
#      spread;
#   2. idle: C (default 10000) authenticated connections held open against our
#      server; its memory before and after, its open descriptors, and every
#      connection pinging the server after the hold (still there, still bound);
#   3. with --million: 10 pairs x 100000 messages (1,000,000 routed) against our
#      server, every one checked to arrive exactly once.
#   --smoke: a tiny run of 1 and 2 (seconds; no Prosody unless installed).
#   Our server runs with its DEFAULT configuration (flood control on) unless
#   `--flood off`. Each round also runs ejabberd 23.01 (unless --no-ejabberd) and, with
#   --baseline BIN, an older server binary that takes the same flags (e.g. the
#   `server` example of an earlier commit), labelled `baseline` and run with
#   `--flood off` (its default policy cut fast senders off and stalled every round).
#
# Every phase prints the load average first (`INFO load ...`): the machine is shared,
# so figures taken under load say so.
#
# Not part of `cargo test` or CI's test command: the figures depend on the machine.
# Needs the interop harness's packages for the Prosody part (conformance/interop/install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

pairs=10 messages=20000 window=64 repeat=1 idle=10000 million=0 smoke=0
baseline="" ejabberd=1 flood=()
while (($#)); do
    case "$1" in
        --pairs) pairs=$2; shift 2 ;;
        --messages) messages=$2; shift 2 ;;
        --window) window=$2; shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        --idle) idle=$2; shift 2 ;;
        --million) million=1; shift ;;
        --smoke) smoke=1; pairs=2 messages=500 idle=200 ejabberd=0; shift ;;
        --baseline) baseline=$2; shift 2 ;;
        --no-ejabberd) ejabberd=0; shift ;;
        --flood) flood=(--flood "$2"); shift 2 ;;
        *) echo "usage: $0 [--pairs N] [--messages M] [--window W] [--repeat R] [--idle C] [--million] [--smoke] [--baseline BIN] [--no-ejabberd] [--flood off]" >&2; exit 2 ;;
    esac
done

# Each side holds one descriptor per connection: raise the limit as far as allowed.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "INFO fd limit $(ulimit -n); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

cargo build --release --locked -q -p xmppd -p perf
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d /tmp/xmpp-load-bench.XXXXXX)
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
    if [[ -f "$work/prosody/state.env" ]]; then
        conformance/interop/prosody.sh stop "$work/prosody" >/dev/null 2>&1 || true
    fi
    if [[ -f "$work/ejabberd/state.env" ]]; then
        conformance/interop/ejabberd.sh stop "$work/ejabberd" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

domain=example.test
conformance/interop/certs.sh "$work/certs" "$domain" >/dev/null
accounts=$(( idle < 400 ? idle : 400 ))
users=()
for ((i = 0; i < 2 * pairs; i++)); do users+=(--add-user "u$i:pw-u$i"); done
for ((i = 0; i < accounts; i++)); do users+=(--add-user "i$i:pw-i$i"); done

start_ours() { # [BINARY [EXTRA ARGS...]]
    local binary=${1:-$bin/xmppd}
    shift || true
    "$binary" --domain "$domain" --listen 127.0.0.1:0 --cert "$work/certs/server.pem" \
        --key "$work/certs/server.key" "${flood[@]}" "$@" "${users[@]}" > "$work/server.out" &
    server_pid=$!
    for _ in $(seq 1 600); do
        grep -q '^READY' "$work/server.out" 2>/dev/null && break
        sleep 0.1
    done
    grep '^READY' "$work/server.out" || { echo "our server did not start" >&2; exit 1; }
    port=$(grep -o 'addr=[^ ]*' "$work/server.out" | sed 's/.*://')
}
stop_ours() {
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}
gen() { # label port pid args...
    local label=$1 port=$2 pid=$3
    shift 3
    echo "INFO load $label: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$bin/loadgen" --server "127.0.0.1:$port" --domain "$domain" --ca "$work/certs/ca.pem" \
        --label "$label" --server-pid "$pid" "$@"
}

if ! command -v prosody >/dev/null; then
    if ((smoke)); then
        echo "INFO prosody not installed: skipped in the smoke run"
    else
        echo "prosody is not installed (conformance/interop/install.sh)" >&2
        exit 1
    fi
fi
for ((round = 1; round <= repeat; round++)); do
    echo "== throughput (round $round of $repeat): $pairs pairs x $messages messages, window $window"
    start_ours
    gen ours "$port" "$server_pid" throughput --pairs "$pairs" --messages "$messages" --window "$window"
    stop_ours

    if [[ -n "$baseline" ]]; then
        # The baseline's default flood policy closes fast senders (it stalls every
        # round): it runs with flood control off.
        if ((${#flood[@]})); then start_ours "$baseline"; else start_ours "$baseline" --flood off; fi
        gen baseline "$port" "$server_pid" throughput --pairs "$pairs" --messages "$messages" --window "$window"
        stop_ours
    fi

    if ((ejabberd)); then
        conformance/interop/ejabberd.sh start "$work/ejabberd" --port 15299 --certs "$work/certs" >/dev/null
        if ((round == 1)); then
            for ((i = 0; i < 2 * pairs; i++)); do
                conformance/interop/ejabberd.sh register "$work/ejabberd" "u$i" "pw-u$i" >/dev/null
            done
        fi
        ejabberd_pid=$(sed -n 's/^PID=//p' "$work/ejabberd/state.env")
        gen ejabberd 15299 "$ejabberd_pid" throughput --pairs "$pairs" --messages "$messages" --window "$window"
        conformance/interop/ejabberd.sh stop "$work/ejabberd" >/dev/null
    fi

    if command -v prosody >/dev/null; then
        conformance/interop/prosody.sh start "$work/prosody" --port 15298 --certs "$work/certs" >/dev/null
        if ((round == 1)); then
            for ((i = 0; i < 2 * pairs; i++)); do
                conformance/interop/prosody.sh register "$work/prosody" "u$i" "pw-u$i" >/dev/null
            done
        fi
        prosody_pid=$(sed -n 's/^PID=//p' "$work/prosody/state.env")
        gen prosody 15298 "$prosody_pid" throughput --pairs "$pairs" --messages "$messages" --window "$window"
        conformance/interop/prosody.sh stop "$work/prosody" >/dev/null
    fi
done

echo "== idle: $idle authenticated connections over $accounts accounts"
start_ours
gen ours "$port" "$server_pid" idle --connections "$idle" --accounts "$accounts" --hold 5
stop_ours

if ((million)); then
    echo "== 1,000,000 routed messages: 10 pairs x 100000"
    start_ours
    gen ours "$port" "$server_pid" throughput --pairs 10 --messages 100000 --window "$window"
    stop_ours
fi
echo "INFO load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
