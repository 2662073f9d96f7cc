#!/usr/bin/env bash
# shellcheck disable=SC2153 # PID, PORT, DOMAIN, NODE, COOKIE... come from RUNDIR/state.env
# prosody.sh — run a private Prosody (Debian 0.12) on 127.0.0.1 for interop tests.
#
#   prosody.sh start RUNDIR [--domain D] [--port P] [--certs DIR] [--untrusted]
#                           [--direct-tls-port P] [--tls any|1.2|1.3] [--log-level L]
#                           [--timeout SECONDS] [--extra-config FILE]
#   prosody.sh register RUNDIR USER [DOMAIN] PASSWORD   (DOMAIN defaults to the instance's)
#   prosody.sh stop RUNDIR
#   prosody.sh status RUNDIR
#
# start writes RUNDIR/prosody.cfg.lua (127.0.0.1 only, s2s disabled, internal_plain auth,
# c2s_require_encryption, run_as_root, data/log/pid under RUNDIR), runs
# `setsid prosody -F --config FILE` in the background, waits (bounded) until the port
# answers a client stream with STARTTLS, and records PID and settings in RUNDIR/state.env.
# --certs DIR must hold certs.sh output; without it certs.sh is run into RUNDIR/certs.
# --untrusted serves untrusted.pem/untrusted.key instead of server.pem/server.key (run it as
# a second instance, in another RUNDIR on another port, to show a client refusing it).
# --tls restricts the server's TLS versions (default: TLS 1.2 and 1.3).
# --extra-config FILE: Lua lines inserted before the VirtualHost line (global options,
# inherited by the host), e.g. `disable_sasl_mechanisms = { "PLAIN" }`.
#
# Output (stdout): start -> `READY prosody pid=N port=P domain=D seconds=S`;
# status -> `RUNNING prosody pid=N port=P domain=D` (exit 0) or `STOPPED prosody` (exit 3);
# stop -> `STOPPED prosody` (exit 0, also when it was not running);
# register -> `REGISTERED user@domain`.
# Failures: one `prosody.sh: FAILED: ...` line on stderr (plus the log tail), exit 1;
# bad usage exit 2.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    sed -n '/^#   [a-z]*\.sh start/,/status RUNDIR/p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ "$#" -ge 2 ] || usage
cmd=$1
rundir=$2
shift 2
case $cmd in start | stop | status | register | ctl) ;; *) usage ;; esac
# Only start creates RUNDIR; the other verbs work on an absolute form of what exists.
[ "$cmd" != start ] || mkdir -p "$rundir"
if [ -d "$rundir" ]; then rundir=$(cd "$rundir" && pwd); fi
cfg=$rundir/prosody.cfg.lua
state=$rundir/state.env

load_state() {
    [ -f "$state" ] || return 1
    # shellcheck disable=SC1090
    source "$state"
}

is_running() {
    load_state && alive "${PID:-}" "$cfg"
}

