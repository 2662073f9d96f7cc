#!/usr/bin/env bash
# smoke.sh — end-to-end check of the interop harness against real Prosody and ejabberd.
#
#   smoke.sh [--server prosody|ejabberd|both] [--repeat N] [--keep] [WORKDIR]
#
# For each server: test certificates, start it (127.0.0.1 only), register alice and bob,
# record the SASL mechanisms and XEP-0440 channel-binding types it advertises after
# STARTTLS on TLS 1.2 and TLS 1.3 (xmpp_probe.py) and which SCRAM/channel-binding
# combinations it accepts (sasl_matrix.py), then with slixmpp (verified against the test
# CA): log in + roster, IQ ping, bob -> alice message, alice <-> bob subscription + presence +
# messages both ways, wrong password refused, a go-sendxmpp message received by slixmpp,
# and both clients refusing a second instance that serves the untrusted certificate. Then
# start/stop is repeated N times (default 3) to measure readiness and to check that nothing
# is left running (after the first restart: accounts and roster are still there).
#
# Output: `PASS <server> <check>` / `FAIL <server> <check>: <why>` lines, `INFO ...` lines
# with findings and timings, and the closing line `N passed, M failed`. Exit 0 iff none
# failed. WORKDIR (default: a new temporary directory) holds run dirs and logs; it is
# removed at the end unless --keep or a check failed.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

servers=(prosody ejabberd)
repeat=3
keep=0
work=""
while [ "$#" -gt 0 ]; do
    case $1 in
        --server)
            case $2 in
                both) servers=(prosody ejabberd) ;;
                prosody | ejabberd) servers=("$2") ;;
                *) echo "usage: --server prosody|ejabberd|both" >&2; exit 2 ;;
            esac
            shift 2
            ;;
        --repeat) repeat=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -*) sed -n '3,4p' "$0" >&2; exit 2 ;;
        *) work=$1; shift ;;
    esac
done
[[ "$repeat" =~ ^[0-9]+$ ]] || { echo "bad --repeat" >&2; exit 2; }
if [ -z "$work" ]; then
    work=$(mktemp -d -t xmpp-interop-smoke.XXXXXX)
else
    mkdir -p "$work"
    work=$(cd "$work" && pwd)
fi

DOMAIN=example.test
passed=0
failed=0
finished=0
started=() # "server:rundir" of every instance started, for cleanup
bg_pids=()

