#!/usr/bin/python3
"""xmpp_probe.py — raw-socket look at what an XMPP server offers a client (RFC 6120).

Opens a client stream to HOST:PORT for DOMAIN, reads the stream features, and (unless
--plain-only) negotiates STARTTLS (or direct TLS with --direct-tls), verifies the
certificate against --ca (hostname = DOMAIN) and reads the features again. It never
authenticates. Used by the server scripts as a readiness check (--plain-only) and by
smoke.sh to record which SASL mechanisms and channel-binding types each server
advertises on TLS 1.2 and TLS 1.3.

Output, one line each (machine-readable, space-separated):
  PRE_TLS_FEATURES <feature>...          child elements of the first <stream:features>,
                                        starttls shown as starttls(required) when required
  PRE_TLS_MECHANISMS <mech>... | -       SASL mechanisms offered before TLS
  TLS <version> <cipher>                 negotiated TLS parameters
  FEATURES <feature>...                  features after TLS
  MECHANISMS <mech>... | -               SASL mechanisms after TLS
  CHANNEL_BINDING <type>... | -          XEP-0440 <sasl-channel-binding/> types, `-` if absent
  ERROR <text>                           on failure (exit 1); exit 2 = could not connect
Exit 0 on success.
"""

import argparse
import socket
import ssl
import sys
import time
import xml.etree.ElementTree as ET

NS_STREAM = "http://etherx.jabber.org/streams"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_SASL_CB = "urn:xmpp:sasl-cb:0"


class ProbeError(Exception):
    """A protocol-level failure worth one ERROR line."""


def local(tag):
    """Element name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def ns(tag):
    """Namespace of a Clark-notation tag ('' when none)."""
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


class Stream:
    """Reads top-level stream children from a socket with an overall deadline."""

    def __init__(self, sock, deadline):
        self.sock = sock
        self.deadline = deadline
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth = 0
        self.pending = []

    def open(self, domain):
        header = (
            "<?xml version='1.0'?><stream:stream to='%s' version='1.0' "
            "xmlns='jabber:client' xmlns:stream='%s'>" % (domain, NS_STREAM)
        )
        self.sock.sendall(header.encode())

    def next_child(self):
        """Return the next complete top-level child element of the stream."""
        while True:
            if self.pending:
                return self.pending.pop(0)
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise ProbeError("timeout waiting for the server")
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except socket.timeout as exc:
                raise ProbeError("timeout waiting for the server") from exc
            if not data:
                raise ProbeError("server closed the connection")
            self.parser.feed(data)
            for event, elem in self.parser.read_events():
                if event == "start":
                    self.depth += 1
                else:
                    self.depth -= 1
                    if self.depth == 1:
                        self.pending.append(elem)
                    elif self.depth == 0:
                        raise ProbeError("server closed the stream")


def describe(features):
    """Feature names, mechanisms and channel-binding types of a <stream:features/>."""
    names, mechs, cbs = [], [], None
    for child in features:
        name = local(child.tag)
        if ns(child.tag) == NS_TLS and name == "starttls":
            if child.find("{%s}required" % NS_TLS) is not None:
                name = "starttls(required)"
        elif ns(child.tag) == NS_SASL and name == "mechanisms":
            mechs = [(m.text or "").strip() for m in child.findall("{%s}mechanism" % NS_SASL)]
        elif ns(child.tag) == NS_SASL_CB:
            cbs = [c.get("type", "?") for c in child.findall("{%s}channel-binding" % NS_SASL_CB)]
        names.append(name)
    return names, mechs, cbs


def expect_features(stream):
    child = stream.next_child()
    if ns(child.tag) == NS_STREAM and local(child.tag) == "error":
        conds = [local(c.tag) for c in child]
        raise ProbeError("stream error: " + (" ".join(conds) or "?"))
    if ns(child.tag) != NS_STREAM or local(child.tag) != "features":
        raise ProbeError("expected stream:features, got " + child.tag)
    return child


def tls_context(args):
    ctx = ssl.create_default_context(cafile=args.ca)
    if args.tls_version == "1.2":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif args.tls_version == "1.3":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def print_features(prefix, features):
    names, mechs, cbs = describe(features)
    print("%sFEATURES %s" % (prefix, " ".join(names) or "-"))
    print("%sMECHANISMS %s" % (prefix, " ".join(mechs) or "-"))
    if not prefix:
        print("CHANNEL_BINDING %s" % (" ".join(cbs) if cbs else "-"))
    return names


def probe(args):
    deadline = time.monotonic() + args.timeout
    try:
        sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    except OSError as exc:
        print("ERROR connect %s:%d: %s" % (args.host, args.port, exc))
        return 2
    try:
        if args.direct_tls:
            sock = tls_context(args).wrap_socket(sock, server_hostname=args.domain)
            print("TLS %s %s" % (sock.version(), sock.cipher()[0]))
            stream = Stream(sock, deadline)
            stream.open(args.domain)
            print_features("", expect_features(stream))
            return 0
        stream = Stream(sock, deadline)
        stream.open(args.domain)
        names = print_features("PRE_TLS_", expect_features(stream))
        if args.plain_only:
            return 0
        if not any(n.startswith("starttls") for n in names):
            raise ProbeError("server does not offer STARTTLS")
        sock.sendall(("<starttls xmlns='%s'/>" % NS_TLS).encode())
        answer = stream.next_child()
        if local(answer.tag) != "proceed":
            raise ProbeError("STARTTLS answered with " + local(answer.tag))
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        tls = tls_context(args).wrap_socket(sock, server_hostname=args.domain)
        sock = tls
        print("TLS %s %s" % (tls.version(), tls.cipher()[0]))
        stream = Stream(tls, deadline)
        stream.open(args.domain)
        print_features("", expect_features(stream))
        return 0
    except ssl.SSLError as exc:
        print("ERROR tls: %s" % exc)
        return 1
    except (ProbeError, OSError, ET.ParseError) as exc:
        print("ERROR %s" % exc)
        return 1
    finally:
        try:
            sock.sendall(b"</stream:stream>")
        except OSError:
            pass
        sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--domain", required=True)
    ap.add_argument("--ca", help="CA file to verify the server certificate (required for TLS)")
    ap.add_argument("--tls-version", choices=["1.2", "1.3", "any"], default="any")
    ap.add_argument("--plain-only", action="store_true", help="stop after the first features")
    ap.add_argument("--direct-tls", action="store_true", help="XEP-0368 direct TLS port")
    ap.add_argument("--timeout", type=float, default=5.0, help="overall deadline, seconds")
    args = ap.parse_args()
    if not (args.host.startswith("127.") or args.host in ("localhost", "::1")):
        print("ERROR refusing non-loopback host %s" % args.host)
        return 1
    if not args.plain_only and not args.ca:
        print("ERROR --ca is required unless --plain-only")
        return 1
    return probe(args)


if __name__ == "__main__":
    sys.exit(main())
