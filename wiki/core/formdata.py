"""Decoding a URL-encoded form body (what a browser posts) quickly, as the standard library does.

Werkzeug decodes a form with urllib.parse.parse_qsl, whose percent-decoding runs in Python
for each %XX: 0.5 to 0.8 ms of a 20 KB page's save (thousands of escapes for its line
breaks and punctuation), the largest single cost of a save outside the wiki's own work.
Here the escapes are decoded by the codec machinery in C. Only bodies the fast way is sure
to read exactly as parse_qsl does are decoded here; for anything else (a malformed escape,
bytes that are not UTF-8) the caller falls back to the standard library.
"""

import codecs


def parse_urlencoded(body: bytes) -> list[tuple[str, str]] | None:
    """Return the fields of a URL-encoded body as parse_qsl(body.decode(),
    keep_blank_values=True) would, or None where only the standard library should say."""
    try:
        body.decode("utf-8")  # Werkzeug reads no field of a body that is not UTF-8
    except UnicodeDecodeError:
        return None
    fields = []
    for field in body.split(b"&"):
        if not field:
            continue
        name, _, value = field.partition(b"=")
        name, value = _unquoted(name), _unquoted(value)
        if name is None or value is None:
            return None
        fields.append((name, value))
    return fields


def _unquoted(raw: bytes) -> str | None:
    """Return raw with "+" as a space and %XX as its byte, read as UTF-8; None if an
    escape is malformed or the bytes are not UTF-8."""
    raw = raw.replace(b"+", b" ")
    if b"%" in raw:
        # Every backslash doubled, every % made \x: the only escapes left are \\ and \xHH,
        # which escape_decode reads as one backslash and the byte HH. A % not followed by
        # two hex digits makes a bad \x escape, which it refuses (ValueError).
        try:
            raw = codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
        except ValueError:
            return None
    try:
        # A whole field valid as UTF-8 reads the same as parse_qsl's run by run decoding
        # (a run cannot end inside a character whose next bytes are valid on their own).
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
