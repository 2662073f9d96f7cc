# shellcheck shell=bash
# lib.sh — shared helpers for prosody.sh and ejabberd.sh (sourced, not executed).
# Every wait here is bounded; nothing talks to anything but 127.0.0.1.

# A TERM/INT/HUP ends the script through `exit`, so its EXIT trap (which kills a server
# it was starting) still runs.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3 # Debian's python3-slixmpp is only visible to the system interpreter

die() {
    echo "$(basename "$0"): FAILED: $*" >&2
    exit 1
}

now_ms() { date +%s%3N; }

# seconds with two decimals between two now_ms values
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1000 }'; }

# port_open PORT — true if something accepts TCP connections on 127.0.0.1:PORT (<= 1 s).
port_open() {
    timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# valid_port VALUE — 1024..65535
valid_port() {
    [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1024 ] && [ "$1" -le 65535 ]
}

# alive PID MARKER — PID exists and its command line contains MARKER (guards against
# acting on a recycled PID).
alive() {
    local pid=$1 marker=$2
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"
}

# is_group_leader PID — PID leads its own process group (so kill -- -PID reaches all its
# children). Retried briefly: setsid runs just after the fork.
is_group_leader() {
    local pid=$1 i pgid
    for ((i = 0; i < 100; i++)); do
        # /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may contain spaces.
        pgid=$(sed -E 's/^.*\) [A-Za-z] [0-9-]+ ([0-9-]+) .*$/\1/' "/proc/$pid/stat" 2>/dev/null) ||
            return 1
        [ "$pgid" = "$pid" ] && return 0
        sleep 0.01
    done
    return 1
}

# group_alive PGID — some process is still in that process group.
group_alive() { pgrep -g "$1" >/dev/null 2>&1; }

# kill_group PGID SECONDS — SIGTERM the group, wait (bounded), then SIGKILL what is left.
# Returns 0 when the group is gone.
kill_group() {
    local pgid=$1 secs=$2 i
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for ((i = 0; i < secs * 20; i++)); do
        group_alive "$pgid" || return 0
        sleep 0.05
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
        group_alive "$pgid" || return 0
        sleep 0.05
    done
    return 1
}

# wait_ready PID MARKER PORT DOMAIN SECONDS — wait until the server behind PORT answers a
# client stream for DOMAIN with stream features offering STARTTLS. Fails early if PID dies.
wait_ready() {
    local pid=$1 marker=$2 port=$3 domain=$4 secs=$5 deadline out
    deadline=$(($(now_ms) + secs * 1000))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        alive "$pid" "$marker" || return 2
        if port_open "$port"; then
            out=$("$PY" "$INTEROP_DIR/xmpp_probe.py" --port "$port" --domain "$domain" \
                --plain-only --timeout 2 2>&1) || true
            case "$out" in
                *"PRE_TLS_FEATURES"*starttls*) return 0 ;;
            esac
        fi
        sleep 0.02
    done
    return 1
}

# wait_direct_tls PORT SECONDS — wait until a direct-TLS port accepts connections.
wait_port() {
    local port=$1 secs=$2 deadline
    deadline=$(($(now_ms) + secs * 1000))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        port_open "$port" && return 0
        sleep 0.02
    done
    return 1
}

# state file: RUNDIR/state.env holds KEY=VALUE lines written with printf %q.
state_write() {
    local file=$1
    shift
    : >"$file.tmp"
    while [ "$#" -gt 0 ]; do
        printf '%s=%q\n' "$1" "$2" >>"$file.tmp"
        shift 2
    done
    mv -f "$file.tmp" "$file"
}
