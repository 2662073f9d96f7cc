#!/usr/bin/env python3
"""Regenerates conformance/vectors/stanzas/ from conformance/vectors/transcripts/.

One file per transcript and direction (C = initiating entity, S = receiving entity):
the 'C: ' / 'S: ' prefixes stripped, '#' commentary, '#alt' steps and non-XML lines
dropped, every stream header but the first and every stream close tag removed, and
the first header (if the direction sent one) kept at the top with a close tag at the
end. The files hold the top-level elements the conformance 'stanzas' suite reads.
"""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent / "conformance" / "vectors"
out = root / "stanzas"
out.mkdir(exist_ok=True)
header_re = re.compile(r"<stream:stream\b[^>]*>", re.S)
for path in sorted((root / "transcripts").glob("*.txt")):
    for who in ("C", "S"):
        lines = [l[3:] for l in path.read_text().splitlines() if l.startswith(who + ": ")]
        lines = [l for l in lines if l.strip().startswith("<") or l.startswith((" ", "\t"))
                 or re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", l.strip())]
        text = "\n".join(lines).replace("</stream:stream>", "")
        headers = header_re.findall(text)
        body = header_re.sub("", text).strip()
        if not body:
            continue
        content = (headers[0] + "\n" + body + "\n</stream:stream>\n") if headers else body + "\n"
        (out / f"{path.stem}.{who}.xml").write_text(content)