cmd_start() {
    local domain=example.test port=15222 certs="" untrusted=0 direct_port="" tls=any
    local level=info secs=20 extra=""
    while [ "$#" -gt 0 ]; do
        case $1 in
            --domain | --port | --certs | --direct-tls-port | --dist-port | --tls | --log-level | \
                --timeout | --extra-config) [ "$#" -ge 2 ] || die "$1 needs a value" ;;
        esac
        case $1 in
            --domain) domain=$2; shift 2 ;;
            --port) port=$2; shift 2 ;;
            --certs) certs=$2; shift 2 ;;
            --untrusted) untrusted=1; shift ;;
            --direct-tls-port) direct_port=$2; shift 2 ;;
            --tls) tls=$2; shift 2 ;;
            --log-level) level=$2; shift 2 ;;
            --timeout) secs=$2; shift 2 ;;
            --extra-config) extra=$2; shift 2 ;;
            *) usage ;;
        esac
    done
    valid_port "$port" || die "bad port: $port"
    [ -z "$direct_port" ] || valid_port "$direct_port" || die "bad port: $direct_port"
    [[ "$secs" =~ ^[0-9]+$ ]] || die "bad timeout: $secs"
    [[ "$domain" =~ ^[A-Za-z0-9.-]+$ ]] || die "bad domain: $domain"
    case $level in debug | info | warn | error) ;; *) die "bad --log-level: $level" ;; esac
    case $tls in
        any) protocol="tlsv1_2+" ;;
        1.2) protocol="tlsv1_2" ;;
        1.3) protocol="tlsv1_3" ;;
        *) die "--tls must be any, 1.2 or 1.3" ;;
    esac
    command -v prosody >/dev/null || die "prosody not installed (run install.sh)"
    if is_running; then
        die "already running in $rundir (pid $PID)"
    fi
    port_open "$port" && die "port $port already in use"
    [ -z "$direct_port" ] || ! port_open "$direct_port" || die "port $direct_port already in use"

    if [ -z "$certs" ]; then
        certs=$rundir/certs
        "$INTEROP_DIR/certs.sh" "$certs" "$domain" >/dev/null
    fi
    certs=$(cd "$certs" && pwd)
    local crt=$certs/server.pem key=$certs/server.key
    if [ "$untrusted" -eq 1 ]; then
        crt=$certs/untrusted.pem
        key=$certs/untrusted.key
    fi
    if [ ! -r "$crt" ] || [ ! -r "$key" ]; then die "missing $crt or $key (run certs.sh)"; fi
    [ -z "$extra" ] || [ -r "$extra" ] || die "cannot read --extra-config $extra"

    mkdir -p "$rundir/data"
    chmod 0700 "$rundir/data"
    rm -f "$rundir/prosody.log" "$rundir/prosody.err" "$rundir/prosody.pid"
    local direct_line="c2s_direct_tls_ports = { }"
    [ -z "$direct_port" ] || direct_line="c2s_direct_tls_ports = { $direct_port }"
    {
    cat <<EOF
-- generated by conformance/interop/prosody.sh; do not edit
run_as_root = true
daemonize = false
pidfile = "$rundir/prosody.pid"
data_path = "$rundir/data"
admins = { }
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { $port }
$direct_line
c2s_direct_tls_interfaces = { "127.0.0.1" }
s2s_ports = { }
s2s_direct_tls_ports = { }
http_ports = { }
https_ports = { }
component_ports = { }
modules_enabled = {
    "roster"; "saslauth"; "tls"; "disco"; "ping"; "blocklist"; "carbons"; "private";
    "vcard_legacy"; "version"; "uptime"; "time"; "posix";
}
modules_disabled = { "s2s"; "s2s_bidi"; "s2s_auth_certs"; "dialback" }
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = true
allow_unencrypted_plain_auth = false
allow_registration = false
ssl = {
    certificate = "$crt";
    key = "$key";
    protocol = "$protocol";
}
log = {
    { levels = { min = "$level" }, to = "file", filename = "$rundir/prosody.log" };
}
EOF
    if [ -n "$extra" ]; then
        echo "-- from --extra-config $extra"
        cat "$extra"
    fi
    echo "VirtualHost \"$domain\""
    } >"$cfg"

    local t0 pid
    t0=$(now_ms)
    setsid prosody -F --config "$cfg" </dev/null >"$rundir/prosody.err" 2>&1 &
    pid=$!
    started_pid=$pid
    # On any failure from here on, the group we just started goes away with us.
    trap 'kill_group "$started_pid" 5 || true' EXIT
    is_group_leader "$pid" || die "setsid did not make pid $pid a process group leader"
    state_write "$state" PID "$pid" PORT "$port" DOMAIN "$domain" CERTS "$certs" \
        UNTRUSTED "$untrusted" DIRECT_TLS_PORT "$direct_port" TLS "$tls"
    local rc=0
    wait_ready "$pid" "$cfg" "$port" "$domain" "$secs" || rc=$?
    if [ "$rc" -eq 0 ] && [ -n "$direct_port" ]; then
        wait_port "$direct_port" "$secs" || rc=1
    fi
    if [ "$rc" -ne 0 ]; then
        tail -n 20 "$rundir/prosody.err" "$rundir/prosody.log" >&2 2>/dev/null || true
        [ "$rc" -eq 2 ] && die "prosody exited during start-up (see $rundir/prosody.log)"
        die "prosody not ready on 127.0.0.1:$port within ${secs}s"
    fi
    trap - EXIT
    echo "READY prosody pid=$pid port=$port domain=$domain seconds=$(elapsed "$t0" "$(now_ms)")"
}

cmd_stop() {
    if load_state && [ -n "${PID:-}" ]; then
        if alive "$PID" "$cfg" || group_alive "$PID"; then
            kill_group "$PID" 10 || die "prosody (pid $PID) did not stop"
        fi
    fi
    echo "STOPPED prosody"
}

cmd_status() {
    if is_running; then
        echo "RUNNING prosody pid=$PID port=$PORT domain=$DOMAIN"
    else
        echo "STOPPED prosody"
        exit 3
    fi
}

cmd_register() {
    load_state || die "no instance in $rundir (start it first)"
    local user password
    case $# in
        2) user=$1 password=$2 ;;
        3) user=$1 password=$3
           [ "$2" = "$DOMAIN" ] || die "this instance serves $DOMAIN, not $2" ;;
        *) usage ;;
    esac
    [ -f "$cfg" ] || die "no config in $rundir"
    timeout 30 prosodyctl --config "$cfg" register "$user" "$DOMAIN" "$password" \
        >"$rundir/register.out" 2>&1 || {
        cat "$rundir/register.out" >&2
        die "prosodyctl register $user@$DOMAIN failed"
    }
    echo "REGISTERED $user@$DOMAIN"
}

case $cmd in
    start) cmd_start "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    register) cmd_register "$@" ;;
    *) usage ;;
esac
