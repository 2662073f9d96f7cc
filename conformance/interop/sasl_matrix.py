#!/usr/bin/python3
"""sasl_matrix.py — which SCRAM mechanism / channel-binding combinations a server accepts.

Run with /usr/bin/python3 (needs Debian's python3-openssl for the TLS exporter and the
Finished messages). For each attempt: a fresh connection to HOST:PORT, STARTTLS with the
certificate verified against --ca (name = DOMAIN) at the requested TLS version, then one
SASL exchange (RFC 5802 SCRAM, RFC 5929 / RFC 9266 channel bindings) with a client written
here, never stopping at the first failure. Nothing is retried.

    sasl_matrix.py --port P --domain D --ca CA.pem --user U --password PW
                   [--tls 1.2,1.3] [--mechs SCRAM-SHA-1,...] [--cbs n,y,tls-unique,...]

Channel-binding choices (the gs2 flag sent):
    n                     "n,,"  — client does not support channel binding (non-PLUS mechs)
    y                     "y,,"  — client supports it but believes the server does not
                          (non-PLUS mechs; a server advertising -PLUS must reject this)
    tls-unique            "p=tls-unique,,"  — first Finished message (OpenSSL's, also on 1.3)
    tls-server-end-point  "p=tls-server-end-point,," — SHA-256 of the server certificate
    tls-exporter          "p=tls-exporter,," — 32 bytes of EXPORTER-Channel-Binding, no context
Only mechanisms the server offers are tried (others print `not-offered`).

Output: one line per attempt
    SASL tls=<1.2|1.3> mech=<M> cb=<C> result=<success|failure:<condition>|not-offered|error:<why>>
and one `OFFERED tls=<v> <mechs...>` / `CB_ADVERTISED tls=<v> <types...|->` line per version,
and per version one `RETRY tls=<v> first=<mech>/<cb>:<result> then=SCRAM-SHA-256/n:<result>`
line: whether a second SASL attempt on the same stream is accepted after a failure.
Exit 0 when every attempt ran (whatever the server answered), 1 on a harness error.
"""

import argparse
import base64
import hashlib
import hmac
import os
import select
import socket
import sys
import time

try:
    from OpenSSL import SSL, crypto
except ImportError:
    print("ERROR pyOpenSSL not importable (apt-get install python3-openssl; run with "
          "/usr/bin/python3)")
    sys.exit(1)

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xmpp_probe import NS_SASL, NS_TLS, ProbeError, Stream, describe, expect_features, local  # noqa: E402

