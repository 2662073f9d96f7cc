#!/usr/bin/python3
"""slixmpp_check.py — a scripted slixmpp client for interop tests.

Run with /usr/bin/python3 (Debian's python3-slixmpp is not visible to other interpreters).

    slixmpp_check.py --jid JID --password PW --port PORT --ca CA.pem [--host 127.0.0.1]
                     [--timeout S] [--tls-version any|1.2|1.3] [--mech MECH] [--direct-tls]
                     [--resource R] [--debug] SCENARIO [ARGS...]

The server certificate is verified against --ca only (system roots are not loaded), with
the JID's domain as the expected name; STARTTLS is required unless --direct-tls.

Scenarios (each ends with a graceful stream close):
    login-roster        log in, fetch the roster, send initial presence
    send TO BODY        log in, send initial presence, send one chat message to TO
    receive-one [FROM]  log in, send initial presence, wait for one chat message with a
                        body (from bare JID FROM if given)
    echo N              log in, send initial presence, answer each chat message with the
                        same body to the sender's full JID; done after N messages
    ping [TO]           log in, XEP-0199 ping TO (default: the server)
    buddy PEER BODY     log in, accept subscriptions from PEER, subscribe to PEER, wait
                        until PEER is seen available, send BODY to PEER, wait for one
                        chat message from PEER (run two at once, one per side)

Output, one event a line on stdout (fields separated by one space; bodies escaped with
\\n and \\\\):
    TLS <version> <cipher>            AUTH <mechanism>        ONLINE <full jid>
    ROSTER <n>                        ROSTER_ITEM <jid> <subscription> [ask]
    PRESENCE <from> <type>            MSG <from> <body>       SENT <to> <body>
    PING <to> ok                      PING <to> error <condition>
    DONE                              (success, exit 0)
    AUTH_FAILED <condition>           TLS_FAILED <reason>     ERROR <reason>   (exit 1)
Bad usage exits 2.
"""

import argparse
import asyncio
import logging
import ssl
import sys

try:
    import slixmpp
    from slixmpp.exceptions import IqError, IqTimeout
except ImportError:
    print("ERROR slixmpp not importable by %s (install python3-slixmpp; run with "
          "/usr/bin/python3)" % sys.executable)
    sys.exit(1)


def esc(text):
    """One-line form of a message body."""
    return (text or "").replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def out(*fields):
    print(" ".join(str(f) for f in fields), flush=True)


