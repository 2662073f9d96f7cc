#!/usr/bin/env bash
# install.sh — install the real XMPP peers the interop tests run against:
# prosody, ejabberd, python3-slixmpp, go-sendxmpp, the openssl CLI, plus procps (pgrep) and
# python3-openssl (channel-binding data for sasl_matrix.py).
#
# Idempotent: installs only what is missing (apt-get install -y --no-install-recommends),
# runs `apt-get update` only when a missing package has no install candidate or the first
# install attempt fails. While apt runs, /usr/sbin/policy-rc.d exits 101 so no package
# starts a system-wide server (a pre-existing policy-rc.d is restored afterwards). If a
# postinst started one anyway (a process owned by the prosody/ejabberd user that was not
# there before), it is stopped.
#
# Output (stdout, one line each): `PRESENT pkg...` / `INSTALLED pkg...` / `READY`.
# Exit 0 when everything is usable; non-zero with one `install.sh: FAILED: ...` line on
# stderr otherwise. Root, or passwordless sudo, is required only when something is missing.
set -euo pipefail

# procps (pgrep) is on Debian's standard images but not on every minimal one.
# python3-openssl (pyOpenSSL) is used by sasl_matrix.py for TLS channel-binding data.
PKGS=(prosody ejabberd python3-slixmpp go-sendxmpp openssl procps python3-openssl)
LOCK_WAIT=300 # seconds apt waits for another apt/dpkg to release its lock
POLICY=${INTEROP_POLICY_RC:-/usr/sbin/policy-rc.d} # override only to test this script

fail() {
    echo "install.sh: FAILED: $*" >&2
    exit 1
}

is_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

# Everything the harness uses, checked after (or instead of) installing.
verify() {
    local missing=()
    local bin
    for bin in prosody prosodyctl erl ejabberdctl go-sendxmpp openssl setsid pgrep timeout; do
        command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || missing+=("$bin")
    done
    # Debian puts ejabberd's code under the multiarch lib dir (ERL_LIBS=/usr/lib/<triplet>).
    compgen -G '/usr/lib/*/ejabberd-*/ebin/ejabberd.beam' >/dev/null ||
        compgen -G '/usr/lib/erlang/lib/ejabberd-*/ebin/ejabberd.beam' >/dev/null ||
        missing+=("ejabberd.beam")
    /usr/bin/python3 -c 'import slixmpp' >/dev/null 2>&1 || missing+=("python3-slixmpp(module)")
    /usr/bin/python3 -c 'import OpenSSL, cryptography' >/dev/null 2>&1 ||
        missing+=("python3-openssl(module)")
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "${missing[*]}"
        return 1
    fi
}

missing=()
for p in "${PKGS[@]}"; do
    is_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "PRESENT ${PKGS[*]}"
    if ! bad=$(verify); then
        fail "packages installed but not usable: $bad"
    fi
    echo READY
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "not root and no sudo; cannot install: ${missing[*]}"
    sudo -n true 2>/dev/null || fail "not root and sudo needs a password; cannot install: ${missing[*]}"
    SUDO=(sudo -n)
fi
command -v apt-get >/dev/null 2>&1 || fail "no apt-get on this machine; cannot install: ${missing[*]}"

# PIDs of processes owned by the servers' system users, before the install.
service_pids() {
    local u
    for u in prosody ejabberd; do
        if id -u "$u" >/dev/null 2>&1; then pgrep -u "$u" 2>/dev/null || true; fi
    done | sort
}
pids_before=$(service_pids)

policy_backup=""
policy_installed=0
restore_policy() {
    if [ "$policy_installed" -eq 1 ]; then
        if [ -n "$policy_backup" ]; then
            "${SUDO[@]}" cp -p "$policy_backup" "$POLICY"
            rm -f "$policy_backup"
        else
            "${SUDO[@]}" rm -f "$POLICY"
        fi
        policy_installed=0
    fi
}
trap restore_policy EXIT
trap 'restore_policy; exit 130' INT TERM

if [ -e "$POLICY" ]; then
    policy_backup=$(mktemp)
    "${SUDO[@]}" cp -p "$POLICY" "$policy_backup"
fi
policy_installed=1
printf '#!/bin/sh\n# installed by conformance/interop/install.sh for the duration of apt-get\nexit 101\n' |
    "${SUDO[@]}" tee "$POLICY" >/dev/null
"${SUDO[@]}" chmod 0755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$LOCK_WAIT" -q)

updated=0
apt_update() {
    [ "$updated" -eq 0 ] || return 0
    "${APT[@]}" update >&2 || fail "apt-get update failed (missing: ${missing[*]})"
    updated=1
}

# apt-get update only when some missing package has no candidate in the current lists.
need_update=0
for p in "${missing[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
        need_update=1
    fi
done
if [ "$need_update" -eq 1 ]; then
    apt_update
fi

install_missing() {
    "${APT[@]}" install -y --no-install-recommends "${missing[@]}" >&2
}
if ! install_missing; then
    # Stale lists (404 on a superseded .deb) are the usual cause: refresh once and retry.
    [ "$updated" -eq 0 ] || fail "apt-get install failed for: ${missing[*]}"
    apt_update
    install_missing || fail "apt-get install failed for: ${missing[*]}"
fi
restore_policy

# A postinst that started its server anyway (no policy-rc.d honoured): stop it.
pids_after=$(service_pids)
new_pids=$(comm -13 <(echo "$pids_before") <(echo "$pids_after") | grep -E '^[0-9]+$' || true)
if [ -n "$new_pids" ]; then
    for svc in prosody ejabberd; do
        if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
            "${SUDO[@]}" systemctl stop "$svc" >/dev/null 2>&1 || true
        elif command -v service >/dev/null 2>&1; then
            "${SUDO[@]}" service "$svc" stop >/dev/null 2>&1 || true
        fi
    done
    for _ in $(seq 1 50); do # bounded: 5 s
        alive=""
        for pid in $new_pids; do
            kill -0 "$pid" 2>/dev/null && alive="$alive $pid"
        done
        [ -z "$alive" ] && break
        sleep 0.1
    done
    for pid in $new_pids; do
        if kill -0 "$pid" 2>/dev/null; then "${SUDO[@]}" kill -KILL "$pid" 2>/dev/null || true; fi
    done
    echo "STOPPED-SYSTEM-SERVICES $(echo "$new_pids" | tr '\n' ' ')"
fi

still=()
for p in "${missing[@]}"; do
    is_installed "$p" || still+=("$p")
done
[ "${#still[@]}" -eq 0 ] || fail "still not installed after apt-get: ${still[*]}"
echo "INSTALLED ${missing[*]}"
if ! bad=$(verify); then
    fail "packages installed but not usable: $bad"
fi
echo READY
