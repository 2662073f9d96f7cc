#!/usr/bin/env python3
"""Writes conformance/vectors/extra/sasl.json: SASL vectors beyond the RFC examples.

Every value is computed here, independently of the Rust code, with Python's hashlib/hmac
(PBKDF2 from OpenSSL) and its own SASLprep (stringprep + unicodedata), so the `sasl`
suite cross-checks xmpp-sasl against a second implementation. Deterministic: rerunning
gives the same file.

    python3 conformance/tools/gen_sasl_extra_vectors.py > conformance/vectors/extra/sasl.json
"""
import base64
import hashlib
import hmac
import json
import stringprep
import unicodedata

HASHES = {"SCRAM-SHA-1": "sha1", "SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}


def b64(data):
    return base64.b64encode(data).decode()


def saslprep(s):
    """RFC 4013 as a query string (unassigned code points allowed)."""
    mapped = "".join(" " if stringprep.in_table_c12(c) else c for c in s)
    mapped = "".join(c for c in mapped if not stringprep.in_table_b1(c))
    out = unicodedata.normalize("NFKC", mapped)
    prohibited = (stringprep.in_table_c12, stringprep.in_table_c21, stringprep.in_table_c22,
                  stringprep.in_table_c3, stringprep.in_table_c4, stringprep.in_table_c5,
                  stringprep.in_table_c6, stringprep.in_table_c7, stringprep.in_table_c8,
                  stringprep.in_table_c9)
    for c in out:
        if any(t(c) for t in prohibited):
            raise ValueError("prohibited")
    if any(stringprep.in_table_d1(c) for c in out):
        if any(stringprep.in_table_d2(c) for c in out):
            raise ValueError("bidi")
        if not (stringprep.in_table_d1(out[0]) and stringprep.in_table_d1(out[-1])):
            raise ValueError("bidi")
    if not out:
        raise ValueError("empty")
    return out


def esc(s):
    return s.replace("=", "=3D").replace(",", "=2C")


def scram(vid, mech, username, password, *, authzid="", flag="n", cb=b"", cnonce, snonce,
          salt, iterations, prep=True, source, note=None):
    base = mech[:-5] if mech.endswith("-PLUS") else mech
    h = HASHES[base]
    user = saslprep(username) if prep else username
    pw = saslprep(password) if prep else password
    gs2 = flag + "," + ("a=" + esc(authzid) if authzid else "") + ","
    bare = "n=" + esc(user) + ",r=" + cnonce
    server_first = "r=%s%s,s=%s,i=%d" % (cnonce, snonce, b64(salt), iterations)
    cbind = gs2.encode() + (cb if flag.startswith("p=") else b"")
    without_proof = "c=" + b64(cbind) + ",r=" + cnonce + snonce
    auth_message = bare + "," + server_first + "," + without_proof
    salted = hashlib.pbkdf2_hmac(h, pw.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", h).digest()
    stored_key = hashlib.new(h, client_key).digest()
    signature = hmac.new(stored_key, auth_message.encode(), h).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    server_key = hmac.new(salted, b"Server Key", h).digest()
    server_signature = hmac.new(server_key, auth_message.encode(), h).digest()
    rec = {
        "id": vid, "mechanism": mech, "username": username, "password": password,
        "authzid": authzid, "gs2_header": gs2, "client_nonce": cnonce,
        "server_nonce_full": cnonce + snonce, "salt_b64": b64(salt), "iterations": iterations,
        "channel_binding_data_b64": b64(cb),
        "client_first": gs2 + bare, "server_first": server_first,
        "client_final": without_proof + ",p=" + b64(proof),
        "server_final": "v=" + b64(server_signature),
        "intermediate": {
            "salted_password_hex": salted.hex(), "client_key_hex": client_key.hex(),
            "stored_key_hex": stored_key.hex(), "server_key_hex": server_key.hex(),
            "auth_message": auth_message,
        },
        "source": source, "rfc_derived": False,
    }
    if not prep:
        rec["skip_saslprep"] = True
    if note:
        rec["note"] = note
    return rec


def invalid(rec, vid, fail_at, note, **changes):
    out = {k: v for k, v in rec.items() if k != "intermediate"}
    out.update(changes)
    out.update({"id": vid, "valid": False, "fail_at": fail_at, "note": note})
    return out


def digest_md5(vid, username, realm, password, nonce, cnonce, uri, authzid=None, source=""):
    def enc(s):
        return s.encode("latin-1") if all(ord(c) < 256 for c in s) else s.encode()
    urp = hashlib.md5(enc(username) + b":" + enc(realm) + b":" + enc(password)).digest()
    a1 = urp + b":" + nonce.encode() + b":" + cnonce.encode()
    if authzid:
        a1 += b":" + authzid.encode()
    ha1 = hashlib.md5(a1).hexdigest()

    def kd(method):
        ha2 = hashlib.md5((method + ":" + uri).encode()).hexdigest()
        return hashlib.md5(("%s:%s:00000001:%s:auth:%s" % (ha1, nonce, cnonce, ha2)).encode()).hexdigest()

    def q(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    challenge = 'realm=%s,nonce=%s,qop="auth",charset=utf-8,algorithm=md5-sess' % (q(realm), q(nonce))
    response = ('charset=utf-8,username=%s,realm=%s,nonce=%s,nc=00000001,cnonce=%s,'
                'digest-uri=%s,response=%s,qop=auth' % (q(username), q(realm), q(nonce), q(cnonce), q(uri), kd("AUTHENTICATE")))
    if authzid:
        response += ",authzid=" + q(authzid)
    return {"id": vid, "mechanism": "DIGEST-MD5", "password": password, "challenge": challenge,
            "response": response, "rspauth": "rspauth=" + kd(""), "source": source,
            "rfc_derived": False}


def plain(vid, authzid, authcid, password, message=None, expected="success (server accepts)", **extra):
    if message is None:
        message = (authzid + "\0" + saslprep(authcid) + "\0" + saslprep(password)).encode()
    rec = {"id": vid, "mechanism": "PLAIN", "authzid": authzid, "authcid": authcid,
           "password": password, "message_hex": message.hex(), "message_b64": b64(message),
           "expected": expected, "source": "authored from RFC 4616 §2 and RFC 4013", "rfc_derived": False}
    rec.update(extra)
    return rec


def plain_message_only(vid, message, expected, note):
    """An invalid PLAIN record in the message-only form: the server must reject it."""
    return {"id": vid, "mechanism": "PLAIN", "valid": False, "fail_at": "message",
            "message_hex": message.hex(), "expected": expected,
            "source": "authored from RFC 4616 §2 and RFC 4013", "rfc_derived": False, "note": note}


def main():
    salt16 = bytes(range(1, 17))
    v = []
    sha512 = scram("x-scram-sha-512", "SCRAM-SHA-512", "user", "pencil",
                   cnonce="rOprNGfwEbeRWgbNEkqO", snonce="%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
                   salt=base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="), iterations=4096,
                   source="RFC 7677 §3 inputs with SHA-512")
    v.append(sha512)
    exporter = scram("x-scram-sha-256-plus-exporter", "SCRAM-SHA-256-PLUS", "juliet", "r0m30myr0m30",
                     flag="p=tls-exporter", cb=bytes(range(100, 132)), cnonce="Q2xpZW50Tm9uY2U",
                     snonce="U2VydmVyTm9uY2U", salt=salt16, iterations=4096,
                     source="authored from RFC 5802 §5-6 and RFC 9266")
    v.append(exporter)
    v.append(scram("x-scram-sha-1-plus-unique", "SCRAM-SHA-1-PLUS", "user", "pencil",
                   flag="p=tls-unique", cb=bytes.fromhex("8d2b1d9d8a8c1d6e7f3a4b5c"),
                   cnonce="fyko+d2lbbFgONRv9qkxdawL", snonce="3rfcNHYJY1ZVvWVs7j",
                   salt=base64.b64decode("QSXCR+Q6sek8bf92"), iterations=4096,
                   source="RFC 5802 §5 inputs, bound with tls-unique (RFC 5929 §3)"))
    v.append(scram("x-scram-sha-512-plus-endpoint", "SCRAM-SHA-512-PLUS", "romeo", "Wherefore art thou",
                   flag="p=tls-server-end-point", cb=hashlib.sha512(b"certificate").digest(),
                   cnonce="bm9uY2UtNTEy", snonce="LXNlcnZlcg", salt=salt16, iterations=4096,
                   source="authored from RFC 5802 and RFC 5929 §4"))
    v.append(scram("x-scram-sha-1-y-flag", "SCRAM-SHA-1", "user", "pencil", flag="y",
                   cnonce="eWZsYWc", snonce="c2VydmVy", salt=salt16, iterations=4096,
                   source="authored from RFC 5802 §6 (client supports binding, server offered none)"))
    escaped = scram("x-scram-sha-256-escaping-authzid", "SCRAM-SHA-256", "a,b=c", "p=w,d",
                    authzid="ad,min=x@example.com", cnonce="ZXNjYXBl", snonce="ZXNj", salt=salt16,
                    iterations=4096, source="authored from RFC 5802 §5.1 (saslname escaping, authzid)")
    v.append(escaped)
    v.append(scram("x-scram-sha-256-saslprep", "SCRAM-SHA-256", "\u2168us\u00ader", "I\u00adX p\u00e4ss\u00a0w\u00f6rd\u00aa",
                   cnonce="cHJlcA", snonce="c2FzbA", salt=salt16, iterations=4096,
                   source="authored from RFC 5802 §2.2 and RFC 4013 (mapping, NFKC)"))
    v.append(scram("x-scram-sha-1-skip-saslprep", "SCRAM-SHA-1", "\u2168", "pass\u00adword",
                   cnonce="c2tpcA", snonce="cmF3", salt=salt16, iterations=4096, prep=False,
                   source="authored: names and password used without SASLprep"))
    low = scram("x-scram-sha-1-one-iteration", "SCRAM-SHA-1", "user", "pencil", cnonce="b25l",
                snonce="aXRlcg", salt=salt16, iterations=1,
                source="authored: i=1 (computation check; clients refuse this by policy)")
    v.append(low)

    base = v[0]
    v.append(invalid(base, "x-invalid-proof", "client_final", "proof of a different password",
                     client_final=base["client_final"][:-8] + "AAAAAAA="))
    v.append(invalid(base, "x-invalid-server-signature", "server_final", "server signature flipped",
                     server_final="v=" + b64(bytes(64))))
    v.append(invalid(base, "x-invalid-server-error", "server_final", "server reports e=invalid-proof",
                     server_final="e=invalid-proof"))
    v.append(invalid(base, "x-invalid-nonce-not-extended", "server_first",
                     "server nonce does not start with the client nonce",
                     server_first=base["server_first"].replace("r=rOpr", "r=XOpr")))
    v.append(invalid(base, "x-invalid-zero-iterations", "server_first", "i=0",
                     server_first=base["server_first"].replace("i=4096", "i=0")))
    v.append(invalid(base, "x-invalid-unknown-user", "client_first",
                     "client-first names a user the store does not know (decoy path)",
                     client_first="n,,n=mallory,r=" + base["client_nonce"]))
    v.append(invalid(base, "x-invalid-gs2-header", "client_first", "bad gs2 flag",
                     client_first="x,,n=user,r=" + base["client_nonce"]))
    v.append(invalid(base, "x-invalid-mext", "client_first", "mandatory extension m=",
                     client_first="n,,m=ext,n=user,r=" + base["client_nonce"]))
    wrong_cb = exporter["client_final"].split(",r=")
    wrong_cb[0] = "c=" + b64(b"p=tls-exporter,," + bytes(32))
    v.append(invalid(exporter, "x-invalid-channel-binding", "client_final",
                     "c= carries different channel-binding data", client_final=",r=".join(wrong_cb)))
    v.append(invalid(base, "x-invalid-client-nonce", "client_final",
                     "client-final nonce differs from the server's",
                     client_final=base["client_final"].replace("r=rOpr", "r=XOpr")))

    v.append(plain("x-plain-authzid-self", "juliet", "juliet", "r0m30myr0m30"))
    v.append(plain("x-plain-saslprep", "", "\u2168user", "p\u00e4ss\u00adword"))
    v.append(plain("x-plain-wrong-password", "", "tim", "tanstaaftanstaaf",
                   message=b"\0tim\0wrongpassword", expected="failure: not-authorized",
                   valid=False, fail_at="message"))
    v.append(plain("x-plain-two-fields", "", "tim", "tanstaaftanstaaf",
                   message=b"tim\0tanstaaftanstaaf", expected="failure: malformed-request",
                   valid=False, fail_at="message"))
    v.append(digest_md5("x-digest-md5-authzid", "juliet", "example.com", "r0m30myr0m30",
                        "T1BBUVVF", "Q05PTkNF", "xmpp/example.com", authzid="juliet@example.com",
                        source="authored from RFC 2831 §2.1.2.1 (authzid in A1)"))
    latin = digest_md5("x-digest-md5-latin1", "j\u00fcrgen", "example.com", "s\u00e9cret",
                       "bm9uY2U", "Y25vbmNl", "xmpp/example.com",
                       source="authored from RFC 2831 §2.1.2.1 (ISO 8859-1 conversion)")
    v.append(latin)
    bad = dict(latin)
    bad.update({"id": "x-invalid-digest-rspauth", "valid": False, "fail_at": "rspauth",
                "rspauth": "rspauth=" + "0" * 32, "note": "rspauth of a server not knowing the password"})
    v.append(bad)
    for vid, message, note in [
        ("x-plain-msg-empty", b"", "no fields at all"),
        ("x-plain-msg-empty-authcid", b"\0\0tanstaaftanstaaf", "authcid = 1*SAFE"),
        ("x-plain-msg-empty-password", b"\0tim\0", "passwd = 1*SAFE"),
        ("x-plain-msg-nul-in-password", b"\0tim\0tanstaaf\0tanstaaf", "four fields: NUL in passwd"),
        ("x-plain-msg-authcid-not-utf8", b"\0t\xffm\0tanstaaftanstaaf", "authcid is not UTF-8"),
        ("x-plain-msg-control-in-authcid", b"\0tim\x07\0tanstaaftanstaaf",
         "U+0007 is prohibited by SASLprep (RFC 4013 §2.3, RFC 3454 C.2.1)"),
    ]:
        v.append(plain_message_only(vid, message, "failure: malformed-request", note))
    print(json.dumps({"vectors": v}, indent=1, ensure_ascii=False))


main()
