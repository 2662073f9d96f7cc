#!/usr/bin/env bash
# certs.sh DIR DOMAIN... — test PKI for the interop servers.
#
# Writes into DIR (created if missing):
#   ca.pem, ca.key          private test CA (CA:TRUE, keyCertSign); clients trust ca.pem
#   server.pem, server.key  server certificate signed by the CA; SAN = every DOMAIN, plus
#                           DNS:localhost, IP:127.0.0.1, IP:::1; EKU serverAuth
#   untrusted.pem, untrusted.key
#                           self-signed certificate with the same SANs, NOT signed by the
#                           CA: a client that trusts only ca.pem must refuse it
#   server-bundle.pem       server.pem followed by server.key (for tools wanting one file)
# Keys are written 0600 (readable by root only), certificates 0644. Prosody and ejabberd
# started by prosody.sh / ejabberd.sh run as root, so 0600 keys are fine; a server running
# as its own system user would need the key readable by that user.
#
# Key type: RSA 2048 by default; CERT_KEY_TYPE=ec gives ECDSA P-256.
# Prints one `CERT <name> <path>` line per file; exit 0 on success, non-zero otherwise.
set -euo pipefail

if [ "$#" -lt 2 ]; then
    echo "usage: $0 DIR DOMAIN..." >&2
    exit 2
fi
dir=$1
shift
command -v openssl >/dev/null 2>&1 || {
    echo "certs.sh: FAILED: openssl CLI not found (run install.sh)" >&2
    exit 1
}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

san=""
for d in "$@"; do
    case "$d" in
        *[!0-9.]*) san="${san}DNS:$d," ;; # not a dotted-quad: a DNS name
        *) san="${san}IP:$d," ;;
    esac
done
san="${san}DNS:localhost,IP:127.0.0.1,IP:::1"
first=$1

case "${CERT_KEY_TYPE:-rsa}" in
    rsa) keyopt=(-newkey rsa:2048) ;;
    ec) keyopt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    *)
        echo "certs.sh: FAILED: CERT_KEY_TYPE must be rsa or ec" >&2
        exit 2
        ;;
esac

umask 077
# CA
openssl req -x509 "${keyopt[@]}" -nodes -sha256 -days 3650 \
    -subj "/O=xmpp-sansio interop/CN=xmpp-sansio interop test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>"$tmp/err" || {
    cat "$tmp/err" >&2
    echo "certs.sh: FAILED: CA generation" >&2
    exit 1
}

# Server certificate signed by the CA
cat >"$tmp/server.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$san
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
if ! openssl req -new "${keyopt[@]}" -nodes -sha256 -subj "/O=xmpp-sansio interop/CN=$first" \
    -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>"$tmp/err" ||
    ! openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
        -CAcreateserial -CAserial "$tmp/ca.srl" -sha256 -days 825 \
        -extfile "$tmp/server.ext" -out "$tmp/server.pem" 2>"$tmp/err"; then
    cat "$tmp/err" >&2
    echo "certs.sh: FAILED: server certificate generation" >&2
    exit 1
fi

# Untrusted self-signed certificate for the same names
openssl req -x509 "${keyopt[@]}" -nodes -sha256 -days 825 \
    -subj "/O=untrusted/CN=$first" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
    -addext "extendedKeyUsage=serverAuth" \
    -addext "subjectAltName=$san" \
    -keyout "$tmp/untrusted.key" -out "$tmp/untrusted.pem" 2>"$tmp/err" || {
    cat "$tmp/err" >&2
    echo "certs.sh: FAILED: untrusted certificate generation" >&2
    exit 1
}

openssl verify -CAfile "$tmp/ca.pem" "$tmp/server.pem" >/dev/null || {
    echo "certs.sh: FAILED: server.pem does not verify against ca.pem" >&2
    exit 1
}
if openssl verify -CAfile "$tmp/ca.pem" "$tmp/untrusted.pem" >/dev/null 2>&1; then
    echo "certs.sh: FAILED: untrusted.pem unexpectedly verifies against ca.pem" >&2
    exit 1
fi

cat "$tmp/server.pem" "$tmp/server.key" >"$tmp/server-bundle.pem"
for f in ca.pem server.pem untrusted.pem; do chmod 0644 "$tmp/$f"; done
for f in ca.key server.key untrusted.key server-bundle.pem; do chmod 0600 "$tmp/$f"; done
for f in ca.pem ca.key server.pem server.key untrusted.pem untrusted.key server-bundle.pem; do
    mv -f "$tmp/$f" "$dir/$f"
    echo "CERT ${f} $dir/$f"
done