cleanup() {
    local entry p
    for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for entry in "${started[@]}"; do
        "$HERE/${entry%%:*}.sh" stop "${entry#*:}" >/dev/null 2>&1 || true
    done
    if [ "$keep" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$finished" -eq 1 ]; then
        rm -rf "$work"
    elif [ "$finished" -eq 0 ]; then
        echo "INFO interrupted; workdir kept: $work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# check NAME SERVER FILE PATTERN... — every grep -E pattern must match a line of FILE
check() {
    local name=$1 srv=$2 file=$3 pat
    shift 3
    for pat in "$@"; do
        if ! grep -qE -- "$pat" "$file"; then
            fail "$srv $name: no line matching /$pat/ in $file: $(tr '\n' '|' <"$file" | cut -c1-300)"
            return 1
        fi
    done
    pass "$srv $name"
}

# wait_line FILE PATTERN SECONDS — bounded wait for a line to appear in FILE
wait_line() {
    local file=$1 pat=$2 secs=$3 i
    for ((i = 0; i < secs * 20; i++)); do
        grep -qE -- "$pat" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# state_pid RUNDIR — PID recorded by prosody.sh / ejabberd.sh
state_pid() {
    # shellcheck disable=SC1091
    (. "$1/state.env" && echo "$PID")
}

slix() { # slix OUTFILE PORT JID PASSWORD [options and scenario...]
    local outf=$1 port=$2 jid=$3 pw=$4
    shift 4
    "$PY" "$HERE/slixmpp_check.py" --port "$port" --ca "$work/certs/ca.pem" \
        --jid "$jid" --password "$pw" --timeout 20 "$@" >"$outf" 2>"$outf.err"
}

gosend() { # gosend CA PORT JID PASSWORD TO BODY — go-sendxmpp trusting only CA
    local ca=$1 port=$2 jid=$3 pw=$4 to=$5 body=$6
    mkdir -p "$work/gohome" "$work/no-cert-dir"
    # Go reads extra roots from SSL_CERT_FILE / SSL_CERT_DIR (and only those when set).
    printf '%s\n' "$body" | HOME="$work/gohome" SSL_CERT_FILE="$ca" \
        SSL_CERT_DIR="$work/no-cert-dir" timeout 30 go-sendxmpp --timeout 10 \
        -u "$jid" -p "$pw" -j "127.0.0.1:$port" "$to"
}

smoke_server() {
    local srv=$1 port=$2 untrusted_port=$3 rd="$work/$1" out="$work/$1-out" line
    mkdir -p "$out"
    if ! line=$("$HERE/$srv.sh" start "$rd" --domain "$DOMAIN" --port "$port" \
        --certs "$work/certs" 2>"$out/start.err"); then
        fail "$srv start: $(tail -n 3 "$out/start.err" | tr '\n' '|')"
        return 0
    fi
    started+=("$srv:$rd")
    pass "$srv start ($line)"
    if "$HERE/$srv.sh" register "$rd" alice pw-alice >/dev/null 2>"$out/reg.err" &&
        "$HERE/$srv.sh" register "$rd" bob "$DOMAIN" pw-bob >/dev/null 2>>"$out/reg.err"; then
        pass "$srv register alice bob"
    else
        fail "$srv register: $(tr '\n' '|' <"$out/reg.err")"
    fi

    # What the server advertises after STARTTLS, per TLS version.
    local v
    for v in 1.2 1.3; do
        if "$PY" "$HERE/xmpp_probe.py" --port "$port" --domain "$DOMAIN" \
            --ca "$work/certs/ca.pem" --tls-version "$v" >"$out/probe-$v" 2>&1; then
            pass "$srv probe tls=$v"
            echo "INFO $srv tls=$v $(grep '^TLS ' "$out/probe-$v")"
            echo "INFO $srv tls=$v pre-TLS: $(sed -n 's/^PRE_TLS_FEATURES //p' "$out/probe-$v")"
            echo "INFO $srv tls=$v $(grep '^MECHANISMS ' "$out/probe-$v")"
            echo "INFO $srv tls=$v XEP-0440 $(grep '^CHANNEL_BINDING ' "$out/probe-$v")"
        else
            fail "$srv probe tls=$v: $(tr '\n' '|' <"$out/probe-$v")"
        fi
    done
    if "$PY" "$HERE/sasl_matrix.py" --port "$port" --domain "$DOMAIN" \
        --ca "$work/certs/ca.pem" --user alice --password pw-alice >"$out/matrix" 2>&1 &&
        ! grep -q 'result=error' "$out/matrix"; then
        pass "$srv sasl matrix"
        sed -n -e 's/^SASL /INFO '"$srv"' accepts? /p' -e 's/^RETRY /INFO '"$srv"' retry /p' \
            "$out/matrix"
    else
        fail "$srv sasl matrix: $(grep -E 'ERROR|error' "$out/matrix" | head -3 | tr '\n' '|')"
    fi

    # slixmpp: login + roster, ping, TLS 1.2, forced SCRAM-SHA-1 / SCRAM-SHA-256
    slix "$out/login" "$port" "alice@$DOMAIN" pw-alice login-roster || true
    check "slixmpp login-roster" "$srv" "$out/login" '^TLS TLSv1' '^AUTH SCRAM-' \
        "^ONLINE alice@$DOMAIN/" '^ROSTER [0-9]+$' '^DONE$' || true
    echo "INFO $srv slixmpp default: $(grep -E '^(TLS|AUTH) ' "$out/login" | tr '\n' ' ')"
    slix "$out/ping12" "$port" "bob@$DOMAIN" pw-bob --tls-version 1.2 ping || true
    check "slixmpp ping tls=1.2" "$srv" "$out/ping12" '^TLS TLSv1.2' "^PING $DOMAIN ok" \
        '^DONE$' || true
    echo "INFO $srv slixmpp tls=1.2: $(grep -E '^AUTH ' "$out/ping12")"
    local m
    for m in SCRAM-SHA-1 SCRAM-SHA-256; do
        slix "$out/mech-$m" "$port" "alice@$DOMAIN" pw-alice --mech "$m" login-roster || true
        check "slixmpp $m" "$srv" "$out/mech-$m" "^AUTH $m\$" '^DONE$' || true
    done
    if slix "$out/badpw" "$port" "alice@$DOMAIN" wrong-password login-roster; then
        fail "$srv wrong password accepted"
    else
        check "slixmpp wrong password refused" "$srv" "$out/badpw" '^AUTH_FAILED not-authorized' ||
            true
    fi

    # bob -> alice with slixmpp on both ends
    slix "$out/recv1" "$port" "alice@$DOMAIN" pw-alice receive-one "bob@$DOMAIN" &
    local rpid=$!
    bg_pids+=("$rpid")
    if wait_line "$out/recv1" "^PRESENCE alice@$DOMAIN/" 15; then
        slix "$out/send1" "$port" "bob@$DOMAIN" pw-bob send "alice@$DOMAIN" "hello from slixmpp" ||
            true
    fi
    wait "$rpid" || true
    bg_pids=()
    check "slixmpp message bob->alice" "$srv" "$out/recv1" \
        "^MSG bob@$DOMAIN/[^ ]+ hello from slixmpp\$" '^DONE$' || true

    # go-sendxmpp bob -> alice, received by slixmpp
    slix "$out/recv2" "$port" "alice@$DOMAIN" pw-alice receive-one "bob@$DOMAIN" &
    rpid=$!
    bg_pids+=("$rpid")
    if wait_line "$out/recv2" "^PRESENCE alice@$DOMAIN/" 15; then
        gosend "$work/certs/ca.pem" "$port" "bob@$DOMAIN" pw-bob "alice@$DOMAIN" \
            "hello from go-sendxmpp" >"$out/gosend" 2>&1 || echo "go-sendxmpp exit $?" >>"$out/gosend"
    fi
    wait "$rpid" || true
    bg_pids=()
    check "go-sendxmpp message bob->alice" "$srv" "$out/recv2" \
        "^MSG bob@$DOMAIN/[^ ]+ hello from go-sendxmpp\$" '^DONE$' ||
        echo "INFO $srv go-sendxmpp said: $(tr '\n' '|' <"$out/gosend")"

    # subscription both ways, presence, messages both ways
    slix "$out/buddy-a" "$port" "alice@$DOMAIN" pw-alice buddy "bob@$DOMAIN" "hi bob" &
    local apid=$!
    slix "$out/buddy-b" "$port" "bob@$DOMAIN" pw-bob buddy "alice@$DOMAIN" "hi alice" &
    local bpid=$!
    bg_pids+=("$apid" "$bpid")
    wait "$apid" || true
    wait "$bpid" || true
    bg_pids=()
    check "slixmpp buddy alice" "$srv" "$out/buddy-a" "^PRESENCE bob@$DOMAIN/[^ ]+ available" \
        "^MSG bob@$DOMAIN/[^ ]+ hi alice\$" "^ROSTER_ITEM bob@$DOMAIN both\$" '^DONE$' || true
    check "slixmpp buddy bob" "$srv" "$out/buddy-b" "^PRESENCE alice@$DOMAIN/[^ ]+ available" \
        "^MSG alice@$DOMAIN/[^ ]+ hi bob\$" "^ROSTER_ITEM alice@$DOMAIN both\$" '^DONE$' || true

    # a second instance serving the untrusted certificate must be refused
    local urd="$work/$srv-untrusted"
    local extra=()
    if [ "$srv" = ejabberd ]; then extra=(--dist-port $((untrusted_port + 7))); fi
    if line=$("$HERE/$srv.sh" start "$urd" --domain "$DOMAIN" --port "$untrusted_port" \
        --certs "$work/certs" --untrusted "${extra[@]}" 2>"$out/ustart.err"); then
        started+=("$srv:$urd")
        "$HERE/$srv.sh" register "$urd" alice pw-alice >/dev/null 2>&1 || true
        if slix "$out/untrusted" "$untrusted_port" "alice@$DOMAIN" pw-alice login-roster; then
            fail "$srv slixmpp accepted the untrusted certificate"
        else
            check "slixmpp refuses untrusted certificate" "$srv" "$out/untrusted" \
                '^TLS_FAILED .*CERTIFICATE_VERIFY_FAILED' || true
        fi
        if gosend "$work/certs/ca.pem" "$untrusted_port" "alice@$DOMAIN" pw-alice \
            "bob@$DOMAIN" "must not be sent" >"$out/gosend-untrusted" 2>&1; then
            fail "$srv go-sendxmpp accepted the untrusted certificate"
        else
            check "go-sendxmpp refuses untrusted certificate" "$srv" "$out/gosend-untrusted" \
                'certificate signed by unknown authority' || true
        fi
        "$HERE/$srv.sh" stop "$urd" >/dev/null
    else
        fail "$srv untrusted instance start: $(tail -n 3 "$out/ustart.err" | tr '\n' '|')"
    fi

    local pid
    pid=$(state_pid "$rd")
    if "$HERE/$srv.sh" stop "$rd" >/dev/null && ! group_alive "$pid"; then
        pass "$srv stop (process group $pid gone)"
    else
        fail "$srv stop: group $pid still alive"
    fi

    # repeated start/stop: readiness and stop timings, nothing left behind
    local i ready=() stops=() t0 ok=1
    for ((i = 0; i < repeat; i++)); do
        if ! line=$("$HERE/$srv.sh" start "$rd" --domain "$DOMAIN" --port "$port" \
            --certs "$work/certs" 2>"$out/rstart.err"); then
            ok=0
            fail "$srv restart $i: $(tail -n 3 "$out/rstart.err" | tr '\n' '|')"
            break
        fi
        ready+=("${line##*seconds=}")
        pid=$(state_pid "$rd")
        if [ "$i" -eq 0 ]; then # accounts and roster survive a restart in the same RUNDIR
            slix "$out/persist" "$port" "alice@$DOMAIN" pw-alice login-roster || true
            check "data survives restart" "$srv" "$out/persist" \
                "^ROSTER_ITEM bob@$DOMAIN both\$" '^DONE$' || true
        fi
        t0=$(now_ms)
        "$HERE/$srv.sh" stop "$rd" >/dev/null || ok=0
        stops+=("$(elapsed "$t0" "$(now_ms)")")
        if group_alive "$pid"; then
            ok=0
            fail "$srv restart $i: group $pid left behind"
        fi
    done
    if [ "$ok" -eq 1 ]; then pass "$srv start/stop x$repeat"; fi
    echo "INFO $srv readiness seconds: ${ready[*]:-} ; stop seconds: ${stops[*]:-}"
}

echo "INFO workdir $work"
if "$HERE/certs.sh" "$work/certs" "$DOMAIN" >"$work/certs.out" 2>&1; then
    pass "certs"
else
    fail "certs: $(tr '\n' '|' <"$work/certs.out")"
fi
for srv in "${servers[@]}"; do
    case $srv in
        prosody) smoke_server prosody 15222 15224 ;;
        ejabberd) smoke_server ejabberd 15232 15234 ;;
    esac
done
finished=1
if [ "$keep" -eq 1 ] || [ "$failed" -ne 0 ]; then
    echo "INFO workdir kept: $work"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