HASHES = {"SCRAM-SHA-1": "sha1", "SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}


class TlsSock:
    """Blocking-with-deadline adapter over a pyOpenSSL connection (recv/sendall/settimeout)."""

    def __init__(self, conn, raw):
        self.conn, self.raw, self.timeout = conn, raw, 5.0

    def settimeout(self, t):
        self.timeout = t

    def _wait(self, write=False):
        r, w, _ = select.select([] if write else [self.raw], [self.raw] if write else [], [],
                                self.timeout)
        if not r and not w:
            raise socket.timeout("timeout")

    def recv(self, n):
        while True:
            try:
                return self.conn.recv(n)
            except SSL.WantReadError:
                self._wait()
            except SSL.ZeroReturnError:
                return b""

    def sendall(self, data):
        while data:
            try:
                sent = self.conn.send(data)
                data = data[sent:]
            except SSL.WantWriteError:
                self._wait(write=True)
            except SSL.WantReadError:
                self._wait()

    def handshake(self):
        while True:
            try:
                self.conn.do_handshake()
                return
            except SSL.WantReadError:
                self._wait()
            except SSL.WantWriteError:
                self._wait(write=True)

    def close(self):
        try:
            self.conn.shutdown()
        except SSL.Error:
            pass
        self.raw.close()


def connect_tls(args, version):
    """Open a stream, do STARTTLS, return (tls socket, post-TLS stream, features)."""
    deadline = time.monotonic() + args.timeout
    raw = socket.create_connection((args.host, args.port), timeout=args.timeout)
    stream = Stream(raw, deadline)
    stream.open(args.domain)
    names, _, _ = describe(expect_features(stream))
    if not any(n.startswith("starttls") for n in names):
        raise ProbeError("no STARTTLS offered")
    raw.sendall(("<starttls xmlns='%s'/>" % NS_TLS).encode())
    if local(stream.next_child().tag) != "proceed":
        raise ProbeError("STARTTLS refused")
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    v = SSL.TLS1_2_VERSION if version == "1.2" else SSL.TLS1_3_VERSION
    ctx.set_min_proto_version(v)
    ctx.set_max_proto_version(v)
    ctx.load_verify_locations(args.ca)
    ctx.set_verify(SSL.VERIFY_PEER, lambda _conn, _cert, _err, _depth, ok: ok)
    raw.setblocking(False)
    conn = SSL.Connection(ctx, raw)
    conn.set_tlsext_host_name(args.domain.encode())
    conn.set_connect_state()
    tls = TlsSock(conn, raw)
    tls.settimeout(args.timeout)
    tls.handshake()
    check_name(conn.get_peer_certificate(), args.domain)
    stream = Stream(tls, deadline)
    stream.open(args.domain)
    return tls, stream, expect_features(stream)


def check_name(cert, domain):
    """The chain was verified by OpenSSL; also require DOMAIN among the DNS SANs."""
    from cryptography import x509  # python3-cryptography, a dependency of python3-openssl

    san = cert.to_cryptography().extensions.get_extension_for_class(x509.SubjectAlternativeName)
    if domain.lower() not in [n.lower() for n in san.value.get_values_for_type(x509.DNSName)]:
        raise ProbeError("certificate does not name " + domain)


def cb_data(tls, cb):
    conn = tls.conn
    if cb == "tls-unique":
        return conn.get_finished()  # client's Finished = first Finished of the handshake
    if cb == "tls-server-end-point":
        cert = conn.get_peer_certificate()
        der = crypto.dump_certificate(crypto.FILETYPE_ASN1, cert)
        algo = cert.get_signature_algorithm().decode().lower()
        h = "sha384" if "sha384" in algo else "sha512" if "sha512" in algo else "sha256"
        return hashlib.new(h, der).digest()  # RFC 5929 §4.1: MD5/SHA-1 become SHA-256
    if cb == "tls-exporter":
        return conn.export_keying_material(b"EXPORTER-Channel-Binding", 32, None)
    return b""


def saslname(name):
    return name.replace("=", "=3D").replace(",", "=2C")


def scram(tls, stream, mech, cb, user, password):
    """One SCRAM exchange; returns 'success' or 'failure:<cond>'."""
    hname = HASHES[mech.replace("-PLUS", "")]
    gs2 = {"n": "n,,", "y": "y,,"}.get(cb, "p=%s,," % cb)
    cnonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = "n=%s,r=%s" % (saslname(user), cnonce)
    payload = base64.b64encode((gs2 + first_bare).encode()).decode()
    tls.sendall(("<auth xmlns='%s' mechanism='%s'>%s</auth>" % (NS_SASL, mech, payload)).encode())
    reply = stream.next_child()
    if local(reply.tag) == "failure":
        return "failure:" + (local(reply[0].tag) if len(reply) else "?")
    if local(reply.tag) != "challenge":
        return "error:unexpected-" + local(reply.tag)
    server_first = base64.b64decode(reply.text or "").decode()
    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
    if not attrs.get("r", "").startswith(cnonce):
        return "error:bad-nonce"
    salt, iters = base64.b64decode(attrs["s"]), int(attrs["i"])
    salted = hashlib.pbkdf2_hmac(hname, password.encode(), salt, iters)
    client_key = hmac.new(salted, b"Client Key", hname).digest()
    stored = hashlib.new(hname, client_key).digest()
    cbind = base64.b64encode(gs2.encode() + cb_data(tls, cb)).decode()
    final_wo_proof = "c=%s,r=%s" % (cbind, attrs["r"])
    auth_msg = ",".join([first_bare, server_first, final_wo_proof]).encode()
    sig = hmac.new(stored, auth_msg, hname).digest()
    proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, sig))).decode()
    final = base64.b64encode(("%s,p=%s" % (final_wo_proof, proof)).encode()).decode()
    tls.sendall(("<response xmlns='%s'>%s</response>" % (NS_SASL, final)).encode())
    reply = stream.next_child()
    if local(reply.tag) == "failure":
        return "failure:" + (local(reply[0].tag) if len(reply) else "?")
    if local(reply.tag) != "success":
        return "error:unexpected-" + local(reply.tag)
    server_key = hmac.new(salted, b"Server Key", hname).digest()
    expect = base64.b64encode(hmac.new(server_key, auth_msg, hname).digest()).decode()
    got = base64.b64decode(reply.text or "").decode()
    return "success" if got == "v=" + expect else "error:bad-server-signature"