class Check(slixmpp.ClientXMPP):
    """slixmpp client that runs one scenario and resolves `self.result`."""

    def __init__(self, args):
        super().__init__(args.jid, args.password, sasl_mech=args.mech)
        self.args = args
        self.result = None  # asyncio.Future, created once the loop runs
        self.first_auth_failure = None
        self.auto_authorize = None  # subscription requests are handled by the scenario
        self.auto_subscribe = False
        self.register_plugin("xep_0199")
        self.ssl_context = self.make_tls_context()
        self.ca_certs = args.ca
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("ssl_invalid_chain", self.on_bad_chain)
        self.add_event_handler("failed_auth", self.on_failed_auth)
        self.add_event_handler("failed_all_auth", self.on_failed_all_auth)
        self.add_event_handler("connection_failed", self.on_connection_failed)
        self.add_event_handler("disconnected", self.on_disconnected)
        self.add_event_handler("presence", self.on_presence)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("stream_error", self.on_stream_error)
        self.messages = asyncio.Queue()
        self.available = {}  # bare jid -> asyncio.Event

    async def get_dns_records(self, domain, port=None):
        """The address is given (--host/--port): never ask DNS (slixmpp would otherwise send
        A/AAAA queries for the JID's domain to the system resolver before connecting)."""
        return [(domain, self.args.host, self.args.port)]

    def make_tls_context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # no system roots: only --ca
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.args.tls_version == "1.2":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        elif self.args.tls_version == "1.3":
            ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_verify_locations(cafile=self.args.ca)
        return ctx

    # ---- outcome ----
    def finish(self, ok, *line):
        if self.result is not None and not self.result.done():
            if line:
                out(*line)
            self.result.set_result(ok)

    def fail(self, *line):
        self.finish(False, *line)

    # ---- connection events ----
    def safe_abort(self):
        try:
            self.abort()
        except AttributeError:
            pass  # slixmpp 1.8.3: the transport is already gone

    def on_bad_chain(self, exc):
        self.fail("TLS_FAILED", esc(str(exc)))
        self.safe_abort()

    def on_failed_auth(self, stanza):
        if self.first_auth_failure is None:
            cond = stanza["condition"] if stanza is not None else ""
            self.first_auth_failure = cond or "unknown"

    def on_failed_all_auth(self, _event):
        self.fail("AUTH_FAILED", self.first_auth_failure or "no-usable-mechanism")
        self.safe_abort()

    def on_connection_failed(self, exc):
        self.fail("ERROR", "connection failed:", esc(str(exc)))

    def on_disconnected(self, reason):
        self.fail("ERROR", "disconnected before the scenario finished:", esc(str(reason)))

    def on_stream_error(self, err):
        self.fail("ERROR", "stream error:", err["condition"], esc(err["text"]))

    # ---- stanzas ----
    def on_presence(self, pres):
        ptype = pres["type"]
        out("PRESENCE", pres["from"], ptype)
        bare = pres["from"].bare
        if ptype in ("available", "chat", "away", "xa", "dnd"):
            self.available.setdefault(bare, asyncio.Event()).set()
        if ptype == "subscribe" and self.args.scenario == "buddy" and bare == self.peer():
            self.send_presence(pto=bare, ptype="subscribed")

    def on_message(self, msg):
        if msg["type"] in ("chat", "normal") and msg["body"]:
            out("MSG", msg["from"], esc(msg["body"]))
            self.messages.put_nowait(msg)

    def peer(self):
        return slixmpp.JID(self.args.args[0]).bare

    # ---- scenario ----
    async def on_session_start(self, _event):
        try:
            ssl_obj = self.transport.get_extra_info("ssl_object") if self.transport else None
            if ssl_obj is not None:
                out("TLS", ssl_obj.version(), ssl_obj.cipher()[0])
            mech = self.plugin["feature_mechanisms"].mech
            out("AUTH", mech.name if mech else "?")
            out("ONLINE", self.boundjid.full)
            ok = await getattr(self, "run_" + self.args.scenario.replace("-", "_"))()
            if ok:
                self.del_event_handler("disconnected", self.on_disconnected)
                await asyncio.wait_for(self.disconnect(wait=3.0), 5.0)
                self.finish(True, "DONE")
        except (IqError, IqTimeout) as exc:
            self.fail("ERROR", "iq failed:", esc(str(exc)))
        except asyncio.TimeoutError:
            self.fail("ERROR", "graceful close timed out")

    async def get_and_print_roster(self):
        # A plain roster get without `ver` (so the server always answers with the full
        # roster), printed from the server's answer itself: slixmpp's client_roster also
        # holds entries it made up, e.g. for our own JID.
        iq = self.Iq()
        iq["type"] = "get"
        iq.enable("roster")
        result = await iq.send(timeout=10)
        items = result["roster"]["items"]
        jids = sorted(str(j) for j in items.keys())
        out("ROSTER", len(jids))
        for j in jids:
            item = items[slixmpp.JID(j)]
            ask = " ask" if item.get("ask") else ""
            out("ROSTER_ITEM", j, (item.get("subscription") or "none") + ask)

    async def run_login_roster(self):
        await self.get_and_print_roster()
        self.send_presence()
        return True

    async def run_send(self):
        if len(self.args.args) != 2:
            return self.usage("send TO BODY")
        to, body = self.args.args
        self.send_presence()
        self.send_message(mto=to, mbody=body, mtype="chat")
        out("SENT", to, esc(body))
        return True

    async def run_receive_one(self):
        want = slixmpp.JID(self.args.args[0]).bare if self.args.args else None
        self.send_presence()
        while True:
            msg = await self.messages.get()
            if want is None or msg["from"].bare == want:
                return True

    async def run_echo(self):
        if len(self.args.args) != 1 or not self.args.args[0].isdigit():
            return self.usage("echo N")
        self.send_presence()
        for _ in range(int(self.args.args[0])):
            msg = await self.messages.get()
            self.send_message(mto=msg["from"], mbody=msg["body"], mtype="chat")
            out("SENT", msg["from"], esc(msg["body"]))
        return True

    async def run_ping(self):
        to = self.args.args[0] if self.args.args else self.boundjid.domain
        try:
            await self.plugin["xep_0199"].send_ping(slixmpp.JID(to), timeout=10)
            out("PING", to, "ok")
            return True
        except IqError as exc:
            out("PING", to, "error", exc.iq["error"]["condition"])
            self.fail("ERROR", "ping answered with an error")
            return False

    async def run_buddy(self):
        if len(self.args.args) != 2:
            return self.usage("buddy PEER BODY")
        peer, body = self.peer(), self.args.args[1]
        seen = self.available.setdefault(peer, asyncio.Event())
        await self.get_and_print_roster()
        self.send_presence()
        self.send_presence(pto=peer, ptype="subscribe")
        await seen.wait()
        self.send_message(mto=peer, mbody=body, mtype="chat")
        out("SENT", peer, esc(body))
        while True:
            msg = await self.messages.get()
            if msg["from"].bare == peer:
                break
        await self.get_and_print_roster()
        return True

    def usage(self, text):
        self.fail("ERROR", "usage:", text)
        return False


async def run(args):
    xmpp = Check(args)
    loop = asyncio.get_running_loop()
    xmpp.loop = loop
    xmpp.result = loop.create_future()
    xmpp.connect(address=(args.host, args.port), use_ssl=args.direct_tls,
                 force_starttls=not args.direct_tls, disable_starttls=args.direct_tls)
    try:
        ok = await asyncio.wait_for(xmpp.result, args.timeout)
    except asyncio.TimeoutError:
        out("ERROR", "timeout after %gs" % args.timeout)
        ok = False
    if not ok:
        try:
            xmpp.abort()
        except AttributeError:
            pass  # slixmpp 1.8.3: aborting a transport the server already closed
    return ok


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--jid", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True, help="PEM file of the CA to trust (only it)")
    ap.add_argument("--timeout", type=float, default=20.0, help="overall bound, seconds")
    ap.add_argument("--tls-version", choices=["any", "1.2", "1.3"], default="any")
    ap.add_argument("--mech", help="use only this SASL mechanism")
    ap.add_argument("--direct-tls", action="store_true", help="XEP-0368 direct TLS port")
    ap.add_argument("--resource", help="resource to request")
    ap.add_argument("--debug", action="store_true", help="slixmpp debug log (XML) on stderr")
    ap.add_argument("scenario",
                    choices=["login-roster", "send", "receive-one", "echo", "ping", "buddy"])
    ap.add_argument("args", nargs="*")
    args = ap.parse_args()
    if not (args.host.startswith("127.") or args.host in ("localhost", "::1")):
        out("ERROR", "refusing non-loopback host", args.host)
        return 2
    if args.resource:
        args.jid = "%s/%s" % (slixmpp.JID(args.jid).bare, args.resource)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.CRITICAL,
                        format="%(levelname)-7s %(name)s %(message)s", stream=sys.stderr)
    try:
        ok = asyncio.run(run(args))
    except OSError as exc:
        out("ERROR", esc(str(exc)))
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
