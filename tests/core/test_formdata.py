"""Form bodies decoded the fast way read exactly as the standard library reads them."""

import random
import urllib.parse

import pytest

from wiki.core.formdata import parse_urlencoded


def standard(body: bytes) -> list[tuple[str, str]]:
    """What Werkzeug gives (parse_qsl of the body read as UTF-8, blank values kept)."""
    return urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)


def test_a_page_of_text_with_line_breaks_accents_and_signs_reads_back_whole():
    text = "# Città\r\n\r\nNaïve café: 100% [[Home]] & more + less\\n = «über» 🎉\r\n"
    body = urllib.parse.urlencode({"text": text, "summary": "", "base_revision": "7"}).encode()
    assert parse_urlencoded(body) == [("text", text), ("summary", ""), ("base_revision", "7")]


@pytest.mark.parametrize(
    "body, fields",
    [
        (b"", []),
        (b"&&", []),
        (b"a", [("a", "")]),
        (b"a=&b", [("a", ""), ("b", "")]),
        (b"a=1=2", [("a", "1=2")]),
        (b"a+b=c+d", [("a b", "c d")]),
        (b"a=%2B%26%3D%25", [("a", "+&=%")]),
        (b"a=%5Cx41%5C%5C", [("a", "\\x41\\\\")]),
        (b"a=\\x41\\%41", [("a", "\\x41\\A")]),
        (b"t=%C3%A9%e2%82%ac", [("t", "é€")]),
        (b"t=%00", [("t", "\x00")]),
        (b"a=1&a=2", [("a", "1"), ("a", "2")]),
    ],
)
def test_fields_read_as_the_standard_library_reads_them(body, fields):
    assert parse_urlencoded(body) == fields == standard(body)


@pytest.mark.parametrize(
    "body",
    [
        b"a=%",  # an escape cut short
        b"a=%4",
        b"a=%zz",
        b"a=50%&b=1",
        b"a=%C3",  # half a character
        b"a=%ff",  # a byte that is no UTF-8
        b"a=%ED%A0%80",  # a lone surrogate
        b"a=\xff",  # a body that is not UTF-8
        b"a=\xc3%A9",  # nor with its escapes: Werkzeug reads no field of it
    ],
)
def test_what_the_fast_way_is_not_sure_of_is_left_to_the_standard_library(body):
    assert parse_urlencoded(body) is None


def test_it_agrees_with_the_standard_library_on_many_odd_bodies():
    pieces = [b"a", b"Z", b"%", b"+", b"=", b"&", b"\\", b"x", b"4", b"f", b"%C3", b"%A9"]
    pieces += [b"%E2%82%AC", "é".encode(), b"\xc3", b" ", b"%25", b"%2", b"%5C", b"\\x41"]
    rng = random.Random(18)
    decided = 0
    for _ in range(20_000):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randrange(12)))
        fields = parse_urlencoded(body)
        if fields is not None:
            decided += 1
            assert fields == standard(body), body
    assert decided > 5_000  # the fast way reads most bodies, not only the easy ones