def attempt(args, version, mech, cb):
    tls = None
    try:
        tls, stream, features = connect_tls(args, version)
        _, mechs, _ = describe(features)
        if mech not in mechs:
            return "not-offered"
        return scram(tls, stream, mech, cb, args.user, args.password)
    except (ProbeError, OSError, SSL.Error, ValueError, KeyError) as exc:
        return "error:" + str(exc).replace(" ", "_")[:120]
    finally:
        if tls is not None:
            try:
                tls.sendall(b"</stream:stream>")
            except (OSError, SSL.Error):
                pass
            tls.close()


def retry_check(args, version):
    """Fail once on a stream (a -PLUS binding the server rejects, or a wrong password when
    no -PLUS is offered), then try SCRAM-SHA-256 with gs2 flag n on the same stream."""
    tls = None
    try:
        tls, stream, features = connect_tls(args, version)
        _, mechs, _ = describe(features)
        if "SCRAM-SHA-256-PLUS" in mechs:
            first = ("SCRAM-SHA-256-PLUS", "tls-server-end-point", args.password)
        else:
            first = ("SCRAM-SHA-256", "n", args.password + "-wrong")
        r1 = scram(tls, stream, first[0], first[1], args.user, first[2])
        r2 = scram(tls, stream, "SCRAM-SHA-256", "n", args.user, args.password)
        return "first=%s/%s:%s then=SCRAM-SHA-256/n:%s" % (first[0], first[1], r1, r2)
    except (ProbeError, OSError, SSL.Error, ValueError, KeyError) as exc:
        return "error:" + str(exc).replace(" ", "_")[:120]
    finally:
        if tls is not None:
            tls.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--domain", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--tls", default="1.2,1.3")
    ap.add_argument("--mechs", default="SCRAM-SHA-1,SCRAM-SHA-256,SCRAM-SHA-512")
    ap.add_argument("--cbs", default="n,y,tls-unique,tls-server-end-point,tls-exporter")
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args()
    if not (args.host.startswith("127.") or args.host in ("localhost", "::1")):
        print("ERROR refusing non-loopback host %s" % args.host)
        return 1
    for version in args.tls.split(","):
        try:
            tls, _, features = connect_tls(args, version)
            tls.close()
        except (ProbeError, OSError, SSL.Error) as exc:
            print("ERROR tls=%s: %s" % (version, exc))
            return 1
        _, offered, cbs = describe(features)
        print("OFFERED tls=%s %s" % (version, " ".join(offered) or "-"))
        print("CB_ADVERTISED tls=%s %s" % (version, " ".join(cbs) if cbs else "-"))
        for base in args.mechs.split(","):
            for cb in args.cbs.split(","):
                mech = base if cb in ("n", "y") else base + "-PLUS"
                result = attempt(args, version, mech, cb)
                print("SASL tls=%s mech=%s cb=%s result=%s" % (version, mech, cb, result),
                      flush=True)
        print("RETRY tls=%s %s" % (version, retry_check(args, version)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
