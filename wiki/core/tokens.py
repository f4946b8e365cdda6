"""Split text into the units people read: words, spaces, single CJK characters, symbols."""

import re

# Ideographs, kana and CJK punctuation are compared one character at a time: these
# scripts write no spaces between words, so a "word" would be a whole sentence.
_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff00-\uff65\U00020000-\U0003134f"
)
# Combining marks are not \w in Python, but they belong to the letter before them
# ("e" + U+0301 is one "é" to a reader).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Emoji joiners, variation selectors and skin tones glue symbols into one glyph.
_GLUE = "\u200d\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff"

TOKEN_RE = re.compile(
    r"[\U0001f1e6-\U0001f1ff]{2}|[0-9#*]\ufe0f?\u20e3"
    rf"|[{_CJK}]"
    rf"|(?:(?![{_CJK}])[\w{_MARKS}])+"
    rf"|\s+"
    rf"|[^\s{_GLUE}](?:\u200d[^\s{_GLUE}]|[{_GLUE}])*"
    rf"|[{_GLUE}]+"
)


def tokenize(text: str) -> list[str]:
    """Return the tokens of text; joining them gives the text back exactly."""
    return TOKEN_RE.findall(text)
